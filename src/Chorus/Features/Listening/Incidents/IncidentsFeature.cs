using Chorus.Common;

namespace Chorus.Features.Listening.Incidents;

public static class IncidentsFeature
{
    public static IServiceCollection AddIncidents(this IServiceCollection services) =>
        services.AddSingleton<IncidentEvents>().AddScoped<ManageIncidents>().AddScoped<PostStatement>().AddScoped<SuggestConversations>().AddScoped<ReadIncidentVolume>();

    public static void MapIncidentsApi(this RouteGroupBuilder api)
    {
        var incidents = api.MapGroup("/incidents").WithTags("Incidents");
        incidents.MapGet("/", async (string? status, ManageIncidents manage, HttpContext http) => TypedResults.Ok(await manage.ListAsync(status, http.RequestAborted)))
            .WithSummary("Incidents, newest first; status=open for those not resolved, or investigating, responding, monitoring, resolved");
        incidents.MapPost("/", async (OpenIncidentInput input, ManageIncidents manage, HttpContext http) =>
                ApiResults.From(await manage.OpenAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/incidents/{v.Id}", v)))
            .WithSummary("Open an incident by hand, or from an alert (alertId: its monitor and mentions come along; an alert opens one incident)");
        incidents.MapGet("/{id:guid}", async (Guid id, ManageIncidents manage, HttpContext http) =>
            ApiResults.From(await manage.GetAsync(await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("An incident with its threads, timeline, checklist and statement");
        incidents.MapPatch("/{id:guid}", async (Guid id, UpdateIncidentInput input, ManageIncidents manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Change the title, status (investigating → responding → monitoring → resolved), spokesperson (ownerId), teams or monitor; version guards against overwriting");
        incidents.MapPost("/{id:guid}/notes", async (Guid id, IncidentNoteInput input, ManageIncidents manage, HttpContext http) =>
                ApiResults.From(await manage.AddNoteAsync(await http.ActorAsync(), id, input.Text, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Add a note to the incident's timeline");
        incidents.MapPost("/{id:guid}/threads", async (Guid id, IncidentThreadInput input, ManageIncidents manage, HttpContext http) =>
                ApiResults.From(await manage.AddThreadAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Link a mention (mentionId) or a support conversation (conversationNumber)");
        incidents.MapPatch("/{id:guid}/threads/{threadId:guid}", async (Guid id, Guid threadId, ThreadChoiceInput input, ManageIncidents manage, HttpContext http) =>
                ApiResults.From(await manage.ChooseThreadAsync(await http.ActorAsync(), id, threadId, input.Chosen, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Choose whether the statement is posted to a thread");
        incidents.MapDelete("/{id:guid}/threads/{threadId:guid}", async (Guid id, Guid threadId, ManageIncidents manage, HttpContext http) =>
                ApiResults.From(await manage.RemoveThreadAsync(await http.ActorAsync(), id, threadId, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Unlink a thread the statement was not posted to");
        incidents.MapGet("/{id:guid}/suggestions", async (Guid id, SuggestConversations suggest, HttpContext http) =>
                ApiResults.From(await suggest.RunAsync(await http.ActorAsync(), id, 8, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Support conversations that read like the incident's mentions (TF-IDF cosine), to link");
        incidents.MapGet("/{id:guid}/volume", async (Guid id, ReadIncidentVolume read, HttpContext http) =>
                await read.RunAsync(id, http.RequestAborted) is { } v ? Results.Ok(v) : Results.Problem("Incident was not found.", statusCode: 404))
            .WithSummary("The incident's monitor volume around it, and when the statement was posted");
        incidents.MapPost("/{id:guid}/checklist", async (Guid id, ChecklistInput input, ManageIncidents manage, HttpContext http) =>
                ApiResults.From(await manage.AddChecklistItemAsync(await http.ActorAsync(), id, input.Text, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Add a checklist item");
        incidents.MapPatch("/{id:guid}/checklist/{itemId:guid}", async (Guid id, Guid itemId, ChecklistDoneInput input, ManageIncidents manage, HttpContext http) =>
                ApiResults.From(await manage.CheckAsync(await http.ActorAsync(), id, itemId, input.Done, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Tick (or untick) a checklist item");
        incidents.MapPut("/{id:guid}/statement", async (Guid id, StatementInput input, ManageIncidents manage, HttpContext http) =>
                ApiResults.From(await manage.DraftStatementAsync(await http.ActorAsync(), id, input.Text, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Draft (or redraft) the statement; a change after approval needs approving again");
        incidents.MapPost("/{id:guid}/statement/approve", async (Guid id, ManageIncidents manage, HttpContext http) =>
                ApiResults.From(await manage.ApproveStatementAsync(await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Approve the statement (admins and members of PR, not its author)");
        incidents.MapPost("/{id:guid}/statement/post", async (Guid id, PostStatement post, HttpContext http) =>
                ApiResults.From(await post.RunAsync(await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Post the approved statement as public replies to the chosen threads and save it as a macro, in one action; each thread is answered once");
    }
}
