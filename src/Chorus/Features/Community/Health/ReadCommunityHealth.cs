using Chorus.Data;
using Chorus.Features.Forum;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community.Health;

public sealed record HealthDay(DateOnly Day, int Posts, int NewMembers, int Flags);

public sealed record TopContributor(string Username, int Posts, int AcceptedAnswers, int LikesReceived);

/// How the community is doing over the last Days days. Answered: a topic with a published reply.
/// MembersHelpingShare: of answered topics, the share whose first answer came from a member, not staff.
public sealed record CommunityHealth(int Days, int ActiveMembers, int NewMembers, int Posts, int Topics, double AnsweredShare,
    double? MedianHoursToFirstResponse, int AnsweredByMembers, int AnsweredByStaff, double MembersHelpingShare, int CommunityDeflections,
    int Flags, int ModerationActions, IReadOnlyList<HealthDay> PerDay, IReadOnlyList<TopContributor> TopContributors);

/// Counts the community's health from the forum's own tables, published posts only.
public class ReadCommunityHealth(ChorusDb db)
{
    public async Task<CommunityHealth> RunAsync(int days, DateTimeOffset now, CancellationToken ct = default)
    {
        days = Math.Clamp(days, 1, 365);
        var since = now.UtcDateTime.Date.AddDays(1 - days);
        var start = new DateTimeOffset(since, TimeSpan.Zero);
        var posts = await db.ForumPosts.AsNoTracking().Where(p => p.CreatedAt >= start && p.State == PostState.Visible)
            .Select(p => new { p.TopicId, p.Id, p.Position, p.AuthorMemberId, p.AuthorName, p.CreatedAt, p.LikeCount }).ToListAsync(ct);
        var topics = await db.ForumTopics.AsNoTracking().Where(t => t.CreatedAt >= start && t.State == PostState.Visible)
            .Select(t => new { t.Id, t.CreatedAt, t.AcceptedPostId, t.ConversationId }).ToListAsync(ct);
        var replies = await (from p in db.ForumPosts.AsNoTracking()
                             join t in db.ForumTopics on p.TopicId equals t.Id
                             where t.CreatedAt >= start && t.State == PostState.Visible && p.Position > 1 && p.State == PostState.Visible
                             select new { p.TopicId, p.Id, p.Position, p.CreatedAt, p.AuthorMemberId }).ToListAsync(ct);
        var firstReplies = replies.GroupBy(r => r.TopicId).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Position).First());
        var joined = await db.ForumMembers.AsNoTracking().Where(m => m.EmailConfirmedAt >= start).Select(m => m.EmailConfirmedAt!.Value).ToListAsync(ct);
        var flags = await db.ForumFlags.AsNoTracking().Where(f => f.At >= start).Select(f => f.At).ToListAsync(ct);
        var actions = await db.AuditEntries.AsNoTracking().CountAsync(a => a.At >= start && (a.Action.StartsWith("forum.") || a.Action.StartsWith("person.block")), ct);

        var answered = topics.Where(t => firstReplies.ContainsKey(t.Id)).ToList();
        var waits = answered.Select(t => (firstReplies[t.Id].CreatedAt - t.CreatedAt).TotalHours).Order().ToList();
        var byMembers = answered.Count(t => firstReplies[t.Id].AuthorMemberId is not null);
        var acceptedIds = topics.Where(t => t.AcceptedPostId is not null).Select(t => t.AcceptedPostId!.Value).ToHashSet();
        var acceptedByMember = replies.Where(r => acceptedIds.Contains(r.Id) && r.AuthorMemberId is not null).Select(r => r.Id).ToHashSet();
        var deflections = topics.Count(t => t.ConversationId is not null && t.AcceptedPostId is { } a && acceptedByMember.Contains(a));

        var perDay = Enumerable.Range(0, days).Select(i => DateOnly.FromDateTime(since.AddDays(i))).Select(d => new HealthDay(d,
            posts.Count(p => DateOnly.FromDateTime(p.CreatedAt.UtcDateTime) == d),
            joined.Count(j => DateOnly.FromDateTime(j.UtcDateTime) == d),
            flags.Count(f => DateOnly.FromDateTime(f.UtcDateTime) == d))).ToList();
        var allAccepted = await db.ForumTopics.AsNoTracking().Where(t => t.AcceptedPostId != null).Select(t => t.AcceptedPostId!.Value).ToListAsync(ct);
        var acceptedSet = allAccepted.ToHashSet();
        var top = posts.Where(p => p.AuthorMemberId is not null).GroupBy(p => p.AuthorName)
            .Select(g => new TopContributor(g.Key, g.Count(), g.Count(p => acceptedSet.Contains(p.Id)), g.Sum(p => p.LikeCount)))
            .OrderByDescending(c => c.AcceptedAnswers).ThenByDescending(c => c.Posts).ThenBy(c => c.Username).Take(10).ToList();

        return new CommunityHealth(days, posts.Where(p => p.AuthorMemberId is not null).Select(p => p.AuthorMemberId).Distinct().Count(), joined.Count,
            posts.Count, topics.Count, topics.Count == 0 ? 0 : (double)answered.Count / topics.Count,
            waits.Count == 0 ? null : Median(waits), byMembers, answered.Count - byMembers, answered.Count == 0 ? 0 : (double)byMembers / answered.Count,
            deflections, flags.Count, actions, perDay, top);
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
