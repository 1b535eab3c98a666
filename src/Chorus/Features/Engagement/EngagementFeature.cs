using Chorus.Common;

namespace Chorus.Features.Engagement;

/// Two-way Mastodon: replies, boosts and favourites pulled back from published posts.
public static class EngagementFeature
{
    public static IServiceCollection AddEngagement(this IServiceCollection services) =>
        services.AddScoped<ReadMastodonStatus>().AddScoped<ReadEngagement>()
            .AddSingleton<PollPostEngagement>().AddHostedService(sp => sp.GetRequiredService<PollPostEngagement>());

    public static void MapEngagementApi(this RouteGroupBuilder api)
    {
        api.MapGet("/posts/{id:guid}/engagement", async (Guid id, ReadEngagement read, HttpContext http) =>
                ApiResults.From(await read.ForPostAsync(id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithTags("Posts").WithSummary("A published post's replies, boosts and favourites on Mastodon, and the conversations its replies started");
        api.MapGet("/campaigns/{id:guid}/engagement", async (Guid id, ReadEngagement read, HttpContext http) =>
                ApiResults.From(await read.ForCampaignAsync(id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithTags("Campaigns").WithSummary("A campaign's engagement on Mastodon: totals and per published post");
    }
}
