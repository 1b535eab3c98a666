using System.Security.Claims;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum.Members;

/// Members sign in with their own cookie scheme, never through staff Identity: every staff page and
/// API authorizes against the staff scheme, so no member session can reach them whatever its claims,
/// and a staff user reading the forum is recognised by the staff cookie alone.
public static class MemberAuth
{
    public const string Scheme = "ForumMember";
    public const string CookieName = "chorus.member";
    private const string StampClaim = "chorus:stamp";

    public static ClaimsPrincipal Principal(ForumMember m) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, m.Id.ToString()), new Claim(ClaimTypes.Name, m.Username), new Claim(StampClaim, m.SecurityStamp)], Scheme));

    public static Task SignInAsync(HttpContext http, ForumMember m) =>
        http.SignInAsync(Scheme, Principal(m), new AuthenticationProperties { IsPersistent = true });

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(Scheme);

    internal static (Guid Id, string Stamp)? Read(ClaimsPrincipal? p) =>
        p?.FindFirstValue(ClaimTypes.NameIdentifier) is { } id && Guid.TryParse(id, out var g) && p.FindFirstValue(StampClaim) is { } stamp ? (g, stamp) : null;
}

/// The signed-in member as pages and services need them.
public sealed record MemberView(Guid Id, string Username, TrustLevel Trust, Guid? PersonId);

/// Who is reading the forum: a member, a staff user, both (a staff user may also have a member
/// account in the same browser), or nobody.
public sealed record ForumViewer(MemberView? Member, StaffActor? Staff)
{
    public static readonly ForumViewer Anonymous = new(null, null);
    public bool IsStaff => Staff is not null;
    /// Agents and admins moderate; viewers only read.
    public bool CanModerate => Staff?.CanWork == true;
}

/// The layout and the page both ask, and static rendering runs them at the same time: the viewer is
/// resolved once per request, in its own scope, so it never shares a DbContext with the page's queries.
public class ResolveForumViewer(WorkScopes work)
{
    private static readonly object Key = new();

    public Task<ForumViewer> ForRequestAsync(HttpContext http)
    {
        if (http.Items.TryGetValue(Key, out var cached) && cached is Task<ForumViewer> task) return task;
        task = ResolveAsync(http);
        http.Items[Key] = task;
        return task;
    }

    private async Task<ForumViewer> ResolveAsync(HttpContext http)
    {
        await using var w = work.Open();
        var staffActor = http.User.Identity?.IsAuthenticated == true && http.User.Identity.AuthenticationType != MemberAuth.Scheme
            ? await w.Get<ResolveStaffActor>().ForPrincipalAsync(http.User, http.RequestAborted) : null;
        MemberView? member = null;
        var auth = await http.AuthenticateAsync(MemberAuth.Scheme);
        if (MemberAuth.Read(auth.Principal) is { } claim)
        {
            member = await w.Db.ForumMembers.AsNoTracking()
                .Where(m => m.Id == claim.Id && m.SecurityStamp == claim.Stamp && m.EmailConfirmedAt != null)
                .Select(m => new MemberView(m.Id, m.Username, m.Trust, m.PersonId)).SingleOrDefaultAsync(http.RequestAborted);
        }
        return new ForumViewer(member, staffActor);
    }
}
