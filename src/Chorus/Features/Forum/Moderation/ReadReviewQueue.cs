using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum.Moderation;

public sealed record QueuedPost(Guid PostId, Guid TopicId, string TopicTitle, bool IsTopicStart, string AuthorName, Guid? AuthorMemberId, TrustLevel? AuthorTrust,
    DateTimeOffset CreatedAt, string Text, string Html, string? HeldReason, double SpamScore, double ToxicityScore);

public sealed record DecidedPost(Guid PostId, Guid TopicId, string TopicTitle, string AuthorName, PostState State, string? ModeratedByName, DateTimeOffset? ModeratedAt, string? Reason);

/// The review queue: posts waiting for a moderator, oldest first, and the latest decisions.
public class ReadReviewQueue(ChorusDb db)
{
    public async Task<List<QueuedPost>> WaitingAsync(int take = 100, CancellationToken ct = default) =>
        await (from p in db.ForumPosts.AsNoTracking()
               join t in db.ForumTopics on p.TopicId equals t.Id
               join m in db.ForumMembers on p.AuthorMemberId equals m.Id into mj
               from m in mj.DefaultIfEmpty()
               where p.State == PostState.Held
               orderby p.CreatedAt
               select new QueuedPost(p.Id, t.Id, t.Title, p.Position == 1, p.AuthorName, p.AuthorMemberId, m == null ? null : m.Trust,
                   p.CreatedAt, p.Text, p.Html, p.HeldReason, p.SpamScore, p.ToxicityScore))
            .Take(Math.Clamp(take, 1, 500)).ToListAsync(ct);

    public Task<int> CountAsync(CancellationToken ct = default) => db.ForumPosts.CountAsync(p => p.State == PostState.Held, ct);

    public async Task<List<DecidedPost>> RecentDecisionsAsync(int take = 30, CancellationToken ct = default) =>
        await (from p in db.ForumPosts.AsNoTracking()
               join t in db.ForumTopics on p.TopicId equals t.Id
               where p.ModeratedAt != null
               orderby p.ModeratedAt descending
               select new DecidedPost(p.Id, t.Id, t.Title, p.AuthorName, p.State, p.ModeratedByName, p.ModeratedAt, p.ModerationReason))
            .Take(Math.Clamp(take, 1, 200)).ToListAsync(ct);
}
