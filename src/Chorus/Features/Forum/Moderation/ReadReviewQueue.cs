using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum.Moderation;

public sealed record QueuedPost(Guid PostId, Guid TopicId, string TopicTitle, bool IsTopicStart, string AuthorName, Guid? AuthorMemberId, TrustLevel? AuthorTrust,
    DateTimeOffset CreatedAt, string Text, string Html, string? HeldReason, double SpamScore, double ToxicityScore, PostState State)
{
    /// Members' open flags on the post (a post can be flagged and still published, under the threshold).
    public IReadOnlyList<Community.Flags.OpenFlag> Flags { get; init; } = [];
}

public sealed record DecidedPost(Guid PostId, Guid TopicId, string TopicTitle, string AuthorName, PostState State, string? ModeratedByName, DateTimeOffset? ModeratedAt, string? Reason);

/// The review queue: posts waiting for a moderator, oldest first, and the latest decisions.
public class ReadReviewQueue(ChorusDb db, Community.Flags.ResolveFlags flags)
{
    /// Held posts and published posts with open flags, oldest first.
    public async Task<List<QueuedPost>> WaitingAsync(int take = 100, CancellationToken ct = default)
    {
        var rows = await (from p in db.ForumPosts.AsNoTracking()
               join t in db.ForumTopics on p.TopicId equals t.Id
               join m in db.ForumMembers on p.AuthorMemberId equals m.Id into mj
               from m in mj.DefaultIfEmpty()
               where p.State == PostState.Held || (p.State == PostState.Visible && db.ForumFlags.Any(f => f.PostId == p.Id && f.ResolvedAt == null))
               orderby p.CreatedAt
               select new QueuedPost(p.Id, t.Id, t.Title, p.Position == 1, p.AuthorName, p.AuthorMemberId, m == null ? null : m.Trust,
                   p.CreatedAt, p.Text, p.Html, p.HeldReason, p.SpamScore, p.ToxicityScore, p.State))
            .Take(Math.Clamp(take, 1, 500)).ToListAsync(ct);
        var open = await flags.OpenAsync(rows.Select(r => r.PostId).ToList(), ct);
        return rows.Select(r => open.TryGetValue(r.PostId, out var f) ? r with { Flags = f } : r).ToList();
    }

    public Task<int> CountAsync(CancellationToken ct = default) =>
        db.ForumPosts.CountAsync(p => p.State == PostState.Held || (p.State == PostState.Visible && db.ForumFlags.Any(f => f.PostId == p.Id && f.ResolvedAt == null)), ct);

    public async Task<List<DecidedPost>> RecentDecisionsAsync(int take = 30, CancellationToken ct = default) =>
        await (from p in db.ForumPosts.AsNoTracking()
               join t in db.ForumTopics on p.TopicId equals t.Id
               where p.ModeratedAt != null
               orderby p.ModeratedAt descending
               select new DecidedPost(p.Id, t.Id, t.Title, p.AuthorName, p.State, p.ModeratedByName, p.ModeratedAt, p.ModerationReason))
            .Take(Math.Clamp(take, 1, 200)).ToListAsync(ct);
}
