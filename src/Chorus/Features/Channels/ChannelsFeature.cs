using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels.Api;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Channels.WebForm;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels;

public static class ChannelsFeature
{
    public static IServiceCollection AddChannels(this IServiceCollection services) =>
        services.AddSingleton<RequesterLinks>().AddSingleton<PublicPostingLimiter>()
            .AddScoped<SubmitWebForm>().AddScoped<RetryDelivery>().AddScoped<SendWebFormConfirmation>().AddScoped<ReadRequesterConversation>().AddScoped<ReplyAsRequester>()
            .AddEmailChannel().AddMastodonClient();

    private static IServiceCollection AddMastodonClient(this IServiceCollection services)
    {
        Mastodon.MastodonClient.Register(services);
        return services;
    }

    public static void MapChannelsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/channels", async (ChorusDb db, HttpContext http) =>
                TypedResults.Ok(await db.Channels.AsNoTracking().OrderBy(c => c.Name)
                    .Select(c => new ChannelSummary(c.Id, c.Name, c.Kind, c.DefaultTeamId, c.Enabled)).ToListAsync(http.RequestAborted)))
            .WithTags("Channels");
        api.MapInboundApi();
        api.MapMailboxesApi();
        api.MapPost("/conversations/{number:long}/messages/{id:guid}/retry-delivery", async (long number, Guid id, RetryDelivery retry, HttpContext http) =>
                ApiResults.From(await retry.RunAsync(await http.ActorAsync(), number, id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithTags("Conversations").WithSummary("Retry now: send a reply that failed (or waits for its next attempt) again at once");
    }
}

public sealed record ChannelSummary(Guid Id, string Name, ChannelKind Kind, Guid? DefaultTeamId, bool Enabled);
