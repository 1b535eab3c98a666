using Chorus.Common;
using Chorus.Features.Listening.Monitors;

namespace Chorus.Features.Listening;

public static class ListeningFeature
{
    public static IServiceCollection AddListening(this IServiceCollection services) => services.AddScoped<ManageMonitors>();

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
    }
}
