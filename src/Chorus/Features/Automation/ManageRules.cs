using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation;

public sealed record RuleInput(
    string? Name, string? Description, bool Enabled, RuleTrigger Trigger, ConversationStatus? TriggerStatus, int? TriggerHours,
    IReadOnlyList<RuleCondition>? Conditions, IReadOnlyList<RuleAction>? Actions, int? Version = null, Guid? PlaybookId = null);

public sealed record RuleView(
    Guid Id, string Name, string? Description, int Position, bool Enabled, RuleTrigger Trigger, ConversationStatus? TriggerStatus, int? TriggerHours,
    IReadOnlyList<RuleCondition> Conditions, IReadOnlyList<RuleAction> Actions, int FireCount, DateTimeOffset? LastFiredAt, DateTimeOffset UpdatedAt, int Version,
    Guid? PlaybookId = null)
{
    public static RuleView Of(Rule r) => new(r.Id, r.Name, r.Description, r.Position, r.Enabled, r.Trigger, r.TriggerStatus, r.TriggerHours,
        r.Conditions, r.Actions, r.FireCount, r.LastFiredAt, r.UpdatedAt, r.Version, r.PlaybookId);
}

/// What a draft rule would have done: how many of the most recent conversations it matches, with examples.
public sealed record DryRunResult(int Examined, int Matched, IReadOnlyList<DryRunExample> Examples, IReadOnlyList<DryRunLink>? Links = null);

/// <paramref name="LinkedTo"/>: the problems of the rule's "link to problem" actions this conversation is already linked to.
public sealed record DryRunExample(long Number, string Subject, string Status, string Url, IReadOnlyList<string>? LinkedTo = null);

/// What a "link to problem" action would do to the matched conversations: link <paramref name="WouldLink"/>, the others already are.
public sealed record DryRunLink(string Problem, string Title, int WouldLink, int AlreadyLinked);

/// Admins create, edit, order, switch on and off, delete and try out rules. Every edit is audited.
public sealed class ManageRules(ChorusDb db, ValidateAutomation validate, RecordAudit audit, RuleSetCache cache)
{
    public const int DryRunSize = 1_000;
    public const int DryRunExamples = 10;

    public async Task<List<RuleView>> ListAsync(CancellationToken ct = default) =>
        (await db.Set<Rule>().AsNoTracking().OrderBy(r => r.Position).ThenBy(r => r.CreatedAt).ToListAsync(ct)).Select(RuleView.Of).ToList();

    public async Task<RuleView?> GetAsync(Guid id, CancellationToken ct = default) =>
        await db.Set<Rule>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) is { } r ? RuleView.Of(r) : null;

    public async Task<Outcome<RuleView>> SaveAsync(StaffActor actor, Guid? id, RuleInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<RuleView>.Forbidden("Only admins change rules.");
        Rule? rule = null;
        if (id is { } existing)
        {
            rule = await db.Set<Rule>().SingleOrDefaultAsync(r => r.Id == existing, ct);
            if (rule is null) return new Outcome<RuleView>.NotFound("Rule");
            if (input.Version is { } v && v != rule.Version) return new Outcome<RuleView>.Conflict("Someone else changed this rule after you opened it. Reload to see their change, then edit again.");
        }
        var errors = new ValidateAutomation.Errors();
        var name = input.Name?.Trim() ?? "";
        if (name.Length is 0 or > 100) errors.Add("name", "Give the rule a name of 1 to 100 characters.");
        else if (await db.Set<Rule>().AnyAsync(r => r.Name.ToLower() == name.ToLower() && r.Id != (id ?? Guid.Empty), ct))
            errors.Add("name", $"A rule named '{name}' exists already.");
        if (input.Description is { Length: > 500 }) errors.Add("description", "A description is at most 500 characters.");
        await CheckAsync(input, errors, ct);
        await validate.CheckPlaybookAsync(input.PlaybookId, errors, ct);
        if (errors.Any) return ValidateAutomation.Invalid<RuleView>(errors);

        var created = rule is null;
        if (rule is null)
        {
            rule = new Rule { Position = (await db.Set<Rule>().MaxAsync(r => (int?)r.Position, ct) ?? 0) + 1 };
            db.Add(rule);
        }
        rule.Name = name;
        rule.Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        rule.Enabled = input.Enabled;
        rule.Trigger = input.Trigger;
        rule.TriggerStatus = input.Trigger == RuleTrigger.TimeInStatus ? input.TriggerStatus : null;
        rule.TriggerHours = input.Trigger == RuleTrigger.TimeInStatus ? input.TriggerHours : null;
        rule.Conditions = (input.Conditions ?? []).Select(c => c with { Value = c.Value?.Trim() ?? "" }).ToList();
        rule.Actions = (input.Actions ?? []).Select(a => a with { Value = a.Kind is ActionKind.AddNote ? a.Value ?? "" : a.Value?.Trim() ?? "" }).ToList();
        rule.PlaybookId = input.PlaybookId;
        rule.UpdatedAt = DateTimeOffset.UtcNow;
        rule.Version++;
        audit.Add(actor, created ? "rule.created" : "rule.updated", "rule", rule.Id.ToString(), $"{rule.Name}: {Summary(rule)}");
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { return new Outcome<RuleView>.Conflict("Someone else changed this rule at the same moment. Reload, then edit again."); }
        cache.Invalidate();
        return RuleView.Of(rule);
    }

    public async Task<Outcome<RuleView>> SetEnabledAsync(StaffActor actor, Guid id, bool enabled, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<RuleView>.Forbidden("Only admins change rules.");
        var rule = await db.Set<Rule>().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null) return new Outcome<RuleView>.NotFound("Rule");
        if (rule.Enabled == enabled) return RuleView.Of(rule);
        rule.Enabled = enabled;
        rule.Version++;
        audit.Add(actor, enabled ? "rule.enabled" : "rule.disabled", "rule", rule.Id.ToString(), rule.Name);
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return RuleView.Of(rule);
    }

    public async Task<Outcome<bool>> DeleteAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<bool>.Forbidden("Only admins change rules.");
        var rule = await db.Set<Rule>().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null) return new Outcome<bool>.NotFound("Rule");
        db.Remove(rule);
        audit.Add(actor, "rule.deleted", "rule", rule.Id.ToString(), $"{rule.Name}: {Summary(rule)}");
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return true;
    }

    /// Puts the rules in the given order (every rule once).
    public async Task<Outcome<List<RuleView>>> ReorderAsync(StaffActor actor, IReadOnlyList<Guid> ids, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<List<RuleView>>.Forbidden("Only admins change rules.");
        var rules = await db.Set<Rule>().ToListAsync(ct);
        if (ids.Count != rules.Count || ids.Distinct().Count() != ids.Count || rules.Any(r => !ids.Contains(r.Id)))
            return Outcome<List<RuleView>>.Invalid.One("ids", "Send every rule's id exactly once, in the new order (the list may have changed: reload).");
        for (var i = 0; i < ids.Count; i++) rules.Single(r => r.Id == ids[i]).Position = i + 1;
        audit.Add(actor, "rule.reordered", "rule", null, string.Join(" → ", ids.Select(id => rules.Single(r => r.Id == id).Name)));
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        return await ListAsync(ct);
    }

    /// Evaluates a draft's trigger and conditions against the most recent conversations as they are now.
    public async Task<Outcome<DryRunResult>> DryRunAsync(StaffActor actor, RuleInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<DryRunResult>.Forbidden("Only admins try out rules.");
        var errors = new ValidateAutomation.Errors();
        await validate.CheckTriggerAndConditionsAsync(input.Trigger, input.TriggerStatus, input.TriggerHours, input.Conditions ?? [], errors, ct);
        if (errors.Any) return ValidateAutomation.Invalid<DryRunResult>(errors);
        var rule = new CompiledRule(new Rule { Name = input.Name ?? "draft", Trigger = input.Trigger, Conditions = (input.Conditions ?? []).ToList() });

        var recent = await db.Conversations.AsNoTracking().Where(c => c.MergedIntoId == null)
            .OrderByDescending(c => c.CreatedAt).Take(DryRunSize)
            .Select(c => new
            {
                c.Id, c.Number, c.Subject, c.ChannelId, c.TeamId, c.AssigneeId, c.Status, c.Priority, c.UpdatedAt,
                Tags = c.Tags.Select(t => t.Tag).ToList(),
                Kind = db.People.Where(p => p.Id == c.RequesterId).Select(p => p.Kind).FirstOrDefault(),
                OrganizationId = db.People.Where(p => p.Id == c.RequesterId).Select(p => p.OrganizationId).FirstOrDefault(),
                Text = db.Messages.Where(m => m.ConversationId == c.Id && m.Kind == MessageKind.Inbound).OrderByDescending(m => m.CreatedAt).Select(m => m.Text).FirstOrDefault(),
            }).ToListAsync(ct);
        var inside = (await Sla.SlaSettingsCache.ReadScheduleAsync(db, ct)).IsOpen(DateTimeOffset.UtcNow); // as if the rule ran now
        var cutoff = input.TriggerHours is { } h ? DateTimeOffset.UtcNow.AddHours(-h) : DateTimeOffset.MaxValue;
        var matched = recent.Where(c =>
            (input.Trigger != RuleTrigger.TimeInStatus || (c.Status == input.TriggerStatus && c.UpdatedAt <= cutoff))
            && rule.Matches(new ConversationFacts
            {
                ChannelId = c.ChannelId, TeamId = c.TeamId, AssigneeId = c.AssigneeId, Status = c.Status, Priority = c.Priority,
                Tags = c.Tags.ToHashSet(), PersonKind = c.Kind, OrganizationId = c.OrganizationId, Text = c.Subject + "\n" + c.Text, InsideBusinessHours = inside,
            })).ToList();
        // "Link to problem": which of the matched conversations it would link, and which already are.
        var problemNumbers = (input.Actions ?? []).Where(a => a?.Kind == ActionKind.LinkToProblem).Select(a => ProblemAction.Number(a.Value)).OfType<long>().Distinct().ToList();
        var problems = await db.Set<Problems.Problem>().AsNoTracking().Where(p => problemNumbers.Contains(p.Number)).OrderBy(p => p.Number)
            .Select(p => new { p.Id, p.Number, p.Title }).ToListAsync(ct);
        var problemIds = problems.Select(p => p.Id).ToList();
        var matchedIds = matched.Select(c => c.Id).ToList();
        var linked = new List<(Guid ProblemId, Guid ConversationId)>();
        foreach (var chunk in matchedIds.Chunk(500))
            linked.AddRange((await db.Set<Problems.ProblemLink>().AsNoTracking().Where(l => problemIds.Contains(l.ProblemId) && chunk.Contains(l.ConversationId))
                .Select(l => new { l.ProblemId, l.ConversationId }).ToListAsync(ct)).Select(l => (l.ProblemId, l.ConversationId)));
        var links = problems.Select(p =>
        {
            var already = linked.Count(l => l.ProblemId == p.Id);
            return new DryRunLink($"P-{p.Number}", p.Title, matched.Count - already, already);
        }).ToList();
        return new DryRunResult(recent.Count, matched.Count,
            matched.Take(DryRunExamples).Select(c => new DryRunExample(c.Number, c.Subject, c.Status.ToString(), $"/conversations/{c.Number}",
                problems.Where(p => linked.Contains((p.Id, c.Id))).Select(p => $"P-{p.Number}").ToList())).ToList(),
            links);
    }

    private async Task CheckAsync(RuleInput input, ValidateAutomation.Errors errors, CancellationToken ct)
    {
        await validate.CheckTriggerAndConditionsAsync(input.Trigger, input.TriggerStatus, input.TriggerHours, input.Conditions ?? [], errors, ct);
        await validate.CheckActionsAsync(input.Actions ?? [], forMacro: false, errors, ct);
    }

    /// One line for the audit log: when, if, then.
    public static string Summary(Rule r) =>
        $"when {RunRules.Describe(r.Trigger)}" + (r.Trigger == RuleTrigger.TimeInStatus ? $" ({r.TriggerStatus?.ToDisplay()} for {r.TriggerHours} h)" : "")
        + (r.Conditions.Count > 0 ? " if " + string.Join(" and ", r.Conditions.Select(ValidateAutomation.Describe)) : "")
        + " then " + string.Join(", ", r.Actions.Select(a => a.Kind + (a.Value is { Length: > 0 } v ? " " + TextLimits.Cut(v, 80) : "")))
        + (r.Enabled ? "" : " (disabled)");
}
