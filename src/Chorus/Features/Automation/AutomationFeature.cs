using Chorus.Common;

namespace Chorus.Features.Automation;

public static class AutomationFeature
{
    public static IServiceCollection AddAutomation(this IServiceCollection services)
    {
        services.AddSingleton<RuleTriggers>();
        services.AddSingleton<RuleSetCache>();
        services.AddSingleton<ProcessRuleEvents>();
        services.AddHostedService<RuleRunner>();
        services.AddScoped<RunRules>();
        services.AddScoped<CarryOutActions>();
        services.AddScoped<ValidateAutomation>();
        services.AddScoped<ManageRules>();
        services.AddScoped<ManageMacros>();
        services.AddHttpClient(SendWebhook.ClientName, c => c.Timeout = TimeSpan.FromSeconds(15))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddScoped<SendWebhook>();
        services.AddScoped<WebhookSigning>();
        return services;
    }

    public sealed record EnabledRequest(bool Enabled);
    public sealed record OrderRequest(IReadOnlyList<Guid> Ids);
    public sealed record ApplyMacroRequest(bool SendReply);
    public sealed record WebhookSecretView(string Secret, string Header);

    public static void MapAutomationApi(this RouteGroupBuilder api)
    {
        var rules = api.MapGroup("/rules").WithTags("Rules").RequireAuthorization(Policies.Admin);
        rules.MapGet("/", async (ManageRules m, HttpContext http) => TypedResults.Ok(await m.ListAsync(http.RequestAborted)))
            .WithSummary("The rules in the order they run");
        rules.MapGet("/{id:guid}", async (Guid id, ManageRules m, HttpContext http) =>
            await m.GetAsync(id, http.RequestAborted) is { } r ? (IResult)TypedResults.Ok(r) : ApiResults.NotFound("Rule"));
        rules.MapPost("/", async (RuleInput input, ManageRules m, HttpContext http) =>
            ApiResults.From(await m.SaveAsync(await http.ActorAsync(), null, input, http.RequestAborted), v => TypedResults.Created($"/api/v1/rules/{v.Id}", v)))
            .WithSummary("Create a rule (it runs after the existing ones); invalid regexes, unknown ids and contradictory conditions are refused");
        rules.MapPut("/{id:guid}", async (Guid id, RuleInput input, ManageRules m, HttpContext http) =>
            ApiResults.From(await m.SaveAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Replace a rule (send version to detect concurrent edits)");
        rules.MapDelete("/{id:guid}", async (Guid id, ManageRules m, HttpContext http) =>
            ApiResults.From(await m.DeleteAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()));
        rules.MapPut("/{id:guid}/enabled", async (Guid id, EnabledRequest body, ManageRules m, HttpContext http) =>
            ApiResults.From(await m.SetEnabledAsync(await http.ActorAsync(), id, body.Enabled, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Switch a rule on or off");
        rules.MapPut("/order", async (OrderRequest body, ManageRules m, HttpContext http) =>
            ApiResults.From(await m.ReorderAsync(await http.ActorAsync(), body.Ids ?? [], http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Set the order rules run in: every rule's id once");
        rules.MapPost("/dry-run", async (RuleInput input, ManageRules m, HttpContext http) =>
            ApiResults.From(await m.DryRunAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary($"How many of the last {ManageRules.DryRunSize:N0} conversations a draft rule's trigger and conditions match, with examples; nothing is changed");

        rules.MapGet("/webhook-secret", async (WebhookSigning signing, HttpContext http) =>
                TypedResults.Ok(new WebhookSecretView(await signing.RevealAsync(await http.ActorAsync(), http.RequestAborted), WebhookSigning.Header)))
            .WithSummary("The secret rules' webhook calls are signed with: X-Chorus-Signature is sha256= and the hex HMAC-SHA256 of the body (viewing is audited)");
        rules.MapPost("/webhook-secret/rotate", async (WebhookSigning signing, HttpContext http) =>
                TypedResults.Ok(new WebhookSecretView(await signing.RotateAsync(await http.ActorAsync(), http.RequestAborted), WebhookSigning.Header)))
            .WithSummary("Replace the webhook signing secret; calls from now on are signed with the new one");

        var macros = api.MapGroup("/macros").WithTags("Macros");
        macros.MapGet("/", async (string? q, ManageMacros m, HttpContext http) => TypedResults.Ok(await m.ListAsync(q, http.RequestAborted)))
            .WithSummary("Macros, most used first; q searches names and replies");
        macros.MapPost("/", async (MacroInput input, ManageMacros m, HttpContext http) =>
            ApiResults.From(await m.SaveAsync(await http.ActorAsync(), null, input, http.RequestAborted), v => TypedResults.Created($"/api/v1/macros/{v.Id}", v)))
            .RequireAuthorization(Policies.Admin).WithSummary("Create a macro; unknown {{placeholders}} are refused");
        macros.MapPut("/{id:guid}", async (Guid id, MacroInput input, ManageMacros m, HttpContext http) =>
            ApiResults.From(await m.SaveAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .RequireAuthorization(Policies.Admin);
        macros.MapDelete("/{id:guid}", async (Guid id, ManageMacros m, HttpContext http) =>
            ApiResults.From(await m.DeleteAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()))
            .RequireAuthorization(Policies.Admin);

        api.MapPost("/conversations/{number:long}/macros/{id:guid}", async (long number, Guid id, ApplyMacroRequest? body, ManageMacros m, HttpContext http) =>
            ApiResults.From(await m.ApplyAsync(await http.ActorAsync(), number, id, body?.SendReply ?? true, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithTags("Macros").WithSummary("Apply a macro: its actions, and its reply (sendReply: false returns the filled-in reply without posting it)");
    }
}
