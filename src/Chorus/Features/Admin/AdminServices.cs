using Chorus.Common;
using Chorus.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Admin;

public sealed record TeamView(Guid Id, string Name, string? Description, bool IsPrivate, IReadOnlyList<string> MemberIds);

public sealed record TeamChange(string? Name, string? Description, bool? IsPrivate, IReadOnlyList<string>? MemberIds);

public sealed record StaffView(string Id, string Email, string DisplayName, string Role, Availability Availability, IReadOnlyList<Guid> TeamIds);

public sealed record NewStaff(string Email, string DisplayName, string Role, string Password, IReadOnlyList<Guid>? TeamIds);

/// Teams: list, create, rename, make private, set members. Changing teams is for admins.
public class ManageTeams(ChorusDb db, RecordAudit audit)
{
    public Task<List<TeamView>> ListAsync(CancellationToken ct = default) =>
        db.Teams.AsNoTracking().OrderBy(t => t.Name)
            .Select(t => new TeamView(t.Id, t.Name, t.Description, t.IsPrivate, t.Members.Select(m => m.StaffUserId).ToList()))
            .ToListAsync(ct);

    public async Task<Outcome<TeamView>> SaveAsync(StaffActor actor, Guid? id, TeamChange change, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<TeamView>.Forbidden("Only admins can change teams.");
        Team? team;
        if (id is { } existing)
        {
            team = await db.Teams.Include(t => t.Members).SingleOrDefaultAsync(t => t.Id == existing, ct);
            if (team is null) return new Outcome<TeamView>.NotFound("Team");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(change.Name)) return Outcome<TeamView>.Invalid.One("name", "A team needs a name.");
            db.Teams.Add(team = new Team());
        }
        if (change.Name is not null)
        {
            var name = change.Name.Trim();
            if (name.Length is 0 or > 100) return Outcome<TeamView>.Invalid.One("name", "A team name is 1 to 100 characters.");
            if (await db.Teams.AnyAsync(t => t.Name == name && t.Id != team.Id, ct)) return Outcome<TeamView>.Invalid.One("name", $"There is already a team called {name}.");
            team.Name = name;
        }
        if (change.Description is not null) team.Description = change.Description.Trim();
        if (change.IsPrivate is { } isPrivate) team.IsPrivate = isPrivate;
        if (change.MemberIds is not null)
        {
            var wanted = change.MemberIds.Distinct().ToList();
            var known = await db.Users.Where(u => wanted.Contains(u.Id)).Select(u => u.Id).ToListAsync(ct);
            if (known.Count != wanted.Count) return Outcome<TeamView>.Invalid.One("memberIds", "One of the members is not a staff user.");
            team.Members.RemoveAll(m => !wanted.Contains(m.StaffUserId));
            foreach (var uid in wanted.Where(w => team.Members.All(m => m.StaffUserId != w)))
                team.Members.Add(new TeamMember { TeamId = team.Id, StaffUserId = uid });
        }
        audit.Add(actor, id is null ? "team.created" : "team.updated", "team", team.Id.ToString(),
            $"{team.Name}{(team.IsPrivate ? " (private)" : "")}, {team.Members.Count} members");
        await db.SaveChangesAsync(ct);
        return new TeamView(team.Id, team.Name, team.Description, team.IsPrivate, team.Members.Select(m => m.StaffUserId).ToList());
    }
}

/// Staff users: list and add (used by the admin API and `chorus users add`).
public class ManageStaff(ChorusDb db, UserManager<StaffUser> users, RecordAudit audit)
{
    public async Task<List<StaffView>> ListAsync(CancellationToken ct = default)
    {
        var rows = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName)
            .Select(u => new
            {
                u.Id, u.Email, u.DisplayName, u.Availability,
                Roles = (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == u.Id select r.Name).ToList(),
                Teams = db.TeamMembers.Where(m => m.StaffUserId == u.Id).Select(m => m.TeamId).ToList(),
            }).ToListAsync(ct);
        return rows.Select(r => new StaffView(r.Id, r.Email ?? "", r.DisplayName,
            r.Roles.Contains(Roles.Admin) ? Roles.Admin : r.Roles.Contains(Roles.Agent) ? Roles.Agent : Roles.Viewer, r.Availability, r.Teams)).ToList();
    }

    public async Task<Outcome<StaffView>> AddAsync(StaffActor? actor, NewStaff input, CancellationToken ct = default)
    {
        if (actor is { IsAdmin: false }) return new Outcome<StaffView>.Forbidden("Only admins can add staff.");
        if (!EmailAddress.IsValid(input.Email)) return Outcome<StaffView>.Invalid.One("email", "That is not a valid e-mail address.");
        if (!Roles.All.Contains(input.Role)) return Outcome<StaffView>.Invalid.One("role", "The role must be admin, agent or viewer.");
        // Checked before the user is created, so a bad request leaves no half-made account behind.
        if (input.DisplayName is { Length: > 200 }) return Outcome<StaffView>.Invalid.One("displayName", "A display name is at most 200 characters.");
        var teamIds = (input.TeamIds ?? []).Distinct().ToList();
        if (await db.Teams.CountAsync(t => teamIds.Contains(t.Id), ct) != teamIds.Count)
            return Outcome<StaffView>.Invalid.One("teamIds", "One of the teams does not exist.");
        var user = new StaffUser
        {
            UserName = input.Email.Trim(), Email = input.Email.Trim(), EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(input.DisplayName) ? input.Email.Split('@')[0] : input.DisplayName.Trim(),
        };
        var created = await users.CreateAsync(user, input.Password);
        if (!created.Succeeded)
            return new Outcome<StaffView>.Invalid(created.Errors.GroupBy(e => e.Code.Contains("Password") ? "password" : "email")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
        await users.AddToRoleAsync(user, input.Role);
        foreach (var team in teamIds) db.TeamMembers.Add(new TeamMember { TeamId = team, StaffUserId = user.Id });
        audit.Add(actor, "staff.added", "staff", user.Id, $"{user.Email} as {input.Role}");
        await db.SaveChangesAsync(ct);
        return new StaffView(user.Id, user.Email, user.DisplayName, input.Role, user.Availability, teamIds);
    }

    public async Task SetAvailabilityAsync(StaffActor actor, Availability availability, CancellationToken ct = default) =>
        await db.Users.Where(u => u.Id == actor.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Availability, availability), ct);
}
