using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Inbox.Attachments;
using Chorus.Features.People;
using Chorus.Features.Search;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox;

/// Breaching: an SLA target (Features/Sla) still running is past due.
public enum InboxView { All, Mine, Mentions, Unassigned, Team, Breaching }

/// SlaDue: the running SLA target due first on top; conversations without one last.
public enum InboxSort { Newest, LongestWaiting, Priority, SlaDue }

/// A view plus filters; every field is optional. Status null means "active" (new, open, pending, on hold).
public sealed record InboxFilter
{
    public InboxView View { get; init; } = InboxView.All;
    public Guid? TeamId { get; init; }
    public IReadOnlyList<ConversationStatus>? Statuses { get; init; }
    public Guid? ChannelId { get; init; }
    public string? AssigneeId { get; init; }
    public Priority? Priority { get; init; }
    public string? Tag { get; init; }
    public PersonKind? PersonKind { get; init; }
    public Guid? RequesterId { get; init; }
    public string? Query { get; init; }
    public InboxSort Sort { get; init; } = InboxSort.Newest;
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 50;

    public static readonly IReadOnlyList<ConversationStatus> Active =
        [ConversationStatus.New, ConversationStatus.Open, ConversationStatus.Pending, ConversationStatus.OnHold];
}

public sealed record ConversationSummary(
    Guid Id, long Number, string Subject, string Preview, ConversationStatus Status, Priority Priority,
    Guid ChannelId, string ChannelName, ChannelKind ChannelKind, Guid? TeamId, string? TeamName,
    string? AssigneeId, string? AssigneeName, Guid RequesterId, string RequesterName, PersonKind RequesterKind,
    IReadOnlyList<string> Tags, int MessageCount, DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt,
    DateTimeOffset? WaitingSince, int Version,
    DateTimeOffset? FirstReplyDueAt = null, DateTimeOffset? ResolutionDueAt = null, DateTimeOffset? SlaDueAt = null, Guid? SlaPolicyId = null)
{
    /// Which target <see cref="SlaDueAt"/> is: the first reply until it is sent, then the resolution.
    public Sla.SlaTarget? SlaDueTarget => SlaDueAt is null ? null : SlaDueAt == FirstReplyDueAt ? Sla.SlaTarget.FirstReply : Sla.SlaTarget.Resolution;
}

public sealed record InboxPage(IReadOnlyList<ConversationSummary> Items, int Page, int PageSize, bool HasMore);

/// Delivery is null for items that are not sent anywhere (inbound messages, notes, events, replies on
/// channels without a sender).
public sealed record MessageView(
    Guid Id, MessageKind Kind, string Text, string? Html, DateTimeOffset CreatedAt,
    Guid? AuthorPersonId, string? AuthorStaffId, string AuthorName, string? ExternalId, MessageDelivery? Delivery = null,
    IReadOnlyList<AttachmentView>? Attachments = null, double? Sentiment = null);

/// Where an outbound message stands: queued (with the next attempt), sent, or failed and why; Note is
/// what a later report said without failing it ("delayed: …").
public sealed record MessageDelivery(Channels.Outbox.DeliveryStatus Status, int Attempts, string? Error, DateTimeOffset? NextAttemptAt, DateTimeOffset? SentAt,
    string? Note = null);

public sealed record ConversationDetail(
    ConversationSummary Summary, string? RequesterHandle, Guid? MergedIntoId, long? MergedIntoNumber,
    IReadOnlyList<MessageView> Messages, IReadOnlyList<string> FollowerIds, DateTimeOffset? FirstReplyAt, Sla.ConversationSla? Sla = null);

/// Reads the inbox as one staff member is allowed to see it.
public class InboxQuery(ChorusDb db, SearchConversations search, CountMatches countMatches, ReadAttachments attachments)
{
    public async Task<InboxPage> ListAsync(StaffActor actor, InboxFilter filter, CancellationToken ct = default)
    {
        var pageSize = Math.Clamp(filter.PageSize, 1, 200);
        var page = Math.Max(1, filter.Page);
        var newest = filter.Sort == InboxSort.Newest;
        var (query, search) = await FilteredAsync(actor, filter, newest, ct);
        var statuses = Statuses(filter);
        if (search?.NewestFirst is { } fast && await NewestSearchedAsync(fast, query, statuses, page, pageSize, ct) is { } found) return found;
        if (search is not null) query = query.Where(search.Condition);
        var byPriority = filter.Sort == InboxSort.Priority && search is null;
        var byTime = filter.Sort is (InboxSort.LongestWaiting or InboxSort.SlaDue) && search is null;
        if (statuses is { Count: > 0 } && ((newest && statuses.Count > 1) || byPriority || byTime))
        {
            // Newest first in several statuses (or by priority, or by a time to meet): one read per status (and
            // priority, or time set or not) along its index, each stopping after a page, then merged. A single
            // query would read every conversation in those statuses (all active ones, for the default views)
            // and sort them to show fifty.
            var enough = page * pageSize + 1;
            var parts = statuses.Distinct().Select(s => query.Where(c => c.Status == s));
            // With a priority filter, only that priority's read can find anything.
            Priority[] priorities = filter.Priority is { } only ? [only] : Enum.GetValues<Priority>();
            IEnumerable<IQueryable<Conversation>> reads = filter.Sort switch
            {
                InboxSort.LongestWaiting => parts.SelectMany(Waiting),
                InboxSort.SlaDue => parts.SelectMany(SlaDue),
                InboxSort.Priority => parts.SelectMany(part => priorities.Select(p => WithPriority(part, p))).Select(Newest),
                _ => parts.Select(Newest),
            };
            var candidates = reads.Select(read => read.Take(enough).Select(c => c.Id)).Aggregate(Queryable.Concat);
            query = db.Conversations.AsNoTracking().Where(c => candidates.Contains(c.Id));
        }
        else if (statuses is { Count: > 0 }) query = query.Where(c => statuses.Contains(c.Status));
        // The one definition of each order; the reads above (Newest, Waiting, SlaDue) are its pieces along an index.
        query = filter.Sort switch
        {
            InboxSort.LongestWaiting => query.OrderBy(c => c.WaitingSince == null).ThenBy(c => c.WaitingSince).ThenBy(c => c.Number),
            InboxSort.SlaDue => query.OrderBy(c => c.SlaDueAt == null).ThenBy(c => c.SlaDueAt).ThenBy(c => c.Number),
            InboxSort.Priority => query.OrderByDescending(c => c.Priority == Priority.Urgent ? 3 : c.Priority == Priority.High ? 2 : c.Priority == Priority.Normal ? 1 : 0)
                .ThenByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Number),
            _ => Newest(query),
        };
        var rows = await Project(query.Skip((page - 1) * pageSize).Take(pageSize + 1)).ToListAsync(ct);
        return new InboxPage(rows.Take(pageSize).ToList(), page, pageSize, rows.Count > pageSize);
    }

    /// A common search term, newest first (SQLite): the page's conversations are found by walking the view
    /// and reading the term's matches newest first (ReadNewestFirst), in one snapshot with the rows shown.
    /// Null when that would read too far; the caller then runs the plan that builds the set of all matches.
    private async Task<InboxPage?> NewestSearchedAsync(ReadNewestFirst fast, IQueryable<Conversation> query, IReadOnlyList<ConversationStatus>? statuses,
        int page, int pageSize, CancellationToken ct)
    {
        // One part per status, like the unsearched view: each walks its (status, last message) index.
        IReadOnlyList<IQueryable<Conversation>> parts = statuses is { Count: > 0 }
            ? statuses.Distinct().Select(s => query.Where(c => c.Status == s)).ToList()
            : [query];
        await using var snapshot = await db.BeginSnapshotAsync(ct);
        var ids = await fast.FirstAsync(parts, page * pageSize + 1, ct);
        if (ids is null) return null;
        var shown = ids.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        var rows = shown.Count == 0 ? [] : await Project(Newest(db.Conversations.AsNoTracking().Where(c => shown.Contains(c.Id)))).ToListAsync(ct);
        return new InboxPage(rows, page, pageSize, ids.Count > page * pageSize);
    }

    public async Task<int> CountAsync(StaffActor actor, InboxFilter filter, CancellationToken ct = default)
    {
        var (query, search) = await FilteredAsync(actor, filter, newestFirst: false, ct);
        if (search is not null) query = query.Where(search.Condition);
        if (Statuses(filter) is { Count: > 0 } statuses) query = query.Where(c => statuses.Contains(c.Status));
        return await query.CountAsync(ct);
    }

    /// Which of these conversations the list (view, filters, statuses) still holds, so ticks on rows a colleague's
    /// change took out of it can be dropped. The search is left out: no change made in the inbox (status, assignee,
    /// team, tags) alters which words a conversation has, and checking them would build the whole set of matches.
    public async Task<HashSet<long>> ListedAsync(StaffActor actor, InboxFilter filter, IReadOnlyCollection<long> numbers, CancellationToken ct = default)
    {
        if (numbers.Count == 0) return [];
        var wanted = numbers.ToList();
        return (await (await UnsearchedAsync(actor, filter, ct)).Where(c => wanted.Contains(c.Number)).Select(c => c.Number).ToListAsync(ct)).ToHashSet();
    }

    /// The total above a list: exact for a view and its filters (their indexes count cheaply); for a search,
    /// exact up to a cap and "more than the cap" beyond it (CountMatches), since an exact count of a common
    /// word reads every message that has it.
    public async Task<CappedTotal> TotalAsync(StaffActor actor, InboxFilter filter, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(filter.Query)) return new CappedTotal(await CountAsync(actor, filter, ct), false);
        return await countMatches.CountAsync(await UnsearchedAsync(actor, filter, ct), filter.Query, ct);
    }

    /// The list's conversations but for its search: the view, every filter and the statuses (as the list takes them).
    private async Task<IQueryable<Conversation>> UnsearchedAsync(StaffActor actor, InboxFilter filter, CancellationToken ct)
    {
        var (query, _) = await FilteredAsync(actor, filter with { Query = null }, newestFirst: false, ct);
        return Statuses(filter) is { Count: > 0 } statuses ? query.Where(c => statuses.Contains(c.Status)) : query;
    }

    /// Any priority but Normal is read from the partial (Priority, Status, LastMessageAt) index, whose condition
    /// the query must repeat word for word for SQLite to use it; Normal is most conversations, found at once
    /// along the status index.
    private static IQueryable<Conversation> WithPriority(IQueryable<Conversation> q, Priority p) =>
        p == Priority.Normal ? q.Where(c => c.Priority == Priority.Normal) : q.Where(c => c.Priority != Priority.Normal && c.Priority == p);

    private static IOrderedQueryable<Conversation> Newest(IQueryable<Conversation> q) =>
        q.OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Number);

    /// Longest waiting first, then those nobody waits on by number: two reads along (Status, WaitingSince, Number),
    /// since the nulls-last order of one read would have to sort every row.
    private static IQueryable<Conversation>[] Waiting(IQueryable<Conversation> q) =>
        [q.Where(c => c.WaitingSince != null).OrderBy(c => c.WaitingSince).ThenBy(c => c.Number), q.Where(c => c.WaitingSince == null).OrderBy(c => c.Number)];

    /// The soonest SLA due time first, then those without one by number, along (Status, SlaDueAt, Number).
    private static IQueryable<Conversation>[] SlaDue(IQueryable<Conversation> q) =>
        [q.Where(c => c.SlaDueAt != null).OrderBy(c => c.SlaDueAt).ThenBy(c => c.Number), q.Where(c => c.SlaDueAt == null).OrderBy(c => c.Number)];

    /// Mentions and searches look at every status unless one is asked for; the work views show active ones.
    private static IReadOnlyList<ConversationStatus>? Statuses(InboxFilter f) =>
        f.Statuses ?? (f.View == InboxView.Mentions || !string.IsNullOrWhiteSpace(f.Query) || f.RequesterId is not null ? null : InboxFilter.Active);

    /// Every filter but the status (which ListAsync applies itself) and the search (returned beside it).
    private async Task<(IQueryable<Conversation> Query, SearchMatch? Search)> FilteredAsync(StaffActor actor, InboxFilter f, bool newestFirst, CancellationToken ct)
    {
        var hidden = actor.HiddenTeamIds;
        var now = DateTimeOffset.UtcNow;
        var q = db.Conversations.AsNoTracking().Where(c => c.MergedIntoId == null);
        if (hidden.Count > 0) q = q.Where(c => c.TeamId == null || !hidden.Contains(c.TeamId.Value));

        q = f.View switch
        {
            InboxView.Mine => q.Where(c => c.AssigneeId == actor.Id),
            InboxView.Unassigned => q.Where(c => c.AssigneeId == null),
            InboxView.Team when f.TeamId is { } t => q.Where(c => c.TeamId == t),
            InboxView.Team => q.Where(_ => false), // a team view names its team
            InboxView.Breaching => q.Where(c => c.SlaDueAt <= now),
            // IN over my (few) mentions, not EXISTS per conversation: the database reads my mentions once.
            InboxView.Mentions => q.Where(c => db.Notifications.Where(n => n.StaffUserId == actor.Id && n.Kind == NotificationKinds.Mention)
                .Select(n => n.ConversationId).Contains(c.Id)),
            _ => q,
        };
        if (f.View != InboxView.Team && f.TeamId is { } team) q = q.Where(c => c.TeamId == team);
        if (f.ChannelId is { } ch) q = q.Where(c => c.ChannelId == ch);
        if (!string.IsNullOrEmpty(f.AssigneeId)) q = q.Where(c => c.AssigneeId == f.AssigneeId);
        if (f.Priority is { } p) q = WithPriority(q, p);
        if (!string.IsNullOrWhiteSpace(f.Tag)) q = q.Where(c => c.Tags.Any(t => t.Tag == f.Tag.Trim().ToLower()));
        // Everyone but customers is read from the partial (RequesterKind, Status, LastMessageAt) index, whose
        // condition the query must repeat word for word for SQLite to use it.
        if (f.PersonKind is { } k)
            q = k == PersonKind.Customer ? q.Where(c => c.RequesterKind == PersonKind.Customer)
                : q.Where(c => c.RequesterKind != PersonKind.Customer && c.RequesterKind == k);
        if (f.RequesterId is { } r) q = q.Where(c => c.RequesterId == r);
        return (q, string.IsNullOrWhiteSpace(f.Query) ? null : await search.MatchesAsync(f.Query, newestFirst, ct));
    }

    private static IQueryable<ConversationSummary> Project(IQueryable<Conversation> q) =>
        q.Select(c => new ConversationSummary(
            c.Id, c.Number, c.Subject, c.Preview, c.Status, c.Priority,
            c.ChannelId, c.Channel!.Name, c.Channel.Kind, c.TeamId, c.Team != null ? c.Team.Name : null,
            c.AssigneeId, c.Assignee != null ? c.Assignee.DisplayName : null,
            c.RequesterId, c.Requester!.Name, c.Requester.Kind,
            c.Tags.Select(t => t.Tag).ToList(), c.MessageCount, c.CreatedAt, c.LastMessageAt, c.WaitingSince, c.Version,
            c.FirstReplyDueAt, c.ResolutionDueAt, c.SlaDueAt, c.SlaPolicyId));

    public async Task<Outcome<ConversationDetail>> GetAsync(StaffActor actor, long number, CancellationToken ct = default)
    {
        await using var snapshot = await db.BeginSnapshotAsync(ct); // the summary and the thread as of one moment
        var summary = await Project(db.Conversations.AsNoTracking().Where(c => c.Number == number)).SingleOrDefaultAsync(ct);
        if (summary is null || !actor.CanSeeTeam(summary.TeamId)) return new Outcome<ConversationDetail>.NotFound($"Conversation #{number}");
        var extra = await db.Conversations.AsNoTracking().Where(c => c.Id == summary.Id)
            .Select(c => new
            {
                c.MergedIntoId, c.FirstReplyAt,
                MergedIntoNumber = db.Conversations.Where(t => t.Id == c.MergedIntoId).Select(t => (long?)t.Number).FirstOrDefault(),
                Handle = db.Identities.Where(i => i.PersonId == c.RequesterId).OrderBy(i => i.CreatedAt).Select(i => i.Handle).FirstOrDefault(),
                Followers = c.Followers.Select(f => f.StaffUserId).ToList(),
            }).SingleAsync(ct);
        var messages = await (from m in db.Messages.AsNoTracking()
                              where m.ConversationId == summary.Id
                              join p in db.People on m.AuthorPersonId equals p.Id into pj
                              from p in pj.DefaultIfEmpty()
                              join u in db.Users on m.AuthorStaffId equals u.Id into uj
                              from u in uj.DefaultIfEmpty()
                              join o in db.Outbox on (Guid?)m.Id equals o.MessageId into oj
                              from o in oj.DefaultIfEmpty()
                              orderby m.CreatedAt, m.Id
                              select new MessageView(m.Id, m.Kind, m.Text, m.Html, m.CreatedAt, m.AuthorPersonId, m.AuthorStaffId,
                                  p != null ? p.Name : u != null ? u.DisplayName : "Chorus", m.ExternalId,
                                  o == null ? null : new MessageDelivery(o.Status, o.Attempts, o.LastError,
                                      o.Status == Channels.Outbox.DeliveryStatus.Queued ? o.NextAttemptAt : null, o.SentAt, o.Note), null, m.Sentiment)).ToListAsync(ct);
        var files = await attachments.OfMessagesAsync(messages.Select(m => m.Id).ToList(), ReadAttachments.ApiUrl, ct);
        if (files.Count > 0) messages = messages.Select(m => files.TryGetValue(m.Id, out var f) ? m with { Attachments = f } : m).ToList();
        var sla = await Sla.ConversationSla.ReadAsync(db, summary.Id, ct);
        return new ConversationDetail(summary, extra.Handle, extra.MergedIntoId, extra.MergedIntoNumber, messages, extra.Followers, extra.FirstReplyAt, sla);
    }
}
