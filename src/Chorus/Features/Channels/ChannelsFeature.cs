using Chorus.Data;
using Chorus.Features.Channels.Api;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.WebForm;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels;

public static class ChannelsFeature
{
    public static IServiceCollection AddChannels(this IServiceCollection services) =>
        services.AddSingleton<RequesterLinks>().AddSingleton<PublicPostingLimiter>()
            .AddScoped<SubmitWebForm>().AddScoped<SendWebFormConfirmation>().AddScoped<ReadRequesterConversation>().AddScoped<ReplyAsRequester>()
            .AddEmailChannel();

    public static void MapChannelsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/channels", async (ChorusDb db, HttpContext http) =>
                TypedResults.Ok(await db.Channels.AsNoTracking().OrderBy(c => c.Name)
                    .Select(c => new { c.Id, c.Name, c.Kind, c.DefaultTeamId, c.Enabled }).ToListAsync(http.RequestAborted)))
            .WithTags("Channels");
        api.MapInboundApi();
        api.MapMailboxesApi();
    }
}
