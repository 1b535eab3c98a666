using Chorus.Common;
using Chorus.Features.Listening.Alerts;
using Chorus.Features.Listening.Mentions;
using Chorus.Features.Listening.Monitors;
using Chorus.Features.Listening.Sources;

namespace Chorus.Features.Listening;

public static class ListeningFeature
{
    public static IServiceCollection AddListening(this IServiceCollection services)
    {
        services.AddScoped<ManageMonitors>();
        services.AddHttpClient(GetJson.ClientName, c =>
            {
                c.Timeout = TimeSpan.FromSeconds(30);
                c.DefaultRequestHeaders.UserAgent.ParseAdd(GetJson.UserAgent);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = true, MaxAutomaticRedirections = 5,
                AutomaticDecompression = System.Net.DecompressionMethods.All, ConnectTimeout = TimeSpan.FromSeconds(15),
            });
        services.AddSingleton<ListeningEvents>().AddSingleton<MatchMonitors>();
        services.AddScoped<GetJson>().AddScoped<ReadRssSource>().AddScoped<ReadRedditSource>().AddScoped<ReadHackerNewsSource>().AddScoped<ReadMastodonSource>();
        services.AddScoped<RecordMentions>().AddScoped<ReadMentions>().AddScoped<PollSource>().AddScoped<ManageSources>().AddScoped<ReceiveMentionWebhook>();
        services.AddSingleton<SourcePollers>().AddHostedService(sp => sp.GetRequiredService<SourcePollers>());
        services.AddScoped<DeliverAlert>().AddScoped<AlertWebhook>().AddScoped<ReadAlerts>();
        services.AddSingleton<WatchForSpikes>().AddHostedService(sp => sp.GetRequiredService<WatchForSpikes>());
        return services;
    }

    public static void MapListeningApi(this RouteGroupBuilder api)
    {
        var monitors = api.MapGroup("/listening/monitors").WithTags("Listening");
        monitors.MapGet("/", async (ManageMonitors manage, HttpContext http) => TypedResults.Ok(await manage.ListAsync(http.RequestAborted)))
            .WithSummary("Monitors: saved listening queries");
        monitors.MapGet("/{id:guid}", async (Guid id, ManageMonitors manage, HttpContext http) =>
            ApiResults.From(await manage.GetAsync(id, http.RequestAborted), v => TypedResults.Ok(v)));
        monitors.MapPost("/", async (MonitorInput input, ManageMonitors manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/listening/monitors/{v.Id}", v)))
            .WithSummary("Create a monitor: a name, a boolean query (AND, OR, NOT, \"phrases\", parentheses, prefix*) and languages");
        monitors.MapPatch("/{id:guid}", async (Guid id, MonitorInput input, ManageMonitors manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Change a monitor's name, query, languages, or pause it");
        monitors.MapDelete("/{id:guid}", async (Guid id, ManageMonitors manage, HttpContext http) =>
                ApiResults.From(await manage.DeleteAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Delete a monitor");

        var sources = api.MapGroup("/listening/sources").WithTags("Listening");
        sources.MapGet("/", async (ManageSources manage, HttpContext http) => TypedResults.Ok(await manage.ListAsync(http.RequestAborted)))
            .WithSummary("Sources mentions are read from, with each one's status (ok, failing with the error, rate-limited until) and checkpoint");
        sources.MapGet("/{id:guid}", async (Guid id, ManageSources manage, HttpContext http) =>
            ApiResults.From(await manage.GetAsync(id, http.RequestAborted), v => TypedResults.Ok(v)));
        sources.MapPost("/", async (SourceInput input, ManageSources manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/listening/sources/{v.Source.Id}", v)))
            .WithSummary("Add a source (admins): kind rss, reddit, hackernews, mastodon or webhook; a webhook source's secret is shown in this answer only");
        sources.MapPatch("/{id:guid}", async (Guid id, SourceInput input, ManageSources manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Change a source (admins): name, base URL, query, interval, on or off");
        sources.MapDelete("/{id:guid}", async (Guid id, ManageSources manage, HttpContext http) =>
                ApiResults.From(await manage.DeleteAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Remove a source and its mentions (admins)");
        sources.MapPost("/{id:guid}/poll", async (Guid id, ManageSources manage, HttpContext http) =>
                ApiResults.From(await manage.PollNowAsync(await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Accepted($"/api/v1/listening/sources/{id}", v)))
            .WithSummary("Poll a source now (admins)");
        sources.MapPost("/{id:guid}/secret", async (Guid id, ManageSources manage, HttpContext http) =>
                ApiResults.From(await manage.RotateSecretAsync(await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Make a new signing secret for a webhook source (admins); the old one stops working");

        api.MapGet("/listening/mentions", async (Guid? monitor, Guid? source, string? sentiment, string? q, DateTimeOffset? before, int? take, ReadMentions read, HttpContext http) =>
                TypedResults.Ok(await read.ListAsync(new MentionFilter(monitor, source, sentiment, q, before, take ?? 50), http.RequestAborted)))
            .WithTags("Listening").WithSummary("Mentions, newest first: of a monitor or source, by sentiment (negative, neutral, positive), containing text");

        var alerts = api.MapGroup("/listening/alerts").WithTags("Listening");
        alerts.MapGet("/", async (Guid? monitor, bool? unacknowledged, int? take, ReadAlerts read, HttpContext http) =>
                TypedResults.Ok(await read.ListAsync(monitor, unacknowledged ?? false, take ?? 50, http.RequestAborted)))
            .WithSummary("Alerts: spikes in a monitor's volume or negative share, newest first; positive spikes are marked as opportunities");
        alerts.MapGet("/{id:guid}", async (Guid id, ReadAlerts read, HttpContext http) =>
            ApiResults.From(await read.GetAsync(id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("An alert with the mentions that drove it");
        alerts.MapPost("/{id:guid}/acknowledge", async (Guid id, ReadAlerts read, HttpContext http) =>
                ApiResults.From(await read.AcknowledgeAsync(await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Mark an alert as seen and handled");
        api.MapGet("/listening/alert-webhook", async (AlertWebhook hook, HttpContext http) => TypedResults.Ok(await hook.ReadAsync(http.RequestAborted)))
            .WithTags("Listening").WithSummary("Whether alerts are also posted to an incoming webhook (Slack-compatible), and its host");
        api.MapPut("/listening/alert-webhook", async (AlertWebhookInput input, AlertWebhook hook, HttpContext http) =>
                ApiResults.From(await hook.ChangeAsync(await http.ActorAsync(), input.WebhookUrl, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithTags("Listening").WithSummary("Set (or clear, with an empty address) the incoming webhook alerts are posted to (admins)");
    }

    public sealed record AlertWebhookInput(string? WebhookUrl);

    /// The signed webhook anyone may call with the source's secret.
    public static void MapListeningHooks(this IEndpointRouteBuilder app) =>
        app.MapPost("/hooks/listening/{id:guid}", async (Guid id, HttpContext http, ReceiveMentionWebhook receive) =>
            {
                if (http.Request.ContentLength > ReceiveMentionWebhook.MaxBytes) return Results.Problem("The body is larger than 1 MB.", statusCode: 413);
                using var buffer = new MemoryStream();
                var read = new byte[81920];
                int n;
                while ((n = await http.Request.Body.ReadAsync(read, http.RequestAborted)) > 0)
                {
                    if (buffer.Length + n > ReceiveMentionWebhook.MaxBytes) return Results.Problem("The body is larger than 1 MB.", statusCode: 413);
                    buffer.Write(read, 0, n);
                }
                var (receipt, failure) = await receive.RunAsync(id, buffer.ToArray(), http.Request.Headers[ReceiveMentionWebhook.SignatureHeader].FirstOrDefault(), http.RequestAborted);
                return failure switch
                {
                    null => Results.Ok(receipt),
                    ReceiveMentionWebhook.Failure.Unknown u => Results.Problem(u.Why, statusCode: 404),
                    ReceiveMentionWebhook.Failure.BadSignature s => Results.Problem(s.Why, statusCode: 401),
                    _ => Results.Problem(failure.Why, statusCode: 400),
                };
            })
            .AllowAnonymous().DisableAntiforgery().WithTags("Listening")
            .WithSummary("Mentions pushed to a webhook source, signed with X-Chorus-Signature: sha256=HMAC-SHA256(body, secret)");
}
