using Chorus.Common;
using Chorus.Features.Forum.Members;
using Chorus.Features.Forum.Moderation;
using Chorus.Features.Forum.Posting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Features.Forum;

public static class ForumFeature
{
    public static IServiceCollection AddForum(this IServiceCollection services)
    {
        services.AddAuthentication().AddCookie(MemberAuth.Scheme, o =>
        {
            o.Cookie.Name = MemberAuth.CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/forum/sign-in";
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(30);
        });
        return services.AddSingleton<ModerationModel>().AddSingleton<ForumPostingLimiter>()
            .AddScoped<ResolveForumViewer>().AddScoped<MemberAccounts>().AddScoped<RaiseTrustLevel>()
            .AddScoped<RenderPost>().AddScoped<ScreenPost>().AddScoped<PostToForum>().AddScoped<LikePost>().AddScoped<AcceptAnswer>()
            .AddScoped<ManageTopic>().AddScoped<ModerateForumPost>().AddScoped<ReadForum>().AddScoped<ReadReviewQueue>()
            .AddScoped<ManageForumCategories>().AddScoped<ForumFeeds>();
    }

    /// The public forum's form posts (each checks its antiforgery token) and feeds.
    public static void MapForum(this WebApplication app)
    {
        // Every POST here is a form from a forum page: the antiforgery token is required.
        var forum = app.MapGroup("/forum").RequireAntiforgeryToken(_ =>
            Refused(StatusCodes.Status400BadRequest, "This form has expired or did not come from this site. Go back, reload the page and try again."));

        forum.MapPost("/sign-out", async (HttpContext http) =>
        {
            await MemberAuth.SignOutAsync(http);
            return Results.LocalRedirect("/forum");
        }).AllowAnonymous(); // members have their own sign-in (MemberAuth), checked by each handler, not the staff policies

        forum.MapPost("/posts/{id:guid}/like", async (Guid id, HttpContext http, ResolveForumViewer viewers, LikePost like, ReadForum read) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (viewer.Member is not { } member) return SignIn(http);
            var outcome = await like.ToggleAsync(member, id, http.RequestAborted);
            return await BackToPostAsync(http, viewer, read, id, outcome is Outcome<bool>.Forbidden ? "own-post" : null);
        }).AllowAnonymous();

        forum.MapPost("/posts/{id:guid}/accept", async (Guid id, HttpContext http, ResolveForumViewer viewers, AcceptAnswer accept, ReadForum read) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (viewer.Member is null && !viewer.IsStaff) return SignIn(http);
            var outcome = await accept.ToggleAsync(viewer, id, http.RequestAborted);
            if (outcome is Outcome<Guid?>.NotFound or Outcome<Guid?>.Forbidden) return Refused(outcome);
            return await BackToPostAsync(http, viewer, read, id, outcome is Outcome<Guid?>.Conflict ? "not-an-answer" : null);
        }).AllowAnonymous();

        forum.MapPost("/posts/{id:guid}/moderate", async (Guid id, [FromForm] string action, [FromForm] string? reason, HttpContext http,
            ResolveForumViewer viewers, ModerateForumPost moderate, ReadForum read) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (!viewer.CanModerate) return Refused(StatusCodes.Status403Forbidden, "Only staff who work conversations moderate the forum.");
            if (!Enum.TryParse<ModerationAction>(action, true, out var a)) return Refused(StatusCodes.Status400BadRequest, "Choose approve, hide or delete.");
            RemovalReason? r = Enum.TryParse<RemovalReason>(reason, true, out var parsed) ? parsed : null;
            var outcome = await moderate.RunAsync(viewer.Staff!, id, new ModerationDecision(a, r, null), http.RequestAborted);
            if (outcome is not Outcome<ModeratedPost>.Ok) return Refused(outcome);
            return await BackToPostAsync(http, viewer, read, id, null);
        }).RequireAuthorization(Policies.CanWork);

        forum.MapPost("/topics/{id:guid}/pin", async (Guid id, [FromForm] bool value, HttpContext http, ResolveForumViewer viewers, ManageTopic manage) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (!viewer.CanModerate) return Refused(StatusCodes.Status403Forbidden, "Only staff who work conversations pin topics.");
            var outcome = await manage.PinAsync(viewer.Staff!, id, value, http.RequestAborted);
            return outcome is Outcome<ForumTopic>.Ok ? Results.LocalRedirect($"/forum/t/{id}") : Refused(outcome);
        }).RequireAuthorization(Policies.CanWork);

        forum.MapPost("/topics/{id:guid}/lock", async (Guid id, [FromForm] bool value, HttpContext http, ResolveForumViewer viewers, ManageTopic manage) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (!viewer.CanModerate) return Refused(StatusCodes.Status403Forbidden, "Only staff who work conversations lock topics.");
            var outcome = await manage.LockAsync(viewer.Staff!, id, value, http.RequestAborted);
            return outcome is Outcome<ForumTopic>.Ok ? Results.LocalRedirect($"/forum/t/{id}") : Refused(outcome);
        }).RequireAuthorization(Policies.CanWork);

        // A post's permanent address: the topic page it is on, scrolled to it.
        forum.MapGet("/p/{id:guid}", async (Guid id, HttpContext http, ResolveForumViewer viewers, ReadForum read) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            return await BackToPostAsync(http, viewer, read, id, null);
        }).AllowAnonymous();

        forum.MapGet("/c/{slug}/feed.rss", async (string slug, ForumFeeds feeds, HttpContext http) =>
            await feeds.CategoryAsync(slug, http.RequestAborted) is { } xml ? Results.Text(xml, "application/rss+xml; charset=utf-8") : Results.NotFound()).AllowAnonymous();
        forum.MapGet("/t/{id:guid}/feed.rss", async (Guid id, ForumFeeds feeds, Chorus.Data.ChorusDb db, HttpContext http) =>
            await feeds.TopicAsync(id, http.RequestAborted) is { } xml ? Results.Text(xml, "application/rss+xml; charset=utf-8")
                // A merged topic's subscribers follow it to the topic its posts live in now.
                : await TopicMerging.TopicMergingFeature.MergedIntoAsync(db, id, http.RequestAborted) is { } into ? Results.Redirect($"/forum/t/{into}/feed.rss", permanent: true)
                : Results.NotFound()).AllowAnonymous();
    }

    /// A small page that says why (a form post lands here, not an API client).
    internal static IResult Refused(int status, string why) =>
        Results.Content($"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Community</title><link rel="stylesheet" href="/app.css"></head>
            <body class="public"><main class="public-main"><section class="card"><p class="error" role="alert" id="forum-refused">{System.Net.WebUtility.HtmlEncode(why)}</p>
            <p><a href="/forum">Back to the community</a></p></section></main></body></html>
            """, "text/html; charset=utf-8", statusCode: status);

    internal static IResult Refused<T>(Outcome<T> outcome) => outcome switch
    {
        Outcome<T>.NotFound => Refused(StatusCodes.Status404NotFound, outcome.Error!),
        Outcome<T>.Forbidden => Refused(StatusCodes.Status403Forbidden, outcome.Error!),
        Outcome<T>.Conflict => Refused(StatusCodes.Status409Conflict, outcome.Error!),
        _ => Refused(StatusCodes.Status400BadRequest, outcome.Error ?? "That did not work."),
    };

    internal static IResult SignIn(HttpContext http)
    {
        var back = http.Request.Headers.Referer.ToString();
        var local = Uri.TryCreate(back, UriKind.Absolute, out var u) && u.Host == http.Request.Host.Host ? u.PathAndQuery : "/forum";
        return Results.LocalRedirect("/forum/sign-in?returnUrl=" + Uri.EscapeDataString(local));
    }

    internal static async Task<IResult> BackToPostAsync(HttpContext http, ForumViewer viewer, ReadForum read, Guid postId, string? notice)
    {
        var post = await read.LocateAsync(viewer, postId, http.RequestAborted);
        if (post is null) return Refused(StatusCodes.Status404NotFound, "This post is not here: it may have been removed, or the link is incomplete.");
        var query = (post.Value.Page > 1 ? $"page={post.Value.Page}" : "") + (notice is null ? "" : (post.Value.Page > 1 ? "&" : "") + "notice=" + notice);
        return Results.LocalRedirect($"/forum/t/{post.Value.TopicId}{(query.Length > 0 ? "?" + query : "")}#post-{postId}");
    }
}
