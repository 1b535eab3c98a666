namespace Chorus.Common;

public static class SecurityHeaders
{
    /// Headers on every response. The CSP allows the inline styles MudBlazor sets and Blazor's
    /// WebSocket; scripts only from this origin. Scalar's API reference page needs inline scripts and
    /// gets its own, looser policy.
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var h = http.Response.Headers;
            h["X-Content-Type-Options"] = "nosniff";
            // A page may ask for a stricter policy (the requester link sends no referrer at all).
            if (!h.ContainsKey("Referrer-Policy")) h["Referrer-Policy"] = "strict-origin-when-cross-origin";
            h["X-Frame-Options"] = "DENY";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            h["Content-Security-Policy"] = http.Request.Path.StartsWithSegments("/scalar")
                ? "default-src 'self' 'unsafe-inline' data: blob:; frame-ancestors 'none'"
                : "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";
            return Task.CompletedTask;
        });
        await next();
    });
}
