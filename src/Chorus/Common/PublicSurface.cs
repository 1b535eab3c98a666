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
        ["/media/posts/{id:guid}"] = "images of approved, scheduled and published campaign posts, which Discord, Slack, the newsroom and newsletters show (a draft's are 404)",
        ["/l/{code}"] = "tracked short links from campaigns (a redirect, counting the click)",
        ["/newsletter/unsubscribe/{token}"] = "a newsletter's one-click unsubscribe (RFC 8058): GET confirms, POST records; the signed token names the person",
        ["/forum"] = "the community forum: categories",
        ["/forum/c/{Slug}"] = "a forum category's topics",
        ["/forum/c/{Slug}/new"] = "a new topic (the page asks a visitor to sign in as a member)",
        ["/forum/t/{Id:guid}"] = "a forum topic with its published posts",
        ["/forum/p/{id:guid}"] = "a forum post's permanent address (redirects to its topic page)",
        ["/forum/u/{Username}"] = "a forum member's public profile",
        ["/forum/search"] = "forum search (published posts only)",
        ["/forum/c/{slug}/feed.rss"] = "a forum category's RSS feed",
        ["/forum/t/{id:guid}/feed.rss"] = "a forum topic's RSS feed",
        ["/forum/sign-up"] = "forum member sign-up",
        ["/forum/confirm"] = "forum member e-mail confirmation",
        ["/forum/sign-in"] = "forum member sign-in",
        ["/forum/sign-out"] = "forum member sign-out (antiforgery-checked form post)",
        ["/forum/posts/{id:guid}/like"] = "a member likes a post: the member's own sign-in (not staff's) is checked by the handler",
        ["/forum/posts/{id:guid}/accept"] = "a topic's author (member sign-in) or staff accepts an answer: checked by the handler",
        ["/hooks/listening/{id:guid}"] = "mentions pushed to a webhook source: each call is checked against the source's HMAC secret by the handler",
        ["/help"] = "the public help center: categories of published articles",
        ["/help/{CategorySlug}"] = "a help-center category's published articles",
        ["/help/articles/{Slug}"] = "one published help-center article (never a draft or a playbook)",
        ["/help/search"] = "help-center search (published, non-internal articles only)",
        ["/help/suggest"] = "suggested articles for the web form as the visitor types (JSON, rate-limited, published articles only)",
        ["/help/suggest/articles/{slug}"] = "a suggested article opened on the web form (JSON, rate-limited, published articles only)",
        ["/help/deflections"] = "a web-form visitor says an article answered their question (antiforgery-checked, once per visit, rate-limited)",
        ["/help/articles/{slug}/vote"] = "\"Was this helpful?\" on a published article (antiforgery-checked form post, one vote per visitor)",
        ["/csat/{Token}"] = "a requester's satisfaction survey of one solve, behind a signed link (one-click rating from the e-mail)",
        ["/forum/posts/{id:guid}/flag"] = "a member flags a post: the member's own sign-in (not staff's) is checked by the handler",
        ["/forum/settings"] = "a member's own e-mail settings (the page asks a visitor to sign in as a member)",
        ["/forum/topics/{id:guid}/watch"] = "a member watches or mutes a topic: the member's own sign-in (not staff's) is checked by the handler",
        ["/forum/unsubscribe"] = "the unsubscribe page of a member's e-mails, behind a signed link (shows a button, changes nothing by itself)",
        ["/forum/unsubscribe/one-click"] = "RFC 8058 one-click unsubscribe: POSTed by mail clients with the signed link as the only proof; a GET only shows the page",
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
