using System.Globalization;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Automation;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Sla;

/// Hours as "HH:mm" text, the way people write them (and the API sends them).
public sealed record OpeningHoursInput(DayOfWeek Day, string? Open, string? Close);

public sealed record HolidayInput(DateOnly Date, string? Name);

/// Enabled false: no business hours, SLA targets count every minute.
public sealed record BusinessHoursInput(bool Enabled, string? TimeZone, IReadOnlyList<OpeningHoursInput>? Hours, IReadOnlyList<HolidayInput>? Holidays, int? Version = null);

public sealed record BusinessHoursView(bool Enabled, string TimeZone, IReadOnlyList<OpeningHoursInput> Hours, IReadOnlyList<HolidayInput> Holidays, bool OpenNow, int Version);

/// WarnMinutesBefore: how long before a target is due the rules' "SLA target about to breach" trigger fires (0: never; omitted: 30).
public sealed record SlaPolicyInput(string? Name, Guid? TeamId, IReadOnlyList<Priority>? Priorities, int? FirstReplyMinutes, int? ResolutionMinutes, int? Version = null,
    int? WarnMinutesBefore = null);

public sealed record SlaPolicyView(Guid Id, string Name, int Position, Guid? TeamId, string? TeamName, IReadOnlyList<Priority> Priorities,
    int? FirstReplyMinutes, int? ResolutionMinutes, DateTimeOffset UpdatedAt, int Version, int WarnMinutesBefore = SlaPolicy.DefaultWarnMinutes);

/// Admins set the business hours and the SLA policies. Every edit is audited, takes effect on this node at
/// once, and re-works the due times of the conversations still open (<see cref="RestampSlaDueTimes"/>).
public sealed class ManageSla(ChorusDb db, RecordAudit audit, RestampSlaDueTimes restamps)
{
    public const int MaxHolidays = 500;
    public const int MaxWarnMinutes = 7 * 24 * 60;
    public const int MaxTargetMinutes = 365 * 24 * 60;

    public async Task<BusinessHoursView> GetBusinessHoursAsync(CancellationToken ct = default)
    {
        var row = await db.Set<BusinessHours>().AsNoTracking().SingleOrDefaultAsync(ct);
        return row is null
            ? new BusinessHoursView(false, "UTC", DefaultWeek, [], true, 0)
            : new BusinessHoursView(true, row.TimeZone, row.Hours.Select(h => new OpeningHoursInput(h.Day, Time(h.Open), Time(h.Close))).ToList(),
                row.Holidays.OrderBy(h => h.Date).Select(h => new HolidayInput(h.Date, h.Name)).ToList(), row.ToSchedule().IsOpen(DateTimeOffset.UtcNow), row.Version);
    }

    /// Monday to Friday, 09:00 to 17:00: what the page offers before anything is saved.
    public static readonly IReadOnlyList<OpeningHoursInput> DefaultWeek =
        [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }.Select(d => new OpeningHoursInput(d, "09:00", "17:00"))];

    public async Task<Outcome<BusinessHoursView>> SaveBusinessHoursAsync(StaffActor actor, BusinessHoursInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<BusinessHoursView>.Forbidden("Only admins change business hours.");
        var row = await db.Set<BusinessHours>().SingleOrDefaultAsync(ct);
        if (input.Version is { } v && v != (row?.Version ?? 0))
            return new Outcome<BusinessHoursView>.Conflict("Someone else changed the business hours after you opened them. Reload to see their change, then edit again.");
        if (!input.Enabled)
        {
            if (row is not null)
            {
                db.Remove(row);
                audit.Add(actor, "business_hours.removed", "business_hours", null, "SLA targets count every hour of every day");
                await db.SaveChangesAsync(ct);
                await restamps.RequestAsync(ct);
            }
            return await GetBusinessHoursAsync(ct);
        }

        var errors = new ValidateAutomation.Errors();
        var zoneId = input.TimeZone?.Trim() ?? "";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone) || !zone.HasIanaId && zoneId != "UTC")
            errors.Add("timeZone", $"'{zoneId}' is not a time zone; give an IANA name such as Europe/Paris or America/New_York.");
        var hours = new List<OpeningHours>();
        var given = input.Hours ?? [];
        for (var i = 0; i < given.Count; i++)
        {
            var h = given[i];
            var field = $"hours[{i}]";
            if (h is null || !Enum.IsDefined(h.Day)) { errors.Add(field, $"Hours {i + 1}: choose a weekday."); continue; }
            if (ParseTime(h.Open) is not { } open || ParseTime(h.Close) is not { } close)
            {
                errors.Add(field, $"{h.Day}: give the opening and closing times as HH:mm, e.g. 09:00 and 17:00.");
                continue;
            }
            hours.Add(new OpeningHours(h.Day, open, close));
        }
        if (hours.Count == 0 && !errors.Any)
            errors.Add("hours", "Give the hours of at least one day, or switch business hours off so targets count every hour.");
        foreach (var day in hours.GroupBy(h => h.Day))
        {
            var spans = day.OrderBy(h => h.Open).ToList();
            if (spans.Count > 1 && spans.Any(s => s.Overnight)) { errors.Add("hours", $"{day.Key}: an overnight span (closing after midnight) must be the day's only one."); continue; }
            for (var i = 1; i < spans.Count; i++)
                if (spans[i].Open < spans[i - 1].Close)
                    errors.Add("hours", $"{day.Key}: {Time(spans[i - 1].Open)}–{Time(spans[i - 1].Close)} and {Time(spans[i].Open)}–{Time(spans[i].Close)} overlap.");
        }
        var holidays = new List<Holiday>();
        var givenHolidays = input.Holidays ?? [];
        if (givenHolidays.Count > MaxHolidays) errors.Add("holidays", $"At most {MaxHolidays} holidays.");
        for (var i = 0; i < givenHolidays.Count && i < MaxHolidays; i++)
        {
            var h = givenHolidays[i];
            var name = h?.Name?.Trim() ?? "";
            if (h is null || name.Length is 0 or > 100) { errors.Add($"holidays[{i}]", $"Holiday {i + 1}: give it a name of 1 to 100 characters."); continue; }
            if (holidays.Any(x => x.Date == h.Date)) { errors.Add($"holidays[{i}]", $"{h.Date:yyyy-MM-dd} is listed twice."); continue; }
            holidays.Add(new Holiday(h.Date, name));
        }
        if (errors.Any) return ValidateAutomation.Invalid<BusinessHoursView>(errors);

        var created = row is null;
        if (row is null) db.Add(row = new BusinessHours());
        row.TimeZone = zone!.Id;
        row.Hours = hours.OrderBy(h => h.Day).ThenBy(h => h.Open).ToList();
        row.Holidays = holidays.OrderBy(h => h.Date).ToList();
        row.UpdatedAt = DateTimeOffset.UtcNow;
        row.Version++;
        audit.Add(actor, created ? "business_hours.set" : "business_hours.updated", "business_hours", null,
            $"{row.TimeZone}: " + string.Join(", ", row.Hours.Select(h => $"{h.Day.ToString()[..3]} {Time(h.Open)}–{Time(h.Close)}")) + $"; {row.Holidays.Count} holidays");
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { return new Outcome<BusinessHoursView>.Conflict("Someone else changed the business hours at the same moment. Reload, then edit again."); }
        await restamps.RequestAsync(ct);
        return await GetBusinessHoursAsync(ct);
    }

    public async Task<List<SlaPolicyView>> ListPoliciesAsync(CancellationToken ct = default) =>
        await Views(db.Set<SlaPolicy>().AsNoTracking()).ToListAsync(ct);

    public async Task<SlaPolicyView?> GetPolicyAsync(Guid id, CancellationToken ct = default) =>
        await Views(db.Set<SlaPolicy>().AsNoTracking().Where(p => p.Id == id)).SingleOrDefaultAsync(ct);

    private IQueryable<SlaPolicyView> Views(IQueryable<SlaPolicy> q) =>
        from p in q
        join t in db.Teams on p.TeamId equals t.Id into tj
        from t in tj.DefaultIfEmpty()
        orderby p.Position, p.CreatedAt
        select new SlaPolicyView(p.Id, p.Name, p.Position, p.TeamId, t != null ? t.Name : null, p.Priorities, p.FirstReplyMinutes, p.ResolutionMinutes, p.UpdatedAt, p.Version, p.WarnMinutesBefore);

    public async Task<Outcome<SlaPolicyView>> SavePolicyAsync(StaffActor actor, Guid? id, SlaPolicyInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<SlaPolicyView>.Forbidden("Only admins change SLA policies.");
        SlaPolicy? policy = null;
        if (id is { } existing)
        {
            policy = await db.Set<SlaPolicy>().SingleOrDefaultAsync(p => p.Id == existing, ct);
            if (policy is null) return new Outcome<SlaPolicyView>.NotFound("SLA policy");
            if (input.Version is { } v && v != policy.Version)
                return new Outcome<SlaPolicyView>.Conflict("Someone else changed this SLA policy after you opened it. Reload to see their change, then edit again.");
        }
        var errors = new ValidateAutomation.Errors();
        var name = input.Name?.Trim() ?? "";
        if (name.Length is 0 or > 100) errors.Add("name", "Give the policy a name of 1 to 100 characters.");
        else if (await db.Set<SlaPolicy>().AnyAsync(p => p.Name.ToLower() == name.ToLower() && p.Id != (id ?? Guid.Empty), ct))
            errors.Add("name", $"A policy named '{name}' exists already.");
        if (input.TeamId is { } team && !await db.Teams.AnyAsync(t => t.Id == team, ct)) errors.Add("teamId", "That team does not exist.");
        var priorities = (input.Priorities ?? []).Distinct().ToList();
        if (priorities.Any(p => !Enum.IsDefined(p))) errors.Add("priorities", "Choose priorities among low, normal, high and urgent.");
        if (input.FirstReplyMinutes is null && input.ResolutionMinutes is null)
            errors.Add("targets", "Give a first-reply target, a resolution target, or both.");
        if (input.FirstReplyMinutes is { } f && f is < 1 or > MaxTargetMinutes) errors.Add("firstReplyMinutes", $"A first-reply target is 1 to {MaxTargetMinutes:N0} business minutes (a year).");
        if (input.ResolutionMinutes is { } r && r is < 1 or > MaxTargetMinutes) errors.Add("resolutionMinutes", $"A resolution target is 1 to {MaxTargetMinutes:N0} business minutes (a year).");
        if (input.WarnMinutesBefore is { } warn && warn is < 0 or > MaxWarnMinutes)
            errors.Add("warnMinutesBefore", $"Warn 0 (never) to {MaxWarnMinutes:N0} minutes (a week) before a target is due.");
        if (input is { FirstReplyMinutes: { } fr, ResolutionMinutes: { } rs } && rs < fr)
            errors.Add("resolutionMinutes", "The resolution target is shorter than the first-reply target: a conversation solved in time would still miss its first reply.");
        if (errors.Any) return ValidateAutomation.Invalid<SlaPolicyView>(errors);

        var created = policy is null;
        if (policy is null)
        {
            policy = new SlaPolicy { Position = (await db.Set<SlaPolicy>().MaxAsync(p => (int?)p.Position, ct) ?? 0) + 1 };
            db.Add(policy);
        }
        policy.Name = name;
        policy.TeamId = input.TeamId;
        policy.Priorities = priorities.Order().ToList();
        policy.FirstReplyMinutes = input.FirstReplyMinutes;
        policy.ResolutionMinutes = input.ResolutionMinutes;
        policy.WarnMinutesBefore = input.WarnMinutesBefore ?? SlaPolicy.DefaultWarnMinutes;
        policy.UpdatedAt = DateTimeOffset.UtcNow;
        policy.Version++;
        audit.Add(actor, created ? "sla_policy.created" : "sla_policy.updated", "sla_policy", policy.Id.ToString(), Summary(policy));
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { return new Outcome<SlaPolicyView>.Conflict("Someone else changed the SLA policies at the same moment. Reload, then edit again."); }
        await restamps.RequestAsync(ct);
        return (await GetPolicyAsync(policy.Id, ct))!;
    }

    public async Task<Outcome<bool>> DeletePolicyAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<bool>.Forbidden("Only admins change SLA policies.");
        var policy = await db.Set<SlaPolicy>().SingleOrDefaultAsync(p => p.Id == id, ct);
        if (policy is null) return new Outcome<bool>.NotFound("SLA policy");
        db.Remove(policy);
        audit.Add(actor, "sla_policy.deleted", "sla_policy", policy.Id.ToString(), Summary(policy));
        await db.SaveChangesAsync(ct);
        await restamps.RequestAsync(ct);
        return true;
    }

    /// Puts the policies in the given order (every policy once); the first that matches a conversation applies.
    public async Task<Outcome<List<SlaPolicyView>>> ReorderPoliciesAsync(StaffActor actor, IReadOnlyList<Guid> ids, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<List<SlaPolicyView>>.Forbidden("Only admins change SLA policies.");
        var policies = await db.Set<SlaPolicy>().ToListAsync(ct);
        if (ids.Count != policies.Count || ids.Distinct().Count() != ids.Count || policies.Any(p => !ids.Contains(p.Id)))
            return Outcome<List<SlaPolicyView>>.Invalid.One("ids", "Send every policy's id exactly once, in the new order (the list may have changed: reload).");
        for (var i = 0; i < ids.Count; i++) policies.Single(p => p.Id == ids[i]).Position = i + 1;
        audit.Add(actor, "sla_policy.reordered", "sla_policy", null, string.Join(" → ", ids.Select(id => policies.Single(p => p.Id == id).Name)));
        await db.SaveChangesAsync(ct);
        await restamps.RequestAsync(ct);
        return await ListPoliciesAsync(ct);
    }

    /// Re-works every conversation's due times now, solved ones too: for a workspace whose history was written
    /// before its policies (the demo), so its past shows which targets were met.
    public Task<int> RestampAsync(bool solvedToo, CancellationToken ct = default, int? chunk = null, IProgress<int>? progress = null) =>
        restamps.RestampAsync(solvedToo, ct, chunk, progress);

    public static string Summary(SlaPolicy p) =>
        $"{p.Name}: " + (p.Priorities.Count == 0 ? "every priority" : string.Join("/", p.Priorities.Select(x => x.ToString().ToLowerInvariant())))
        + (p.FirstReplyMinutes is { } f ? $", first reply {BusinessSchedule.Duration(f)}" : "")
        + (p.ResolutionMinutes is { } r ? $", resolution {BusinessSchedule.Duration(r)}" : "");

    public static string Time(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);

    public static TimeOnly? ParseTime(string? text) =>
        TimeOnly.TryParseExact(text?.Trim(), ["HH:mm", "H:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t
        : text?.Trim() == "24:00" ? TimeOnly.MinValue : null;
}
