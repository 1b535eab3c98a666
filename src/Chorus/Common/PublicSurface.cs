namespace Chorus.Common;

/// Everything anyone may open without signing in, in one place. Every other endpoint and page declares
/// the policy it needs; the endpoint-surface test enumerates the app's endpoints and fails when one
/// declares nothing, or allows anonymous callers without being listed here.
public static class PublicSurface
{
    /// Route pattern → why it is public.
    public static readonly IReadOnlyDictionary<string, string> Routes = new Dictionary<string, string>
    {
        ["/account/login"] = "staff sign-in",
        ["/account/logout"] = "sign-out (a POST with an antiforgery token; harmless when already signed out)",
        ["/account/denied"] = "tells a signed-in colleague their role does not reach a page",
        ["/error"] = "the error page must render for anyone",
        ["/not-found"] = "the not-found page must render for anyone",
        ["/contact"] = "the public web form",
        ["/requests/{Token}"] = "a requester's own conversation, behind a signed link",
        ["/requests/{token}/attachments/{id:guid}"] = "files of the public messages of that conversation, behind the same signed link",
        ["/newsroom"] = "the public newsroom: published news and press releases",
        ["/newsroom/{Slug}"] = "one published newsroom entry",
        ["/newsroom/rss.xml"] = "the newsroom's RSS feed",
        ["/l/{code}"] = "tracked short links from campaigns (a redirect, counting the click)",
        ["/health/live"] = "liveness probe for load balancers (no data)",
        ["/health/ready"] = "readiness probe for load balancers (states of dependencies, no data)",
        ["/openapi/{documentName}.json"] = "the API's description",
        ["/scalar/{documentName?}"] = "the API reference page",
        ["/scalar/scalar.js"] = "the API reference page's script",
        ["/scalar/scalar.aspnetcore.js"] = "the API reference page's script",
        ["/scalar/favicon.svg"] = "the API reference page's icon",
    };

    /// The framework's own plumbing: Blazor's circuit hub (each component behind it checks its own
    /// authorization), its redirect helper, and the static-file fallback. They carry no data of their own.
    public static readonly IReadOnlySet<string> Framework = new HashSet<string>
    {
        "/_blazor", "/_blazor/negotiate", "/_blazor/disconnect/", "/_blazor/initializers/",
        "/_framework/opaque-redirect", "{**path:file}",
    };
}
