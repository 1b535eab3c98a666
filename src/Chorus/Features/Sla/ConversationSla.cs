using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Sla;

/// One target of a conversation as the conversation page shows it.
public sealed record SlaTargetView(SlaTarget Target, int Minutes, DateTimeOffset? DueAt, DateTimeOffset? MetAt, bool Running, bool Paused, DateTimeOffset? BreachedAt);

/// The SLA policy applied to a conversation and where each of its targets stands.
public sealed record ConversationSla(Guid PolicyId, string PolicyName, IReadOnlyList<SlaTargetView> Targets)
{
    public static async Task<ConversationSla?> ReadAsync(ChorusDb db, Guid conversationId, CancellationToken ct)
    {
        var c = await db.Conversations.AsNoTracking().Where(x => x.Id == conversationId)
            .Select(x => new { x.SlaPolicyId, x.FirstReplyDueAt, x.FirstReplyAt, x.ResolutionDueAt, x.SolvedAt, x.SlaPausedSince, x.SlaDueAt, x.Status })
            .SingleOrDefaultAsync(ct);
        if (c?.SlaPolicyId is not { } policyId) return null;
        var policy = await db.Set<SlaPolicy>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == policyId, ct);
        if (policy is null) return null;
        var breaches = await db.Set<SlaBreach>().AsNoTracking().Where(b => b.ConversationId == conversationId).ToDictionaryAsync(b => b.Target, b => b.At, ct);
        var targets = new List<SlaTargetView>();
        if (policy.FirstReplyMinutes is { } f)
            targets.Add(new SlaTargetView(SlaTarget.FirstReply, f, c.FirstReplyDueAt, c.FirstReplyAt, c.SlaDueAt is not null && c.SlaDueAt == c.FirstReplyDueAt && c.FirstReplyAt is null,
                false, breaches.TryGetValue(SlaTarget.FirstReply, out var fb) ? fb : null));
        if (policy.ResolutionMinutes is { } r)
            targets.Add(new SlaTargetView(SlaTarget.Resolution, r, c.ResolutionDueAt, c.SolvedAt, c.SlaPausedSince is null && c.ResolutionDueAt is not null,
                c.SlaPausedSince is not null && c.SolvedAt is null, breaches.TryGetValue(SlaTarget.Resolution, out var rb) ? rb : null));
        return new ConversationSla(policy.Id, policy.Name, targets);
    }
}
