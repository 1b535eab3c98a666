using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Admin;

/// Appends to the audit log. Services call it after a staff action succeeded.
public class RecordAudit(ChorusDb db)
{
    public async Task RecordAsync(StaffActor? actor, string action, string? targetKind, string? targetId, string? details, CancellationToken ct = default)
    {
        Add(actor, action, targetKind, targetId, details);
        await db.SaveChangesAsync(ct);
    }

    /// Adds the entry to the caller's unit of work, so it is saved atomically with the action.
    public void Add(StaffActor? actor, string action, string? targetKind, string? targetId, string? details)
    {
        db.AuditEntries.Add(new AuditEntry
        {
            ActorId = actor?.Id, ActorName = actor?.Name ?? "system", Action = action,
            TargetKind = targetKind, TargetId = targetId, Details = details is null ? null : Chorus.Common.TextLimits.Cut(details, 2000),
        });
    }

    public Task<List<AuditEntry>> ListAsync(int skip, int take, string? action, CancellationToken ct = default) =>
        db.AuditEntries.AsNoTracking()
            .Where(a => action == null || a.Action.StartsWith(action))
            .OrderByDescending(a => a.At).Skip(skip).Take(Math.Clamp(take, 1, 500)).ToListAsync(ct);
}
