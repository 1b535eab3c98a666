using Chorus.Data;
using Chorus.Features.Csat;
using Chorus.Features.HelpCenter;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Reports;

/// Recomputes the report aggregates from the conversations, staff messages, ratings and deflections as stored: for a workspace
/// from before reports existed (done once on start), or on demand (`chorus reports rebuild`). History that
/// left no trace is not invented: a conversation counts in the backlog from its creation until it was solved
/// under its current team, and reopenings before the rebuild are not known.
public sealed class RebuildReports(ChorusDb db, ILogger<RebuildReports> log)
{
    private const int Chunk = 5_000;

    public sealed record Rebuilt(int Conversations, int StaffMessages, TimeSpan Took);

    /// Rebuilds only when there are conversations and no aggregates yet.
    public async Task<Rebuilt?> IfEmptyAsync(CancellationToken ct)
    {
        if (await db.Set<ReportDay>().AnyAsync(ct) || !await db.Conversations.AnyAsync(ct)) return null;
        var rebuilt = await RunAsync(ct);
        log.LogInformation("Reports: counted {Conversations} conversations and {Messages} staff messages into the report aggregates in {Seconds:F1} s",
            rebuilt.Conversations, rebuilt.StaffMessages, rebuilt.Took.TotalSeconds);
        return rebuilt;
    }

    public async Task<Rebuilt> RunAsync(CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Set<ReportDay>().ExecuteDeleteAsync(ct);
        await db.Set<ReportLatency>().ExecuteDeleteAsync(ct);
        await db.Set<ReportAgentDay>().ExecuteDeleteAsync(ct);
        await db.Set<ReportTagDay>().ExecuteDeleteAsync(ct);

        var count = new CountForReports();
        var now = DateTimeOffset.UtcNow;
        var conversations = 0;
        var after = long.MinValue;
        while (true)
        {
            var page = await db.Conversations.AsNoTracking().Where(c => c.Number > after).OrderBy(c => c.Number).Take(Chunk)
                .Select(c => new { c.Id, c.Number, State = new ReportedState(c.Status, c.TeamId, c.ChannelId, c.AssigneeId, c.MergedIntoId, c.CreatedAt, c.FirstReplyAt, c.SolvedAt,
                    c.FirstReplyDueAt, c.ResolutionDueAt, c.SlaPausedSince) })
                .ToListAsync(ct);
            if (page.Count == 0) break;
            foreach (var c in page) count.Conversation(null, c.State, now);
            var ids = page.Select(c => c.Id).ToList();
            var created = page.ToDictionary(c => c.Id, c => c.State.CreatedAt);
            foreach (var t in await db.ConversationTags.AsNoTracking().Where(t => ids.Contains(t.ConversationId)).ToListAsync(ct))
                count.Tag(t.Tag, created[t.ConversationId], 1);
            var channels = page.ToDictionary(c => c.Id, c => c.State.ChannelId);
            foreach (var r in await db.Set<CsatSurvey>().AsNoTracking().Where(r => r.Rating != null && ids.Contains(r.ConversationId)).ToListAsync(ct))
                count.Rating(r.SolvedAt, r.TeamId, channels[r.ConversationId], null, r.Rating);
            await count.ApplyAsync(db, ct);
            conversations += page.Count;
            after = page[^1].Number;
        }

        var messages = 0;
        DateTimeOffset? since = null;
        while (true)
        {
            var page = await db.Messages.AsNoTracking()
                .Where(m => m.AuthorStaffId != null && (m.Kind == MessageKind.Reply || m.Kind == MessageKind.Note) && (since == null || m.CreatedAt > since))
                .OrderBy(m => m.CreatedAt).Take(Chunk).Select(m => new { m.AuthorStaffId, m.Kind, m.CreatedAt }).ToListAsync(ct);
            if (page.Count == 0) break;
            // A page ending inside a run of equal times would skip the rest of the run on the next page: stop before it.
            var last = page[^1].CreatedAt;
            var whole = page.Count < Chunk ? page : page.Where(m => m.CreatedAt < last).ToList();
            if (whole.Count == 0) whole = page; // a whole page of one instant: extremely unlikely, accept it
            foreach (var m in whole) count.StaffMessage(m.AuthorStaffId!, m.Kind, m.CreatedAt);
            await count.ApplyAsync(db, ct);
            messages += whole.Count;
            if (page.Count < Chunk) break;
            since = whole[^1].CreatedAt;
        }
        foreach (var at in await db.Set<HelpDeflection>().AsNoTracking().Select(d => d.At).ToListAsync(ct)) count.Deflection(at, 1);
        await count.ApplyAsync(db, ct);
        await tx.CommitAsync(ct);
        return new Rebuilt(conversations, messages, clock.Elapsed);
    }
}
