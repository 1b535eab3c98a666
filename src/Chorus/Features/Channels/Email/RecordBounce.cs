using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Email;

/// A delivery report about one of our replies. A bounce marks the reply failed with the report's
/// reason and the conversation shows it; a delay notice ("the server is still trying") never does: it
/// is kept as a note on the delivery ("delayed: reason"), which stays sent. Nothing new is filed.
public class RecordBounce(ChorusDb db, InboxEvents events, ILogger<RecordBounce> log)
{
    /// False when the report is about no reply of ours (the caller records it as skipped).
    public async Task<bool> RunAsync(Guid channelId, InboundEmail.Bounce bounce, CancellationToken ct = default)
    {
        if (bounce.OriginalMessageId is not { Length: > 0 } original) return false;
        var found = await (from o in db.Outbox
                           join cv in db.Conversations on o.ConversationId equals (Guid?)cv.Id
                           where o.ChannelId == channelId && o.IdempotencyKey == original
                           select new { Item = o, Conversation = cv }).SingleOrDefaultAsync(ct);
        if (found is null) return false;
        if (found.Item.Status == DeliveryStatus.Failed) return true; // a later report changes nothing about a bounce
        var c = found.Conversation;
        if (!bounce.Failed)
        {
            var note = $"{bounce.Action}: {bounce.Reason}";
            found.Item.Note = note.Length > 1000 ? note[..1000] : note;
            await db.SaveChangesAsync(ct);
            log.LogInformation("Reply {MessageId} in #{Number}: {Note}", original, c.Number, found.Item.Note);
            events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
            return true;
        }

        found.Item.Status = DeliveryStatus.Failed;
        found.Item.LastError = bounce.Reason;
        found.Item.LockedUntil = null;
        db.Messages.Add(new Message
        {
            ConversationId = c.Id, ChannelId = c.ChannelId, Kind = MessageKind.Event,
            Text = $"{OutboxDispatcher.WhatFailed(found.Item.Purpose)} could not be delivered. {bounce.Reason}",
        });
        await db.SaveChangesAsync(ct);
        log.LogInformation("Reply {MessageId} in #{Number} bounced: {Reason}", original, c.Number, bounce.Reason);
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
        return true;
    }
}
