namespace Chorus.Features.Admin;

/// A per-user bearer token for the REST API. Only a SHA-256 hash is stored; the token is shown once.
public class ApiToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string StaffUserId { get; set; } = "";
    public string Name { get; set; } = "";
    /// The first characters of the token, shown in lists so a user can tell tokens apart.
    public string Prefix { get; set; } = "";
    public string Hash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
