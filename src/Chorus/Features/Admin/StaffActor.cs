using System.Security.Claims;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Admin;

/// The staff member on whose behalf a service acts: identity, role and the teams whose private
/// conversations they may see. Built per request or per circuit by <see cref="ResolveStaffActor"/>.
public sealed record StaffActor(string Id, string Name, string Role, IReadOnlySet<Guid> MemberTeamIds, IReadOnlySet<Guid> PrivateTeamIds)
{
    public bool IsAdmin => Role == Roles.Admin;
    public bool CanWork => Role is Roles.Admin or Roles.Agent;

    /// Whether a conversation owned by <paramref name="teamId"/> is visible to this actor.
    public bool CanSeeTeam(Guid? teamId) =>
        IsAdmin || teamId is null || !PrivateTeamIds.Contains(teamId.Value) || MemberTeamIds.Contains(teamId.Value);

    /// Private teams this actor must not see; queries exclude conversations owned by them.
    public IReadOnlyCollection<Guid> HiddenTeamIds =>
        IsAdmin ? [] : PrivateTeamIds.Where(t => !MemberTeamIds.Contains(t)).ToArray();
}

public class ResolveStaffActor(ChorusDb db)
{
    public async Task<StaffActor?> ForPrincipalAsync(ClaimsPrincipal principal, CancellationToken ct = default)
    {
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        return id is null ? null : await ForUserIdAsync(id, ct);
    }

    public async Task<StaffActor?> ForUserIdAsync(string userId, CancellationToken ct = default)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Id, u.DisplayName, u.UserName }).SingleOrDefaultAsync(ct);
        if (user is null) return null;
        var role = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id
                          where ur.UserId == userId select r.Name).ToListAsync(ct);
        var teams = await db.TeamMembers.Where(m => m.StaffUserId == userId).Select(m => m.TeamId).ToListAsync(ct);
        var privateTeams = await db.Teams.Where(t => t.IsPrivate).Select(t => t.Id).ToListAsync(ct);
        var effective = role.Contains(Roles.Admin) ? Roles.Admin : role.Contains(Roles.Agent) ? Roles.Agent : Roles.Viewer;
        return new StaffActor(user.Id, string.IsNullOrEmpty(user.DisplayName) ? user.UserName ?? user.Id : user.DisplayName,
            effective, teams.ToHashSet(), privateTeams.ToHashSet());
    }
}
