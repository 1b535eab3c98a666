using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Campaigns;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.PressRoom;

public sealed record PressReleaseSummary(Guid Id, string Slug, string Title, PressReleaseStatus Status, string State, Guid OwnerTeamId, string AuthorName,
    DateTimeOffset? EmbargoUntil, string TimeZone, DateTimeOffset? PublicAt, int Pitches, int Coverage, DateTimeOffset UpdatedAt);

/// State says it in words: "draft", "approved", "embargoed" (published, not public yet), "published".
public sealed record PressReleaseDetail(Guid Id, string Slug, string Title, string Summary, string Body, string Html, PressReleaseStatus Status, string State,
    Guid OwnerTeamId, string OwnerTeamName, string AuthorId, string AuthorName, string? ApprovedByName, DateTimeOffset? ApprovedAt,
    DateTimeOffset? EmbargoUntil, string TimeZone, string? EmbargoDisplay, DateTimeOffset? PublicAt, string NewsroomPath,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool CanManage, bool CanApprove);

/// Title, summary and body (Markdown). Null fields are left as they are; OwnerTeamId defaults to the PR team.
public sealed record PressReleaseInput(string? Title, string? Summary = null, string? Body = null, Guid? OwnerTeamId = null);

/// No EmbargoUntil: public now. Otherwise a wall-clock time in TimeZone ("2026-12-01T09:00", "Europe/Paris").
public sealed record PublishReleaseInput(string? EmbargoUntil = null, string? TimeZone = null);

/// Press releases: a draft by the PR team, approved by a colleague other than its author (admins
/// included: nobody approves their own), then published, at once or under embargo until a moment in a
/// time zone. The newsroom shows it from that moment; never before.
public partial class ManagePressReleases(ChorusDb db, HtmlCleaner html, RecordAudit audit, TimeProvider clock)
{
    public static bool CanManage(StaffActor actor, Guid ownerTeamId) => ManageCampaigns.CanManage(actor, ownerTeamId);

    public async Task<List<PressReleaseSummary>> ListAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var rows = await db.Set<PressRelease>().AsNoTracking().OrderByDescending(r => r.UpdatedAt)
            .Select(r => new
            {
                r.Id, r.Slug, r.Title, r.Status, r.OwnerTeamId, r.AuthorName, r.EmbargoUntil, r.TimeZone, r.PublicAt, r.UpdatedAt,
                Pitches = db.Set<Pitch>().Count(p => p.ReleaseId == r.Id), Coverage = db.Set<Coverage>().Count(c => c.ReleaseId == r.Id),
            }).Take(500).ToListAsync(ct);
        return rows.Select(r => new PressReleaseSummary(r.Id, r.Slug, r.Title, r.Status, State(r.Status, r.PublicAt, now), r.OwnerTeamId, r.AuthorName,
            r.EmbargoUntil, r.TimeZone, r.PublicAt, r.Pitches, r.Coverage, r.UpdatedAt)).ToList();
    }

    public async Task<Outcome<PressReleaseDetail>> GetAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        var r = await db.Set<PressRelease>().AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (r is null) return new Outcome<PressReleaseDetail>.NotFound("Press release");
        var team = await db.Teams.Where(t => t.Id == r.OwnerTeamId).Select(t => t.Name).SingleAsync(ct);
        var canManage = CanManage(actor, r.OwnerTeamId);
        return new PressReleaseDetail(r.Id, r.Slug, r.Title, r.Summary, r.Body, html.MarkdownToHtml(r.Body), r.Status, State(r.Status, r.PublicAt, clock.GetUtcNow()),
            r.OwnerTeamId, team, r.AuthorId, r.AuthorName, r.ApprovedByName, r.ApprovedAt, r.EmbargoUntil, r.TimeZone,
            r.EmbargoUntil is { } e ? ScheduleTimes.Display(e, r.TimeZone) : null, r.PublicAt, "/newsroom/" + r.Slug, r.CreatedAt, r.UpdatedAt,
            canManage, canManage && r.Status == PressReleaseStatus.Draft && r.AuthorId != actor.Id);
    }

    public static string State(PressReleaseStatus status, DateTimeOffset? publicAt, DateTimeOffset now) => status switch
    {
        PressReleaseStatus.Draft => "draft",
        PressReleaseStatus.Approved => "approved",
        _ => publicAt > now ? "embargoed" : "published",
    };

    public async Task<Outcome<PressReleaseDetail>> CreateAsync(StaffActor actor, PressReleaseInput input, CancellationToken ct = default)
    {
        var teamId = input.OwnerTeamId ?? await db.Teams.Where(t => t.Name == "PR").Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct);
        if (teamId is null || !await db.Teams.AnyAsync(t => t.Id == teamId, ct)) return Outcome<PressReleaseDetail>.Invalid.One("ownerTeamId", "Choose the team that owns the release.");
        if (!CanManage(actor, teamId.Value)) return new Outcome<PressReleaseDetail>.Forbidden("Only the release's team and admins write its press releases.");
        var release = new PressRelease { OwnerTeamId = teamId.Value, AuthorId = actor.Id, AuthorName = actor.Name };
        if (Apply(release, input) is { } invalid) return invalid;
        release.Slug = Slug(release.Title, release.Id);
        db.Add(release);
        audit.Add(actor, "press-release.created", "press-release", release.Id.ToString(), release.Title);
        await db.SaveChangesAsync(ct);
        return await GetAsync(actor, release.Id, ct);
    }

    public Task<Outcome<PressReleaseDetail>> UpdateAsync(StaffActor actor, Guid id, PressReleaseInput input, CancellationToken ct = default) =>
        WithReleaseAsync(actor, id, r =>
        {
            if (r.Status != PressReleaseStatus.Draft)
                return new Outcome<PressReleaseDetail>.Conflict($"The release is {Words(r)}: take it back to a draft before changing it.");
            if (input.OwnerTeamId is { } team && team != r.OwnerTeamId) return Outcome<PressReleaseDetail>.Invalid.One("ownerTeamId", "A release stays with its team.");
            if (Apply(r, input) is { } invalid) return invalid;
            audit.Add(actor, "press-release.updated", "press-release", r.Id.ToString(), r.Title);
            return null;
        }, ct);

    public Task<Outcome<PressReleaseDetail>> ApproveAsync(StaffActor actor, Guid id, CancellationToken ct = default) =>
        WithReleaseAsync(actor, id, r =>
        {
            if (r.Status != PressReleaseStatus.Draft) return new Outcome<PressReleaseDetail>.Conflict($"Only a draft is approved; this release is {Words(r)}.");
            if (r.AuthorId == actor.Id) return new Outcome<PressReleaseDetail>.Forbidden("A colleague approves your release: you cannot approve your own.");
            r.Status = PressReleaseStatus.Approved;
            r.ApprovedByName = actor.Name;
            r.ApprovedAt = clock.GetUtcNow();
            audit.Add(actor, "press-release.approved", "press-release", r.Id.ToString(), r.Title);
            return null;
        }, ct);

    /// Publishes an approved release now, or under embargo until a later moment.
    public Task<Outcome<PressReleaseDetail>> PublishAsync(StaffActor actor, Guid id, PublishReleaseInput input, CancellationToken ct = default) =>
        WithReleaseAsync(actor, id, r =>
        {
            if (r.Status != PressReleaseStatus.Approved)
                return new Outcome<PressReleaseDetail>.Conflict(r.Status == PressReleaseStatus.Draft ? "A colleague approves the release before it is published." : $"The release is {Words(r)} already.");
            if (!ScheduleTimes.TryZone(input.TimeZone, out var zone))
                return Outcome<PressReleaseDetail>.Invalid.One("timeZone", $"\"{input.TimeZone}\" is not a time zone (use an IANA name such as Europe/Paris).");
            var now = clock.GetUtcNow();
            DateTimeOffset? embargo = null;
            if (!string.IsNullOrWhiteSpace(input.EmbargoUntil))
            {
                var (at, error) = ScheduleTimes.Parse(input.EmbargoUntil, zone);
                if (error is not null) return Outcome<PressReleaseDetail>.Invalid.One("embargoUntil", error);
                if (at <= now) return Outcome<PressReleaseDetail>.Invalid.One("embargoUntil", $"{ScheduleTimes.Display(at!.Value, zone.Id)} has passed: an embargo ends later, or publish now.");
                embargo = at;
            }
            r.Status = PressReleaseStatus.Published;
            r.EmbargoUntil = embargo;
            r.TimeZone = zone.Id;
            r.PublicAt = embargo ?? now;
            audit.Add(actor, "press-release.published", "press-release", r.Id.ToString(),
                r.Title + (embargo is { } e ? $" (embargoed until {ScheduleTimes.Display(e, zone.Id)})" : ""));
            return null;
        }, ct);

    /// Back to a draft: an approved release, or a published one still under embargo (it leaves the
    /// newsroom's queue; journalists who were sent it keep their e-mail).
    public Task<Outcome<PressReleaseDetail>> WithdrawAsync(StaffActor actor, Guid id, CancellationToken ct = default) =>
        WithReleaseAsync(actor, id, r =>
        {
            var now = clock.GetUtcNow();
            if (r.Status == PressReleaseStatus.Draft) return new Outcome<PressReleaseDetail>.Conflict("The release is a draft already.");
            if (r.Status == PressReleaseStatus.Published && r.PublicAt <= now)
                return new Outcome<PressReleaseDetail>.Conflict("The release is public already; it stays on the newsroom.");
            r.Status = PressReleaseStatus.Draft;
            r.ApprovedAt = null;
            r.ApprovedByName = null;
            r.EmbargoUntil = null;
            r.PublicAt = null;
            audit.Add(actor, "press-release.withdrawn", "press-release", r.Id.ToString(), r.Title);
            return null;
        }, ct);

    private async Task<Outcome<PressReleaseDetail>> WithReleaseAsync(StaffActor actor, Guid id, Func<PressRelease, Outcome<PressReleaseDetail>?> action, CancellationToken ct)
    {
        var release = await db.Set<PressRelease>().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (release is null) return new Outcome<PressReleaseDetail>.NotFound("Press release");
        if (!CanManage(actor, release.OwnerTeamId)) return new Outcome<PressReleaseDetail>.Forbidden("Only the release's team and admins change it.");
        if (action(release) is { } failed) return failed;
        release.UpdatedAt = clock.GetUtcNow();
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { return new Outcome<PressReleaseDetail>.Conflict("Someone changed the release meanwhile; reload and try again."); }
        return await GetAsync(actor, id, ct);
    }

    private static Outcome<PressReleaseDetail>? Apply(PressRelease r, PressReleaseInput input)
    {
        var errors = new Dictionary<string, string[]>();
        var title = input.Title?.Trim() ?? r.Title;
        if (title.Length is 0 or > 200) errors["title"] = ["Give the release a headline of up to 200 characters."];
        var summary = input.Summary?.Trim() ?? r.Summary;
        if (summary.Length > 1000) errors["summary"] = ["A summary is at most 1,000 characters: one or two sentences."];
        var body = input.Body?.Trim() ?? r.Body;
        if (body.Length == 0) errors["body"] = ["Write the release first."];
        else if (body.Length > PressRelease.MaxBody) errors["body"] = [$"A release is at most {PressRelease.MaxBody:N0} characters."];
        if (errors.Count > 0) return new Outcome<PressReleaseDetail>.Invalid(errors);
        r.Title = title;
        r.Summary = summary;
        r.Body = body;
        return null;
    }

    /// "starfall-ships-on-december-1-3f9a2c": the headline's words and a piece of the id, fixed at creation.
    private static string Slug(string title, Guid id)
    {
        var words = NotSlug().Replace(title.ToLowerInvariant(), "-").Trim('-');
        return $"{(words.Length > 80 ? words[..80].TrimEnd('-') : words)}-{id.ToString("N")[^6..]}".TrimStart('-');
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();

    private string Words(PressRelease r) => State(r.Status, r.PublicAt, clock.GetUtcNow()) switch
    {
        "draft" => "a draft",
        var s => s,
    };
}
