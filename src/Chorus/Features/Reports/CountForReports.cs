using Chorus.Data;
using Chorus.Features.Csat;
using Chorus.Features.HelpCenter;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Reports;

/// What reports count of a conversation, as read before and after a change.
public readonly record struct ReportedState(
    ConversationStatus Status, Guid? TeamId, Guid ChannelId, string? AssigneeId, Guid? MergedIntoId,
    DateTimeOffset CreatedAt, DateTimeOffset? FirstReplyAt, DateTimeOffset? SolvedAt,
    DateTimeOffset? FirstReplyDueAt = null, DateTimeOffset? ResolutionDueAt = null, DateTimeOffset? SlaPausedSince = null)
{
    public static ReportedState Of(Conversation c) => new(c.Status, c.TeamId, c.ChannelId, c.AssigneeId, c.MergedIntoId, c.CreatedAt, c.FirstReplyAt, c.SolvedAt,
        c.FirstReplyDueAt, c.ResolutionDueAt, c.SlaPausedSince);

    public bool IsUnsolved => Status is not (ConversationStatus.Solved or ConversationStatus.Closed);
}

/// Adds up what a unit of work changes in the report aggregates, then writes it with one upsert per row
/// (INSERT … ON CONFLICT DO UPDATE, the same SQL on SQLite and PostgreSQL), inside the caller's
/// transaction: the aggregates move exactly when the change commits, and concurrent writers add up
/// instead of overwriting each other. Used by ChorusDb.SaveChangesAsync and the ingest pipeline's RowWriter.
public sealed class CountForReports
{
    private readonly Dictionary<(DateOnly Day, Guid Team, Guid Channel), int[]> _days = [];
    private readonly Dictionary<(DateOnly Day, Guid Team, Guid Channel, LatencyKind Kind, int Bucket), int> _latencies = [];
    private readonly Dictionary<(DateOnly Day, string Staff), int[]> _agents = [];
    private readonly Dictionary<(DateOnly Day, string Tag), int> _tags = [];

    private const int Created = 0, Solved = 1, Reopened = 2, BacklogIn = 3, BacklogOut = 4, FirstReplies = 5,
        FirstReplySlaMet = 6, FirstReplySlaMissed = 7, ResolutionSlaMet = 8, ResolutionSlaMissed = 9,
        CsatRated = 10, CsatSatisfied = 11, CsatRatingSum = 12, Deflections = 13, Counters = 14;

    public bool IsEmpty => _days.Count == 0 && _latencies.Count == 0 && _agents.Count == 0 && _tags.Count == 0;

    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    /// A conversation created (<paramref name="before"/> null), changed, or deleted (<paramref name="after"/> null).
    /// A new conversation is counted whole, with the times it carries: created on its day, in the backlog
    /// from then, out of it when it was solved; so one made by an import or the demo tells its history.
    public void Conversation(ReportedState? before, ReportedState? after, DateTimeOffset now)
    {
        if (before is null && after is { } created)
        {
            Add(DayOf(created.CreatedAt), created, Created);
            Add(DayOf(created.CreatedAt), created, BacklogIn);
            if (!created.IsUnsolved) Add(DayOf(created.SolvedAt ?? now), created, BacklogOut);
            if (IsResolution(created)) SolvedOn(created, created.SolvedAt!.Value);
            if (created.FirstReplyAt is { } replied) FirstReply(created, replied);
            return;
        }
        if (before is not { } b) return;
        if (after is not { } a)
        {
            if (b.IsUnsolved) Add(DayOf(now), b, BacklogOut);
            return;
        }
        var sameKey = Key(b) == Key(a);
        // Leaving the backlog by being solved happens when the conversation says it was solved (an import or the demo may say so for the past).
        var outAt = !a.IsUnsolved && sameKey && a.SolvedAt is { } solvedAt ? solvedAt : now;
        if (b.IsUnsolved && (!a.IsUnsolved || !sameKey)) Add(DayOf(outAt), b, BacklogOut);
        if (a.IsUnsolved && (!b.IsUnsolved || !sameKey)) Add(DayOf(now), a, BacklogIn);
        if (!b.IsUnsolved && a.IsUnsolved) Add(DayOf(now), a, Reopened);
        if (b.IsUnsolved && IsResolution(a)) SolvedOn(a, a.SolvedAt ?? now);
        if (b.FirstReplyAt is null && a.FirstReplyAt is { } first) FirstReply(a, first);
    }

    /// A reply or note written by a staff user.
    public void StaffMessage(string staffUserId, MessageKind kind, DateTimeOffset at)
    {
        if (kind is not (MessageKind.Reply or MessageKind.Note)) return;
        var row = Row(_agents, (DayOf(at), staffUserId), 3);
        row[kind == MessageKind.Reply ? 0 : 1]++;
    }

    /// A tag put on (+1) or taken off (−1) a conversation created at <paramref name="conversationCreatedAt"/>.
    public void Tag(string tag, DateTimeOffset conversationCreatedAt, int delta)
    {
        var key = (DayOf(conversationCreatedAt), tag);
        _tags[key] = _tags.GetValueOrDefault(key) + delta;
    }

    /// A satisfaction rating given (<paramref name="before"/> null), changed or taken back (<paramref name="after"/> null),
    /// counted on the day the rated conversation was solved, under the team it was solved by.
    public void Rating(DateTimeOffset solvedAt, Guid? teamId, Guid channelId, int? before, int? after)
    {
        if (before == after) return;
        var row = Row(_days, (DayOf(solvedAt), teamId ?? Guid.Empty, channelId), Counters);
        row[CsatRated] += (after is null ? 0 : 1) - (before is null ? 0 : 1);
        row[CsatSatisfied] += (after >= 4 ? 1 : 0) - (before >= 4 ? 1 : 0);
        row[CsatRatingSum] += (after ?? 0) - (before ?? 0);
    }

    /// A web-form visitor answered by an article (+1), or who sent the form after all (−1).
    public void Deflection(DateTimeOffset at, int delta) => Row(_days, (DayOf(at), Guid.Empty, Guid.Empty), Counters)[Deflections] += delta;

    /// Solved counts resolutions; closing an unsolved one (spam, a merge) takes it out of the backlog only.
    private static bool IsResolution(ReportedState s) =>
        s is { Status: ConversationStatus.Solved or ConversationStatus.Closed, SolvedAt: not null, MergedIntoId: null };

    private void SolvedOn(ReportedState s, DateTimeOffset at)
    {
        Add(DayOf(at), s, Solved);
        // The resolution clock stood still from when the conversation went pending or on hold (as read before this save's SLA stamp).
        if (s.ResolutionDueAt is { } due) Add(DayOf(at), s, (s.SlaPausedSince is { } paused && paused < at ? paused : at) <= due ? ResolutionSlaMet : ResolutionSlaMissed);
        Latency(s, LatencyKind.Resolution, at);
        if (s.AssigneeId is { } assignee) Row(_agents, (DayOf(at), assignee), 3)[2]++;
    }

    private void FirstReply(ReportedState s, DateTimeOffset at)
    {
        Add(DayOf(at), s, FirstReplies);
        if (s.FirstReplyDueAt is { } due) Add(DayOf(at), s, at <= due ? FirstReplySlaMet : FirstReplySlaMissed);
        Latency(s, LatencyKind.FirstReply, at);
    }

    private void Latency(ReportedState s, LatencyKind kind, DateTimeOffset at)
    {
        var (team, channel) = Key(s);
        var key = (DayOf(at), team, channel, kind, LatencyBuckets.Of(at - s.CreatedAt));
        _latencies[key] = _latencies.GetValueOrDefault(key) + 1;
    }

    private static (Guid Team, Guid Channel) Key(ReportedState s) => (s.TeamId ?? Guid.Empty, s.ChannelId);

    private void Add(DateOnly day, ReportedState s, int counter)
    {
        var (team, channel) = Key(s);
        Row(_days, (day, team, channel), Counters)[counter]++;
    }

    private static int[] Row<TKey>(Dictionary<TKey, int[]> rows, TKey key, int width) where TKey : notnull
    {
        if (!rows.TryGetValue(key, out var row)) rows[key] = row = new int[width];
        return row;
    }

    /// Writes what was counted, in the current transaction of <paramref name="db"/>.
    public async Task ApplyAsync(ChorusDb db, CancellationToken ct)
    {
        foreach (var ((day, team, channel), v) in _days)
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO "ReportDays" ("Day", "TeamId", "ChannelId", "Created", "Solved", "Reopened", "BacklogIn", "BacklogOut", "FirstReplies",
                  "FirstReplySlaMet", "FirstReplySlaMissed", "ResolutionSlaMet", "ResolutionSlaMissed", "CsatRated", "CsatSatisfied", "CsatRatingSum", "Deflections")
                VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}, {13}, {14}, {15}, {16})
                ON CONFLICT ("Day", "TeamId", "ChannelId") DO UPDATE SET
                  "Created" = "ReportDays"."Created" + excluded."Created", "Solved" = "ReportDays"."Solved" + excluded."Solved",
                  "Reopened" = "ReportDays"."Reopened" + excluded."Reopened", "BacklogIn" = "ReportDays"."BacklogIn" + excluded."BacklogIn",
                  "BacklogOut" = "ReportDays"."BacklogOut" + excluded."BacklogOut", "FirstReplies" = "ReportDays"."FirstReplies" + excluded."FirstReplies",
                  "FirstReplySlaMet" = "ReportDays"."FirstReplySlaMet" + excluded."FirstReplySlaMet",
                  "FirstReplySlaMissed" = "ReportDays"."FirstReplySlaMissed" + excluded."FirstReplySlaMissed",
                  "ResolutionSlaMet" = "ReportDays"."ResolutionSlaMet" + excluded."ResolutionSlaMet",
                  "ResolutionSlaMissed" = "ReportDays"."ResolutionSlaMissed" + excluded."ResolutionSlaMissed",
                  "CsatRated" = "ReportDays"."CsatRated" + excluded."CsatRated", "CsatSatisfied" = "ReportDays"."CsatSatisfied" + excluded."CsatSatisfied",
                  "CsatRatingSum" = "ReportDays"."CsatRatingSum" + excluded."CsatRatingSum", "Deflections" = "ReportDays"."Deflections" + excluded."Deflections"
                """, [day, team, channel, v[Created], v[Solved], v[Reopened], v[BacklogIn], v[BacklogOut], v[FirstReplies],
                    v[FirstReplySlaMet], v[FirstReplySlaMissed], v[ResolutionSlaMet], v[ResolutionSlaMissed], v[CsatRated], v[CsatSatisfied], v[CsatRatingSum], v[Deflections]], ct);
        foreach (var ((day, team, channel, kind, bucket), count) in _latencies)
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO "ReportLatencies" ("Day", "TeamId", "ChannelId", "Kind", "Bucket", "Count") VALUES ({0}, {1}, {2}, {3}, {4}, {5})
                ON CONFLICT ("Day", "TeamId", "ChannelId", "Kind", "Bucket") DO UPDATE SET "Count" = "ReportLatencies"."Count" + excluded."Count"
                """, [day, team, channel, (int)kind, bucket, count], ct);
        foreach (var ((day, staff), v) in _agents)
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO "ReportAgentDays" ("Day", "StaffUserId", "Replies", "Notes", "Solved") VALUES ({0}, {1}, {2}, {3}, {4})
                ON CONFLICT ("Day", "StaffUserId") DO UPDATE SET "Replies" = "ReportAgentDays"."Replies" + excluded."Replies",
                  "Notes" = "ReportAgentDays"."Notes" + excluded."Notes", "Solved" = "ReportAgentDays"."Solved" + excluded."Solved"
                """, [day, staff, v[0], v[1], v[2]], ct);
        foreach (var ((day, tag), count) in _tags.Where(t => t.Value != 0))
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO "ReportTagDays" ("Day", "Tag", "Conversations") VALUES ({0}, {1}, {2})
                ON CONFLICT ("Day", "Tag") DO UPDATE SET "Conversations" = "ReportTagDays"."Conversations" + excluded."Conversations"
                """, [day, tag, count], ct);
        Clear();
    }

    public void Clear()
    {
        _days.Clear();
        _latencies.Clear();
        _agents.Clear();
        _tags.Clear();
    }

    /// Counts what the tracked changes of <paramref name="db"/> will do when saved. Call before SaveChanges
    /// (it needs the values as read), apply after it succeeded, in the same transaction.
    public static async Task<CountForReports> FromTrackerAsync(ChorusDb db, CancellationToken ct)
    {
        var count = new CountForReports();
        var now = DateTimeOffset.UtcNow;
        var createdAt = new Dictionary<Guid, DateTimeOffset>();
        foreach (var entry in db.ChangeTracker.Entries<Conversation>())
        {
            createdAt[entry.Entity.Id] = entry.Entity.CreatedAt;
            switch (entry.State)
            {
                case EntityState.Added: count.Conversation(null, ReportedState.Of(entry.Entity), now); break;
                case EntityState.Deleted: count.Conversation(Original(entry), null, now); break;
                case EntityState.Modified: count.Conversation(Original(entry), ReportedState.Of(entry.Entity), now); break;
            }
        }
        foreach (var entry in db.ChangeTracker.Entries<Message>())
            if (entry.State == EntityState.Added && entry.Entity.AuthorStaffId is { } staff)
                count.StaffMessage(staff, entry.Entity.Kind, entry.Entity.CreatedAt);

        List<(CsatSurvey Survey, int? Before, int? After)>? ratings = null;
        foreach (var entry in db.ChangeTracker.Entries<CsatSurvey>())
        {
            var rating = entry.Property(s => s.Rating);
            var change = entry.State switch
            {
                EntityState.Added => (null, entry.Entity.Rating),
                EntityState.Modified => (rating.OriginalValue, entry.Entity.Rating),
                EntityState.Deleted => (rating.OriginalValue, (int?)null),
                _ => ((int?)null, (int?)null),
            };
            if (change.Item1 != change.Item2) (ratings ??= []).Add((entry.Entity, change.Item1, change.Item2));
        }
        if (ratings is not null)
        {
            var channels = db.ChangeTracker.Entries<Conversation>().ToDictionary(e => e.Entity.Id, e => e.Entity.ChannelId);
            var unknown = ratings.Select(r => r.Survey.ConversationId).Where(id => !channels.ContainsKey(id)).Distinct().ToList();
            if (unknown.Count > 0)
                foreach (var c in await db.Conversations.AsNoTracking().Where(c => unknown.Contains(c.Id)).Select(c => new { c.Id, c.ChannelId }).ToListAsync(ct))
                    channels[c.Id] = c.ChannelId;
            foreach (var (survey, before, after) in ratings)
                if (channels.TryGetValue(survey.ConversationId, out var channel)) count.Rating(survey.SolvedAt, survey.TeamId, channel, before, after);
        }
        foreach (var entry in db.ChangeTracker.Entries<HelpDeflection>())
            if (entry.State is EntityState.Added or EntityState.Deleted)
                count.Deflection(entry.Entity.At, entry.State == EntityState.Added ? 1 : -1);

        List<(string Tag, Guid Conversation, int Delta)>? tags = null;
        foreach (var entry in db.ChangeTracker.Entries<ConversationTag>())
            if (entry.State is EntityState.Added or EntityState.Deleted)
                (tags ??= []).Add((entry.Entity.Tag, entry.Entity.ConversationId, entry.State == EntityState.Added ? 1 : -1));
        if (tags is not null)
        {
            var unknown = tags.Select(t => t.Conversation).Where(id => !createdAt.ContainsKey(id)).Distinct().ToList();
            if (unknown.Count > 0)
                foreach (var c in await db.Conversations.AsNoTracking().Where(c => unknown.Contains(c.Id)).Select(c => new { c.Id, c.CreatedAt }).ToListAsync(ct))
                    createdAt[c.Id] = c.CreatedAt;
            foreach (var (tag, conversation, delta) in tags)
                if (createdAt.TryGetValue(conversation, out var at)) count.Tag(tag, at, delta);
        }
        return count;
    }

    private static ReportedState Original(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<Conversation> e) => new(
        e.Property(c => c.Status).OriginalValue, e.Property(c => c.TeamId).OriginalValue, e.Property(c => c.ChannelId).OriginalValue,
        e.Property(c => c.AssigneeId).OriginalValue, e.Property(c => c.MergedIntoId).OriginalValue, e.Property(c => c.CreatedAt).OriginalValue,
        e.Property(c => c.FirstReplyAt).OriginalValue, e.Property(c => c.SolvedAt).OriginalValue, e.Property(c => c.FirstReplyDueAt).OriginalValue,
        e.Property(c => c.ResolutionDueAt).OriginalValue, e.Property(c => c.SlaPausedSince).OriginalValue);
}
