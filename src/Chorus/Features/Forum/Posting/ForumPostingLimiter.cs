using System.Threading.RateLimiting;

namespace Chorus.Features.Forum.Posting;

/// Rate limit on forum posts (topics and replies) per member: new members get fewer posts a minute
/// (Chorus:RateLimits:ForumNewMemberPostsPerMinute, 3) than everyone else
/// (Chorus:RateLimits:ForumPostsPerMinute, 10). Staff are not limited.
public sealed class ForumPostingLimiter(IConfiguration config) : IDisposable
{
    private readonly PartitionedRateLimiter<(Guid Member, bool New)> _limiter = PartitionedRateLimiter.Create<(Guid Member, bool New), (Guid, bool)>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, k => new FixedWindowRateLimiterOptions
        {
            PermitLimit = k.Item2
                ? config.GetValue("Chorus:RateLimits:ForumNewMemberPostsPerMinute", 3)
                : config.GetValue("Chorus:RateLimits:ForumPostsPerMinute", 10),
            Window = TimeSpan.FromMinutes(1),
        }));

    public bool TryAcquire(ForumAuthor author)
    {
        if (author.IsStaff || author.MemberId is not { } member) return true;
        using var lease = _limiter.AttemptAcquire((member, author.Trust == TrustLevel.New));
        return lease.IsAcquired;
    }

    public const string TooFast = "You're posting faster than this forum allows. Please wait a minute and try again.";

    public void Dispose() => _limiter.Dispose();
}
