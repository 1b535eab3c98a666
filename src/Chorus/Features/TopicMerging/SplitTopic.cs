using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Forum;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.TopicMerging;

/// The replies to move: the ones ticked (PostIds) and/or a range of reply numbers (#FromPosition to #ToPosition; no end
/// means "this one and all after"), so a moderator can take replies from several pages of a long topic at once.
public sealed record SplitInput(IReadOnlyList<Guid>? PostIds, string? Title, Guid? CategoryId, int? FromPosition = null, int? ToPosition = null);

public sealed record SplitResult(Guid SourceId, Guid NewTopicId, int MovedPosts);

/// A moderator splits replies that went off on their own subject out of a topic: the chosen replies become
/// a new topic (in the category and with the title the moderator chose), in the order they were written;
/// the earliest becomes its first post and its author the topic's author. Post links keep working (a post's
/// address finds its topic). The topic's first post cannot be split off: that would be moving the topic. Audited.
public class SplitTopic(ChorusDb db, RecordAudit audit)
{
    public const int MaxPosts = 5_000;

    public async Task<Outcome<SplitResult>> RunAsync(StaffActor actor, Guid topicId, SplitInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<SplitResult>.Forbidden("Viewers cannot split topics.");
        var ids = input.PostIds?.Distinct().ToList() ?? [];
        var ranged = input.FromPosition is not null || input.ToPosition is not null;
        if (ids.Count == 0 && !ranged) return Outcome<SplitResult>.Invalid.One("postIds", "Select the replies to move to the new topic, or give a range of reply numbers.");
        if (ranged && (input.FromPosition ?? 2) < 2)
            return Outcome<SplitResult>.Invalid.One("fromPosition", "The topic's first post (#1) stays: a range starts at reply #2 or later.");
        if (ranged && (input.ToPosition ?? int.MaxValue) < (input.FromPosition ?? 2))
            return Outcome<SplitResult>.Invalid.One("toPosition", "The range ends before it starts: give the lower reply number first.");
        var title = input.Title?.Trim() ?? "";
        if (title.Length is < 5 or > 150) return Outcome<SplitResult>.Invalid.One("title", "A title is 5 to 150 characters.");
        var source = await db.ForumTopics.SingleOrDefaultAsync(t => t.Id == topicId, ct);
        if (source is null || source.MergedIntoId is not null) return new Outcome<SplitResult>.NotFound("The topic");
        if (ranged)
        {
            int first = input.FromPosition ?? 2, last = input.ToPosition ?? int.MaxValue;
            var inRange = await db.ForumPosts.Where(p => p.TopicId == topicId && p.Position >= first && p.Position <= last).Select(p => p.Id).ToListAsync(ct);
            if (inRange.Count == 0)
                return Outcome<SplitResult>.Invalid.One("fromPosition", $"This topic has no reply numbered #{first}{(input.ToPosition is null ? " or after" : $" to #{last}")}.");
            ids = ids.Union(inRange).ToList();
        }
        if (ids.Count > MaxPosts) return Outcome<SplitResult>.Invalid.One("postIds", $"Split at most {MaxPosts:N0} replies at a time.");
        var categoryId = input.CategoryId ?? source.CategoryId;
        if (!await db.ForumCategories.AnyAsync(c => c.Id == categoryId, ct)) return Outcome<SplitResult>.Invalid.One("categoryId", "Choose a category that exists.");

        var moving = await db.ForumPosts.Where(p => p.TopicId == topicId && ids.Contains(p.Id)).ToListAsync(ct);
        if (moving.Count != ids.Count) return Outcome<SplitResult>.Invalid.One("postIds", "Some of the selected posts are not in this topic (any more). Reload the topic and select again.");
        if (moving.Any(p => p.Position == 1)) return Outcome<SplitResult>.Invalid.One("postIds", "The topic's first post stays: select replies only (to move the whole topic, use Move).");

        var ordered = moving.OrderBy(p => p.CreatedAt).ThenBy(p => p.Position).ToList();
        var opening = ordered[0];
        var topic = new ForumTopic
        {
            CategoryId = categoryId, Title = title, AuthorMemberId = opening.AuthorMemberId, AuthorStaffId = opening.AuthorStaffId,
            AuthorName = opening.AuthorName, CreatedAt = opening.CreatedAt, State = opening.State, // a topic has the state of its first post
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.ForumTopics.Add(topic);
        await db.SaveChangesAsync(ct);
        // Moved at negative positions first: the new topic's numbers must not meet each other while they change.
        for (var i = 0; i < ordered.Count; i++) { ordered[i].TopicId = topic.Id; ordered[i].Position = -(i + 1); }
        await db.SaveChangesAsync(ct);
        for (var i = 0; i < ordered.Count; i++) ordered[i].Position = i + 1;
        if (source.AcceptedPostId is { } accepted && moving.Any(p => p.Id == accepted && p.Position > 1)) topic.AcceptedPostId = accepted;
        MergeTopics.Recount(topic, ordered);
        var remaining = await db.ForumPosts.Where(p => p.TopicId == topicId).ToListAsync(ct);
        var keepLast = source.LastPosition; // the source's next reply still takes the next number, gaps are fine
        MergeTopics.Recount(source, remaining);
        source.LastPosition = Math.Max(keepLast, source.LastPosition);
        var from = await db.ForumCategories.Where(c => c.Id == categoryId).Select(c => c.Name).SingleAsync(ct);
        audit.Add(actor, "forum.topic-split", "forum-topic", topic.Id.ToString(),
            $"{ordered.Count} repl{(ordered.Count == 1 ? "y" : "ies")} from “{source.Title}” into the new topic “{title}” in {from}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new SplitResult(topicId, topic.Id, ordered.Count);
    }
}
