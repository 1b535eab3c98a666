using System.Threading.RateLimiting;

namespace Chorus.Features.Channels.WebForm;

/// Rate limit for anonymous posting (web form, requester replies), per client address.
public sealed class PublicPostingLimiter(IConfiguration config) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetFixedWindowLimiter(ip, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = config.GetValue("Chorus:RateLimits:PublicPostsPerMinute", 5),
            Window = TimeSpan.FromMinutes(1),
        }));

    public bool TryAcquire(HttpContext http)
    {
        using var lease = _limiter.AttemptAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
