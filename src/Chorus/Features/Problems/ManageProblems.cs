using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Problems;

/// What staff send to create or change a problem. Status: open, knownError (or "known error") or solved.
/// Version: the one the editor saw (a change since then is refused). FromConversation: link this conversation at once.
public sealed record ProblemInput(string? Title, string? Description, string? Status = null, string? EngineeringUrl = null, Guid? TeamId = null,
    int? Version = null, long? FromConversation = null);

public sealed record LinkRequest(long? ConversationNumber);

public sealed record ProblemSummary(long Number, string Reference, string Title, ProblemStatus Status, Guid? TeamId, string? TeamName, string? EngineeringUrl,
    int LinkedCount, DateTimeOffset? NewestLinkedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// A linked conversation as the problem page shows it; AnsweredAt: when "Solve and answer everyone" answered its requester.
public sealed record LinkedConversation(long Number, string Subject, Guid RequesterId, string RequesterName, string ChannelName, ChannelKind ChannelKind,
    ConversationStatus Status, DateTimeOffset LastMessageAt, DateTimeOffset LinkedAt, DateTimeOffset? AnsweredAt);

public sealed record ProblemDetail(long Number, string Reference, string Title, string Description, ProblemStatus Status, Guid? TeamId, string? TeamName,
    string? EngineeringUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? SolvedAt, int Version, IReadOnlyList<LinkedConversation> Conversations);

/// Problems and the conversations linked to them. Everyone on staff reads; agents and admins change.
/// A conversation of a private team is listed, counted and suggested only to its members (and admins).
public sealed class ManageProblems(ChorusDb db, RecordAudit audit, InboxEvents events)
{
    public const int MaxDescription = 20_000;

    public async Task<List<ProblemSummary>> ListAsync(StaffActor actor, ProblemStatus? status = null, string? query = null, CancellationToken ct = default)
    {
        var problems = db.Set<Problem>().AsNoTracking().Where(p => status == null || p.Status == status);
        var q = query?.Trim() ?? "";
        if (q.Length > 0)
        {
            var number = long.TryParse(q.StartsWith("P-", StringComparison.OrdinalIgnoreCase) ? q[2..] : q, out var n) ? n : -1;
            var pattern = q.ToLower();
            problems = problems.Where(p => p.Number == number || p.Title.ToLower().Contains(pattern));
        }
        var rows = await problems.OrderByDescending(p => p.UpdatedAt).Take(500).ToListAsync(ct);
        return await SummariesAsync(actor, rows, ct);
    }

    public async Task<ProblemDetail?> GetAsync(StaffActor actor, long number, CancellationToken ct = default)
    {
        var p = await db.Set<Problem>().AsNoTracking().SingleOrDefaultAsync(x => x.Number == number, ct);
        if (p is null) return null;
        var hidden = actor.HiddenTeamIds.ToList();
        var answers = db.Set<ProblemAnswer>().Where(a => a.ProblemId == p.Id);
        var linked = await (from l in db.Set<ProblemLink>().AsNoTracking()
                            join c in db.Conversations.AsNoTracking() on l.ConversationId equals c.Id
                            where l.ProblemId == p.Id && (c.TeamId == null || !hidden.Contains(c.TeamId.Value))
                            select new LinkedConversation(c.Number, c.Subject, c.RequesterId, c.Requester!.Name, c.Channel!.Name, c.Channel.Kind, c.Status, c.LastMessageAt, l.LinkedAt,
                                answers.Where(a => a.ConversationId == c.Id).Select(a => (DateTimeOffset?)a.At).FirstOrDefault()))
            .ToListAsync(ct);
        return new ProblemDetail(p.Number, p.Reference, p.Title, p.Description, p.Status, p.TeamId, await TeamNameAsync(p.TeamId, ct), p.EngineeringUrl,
            p.CreatedAt, p.UpdatedAt, p.SolvedAt, p.Version, linked.OrderByDescending(l => l.LinkedAt).ToList());
    }

    /// The problems a conversation is linked to (for its page); NotFound when the actor may not see it.
    public async Task<Outcome<List<ProblemSummary>>> OfConversationAsync(StaffActor actor, long conversationNumber, CancellationToken ct = default)
    {
        var c = await db.Conversations.AsNoTracking().Where(x => x.Number == conversationNumber).Select(x => new { x.Id, x.TeamId }).SingleOrDefaultAsync(ct);
        if (c is null || !actor.CanSeeTeam(c.TeamId)) return new Outcome<List<ProblemSummary>>.NotFound($"Conversation #{conversationNumber}");
        var ids = db.Set<ProblemLink>().Where(l => l.ConversationId == c.Id).Select(l => l.ProblemId);
        var rows = await db.Set<Problem>().AsNoTracking().Where(p => ids.Contains(p.Id)).OrderByDescending(p => p.UpdatedAt).ToListAsync(ct);
        return await SummariesAsync(actor, rows, ct);
    }

    public async Task<Outcome<ProblemDetail>> CreateAsync(StaffActor actor, ProblemInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<ProblemDetail>.Forbidden("Viewers can read problems but not change them.");
        var (values, invalid) = await CheckAsync(input, ct);
        if (invalid is not null) return new Outcome<ProblemDetail>.Invalid(invalid);
        Conversation? first = null;
        if (input.FromConversation is { } from)
        {
            var (c, failure) = await LoadConversationAsync<ProblemDetail>(actor, from, ct);
            if (c is null) return failure!;
            first = c;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var p = new Problem { CreatedById = actor.Id };
        values!.ApplyTo(p);
        p.Number = await ProblemModel.ReserveNumberAsync(db, ct);
        db.Add(p);
        audit.Add(actor, "problem.created", "problem", p.Reference, $"{p.Title} ({p.Status.ToDisplay()})");
        if (first is not null) AddLink(actor, p, first);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (first is not null) events.Publish(new InboxChange(first.Id, first.Number, first.TeamId, InboxChangeKind.Updated));
        return (await GetAsync(actor, p.Number, ct))!;
    }

    public async Task<Outcome<ProblemDetail>> UpdateAsync(StaffActor actor, long number, ProblemInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<ProblemDetail>.Forbidden("Viewers can read problems but not change them.");
        var p = await db.Set<Problem>().SingleOrDefaultAsync(x => x.Number == number, ct);
        if (p is null) return new Outcome<ProblemDetail>.NotFound($"Problem P-{number}");
        var (values, invalid) = await CheckAsync(input, ct, p.Status);
        if (invalid is not null) return new Outcome<ProblemDetail>.Invalid(invalid);
        if (input.Version is { } v && v != p.Version) return new Outcome<ProblemDetail>.Conflict(ConflictMessage(p));
        var before = (p.Status, p.Title);
        values!.ApplyTo(p);
        p.Version++;
        audit.Add(actor, "problem.updated", "problem", p.Reference, before.Status == p.Status ? p.Title : $"{p.Title}: {before.Status.ToDisplay()} → {p.Status.ToDisplay()}");
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { return new Outcome<ProblemDetail>.Conflict(ConflictMessage(p)); }
        if (before != (p.Status, p.Title)) await TellLinkedAsync(db, events, [p.Id], ct);
        return (await GetAsync(actor, number, ct))!;
    }

    public async Task<Outcome<bool>> DeleteAsync(StaffActor actor, long number, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<bool>.Forbidden("Viewers can read problems but not change them.");
        var p = await db.Set<Problem>().SingleOrDefaultAsync(x => x.Number == number, ct);
        if (p is null) return new Outcome<bool>.NotFound($"Problem P-{number}");
        var linked = await Linked(db, [p.Id]).ToListAsync(ct);
        db.Remove(p);
        audit.Add(actor, "problem.deleted", "problem", p.Reference, $"{p.Title} ({linked.Count} linked conversation{(linked.Count == 1 ? "" : "s")})");
        await db.SaveChangesAsync(ct);
        foreach (var change in linked) events.Publish(change);
        return true;
    }

    /// Links a conversation; linking one already linked changes nothing (and says so in Linked = false).
    public async Task<Outcome<LinkResult>> LinkAsync(StaffActor actor, long number, long conversationNumber, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<LinkResult>.Forbidden("Viewers can read problems but not change them.");
        var p = await db.Set<Problem>().SingleOrDefaultAsync(x => x.Number == number, ct);
        if (p is null) return new Outcome<LinkResult>.NotFound($"Problem P-{number}");
        var (c, failure) = await LoadConversationAsync<LinkResult>(actor, conversationNumber, ct);
        if (c is null) return failure!;
        if (await db.Set<ProblemLink>().AnyAsync(l => l.ProblemId == p.Id && l.ConversationId == c.Id, ct)) return new LinkResult(p.Reference, c.Number, false);
        AddLink(actor, p, c);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await db.Set<ProblemLink>().AsNoTracking().AnyAsync(l => l.ProblemId == p.Id && l.ConversationId == c.Id, ct))
                return new LinkResult(p.Reference, c.Number, false); // a colleague linked it at the same moment
            throw;
        }
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
        return new LinkResult(p.Reference, c.Number, true);
    }

    public async Task<Outcome<LinkResult>> UnlinkAsync(StaffActor actor, long number, long conversationNumber, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<LinkResult>.Forbidden("Viewers can read problems but not change them.");
        var p = await db.Set<Problem>().SingleOrDefaultAsync(x => x.Number == number, ct);
        if (p is null) return new Outcome<LinkResult>.NotFound($"Problem P-{number}");
        var c = await db.Conversations.SingleOrDefaultAsync(x => x.Number == conversationNumber, ct);
        if (c is null || !actor.CanSeeTeam(c.TeamId)) return new Outcome<LinkResult>.NotFound($"Conversation #{conversationNumber}");
        var link = await db.Set<ProblemLink>().SingleOrDefaultAsync(l => l.ProblemId == p.Id && l.ConversationId == c.Id, ct);
        if (link is null) return new Outcome<LinkResult>.NotFound($"A link between {p.Reference} and #{conversationNumber}");
        db.Remove(link);
        p.UpdatedAt = DateTimeOffset.UtcNow;
        db.Messages.Add(ConversationGuard.Event(c, $"{actor.Name} unlinked this conversation from problem {p.Reference} “{p.Title}”."));
        audit.Add(actor, "problem.unlinked", "problem", p.Reference, $"#{c.Number}");
        await db.SaveChangesAsync(ct);
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
        return new LinkResult(p.Reference, c.Number, false);
    }

    /// Tells the pages of the conversations linked to these problems that their Problems card changed (a title,
    /// a status): the same change a link or unlink publishes, so every open card refreshes, on every node.
    public static async Task TellLinkedAsync(ChorusDb db, InboxEvents events, IReadOnlyList<Guid> problemIds, CancellationToken ct)
    {
        foreach (var change in await Linked(db, problemIds).ToListAsync(ct)) events.Publish(change);
    }

    private static IQueryable<InboxChange> Linked(ChorusDb db, IReadOnlyList<Guid> problemIds) =>
        from l in db.Set<ProblemLink>().AsNoTracking()
        join c in db.Conversations.AsNoTracking() on l.ConversationId equals c.Id
        where problemIds.Contains(l.ProblemId)
        select new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated);

    private void AddLink(StaffActor actor, Problem p, Conversation c)
    {
        db.Add(new ProblemLink { ProblemId = p.Id, ConversationId = c.Id, LinkedById = actor.Id });
        p.UpdatedAt = DateTimeOffset.UtcNow;
        db.Messages.Add(ConversationGuard.Event(c, $"{actor.Name} linked this conversation to problem {p.Reference} “{p.Title}”."));
        audit.Add(actor, "problem.linked", "problem", p.Reference, $"#{c.Number}");
    }

    private async Task<(Conversation?, Outcome<T>?)> LoadConversationAsync<T>(StaffActor actor, long number, CancellationToken ct)
    {
        var c = await db.Conversations.SingleOrDefaultAsync(x => x.Number == number, ct);
        if (c is null || !actor.CanSeeTeam(c.TeamId)) return (null, new Outcome<T>.NotFound($"Conversation #{number}"));
        if (c.MergedIntoId is { } into)
        {
            var target = await db.Conversations.Where(x => x.Id == into).Select(x => x.Number).SingleOrDefaultAsync(ct);
            return (null, new Outcome<T>.Conflict($"#{number} was merged into #{target}; link that one instead."));
        }
        return (c, null);
    }

    private async Task<List<ProblemSummary>> SummariesAsync(StaffActor actor, List<Problem> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var ids = rows.Select(r => r.Id).ToList();
        var hidden = actor.HiddenTeamIds.ToList();
        var counts = await (from l in db.Set<ProblemLink>()
                            join c in db.Conversations on l.ConversationId equals c.Id
                            where ids.Contains(l.ProblemId) && (c.TeamId == null || !hidden.Contains(c.TeamId.Value))
                            group l by l.ProblemId into g
                            select new { g.Key, Count = g.Count(), Newest = g.Max(x => x.LinkedAt) }).ToListAsync(ct);
        var byProblem = counts.ToDictionary(c => c.Key);
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        return rows.Select(p => new ProblemSummary(p.Number, p.Reference, p.Title, p.Status, p.TeamId, p.TeamId is { } t ? teams.GetValueOrDefault(t) : null, p.EngineeringUrl,
            byProblem.TryGetValue(p.Id, out var n) ? n.Count : 0, byProblem.TryGetValue(p.Id, out var m) ? m.Newest : null, p.CreatedAt, p.UpdatedAt)).ToList();
    }

    private async Task<string?> TeamNameAsync(Guid? teamId, CancellationToken ct) =>
        teamId is { } t ? await db.Teams.AsNoTracking().Where(x => x.Id == t).Select(x => x.Name).SingleOrDefaultAsync(ct) : null;

    private static string ConflictMessage(Problem p) =>
        $"Someone else changed {p.Reference} after you opened it. Your change was not saved: reload to see theirs, then try again.";

    private sealed record Checked(string Title, string Description, ProblemStatus Status, string? Url, Guid? TeamId)
    {
        public void ApplyTo(Problem p)
        {
            p.Title = Title;
            p.Description = Description;
            if (Status == ProblemStatus.Solved && p.Status != ProblemStatus.Solved) p.SolvedAt = DateTimeOffset.UtcNow;
            if (Status != ProblemStatus.Solved) p.SolvedAt = null;
            p.Status = Status;
            p.EngineeringUrl = Url;
            p.TeamId = TeamId;
            p.UpdatedAt = DateTimeOffset.UtcNow;
        }
    }

    private async Task<(Checked?, IReadOnlyDictionary<string, string[]>?)> CheckAsync(ProblemInput input, CancellationToken ct, ProblemStatus? current = null)
    {
        var errors = new Dictionary<string, string[]>();
        var title = input.Title?.Trim() ?? "";
        var description = input.Description?.Trim() ?? "";
        if (title.Length is 0 or > 200) errors["title"] = ["Give the problem a title of 1 to 200 characters."];
        if (description.Length > MaxDescription) errors["description"] = [$"A description is at most {MaxDescription:N0} characters."];
        ProblemStatus status = current ?? ProblemStatus.Open;
        if (!string.IsNullOrWhiteSpace(input.Status) && ParseStatus(input.Status) is not { } parsed)
            errors["status"] = [$"'{input.Status}' is not a problem status: use open, knownError or solved."];
        else if (ParseStatus(input.Status) is { } s) status = s;
        string? url = null;
        if (!string.IsNullOrWhiteSpace(input.EngineeringUrl))
        {
            url = input.EngineeringUrl.Trim();
            if (url.Length > 1000 || !Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                errors["engineeringUrl"] = ["The engineering issue must be an http(s) address, e.g. https://github.com/acme/app/issues/123."];
        }
        if (input.TeamId is { } team && team != Guid.Empty && !await db.Teams.AnyAsync(t => t.Id == team, ct))
            errors["teamId"] = ["There is no such team."];
        return errors.Count > 0 ? (null, errors) : (new Checked(title, description, status, url, input.TeamId == Guid.Empty ? null : input.TeamId), null);
    }

    public static ProblemStatus? ParseStatus(string? text) =>
        text?.Trim().Replace(" ", "").Replace("-", "").Replace("_", "").ToLowerInvariant() switch
        {
            "open" => ProblemStatus.Open,
            "knownerror" => ProblemStatus.KnownError,
            "solved" => ProblemStatus.Solved,
            _ => null,
        };
}

public sealed record LinkResult(string Problem, long ConversationNumber, bool Linked);
