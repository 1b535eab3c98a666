using System.Security.Cryptography;
using Chorus.Data;
using Chorus.Features.Channels;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Admin;

/// What every workspace needs on first start: roles, the five teams, the built-in channels, the
/// conversation counter and a first admin. Idempotent: runs on every start and adds only what is missing.
public class BootstrapWorkspace(ChorusDb db, UserManager<StaffUser> users, RoleManager<IdentityRole> roles, IConfiguration config, ILogger<BootstrapWorkspace> log)
{
    public static readonly (string Name, string Description)[] DefaultTeams =
    [
        ("Support", "Answers customers' questions and fixes their problems."),
        ("Outreach & Advocacy", "Community and social: finds people talking about us and turns fans into advocates."),
        ("Product & Engineering Liaison", "Takes defects and feature requests to engineering and back."),
        ("Marketing", "Campaigns, posts and the newsletter."),
        ("PR", "Press releases, journalists and coverage."),
    ];

    public const string AdminEmail = "admin@chorus.local";

    /// Returns the generated admin password when an admin was created without a configured one (shown once).
    public async Task<string?> RunAsync(CancellationToken ct = default)
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new IdentityRole(role));

        if (!await db.Teams.AnyAsync(ct))
            foreach (var (name, description) in DefaultTeams) db.Teams.Add(new Team { Name = name, Description = description });

        var support = await db.Teams.Where(t => t.Name == "Support").Select(t => (Guid?)t.Id).FirstOrDefaultAsync(ct)
                      ?? db.Teams.Local.FirstOrDefault(t => t.Name == "Support")?.Id;
        foreach (var (kind, name) in new[] { (ChannelKind.WebForm, "Web form"), (ChannelKind.Api, "API") })
            if (!await db.Channels.AnyAsync(c => c.Kind == kind, ct))
                db.Channels.Add(new Channel { Kind = kind, Name = name, DefaultTeamId = support });

        if (!await db.Counters.AnyAsync(c => c.Name == "conversation", ct))
            db.Counters.Add(new Counter { Name = "conversation", Value = 1000 });
        await db.SaveChangesAsync(ct);

        if (await db.UserRoles.AnyAsync(ur => db.Roles.Any(r => r.Id == ur.RoleId && r.Name == Roles.Admin), ct)) return null;

        var email = config["Chorus:AdminEmail"] ?? AdminEmail;
        var configured = config["Chorus:AdminPassword"];
        var password = string.IsNullOrEmpty(configured) ? GeneratePassword() : configured;
        var admin = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Administrator" };
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded)
            throw new InvalidOperationException("Could not create the first admin: " + string.Join(" ", created.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(admin, Roles.Admin);
        log.LogInformation("Created the first admin {Email}", email);
        return string.IsNullOrEmpty(configured) ? password : null;
    }

    private static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y');
}
