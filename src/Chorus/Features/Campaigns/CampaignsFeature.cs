using Chorus.Common;
using Chorus.Features.Admin;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Features.Campaigns;

public static class CampaignsFeature
{
    public static IServiceCollection AddCampaigns(this IServiceCollection services)
    {
        services.AddHttpClient(PublishingSenders.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        return services.AddScoped<ManagePublishingChannels>().AddScoped<ManageCampaigns>().AddScoped<ReadPosts>().AddScoped<ManagePosts>().AddScoped<ManagePostImages>()
            .AddScoped<ManageTrackedLinks>().AddScoped<ReadNewsroom>().AddScoped<PublishingSenders>()
            .AddSingleton<PublishPosts>().AddHostedService(sp => sp.GetRequiredService<PublishPosts>())
            .AddMemoryCache().AddSingleton<CountClicks>().AddHostedService(sp => sp.GetRequiredService<CountClicks>());
    }

    public static void MapCampaignsApi(this RouteGroupBuilder api)
    {
        var channels = api.MapGroup("/publishing-channels").WithTags("Publishing channels");
        channels.MapGet("/", async (ManagePublishingChannels manage, HttpContext http) => TypedResults.Ok(await manage.ListAsync(http.RequestAborted)))
            .WithSummary("Where posts are published: Mastodon accounts, Discord and Slack webhooks, the newsroom (secrets are never returned)");
        channels.MapPost("/", async (PublishingChannelInput input, ManagePublishingChannels manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/publishing-channels/{v.Id}", v)))
            .WithSummary("Add a publishing channel (admins)");
        channels.MapPatch("/{id:guid}", async (Guid id, PublishingChannelInput input, ManagePublishingChannels manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Change a publishing channel (admins); a null secret keeps the stored one");

        var campaigns = api.MapGroup("/campaigns").WithTags("Campaigns");
        campaigns.MapGet("/", async (ManageCampaigns manage, HttpContext http) => TypedResults.Ok(await manage.ListAsync(http.RequestAborted)))
            .WithSummary("Campaigns with their post counts and clicks");
        campaigns.MapGet("/{id:guid}", async (Guid id, ManageCampaigns manage, HttpContext http) =>
            ApiResults.From(await manage.GetAsync(await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("A campaign with its channels, posts and tracked links");
        campaigns.MapPost("/", async (CampaignInput input, ManageCampaigns manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/campaigns/{v.Id}", v)))
            .WithSummary("Start a campaign for one of your teams");
        campaigns.MapPatch("/{id:guid}", async (Guid id, CampaignInput input, ManageCampaigns manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Change a campaign (its team and admins)");
        campaigns.MapPost("/{id:guid}/posts", async (Guid id, PostInput input, ManagePosts manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Created($"/api/v1/posts/{v.Id}", v)))
            .WithSummary("Write a draft post; without channels it goes out on all of the campaign's");
        campaigns.MapPost("/{id:guid}/links", async (Guid id, TrackedLinkInput input, ManageTrackedLinks manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Created(v.Link.ShortPath, v)))
            .WithSummary("Make a tracked short link /l/{code} with UTM parameters");

        var posts = api.MapGroup("/posts").WithTags("Posts");
        posts.MapGet("/", async ([FromQuery] DateTimeOffset from, [FromQuery] DateTimeOffset to, [FromQuery] Guid? campaign, ReadPosts read, HttpContext http) =>
                to <= from || to - from > TimeSpan.FromDays(62)
                    ? (IResult)ApiResults.Invalid("to", "Ask for at most 62 days, with to after from.")
                    : TypedResults.Ok(await read.BetweenAsync(from, to, campaign, http.RequestAborted)))
            .WithSummary("Posts planned or scheduled between two moments (the content calendar)");
        posts.MapGet("/{id:guid}", async (Guid id, ReadPosts read, HttpContext http) =>
            ApiResults.From(await read.GetAsync(id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("A post with its per-channel texts, lengths, publishing state and review comments");
        posts.MapPatch("/{id:guid}", async (Guid id, PostInput input, ManagePosts manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Change a draft (or a post in review)");
        MapImagesApi(posts);
        MapAction(posts, "submit", "Send a draft for review", (m, a, id, ct) => m.SubmitAsync(a, id, ct));
        MapAction(posts, "approve", "Approve a post in review (an admin, or a colleague of the campaign's team other than the author)", (m, a, id, ct) => m.ApproveAsync(a, id, ct));
        MapAction(posts, "withdraw", "Take a post back to a draft (off the schedule)", (m, a, id, ct) => m.WithdrawAsync(a, id, ct));
        MapAction(posts, "retry", "Publish a failed post's failed channels again", (m, a, id, ct) => m.RetryAsync(a, id, ct));
        posts.MapPost("/{id:guid}/comments", async (Guid id, CommentInput input, ManagePosts manage, HttpContext http) =>
                ApiResults.From(await manage.CommentAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Created($"/api/v1/posts/{id}", v)))
            .WithSummary("Comment on a post");
        posts.MapPost("/{id:guid}/request-changes", async (Guid id, CommentInput input, ManagePosts manage, HttpContext http) =>
                ApiResults.From(await manage.RequestChangesAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Send a post in review back to its author as a draft, saying why");
        posts.MapPost("/{id:guid}/schedule", async (Guid id, ScheduleInput input, ManagePosts manage, HttpContext http) =>
                ApiResults.From(await manage.ScheduleAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Schedule an approved post at a wall-clock time in a time zone (no time: now)");
        posts.MapPost("/{id:guid}/move", async (Guid id, ScheduleInput input, ManagePosts manage, HttpContext http) =>
                ApiResults.From(await manage.MoveAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Move a post on the calendar: reschedules a scheduled post, re-plans any other");
    }

    private static void MapImagesApi(RouteGroupBuilder posts)
    {
        posts.MapPost("/{id:guid}/images", async (Guid id, HttpContext http, ManagePostImages images) =>
            {
                if (!http.Request.HasFormContentType) return ApiResults.Invalid("file", "Send multipart/form-data with the image as \"file\" and its alt text as \"altText\".");
                IFormCollection form;
                try { form = await http.Request.ReadFormAsync(http.RequestAborted); }
                catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
                {
                    return ApiResults.Invalid("file", $"The upload could not be read ({e.Message}); images are at most {images.MaxBytes / (1024 * 1024)} MB.");
                }
                if (form.Files.Count != 1) return ApiResults.Invalid("file", "Attach exactly one image as \"file\" per request.");
                var file = form.Files[0];
                await using var content = file.OpenReadStream();
                return ApiResults.From(await images.AddAsync(await http.ActorAsync(), id, new ImageUpload(file.FileName, content, form["altText"].ToString()), http.RequestAborted),
                    v => TypedResults.Created($"/api/v1/posts/{id}", v));
            })
            .WithSummary("Attach an image to a draft (multipart/form-data: file, altText): PNG, JPEG, GIF or WebP, at most 4 per post");
        posts.MapPatch("/{id:guid}/images/{imageId:guid}", async (Guid id, Guid imageId, PostImageInput input, ManagePostImages images, HttpContext http) =>
                ApiResults.From(await images.UpdateAsync(await http.ActorAsync(), id, imageId, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Change an image's alt text or move it (position from 0)");
        posts.MapDelete("/{id:guid}/images/{imageId:guid}", async (Guid id, Guid imageId, ManagePostImages images, HttpContext http) =>
                ApiResults.From(await images.RemoveAsync(await http.ActorAsync(), id, imageId, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Remove an image from a draft");
        posts.MapGet("/{id:guid}/images/{imageId:guid}", async (Guid id, Guid imageId, ManagePostImages images, HttpContext http) =>
                await images.OpenForStaffAsync(imageId, http.RequestAborted) is { } file ? Serve(http, file, "private, no-cache") : ApiResults.NotFound("Image"))
            .WithSummary("An attached image's bytes");
    }

    /// Images are served as what their bytes are (checked at upload), never sniffed by the browser.
    private static IResult Serve(HttpContext http, PostImageFile file, string cache)
    {
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = cache;
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'";
        return TypedResults.File(file.Content, file.ContentType, enableRangeProcessing: false);
    }

    private static void MapAction(RouteGroupBuilder posts, string action, string summary, Func<ManagePosts, StaffActor, Guid, CancellationToken, Task<Outcome<PostDetail>>> run) =>
        posts.MapPost($"/{{id:guid}}/{action}", async (Guid id, ManagePosts manage, HttpContext http) =>
                ApiResults.From(await run(manage, await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary(summary);

    /// The public side: tracked short links and the newsroom's RSS (the newsroom pages are Razor pages).
    public static void MapCampaignsPublic(this WebApplication app)
    {
        app.MapGet("/l/{code}", async (string code, ManageTrackedLinks links, HttpContext http) =>
                await links.FollowAsync(code, http.Request.Headers.UserAgent.ToString(), http.RequestAborted) is { } to
                    ? Results.Redirect(to) : Results.NotFound())
            .AllowAnonymous().ExcludeFromDescription();
        // Webhooks, the newsroom and newsletters show a post's images from here; only an approved post's are there.
        app.MapGet("/media/posts/{id:guid}", async (Guid id, ManagePostImages images, HttpContext http) =>
                await images.OpenPublicAsync(id, http.RequestAborted) is { } file ? Serve(http, file, "public, max-age=300") : Results.NotFound())
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/marketing/post-images/{id:guid}", async (Guid id, ManagePostImages images, HttpContext http) =>
                await images.OpenForStaffAsync(id, http.RequestAborted) is { } file ? Serve(http, file, "private, no-cache") : Results.NotFound())
            .RequireAuthorization(Policies.Staff).ExcludeFromDescription();
        app.MapGet("/newsroom/rss.xml", async (ReadNewsroom newsroom, HttpContext http) =>
                Results.Text(await newsroom.RssAsync(http.RequestAborted), "application/rss+xml; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
    }
}
