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
        a is { TopicsEntered: >= 50, PostsRead: >= 500, Posts: >= 20, LikesReceived: >= 10, LikesGiven: >= 10, DaysSinceJoining: >= 30 } ? TrustLevel.Regular
        : a is { TopicsEntered: >= 20, PostsRead: >= 100, Posts: >= 3, LikesReceived: >= 1, DaysSinceJoining: >= 7 } ? TrustLevel.Member
        : a is { TopicsEntered: >= 5, PostsRead: >= 30 } ? TrustLevel.Basic
        : TrustLevel.New;

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
