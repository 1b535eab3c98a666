using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Outbox;

/// "Retry now": an agent sends a reply that failed (or is waiting for its next attempt) again at once.
/// The outbox item goes back to queued and due now; the dispatcher takes it on its next pass. Its
/// idempotency key stays, so a receiver that got an earlier attempt recognises the repeat. A retry
/// that fails again is marked failed at once: automatic retries do not start over.
public class RetryDelivery(ChorusDb db, RecordAudit audit, InboxEvents events)
{
    public async Task<Outcome<MessageDelivery>> RunAsync(StaffActor actor, long number, Guid messageId, CancellationToken ct = default)
    {
        var (conversation, _, failure) = await ConversationGuard.LoadForWorkAsync<MessageDelivery>(db, actor, number, null, ct);
        if (failure is not null) return failure;
        var c = conversation!;
        var item = await db.Outbox.AsNoTracking().SingleOrDefaultAsync(o => o.MessageId == messageId
            && db.Messages.Any(m => m.Id == messageId && m.ConversationId == c.Id), ct);
        if (item is null) return new Outcome<MessageDelivery>.NotFound($"A reply to send in #{number}");
        if (item.Status is DeliveryStatus.Sent or DeliveryStatus.Sending)
            return new Outcome<MessageDelivery>.Conflict(item.Status == DeliveryStatus.Sent
                ? "This reply was sent already; it is not sent twice."
                : "This reply is being sent right now.");

        var now = DateTimeOffset.UtcNow;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Conditional on the state just read: the dispatcher may claim the item meanwhile.
        var queued = await db.Outbox.Where(o => o.Id == item.Id && o.Status == item.Status)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, DeliveryStatus.Queued).SetProperty(o => o.NextAttemptAt, now), ct);
        if (queued == 0) return new Outcome<MessageDelivery>.Conflict("The reply's delivery changed meanwhile; reload and look again.");
        db.Messages.Add(ConversationGuard.Event(c, $"{actor.Name} retried sending a reply."));
        audit.Add(actor, "delivery.retried", "conversation", number.ToString(), $"message {messageId}, {item.Attempts} earlier attempts: {item.LastError}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
        return new MessageDelivery(DeliveryStatus.Queued, item.Attempts, item.LastError, now, null);
    }
}
