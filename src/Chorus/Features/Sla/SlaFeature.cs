using Chorus.Common;

namespace Chorus.Features.Sla;

public static class SlaFeature
{
    public static IServiceCollection AddSla(this IServiceCollection services)
    {
        services.AddSingleton<SlaSettingsCache>();
        services.AddSingleton<StampSlaDueTimes>();
        services.AddScoped<ManageSla>();
        services.AddScoped<WatchSlaTargets>();
        services.AddHostedService<SlaWatcher>();
        services.AddSingleton<SlaRestampSignal>();
        services.AddScoped<RestampSlaDueTimes>();
        services.AddHostedService<SlaRestampRunner>();
        return services;
    }

    public sealed record OrderRequest(IReadOnlyList<Guid> Ids);

    public static void MapSlaApi(this RouteGroupBuilder api)
    {
        var hours = api.MapGroup("/business-hours").WithTags("SLA");
        hours.MapGet("/", async (ManageSla m, HttpContext http) => TypedResults.Ok(await m.GetBusinessHoursAsync(http.RequestAborted)))
            .WithSummary("The workspace's business hours: weekly hours in an IANA time zone, holidays, and whether it is open now");
        hours.MapPut("/", async (BusinessHoursInput input, ManageSla m, HttpContext http) =>
                ApiResults.From(await m.SaveBusinessHoursAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Ok(v)))
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Set the business hours (enabled: false counts every hour); open conversations' SLA due times are worked out again");

        var policies = api.MapGroup("/sla-policies").WithTags("SLA").RequireAuthorization(Policies.Admin);
        policies.MapGet("/", async (ManageSla m, HttpContext http) => TypedResults.Ok(await m.ListPoliciesAsync(http.RequestAborted)))
            .WithSummary("SLA policies in order: the first that matches a conversation's team and priority applies");
        policies.MapGet("/{id:guid}", async (Guid id, ManageSla m, HttpContext http) =>
            await m.GetPolicyAsync(id, http.RequestAborted) is { } p ? (IResult)TypedResults.Ok(p) : ApiResults.NotFound("SLA policy"));
        policies.MapPost("/", async (SlaPolicyInput input, ManageSla m, HttpContext http) =>
                ApiResults.From(await m.SavePolicyAsync(await http.ActorAsync(), null, input, http.RequestAborted), v => TypedResults.Created($"/api/v1/sla-policies/{v.Id}", v)))
            .WithSummary("Create a policy (it comes after the existing ones): team or all teams, priorities or all, targets in business minutes");
        policies.MapPut("/{id:guid}", async (Guid id, SlaPolicyInput input, ManageSla m, HttpContext http) =>
                ApiResults.From(await m.SavePolicyAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Replace a policy (send version to detect concurrent edits)");
        policies.MapDelete("/{id:guid}", async (Guid id, ManageSla m, HttpContext http) =>
            ApiResults.From(await m.DeletePolicyAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()));
        policies.MapGet("/restamp", async (RestampSlaDueTimes r, HttpContext http) => TypedResults.Ok(await r.ViewAsync(http.RequestAborted)))
            .WithSummary("Progress of re-working open conversations' due times after the hours or policies changed (running, done of total)");
        policies.MapPut("/order", async (OrderRequest body, ManageSla m, HttpContext http) =>
                ApiResults.From(await m.ReorderPoliciesAsync(await http.ActorAsync(), body.Ids ?? [], http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Set the order policies are matched in: every policy's id once");
    }
}
