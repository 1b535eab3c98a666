using Chorus.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Features.Admin;

public static class AdminFeature
{
    public static IServiceCollection AddAdmin(this IServiceCollection services) =>
        services.AddMemoryCache().AddSingleton<ApiTokenSignIns>()
            .AddScoped<ResolveStaffActor>().AddScoped<RecordAudit>().AddScoped<ManageApiTokens>()
            .AddScoped<ManageTeams>().AddScoped<ManageStaff>().AddScoped<BootstrapWorkspace>();

    public sealed record TokenRequest(string Name);

    public static void MapAdminApi(this RouteGroupBuilder api)
    {
        // The explicit return type matters: a lambda taking only HttpContext otherwise binds as a RequestDelegate and its result is dropped (empty 200).
        api.MapGet("/me", async Task<Ok<StaffActor>> (HttpContext http) => TypedResults.Ok(await http.ActorAsync())).WithTags("Staff").WithSummary("Who am I");

        var teams = api.MapGroup("/teams").WithTags("Teams");
        teams.MapGet("/", async (ManageTeams t, HttpContext http) => TypedResults.Ok(await t.ListAsync(http.RequestAborted)));
        teams.MapPost("/", async (TeamChange change, ManageTeams t, HttpContext http) =>
            ApiResults.From(await t.SaveAsync(await http.ActorAsync(), null, change, http.RequestAborted), v => TypedResults.Created($"/api/v1/teams/{v.Id}", v)));
        teams.MapPatch("/{id:guid}", async (Guid id, TeamChange change, ManageTeams t, HttpContext http) =>
            ApiResults.From(await t.SaveAsync(await http.ActorAsync(), id, change, http.RequestAborted), v => TypedResults.Ok(v)));

        var staff = api.MapGroup("/staff").WithTags("Staff");
        staff.MapGet("/", async (ManageStaff s, HttpContext http) => TypedResults.Ok(await s.ListAsync(http.RequestAborted)));
        staff.MapPost("/", async (NewStaff input, ManageStaff s, HttpContext http) =>
            ApiResults.From(await s.AddAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/staff/{v.Id}", v)))
            .RequireAuthorization(Policies.Admin);

        var tokens = api.MapGroup("/me/tokens").WithTags("API tokens");
        tokens.MapGet("/", async (ManageApiTokens t, HttpContext http) =>
            TypedResults.Ok((await t.ListAsync(await http.ActorAsync(), http.RequestAborted))
                .Select(x => new ApiTokenSummary(x.Id, x.Name, x.Prefix, x.CreatedAt, x.LastUsedAt, x.RevokedAt))));
        tokens.MapPost("/", async (TokenRequest body, ManageApiTokens t, HttpContext http) =>
        {
            if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 100) return (IResult)ApiResults.Invalid("name", "Give the token a name of 1 to 100 characters.");
            var issued = await t.IssueAsync(await http.ActorAsync(), body.Name, http.RequestAborted);
            return TypedResults.Created($"/api/v1/me/tokens/{issued.Id}", issued);
        }).WithSummary("Issue a token; the token text is returned only in this response");
        tokens.MapDelete("/{id:guid}", async (Guid id, ManageApiTokens t, HttpContext http) =>
            await t.RevokeAsync(await http.ActorAsync(), id, http.RequestAborted) ? (IResult)TypedResults.NoContent() : ApiResults.NotFound("Token"));

        api.MapGet("/audit", async ([FromQuery] int? skip, [FromQuery] int? take, [FromQuery] string? action, RecordAudit audit, HttpContext http) =>
                TypedResults.Ok(await audit.ListAsync(skip ?? 0, take ?? 100, action, http.RequestAborted)))
            .RequireAuthorization(Policies.Admin).WithTags("Audit").WithSummary("The audit log of staff actions (admins)");
    }
}

/// An API token as its owner sees it listed: never the secret or its hash.
public sealed record ApiTokenSummary(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
