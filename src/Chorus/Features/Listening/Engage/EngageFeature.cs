using Chorus.Common;
using Chorus.Features.Listening.Sources;

namespace Chorus.Features.Listening.Engage;

public static class EngageFeature
{
    public static IServiceCollection AddEngage(this IServiceCollection services)
    {
        services.AddHttpClient(SendSocialReply.ClientName, (sp, c) =>
            {
                c.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IConfiguration>().GetValue("Chorus:Engage:TimeoutSeconds", 30.0));
                c.DefaultRequestHeaders.UserAgent.ParseAdd(GetJson.UserAgent);
            })
            // A post is never repeated by following a redirect: a moved API is an error to fix, not to guess at.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(15) });
        return services.AddScoped<EngageMention>().AddScoped<QueueSocialReply>().AddScoped<SendSocialReply>().AddScoped<ManageReplyAccounts>();
    }

    public static void MapEngageApi(this RouteGroupBuilder api)
    {
        api.MapPost("/listening/mentions/{id:guid}/engage", async (Guid id, EngageMention engage, HttpContext http) =>
                ApiResults.From(await engage.RunAsync(await http.ActorAsync(), id, http.RequestAborted),
                    v => v.Created ? (IResult)TypedResults.Created($"/api/v1/conversations/{v.Number}", v) : TypedResults.Ok(v)))
            .WithTags("Listening").WithSummary("Turn a mention into a conversation (its author becomes a person); engaging it again answers the same conversation");
        var account = api.MapGroup("/listening/sources/{id:guid}/reply-account").WithTags("Listening");
        account.MapGet("/", async (Guid id, ManageReplyAccounts manage, HttpContext http) =>
                ApiResults.From(await manage.GetAsync(id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Whether a reddit or Mastodon source can reply, and as whom (never the secrets)");
        account.MapPut("/", async (Guid id, ReplyAccountInput input, ManageReplyAccounts manage, HttpContext http) =>
                ApiResults.From(await manage.SetAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Set the account a source replies with (admins): reddit clientId, clientSecret, username, password; Mastodon accessToken");
        account.MapDelete("/", async (Guid id, ManageReplyAccounts manage, HttpContext http) =>
                ApiResults.From(await manage.ClearAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Remove the account a source replies with (admins)");
    }
}
