using Microsoft.AspNetCore.Identity;

namespace Chorus.Features.Admin;

/// Someone inside the company who signs in. Roles live in Identity roles (see <see cref="Roles"/>).
public class StaffUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public Availability Availability { get; set; } = Availability.Online;
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

public enum Availability { Online, Away }

public static class Roles
{
    public const string Admin = "admin";
    public const string Agent = "agent";
    public const string Viewer = "viewer";
    public static readonly string[] All = [Admin, Agent, Viewer];

    /// Admins and agents change conversations; viewers only read.
    public const string CanWork = Admin + "," + Agent;
}
