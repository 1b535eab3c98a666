using Chorus.Common;
using Chorus.Features.Admin;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Features.Campaigns;

public static class CampaignsFeature
{
    public static IServiceCollection AddCampaigns(this IServiceCollection services)
    {
        services.AddHttpClient(PublishingSenders.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        return services.AddScoped<ManagePublishingChannels>().AddScoped<ManageCampaigns>().AddScoped<ReadPosts>().AddScoped<ManagePosts>()
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
        app.MapGet("/newsroom/rss.xml", async (ReadNewsroom newsroom, HttpContext http) =>
                Results.Text(await newsroom.RssAsync(http.RequestAborted), "application/rss+xml; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
    }
}
