namespace Chorus.Features.Admin;

/// Append-only record of a staff action: who, what, when, on what.
public class AuditEntry
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
    public string? ActorId { get; set; }
    public string ActorName { get; set; } = "";
    public string Action { get; set; } = "";
    public string? TargetKind { get; set; }
    public string? TargetId { get; set; }
    public string? Details { get; set; }
}
