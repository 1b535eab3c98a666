using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Assignment;

public sealed record TeamAssignmentInput(AssignmentMode Mode, int? MaxOpenPerAgent);

public sealed record TeamAssignmentView(Guid TeamId, string TeamName, AssignmentMode Mode, int? MaxOpenPerAgent, int MembersOnline, int Members);

/// Admins choose per team how new conversations are handed out; agents say whether they are online.
public sealed class ManageAssignment(ChorusDb db, RecordAudit audit, AssignmentQueue queue, IServiceScopeFactory scopes)
{
    public const int MaxCapacity = 1000;

    public async Task<List<TeamAssignmentView>> ListAsync(CancellationToken ct = default)
    {
        var settings = await db.Set<TeamAssignment>().AsNoTracking().ToDictionaryAsync(a => a.TeamId, ct);
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name)
            .Select(t => new
            {
                t.Id, t.Name, Members = t.Members.Count,
                Online = t.Members.Count(m => db.Users.Any(u => u.Id == m.StaffUserId && u.Availability == Availability.Online)),
            }).ToListAsync(ct);
        return teams.Select(t => settings.TryGetValue(t.Id, out var s)
            ? new TeamAssignmentView(t.Id, t.Name, s.Mode, s.MaxOpenPerAgent, t.Online, t.Members)
            : new TeamAssignmentView(t.Id, t.Name, AssignmentMode.Off, null, t.Online, t.Members)).ToList();
    }

    public async Task<Outcome<TeamAssignmentView>> SetAsync(StaffActor actor, Guid teamId, TeamAssignmentInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<TeamAssignmentView>.Forbidden("Only admins change auto-assignment.");
        var team = await db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Id == teamId, ct);
        if (team is null) return new Outcome<TeamAssignmentView>.NotFound("Team");
        if (!Enum.IsDefined(input.Mode)) return Outcome<TeamAssignmentView>.Invalid.One("mode", "Choose off, round-robin or least-loaded.");
        if (input.MaxOpenPerAgent is { } max && max is < 1 or > MaxCapacity)
            return Outcome<TeamAssignmentView>.Invalid.One("maxOpenPerAgent", $"Give a limit of 1 to {MaxCapacity:N0} active conversations per agent, or none.");
        var row = await db.Set<TeamAssignment>().SingleOrDefaultAsync(a => a.TeamId == teamId, ct);
        if (row is null) db.Add(row = new TeamAssignment { TeamId = teamId });
        row.Mode = input.Mode;
        row.MaxOpenPerAgent = input.MaxOpenPerAgent;
        row.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Add(actor, "team.assignment", "team", teamId.ToString(),
            $"{team.Name}: {Describe(input.Mode)}" + (input.MaxOpenPerAgent is { } m ? $", at most {m} active conversations per agent" : ""));
        await db.SaveChangesAsync(ct);
        if (input.Mode != AssignmentMode.Off) await SweepSoonAsync();
        return (await ListAsync(ct)).Single(v => v.TeamId == teamId);
    }

    /// Online or away; coming online hands the agent what waited for someone.
    public async Task<Availability> SetAvailabilityAsync(StaffActor actor, Availability availability, CancellationToken ct = default)
    {
        await db.Users.Where(u => u.Id == actor.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Availability, availability), ct);
        if (availability == Availability.Online) await SweepSoonAsync();
        return availability;
    }

    public async Task<Availability> GetAvailabilityAsync(StaffActor actor, CancellationToken ct = default) =>
        await db.Users.Where(u => u.Id == actor.Id).Select(u => u.Availability).SingleAsync(ct);

    /// Queues the unassigned conversations of teams with auto-assignment (the background assigner takes them in order).
    private async Task SweepSoonAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        var other = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var teams = await other.Set<TeamAssignment>().AsNoTracking().Where(a => a.Mode != AssignmentMode.Off).Select(a => a.TeamId).ToListAsync();
        var waiting = await other.Conversations.AsNoTracking()
            .Where(c => c.TeamId != null && teams.Contains(c.TeamId.Value) && c.AssigneeId == null && c.MergedIntoId == null && AssignConversations.Active.Contains(c.Status))
            .OrderBy(c => c.CreatedAt).Select(c => c.Id).Take(AssignConversations.MaxPerSweep).ToListAsync();
        foreach (var id in waiting) queue.Enqueue(id);
    }

    public static string Describe(AssignmentMode m) => m switch
    {
        AssignmentMode.RoundRobin => "round-robin",
        AssignmentMode.LeastLoaded => "least-loaded",
        _ => "off",
    };
}

public static class AssignmentFeature
{
    public static IServiceCollection AddAutoAssignment(this IServiceCollection services)
    {
        services.AddSingleton<AssignmentQueue>();
        services.AddSingleton<QueueAutoAssignment>();
        services.AddScoped<AssignConversations>();
        services.AddScoped<ManageAssignment>();
        services.AddHostedService<AutoAssigner>();
        return services;
    }

    public sealed record AvailabilityRequest(Availability Availability);
    public sealed record AvailabilityView(Availability Availability);

    public static void MapAutoAssignmentApi(this RouteGroupBuilder api)
    {
        var teams = api.MapGroup("/teams").WithTags("Auto-assignment").RequireAuthorization(Policies.Admin);
        teams.MapGet("/assignment", async (ManageAssignment m, HttpContext http) => TypedResults.Ok(await m.ListAsync(http.RequestAborted)))
            .WithSummary("How each team hands out new conversations: off, round-robin or least-loaded, with a per-agent limit");
        teams.MapPut("/{id:guid}/assignment", async (Guid id, TeamAssignmentInput input, ManageAssignment m, HttpContext http) =>
                ApiResults.From(await m.SetAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Set a team's auto-assignment; conversations waiting unassigned in it are handed out at once");

        api.MapGet("/me/availability", async (ManageAssignment m, HttpContext http) =>
                TypedResults.Ok(new AvailabilityView(await m.GetAvailabilityAsync(await http.ActorAsync(), http.RequestAborted))))
            .WithTags("Auto-assignment");
        api.MapPut("/me/availability", async (AvailabilityRequest body, ManageAssignment m, HttpContext http) =>
                TypedResults.Ok(new AvailabilityView(await m.SetAvailabilityAsync(await http.ActorAsync(), body.Availability, http.RequestAborted))))
            .WithTags("Auto-assignment").WithSummary("Online or away: auto-assignment gives conversations only to agents online (coming online takes what waited)");
    }
}
