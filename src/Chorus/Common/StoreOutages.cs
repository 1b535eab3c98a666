using Chorus.Features.Inbox.Ingest;
using Microsoft.AspNetCore.Diagnostics;

namespace Chorus.Common;

/// While the database cannot be reached, an API call fails through no fault of the caller: it gets 503
/// with Retry-After (and the reason), not a 500, so clients and proxies know to try again.
public sealed class StoreOutages(ILogger<StoreOutages> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!http.Request.Path.StartsWithSegments("/api") || !StoreUnavailableException.Describes(exception)) return false;
        log.LogWarning("{Method} {Path}: the database cannot be reached ({Reason})", http.Request.Method, http.Request.Path, exception.GetBaseException().Message);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "5";
        await http.Response.WriteAsJsonAsync(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.6.4", title = "Try again shortly", status = 503,
            detail = "The database cannot be reached right now; nothing was changed.",
        }, options: null, contentType: "application/problem+json", ct);
        return true;
    }
}
