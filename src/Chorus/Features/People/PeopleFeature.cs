using Chorus.Common;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Features.People;

public static class PeopleFeature
{
    public static IServiceCollection AddPeople(this IServiceCollection services) =>
        services.AddScoped<ReadPeople>().AddScoped<UpdatePerson>().AddScoped<MergePeople>().AddScoped<ManagePersonLists>().AddScoped<PersonData>();

    public sealed record MergeRequest(Guid Other);

    /// The staff app's download of a person's data (cookie sign-in; the API has the same under /api/v1).
    public static void MapPeopleDownloads(this IEndpointRouteBuilder app) =>
        app.MapGet("/people/{id:guid}/export.json", async (Guid id, PersonData data, HttpContext http) =>
            {
                if (await data.ExportAsync(await http.ActorAsync(), id, http.RequestAborted) is not Outcome<PersonExport>.Ok ok) return Results.NotFound();
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"person-{id}.json\"";
                return Results.Json(ok.Value);
            })
            .RequireAuthorization(Policies.Admin).ExcludeFromDescription();

    public static void MapPeopleApi(this RouteGroupBuilder api)
    {
        var people = api.MapGroup("/people").WithTags("People");

        people.MapGet("/", async ([FromQuery] string? q, [FromQuery] PersonKind? kind, [FromQuery] int? page, [FromQuery] int? pageSize, ReadPeople read, HttpContext http) =>
            TypedResults.Ok(await read.FindAsync(await http.ActorAsync(), q, kind, page ?? 1, pageSize ?? 50, http.RequestAborted)))
            .WithSummary("Find people by name or any identity handle");

        people.MapGet("/{id:guid}", async (Guid id, ReadPeople read, HttpContext http) =>
            ApiResults.From(await read.GetAsync(await http.ActorAsync(), id, http.RequestAborted), p => TypedResults.Ok(p)))
            .WithSummary("A person's profile, identities, conversations and timeline");

        people.MapPatch("/{id:guid}", async (Guid id, PersonChange change, UpdatePerson update, HttpContext http) =>
            ApiResults.From(await update.RunAsync(await http.ActorAsync(), id, change, http.RequestAborted), p => TypedResults.Ok(new { id = p })))
            .WithSummary("Edit name, kind, lifecycle stage, notes or organization");

        people.MapPost("/{id:guid}/merge", async (Guid id, MergeRequest body, MergePeople merge, HttpContext http) =>
            ApiResults.From(await merge.RunAsync(await http.ActorAsync(), id, body.Other, http.RequestAborted), a => TypedResults.Ok(new { mergeId = a })))
            .WithSummary("Merge another person into this one (undoable)");

        people.MapGet("/{id:guid}/export", async (Guid id, PersonData data, HttpContext http) =>
            ApiResults.From(await data.ExportAsync(await http.ActorAsync(), id, http.RequestAborted), e =>
            {
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"person-{id}.json\"";
                return TypedResults.Ok(e);
            }))
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Everything Chorus holds about a person, as JSON (right of access; admins)");

        people.MapPost("/{id:guid}/erase", async (Guid id, PersonData data, HttpContext http) =>
            ApiResults.From(await data.EraseAsync(await http.ActorAsync(), id, http.RequestAborted), r => TypedResults.Ok(r)))
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Erase what identifies a person; conversations stay, anonymous, in every report (right to erasure; admins)");

        var lists = people.MapGroup("/lists").WithTags("People lists");
        lists.MapGet("/", async (ManagePersonLists manage, HttpContext http) => TypedResults.Ok(await manage.ListAsync(http.RequestAborted)))
            .WithSummary("Saved lists of people (outreach targets) with their sizes");
        lists.MapGet("/{id:guid}", async (Guid id, ManagePersonLists manage, HttpContext http) =>
            ApiResults.From(await manage.GetAsync(id, http.RequestAborted), v => TypedResults.Ok(v)));
        lists.MapPost("/", async (PersonListInput input, ManagePersonLists manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/people/lists/{v.Id}", v)))
            .WithSummary("Create a list, optionally with people in it");
        lists.MapPatch("/{id:guid}", async (Guid id, PersonListInput input, ManagePersonLists manage, HttpContext http) =>
                ApiResults.From(await manage.RenameAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Rename a list");
        lists.MapDelete("/{id:guid}", async (Guid id, ManagePersonLists manage, HttpContext http) =>
                ApiResults.From(await manage.DeleteAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Delete a list (the people stay)");
        lists.MapPost("/{id:guid}/members", async (Guid id, PersonListMembersInput input, ManagePersonLists manage, HttpContext http) =>
                ApiResults.From(await manage.AddMembersAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Add people to a list (people already in it are left as they are)");
        lists.MapDelete("/{id:guid}/members/{personId:guid}", async (Guid id, Guid personId, ManagePersonLists manage, HttpContext http) =>
                ApiResults.From(await manage.RemoveMemberAsync(await http.ActorAsync(), id, personId, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Take a person off a list");

        people.MapPost("/merges/{mergeId:guid}/undo", async (Guid mergeId, MergePeople merge, HttpContext http) =>
            ApiResults.From(await merge.UndoAsync(await http.ActorAsync(), mergeId, http.RequestAborted), p => TypedResults.Ok(new { restored = p })))
            .WithSummary("Undo a merge");
    }
}
