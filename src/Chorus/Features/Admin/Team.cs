namespace Chorus.Features.Admin;

/// A bucket of staff with a purpose. A private team's conversations are seen only by its members (and admins).
public class Team
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public bool IsPrivate { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public List<TeamMember> Members { get; set; } = [];
}

public class TeamMember
{
    public Guid TeamId { get; set; }
    public string StaffUserId { get; set; } = "";
    public StaffUser? StaffUser { get; set; }
}
