using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum.Members;

/// What a member has done, counted from the forum's own tables.
public sealed record MemberActivity(int TopicsEntered, int PostsRead, int Posts, int LikesReceived, int LikesGiven, double DaysSinceJoining);

/// Trust levels, earned like Discourse's: by reading, posting and being liked. Each level needs everything
/// in its row; Leader is given by staff only. A level once earned is kept (staff may still change it).
///   New: just joined. Their posts wait for review until a moderator approved one; links wait always.
///   Basic: entered 5 topics and read 30 posts. Posts are published unless the classifier doubts them.
///   Member: entered 20 topics, read 100 posts, 3 posts published, 1 like received, 7 days since joining.
///   Regular: entered 50 topics, read 500 posts, 20 posts published, 10 likes received and given, 30 days.
public static class TrustLevels
{
    public static TrustLevel Earned(MemberActivity a) =>
        Read(a, TrustLevel.Regular) && a is { Posts: >= 20, LikesReceived: >= 10, LikesGiven: >= 10, DaysSinceJoining: >= 30 } ? TrustLevel.Regular
        : Read(a, TrustLevel.Member) && a is { Posts: >= 3, LikesReceived: >= 1, DaysSinceJoining: >= 7 } ? TrustLevel.Member
        : Read(a, TrustLevel.Basic) ? TrustLevel.Basic
        : TrustLevel.New;

    private static bool Read(MemberActivity a, TrustLevel level) =>
        ReadingFor(level) is var (topics, posts) && a.TopicsEntered >= topics && a.PostsRead >= posts;

    /// What reading alone must reach for <paramref name="level"/> (every level's other needs come on top).
    public static (int TopicsEntered, int PostsRead) ReadingFor(TrustLevel level) => level switch
    {
        TrustLevel.Basic => (5, 30),
        TrustLevel.Member => (20, 100),
        _ => (50, 500),
    };

    public static string Describe(TrustLevel level) => level switch
    {
        TrustLevel.New => "New member",
        TrustLevel.Basic => "Basic member",
        TrustLevel.Member => "Member",
        TrustLevel.Regular => "Regular",
        _ => "Leader",
    };
}

/// Recounts a member's activity and raises their trust level when they earned a higher one.
public class RaiseTrustLevel(ChorusDb db)
{
    public async Task<TrustLevel> RunAsync(Guid memberId, CancellationToken ct = default)
    {
        var member = await db.ForumMembers.SingleOrDefaultAsync(m => m.Id == memberId, ct);
        if (member is null) return TrustLevel.New;
        if (member.Trust >= TrustLevel.Regular) return member.Trust;
        var activity = await ActivityAsync(member, ct);
        var earned = TrustLevels.Earned(activity);
        if (earned > member.Trust)
        {
            member.Trust = earned;
            await db.SaveChangesAsync(ct);
        }
        return member.Trust;
    }

    /// After a member read further: reading only counts towards the next level, so the full recount (five
    /// aggregates) runs only once their reading meets that level's reading thresholds; until then one.
    public async Task<TrustLevel> AfterReadingAsync(Guid memberId, TrustLevel current, CancellationToken ct = default)
    {
        if (current >= TrustLevel.Regular) return current;
        var (topics, posts) = TrustLevels.ReadingFor(current + 1);
        var read = await db.ForumTopicReads.AsNoTracking().Where(r => r.MemberId == memberId).GroupBy(r => r.MemberId)
            .Select(g => new { Topics = g.Count(), Posts = g.Sum(r => r.HighestPosition) }).SingleOrDefaultAsync(ct);
        if (read is null || read.Topics < topics || read.Posts < posts) return current;
        return await RunAsync(memberId, ct);
    }

    public async Task<MemberActivity> ActivityAsync(ForumMember member, CancellationToken ct = default)
    {
        var reads = db.ForumTopicReads.Where(r => r.MemberId == member.Id);
        var posts = db.ForumPosts.Where(p => p.AuthorMemberId == member.Id && p.State == PostState.Visible);
        return new MemberActivity(
            await reads.CountAsync(ct),
            await reads.SumAsync(r => (int?)r.HighestPosition, ct) ?? 0,
            await posts.CountAsync(ct),
            await posts.SumAsync(p => (int?)p.LikeCount, ct) ?? 0,
            await db.ForumLikes.CountAsync(l => l.MemberId == member.Id, ct),
            (DateTimeOffset.UtcNow - member.CreatedAt).TotalDays);
    }
}
