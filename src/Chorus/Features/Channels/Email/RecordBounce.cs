using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Email;

/// A delivery report about one of our replies: the reply is marked failed with the report's reason
/// and the conversation shows it. Nothing new is filed.
public class RecordBounce(ChorusDb db, InboxEvents events, ILogger<RecordBounce> log)
{
    /// False when the report is about no reply of ours (the caller records it as skipped).
    public async Task<bool> RunAsync(Guid channelId, InboundEmail.Bounce bounce, CancellationToken ct = default)
    {
        if (bounce.OriginalMessageId is not { Length: > 0 } original) return false;
        var found = await (from o in db.Outbox
                           join cv in db.Conversations on o.ConversationId equals cv.Id
                           where o.ChannelId == channelId && o.IdempotencyKey == original
                           select new { Item = o, Conversation = cv }).SingleOrDefaultAsync(ct);
        if (found is null) return false;
        if (!bounce.Failed) return true; // a delay notice: the server is still trying; nothing to change
        if (found.Item.Status == DeliveryStatus.Failed) return true; // a second report about the same reply

        found.Item.Status = DeliveryStatus.Failed;
        found.Item.LastError = bounce.Reason;
        found.Item.LockedUntil = null;
        var c = found.Conversation;
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
