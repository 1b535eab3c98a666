using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Forum;
using Chorus.Features.MemberNotifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.TopicMerging;

public sealed record MergedTopic(Guid SourceId, Guid TargetId, int MovedPosts, int PostCount);

/// A moderator merges a duplicate topic into the one that stays: every post of the source moves into the
/// target, and the target's posts are numbered again in the order they were written (its first post stays
/// first). The source becomes a closed stub that points to the target: its address, its feed and every post
/// link keep working and lead there; no list shows it any more. Audited.
public class MergeTopics(ChorusDb db, RecordAudit audit)
{
    public async Task<Outcome<MergedTopic>> RunAsync(StaffActor actor, Guid sourceId, Guid targetId, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<MergedTopic>.Forbidden("Viewers cannot merge topics.");
        if (sourceId == targetId) return Outcome<MergedTopic>.Invalid.One("intoTopicId", "A topic cannot be merged into itself.");
        var source = await db.ForumTopics.SingleOrDefaultAsync(t => t.Id == sourceId, ct);
        if (source is null) return new Outcome<MergedTopic>.NotFound("The topic");
        if (source.MergedIntoId is not null) return new Outcome<MergedTopic>.Conflict("This topic was already merged into another one.");
        var target = await db.ForumTopics.SingleOrDefaultAsync(t => t.Id == targetId, ct);
        if (target is null || target.MergedIntoId is not null)
            return Outcome<MergedTopic>.Invalid.One("intoTopicId", target is null ? "Choose a topic that exists (its address or id)." : "That topic was itself merged away; merge into the topic it points to.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Positions are unique per topic: park every post at a negative position first, then number them again.
        await db.ForumPosts.Where(p => p.TopicId == targetId).ExecuteUpdateAsync(s => s.SetProperty(p => p.Position, p => -p.Position), ct);
        var moved = await db.ForumPosts.Where(p => p.TopicId == sourceId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.TopicId, targetId).SetProperty(p => p.Position, p => -(p.Position + 1_000_000)), ct);
        var posts = await db.ForumPosts.Where(p => p.TopicId == targetId).ToListAsync(ct);
        var first = posts.Single(p => p.Position == -1);
        var position = 1;
        first.Position = position;
        foreach (var p in posts.Where(p => p != first).OrderBy(p => p.CreatedAt).ThenBy(p => p.Id)) p.Position = ++position;
        await db.SaveChangesAsync(ct);

        Recount(target, posts);
        target.AcceptedPostId ??= source.AcceptedPostId;
        source.MergedIntoId = targetId;
        source.State = PostState.Deleted; // out of every list, count and feed; its address redirects
        source.IsLocked = true;
        source.IsPinned = false;
        source.ReplyCount = 0;
        source.AcceptedPostId = null;
        // Who watched or muted the duplicate keeps that choice on the topic that stays (unless they chose there too).
        var chosenThere = await db.TopicWatches.Where(w => w.TopicId == targetId).Select(w => w.MemberId).ToListAsync(ct);
        var watches = await db.TopicWatches.Where(w => w.TopicId == sourceId).ToListAsync(ct);
        db.TopicWatches.RemoveRange(watches);
        db.TopicWatches.AddRange(watches.Where(w => !chosenThere.Contains(w.MemberId)).Select(w => new TopicWatch { MemberId = w.MemberId, TopicId = targetId, Level = w.Level, At = w.At }));
        audit.Add(actor, "forum.topics-merged", "forum-topic", targetId.ToString(), $"“{source.Title}” ({moved} post{(moved == 1 ? "" : "s")}) into “{target.Title}”");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new MergedTopic(sourceId, targetId, moved, posts.Count);
    }

    /// A topic's counters from its posts: replies readers see, the last position, the last public post's time.
    internal static void Recount(ForumTopic topic, IReadOnlyCollection<ForumPost> posts)
    {
        topic.ReplyCount = posts.Count(p => p.Position > 1 && p.State == PostState.Visible);
        topic.LastPosition = posts.Count == 0 ? 0 : posts.Max(p => p.Position);
        topic.LastPostAt = posts.Where(p => p.State == PostState.Visible).Select(p => p.CreatedAt).DefaultIfEmpty(topic.CreatedAt).Max();
        if (topic.AcceptedPostId is { } accepted && !posts.Any(p => p.Id == accepted && p.State == PostState.Visible)) topic.AcceptedPostId = null;
    }
}
