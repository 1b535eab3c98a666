using Chorus.Common;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Features.PressRoom;

public static class PressRoomFeature
{
    public static IServiceCollection AddPressRoom(this IServiceCollection services) =>
        services.AddScoped<ManageMediaContacts>().AddScoped<ManageMediaLists>().AddScoped<ImportMediaContacts>().AddScoped<ManageCoverage>()
            .AddScoped<ManagePressReleases>().AddScoped<DistributeRelease>().AddScoped<ReadPublishedReleases>();

    public static void MapPressRoomApi(this RouteGroupBuilder api)
    {
        var contacts = api.MapGroup("/media-contacts").WithTags("Media contacts");
        contacts.MapGet("/", async ([FromQuery] string? q, [FromQuery] Guid? listId, [FromQuery] string? beat, [FromQuery] int? page, [FromQuery] int? pageSize,
                ManageMediaContacts manage, HttpContext http) =>
                TypedResults.Ok(await manage.FindAsync(await http.ActorAsync(), q, listId, beat, page ?? 1, pageSize ?? 50, http.RequestAborted)))
            .WithSummary("Journalists (people of kind press) with outlet, beats, lists and last contact; search by name, e-mail, outlet or beat");
        contacts.MapGet("/{personId:guid}", async (Guid personId, ManageMediaContacts manage, HttpContext http) =>
                ApiResults.From(await manage.GetAsync(await http.ActorAsync(), personId, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("A journalist with the releases sent to them and the coverage they wrote");
        contacts.MapPost("/", async (MediaContactInput input, ManageMediaContacts manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/media-contacts/{v.Contact.PersonId}", v)))
            .WithSummary("Add a journalist; someone known by that e-mail address becomes press instead of a second person");
        contacts.MapPatch("/{personId:guid}", async (Guid personId, MediaContactInput input, ManageMediaContacts manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), personId, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Change a journalist's name, e-mail (added), outlet, beats or notes");
        contacts.MapPost("/import/preview", async (MediaContactImportInput input, ImportMediaContacts import, HttpContext http) =>
                ApiResults.From(await import.PreviewAsync(input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Read a CSV of journalists (name, email, outlet, beats, notes) and say, row by row, what importing it would do and what is wrong");
        contacts.MapPost("/import", async (MediaContactImportInput input, ImportMediaContacts import, HttpContext http) =>
                ApiResults.From(await import.ImportAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Import the good rows of a CSV of journalists (the others are listed as skipped, with the reason); optionally into a media list");

        var lists = api.MapGroup("/media-lists").WithTags("Media lists");
        lists.MapGet("/", async (ManageMediaLists manage, HttpContext http) => TypedResults.Ok(await manage.ListAsync(http.RequestAborted)))
            .WithSummary("Media lists with their sizes");
        lists.MapGet("/{id:guid}", async (Guid id, ManageMediaLists manage, HttpContext http) =>
                ApiResults.From(await manage.GetAsync(await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("A media list with its journalists");
        lists.MapPost("/", async (MediaListInput input, ManageMediaLists manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/media-lists/{v.Id}", v)))
            .WithSummary("Create a media list, optionally with journalists in it");
        lists.MapPatch("/{id:guid}", async (Guid id, MediaListInput input, ManageMediaLists manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Rename a media list or change its description");
        lists.MapDelete("/{id:guid}", async (Guid id, ManageMediaLists manage, HttpContext http) =>
                ApiResults.From(await manage.DeleteAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Delete a media list (the journalists stay)");
        lists.MapPost("/{id:guid}/members", async (Guid id, MediaListMembersInput input, ManageMediaLists manage, HttpContext http) =>
                ApiResults.From(await manage.AddMembersAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Add journalists to a media list (those in it already are left as they are)");
        lists.MapDelete("/{id:guid}/members/{personId:guid}", async (Guid id, Guid personId, ManageMediaLists manage, HttpContext http) =>
                ApiResults.From(await manage.RemoveMemberAsync(await http.ActorAsync(), id, personId, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Take a journalist off a media list");

        var releases = api.MapGroup("/press-releases").WithTags("Press releases");
        releases.MapGet("/", async (ManagePressReleases manage, HttpContext http) => TypedResults.Ok(await manage.ListAsync(http.RequestAborted)))
            .WithSummary("Press releases, the latest changed first, with their state (draft, approved, embargoed, published)");
        releases.MapGet("/{id:guid}", async (Guid id, ManagePressReleases manage, HttpContext http) =>
                ApiResults.From(await manage.GetAsync(await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("A press release with its Markdown, rendered HTML, approval and embargo");
        releases.MapPost("/", async (PressReleaseInput input, ManagePressReleases manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/press-releases/{v.Id}", v)))
            .WithSummary("Write a draft press release (Markdown) for the PR team, or another team of yours");
        releases.MapPatch("/{id:guid}", async (Guid id, PressReleaseInput input, ManagePressReleases manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Change a draft");
        releases.MapPost("/{id:guid}/approve", async (Guid id, ManagePressReleases manage, HttpContext http) =>
                ApiResults.From(await manage.ApproveAsync(await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Approve a draft (a colleague of its team or an admin; never its author)");
        releases.MapPost("/{id:guid}/publish", async (Guid id, PublishReleaseInput input, ManagePressReleases manage, HttpContext http) =>
                ApiResults.From(await manage.PublishAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Publish an approved release now, or under embargo until a wall-clock time in a time zone");
        releases.MapPost("/{id:guid}/withdraw", async (Guid id, ManagePressReleases manage, HttpContext http) =>
                ApiResults.From(await manage.WithdrawAsync(await http.ActorAsync(), id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Take an approved or still-embargoed release back to a draft");
        releases.MapPost("/{id:guid}/distribute", async (Guid id, DistributeInput input, DistributeRelease distribute, HttpContext http) =>
                ApiResults.From(await distribute.RunAsync(await http.ActorAsync(), id, input, null, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("E-mail a published (or embargoed) release to each journalist of a media list, once each; their replies land in the inbox");
        releases.MapGet("/{id:guid}/pitches", async (Guid id, DistributeRelease distribute, HttpContext http) =>
                TypedResults.Ok(await distribute.PitchesAsync(id, http.RequestAborted)))
            .WithSummary("Who the release was sent to: delivery, link opened, replied, covered");

        var coverage = api.MapGroup("/coverage").WithTags("Coverage");
        coverage.MapGet("/", async ([FromQuery] Guid? releaseId, [FromQuery] DateOnly? from, [FromQuery] DateOnly? to, ManageCoverage manage, HttpContext http) =>
                TypedResults.Ok(await manage.ListAsync(releaseId, from, to, http.RequestAborted)))
            .WithSummary("Articles logged as coverage, newest first");
        coverage.MapPost("/", async (CoverageInput input, ManageCoverage manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/coverage/{v.Id}", v)))
            .WithSummary("Log an article (sentiment is scored from its headline and summary)");
        coverage.MapPatch("/{id:guid}", async (Guid id, CoverageInput input, ManageCoverage manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Correct a logged article");
        coverage.MapDelete("/{id:guid}", async (Guid id, ManageCoverage manage, HttpContext http) =>
                ApiResults.From(await manage.DeleteAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Remove a logged article");
        coverage.MapGet("/over-time", async ([FromQuery] DateOnly from, [FromQuery] DateOnly to, [FromQuery] Guid? releaseId, ManageCoverage manage, HttpContext http) =>
                to < from || to.DayNumber - from.DayNumber > 731
                    ? (IResult)ApiResults.Invalid("to", "Ask for at most two years, with to on or after from.")
                    : TypedResults.Ok(await manage.OverTimeAsync(from, to, releaseId, http.RequestAborted)))
            .WithSummary("Articles and reach per day (up to 62 days) or per week");
        coverage.MapGet("/share-of-voice", async ([FromQuery] DateOnly from, [FromQuery] DateOnly to, ManageCoverage manage, HttpContext http) =>
                to < from ? (IResult)ApiResults.Invalid("to", "to is on or after from.")
                    : TypedResults.Ok(await manage.ShareOfVoiceAsync(from, to, http.RequestAborted)))
            .WithSummary("Our articles against each competitor's (named in headlines or summaries) over a period");
        coverage.MapGet("/competitors", async (ManageCoverage manage, HttpContext http) => TypedResults.Ok(await manage.CompetitorsAsync(http.RequestAborted)))
            .WithSummary("Competitors counted for share of voice");
        coverage.MapPost("/competitors", async (CompetitorInput input, ManageCoverage manage, HttpContext http) =>
                ApiResults.From(await manage.AddCompetitorAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/coverage/competitors/{v.Id}", v)))
            .WithSummary("Name a competitor");
        coverage.MapDelete("/competitors/{id:guid}", async (Guid id, ManageCoverage manage, HttpContext http) =>
                ApiResults.From(await manage.RemoveCompetitorAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Stop counting a competitor");
    }
}
