using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Chorus.Features.Channels.Email;

/// Where an answer belongs when it answers mail this mailbox sent about a conversation on another
/// channel (a web-form confirmation or an agent's reply to a web-form requester).
public sealed record NotifiedThread(Guid ChannelId, string? ThreadId);

/// Finds that conversation by the Message-IDs the answer names (each one we sent is in the outbox), or
/// by the reply token in the address it was sent to. Colleagues' notifications never thread anywhere.
public class ThreadAnswerToNotification(ChorusDb db)
{
    public async Task<NotifiedThread?> RunAsync(Guid mailboxChannelId, ReplyTokenKey? tokens, MimeMessage mime, CancellationToken ct = default)
    {
        var sent = from o in db.Outbox
                   join c in db.Conversations on o.ConversationId equals (Guid?)c.Id
                   where o.ChannelId == mailboxChannelId && c.ChannelId != mailboxChannelId && o.Purpose != OutboxPurpose.StaffNotification
                   select new { o.IdempotencyKey, c.Number, c.ChannelId, c.ExternalThreadId };

        var ids = ThreadInboundEmail.ReferencedIds(mime);
        if (ids.Count > 0)
        {
            var found = await sent.Where(s => ids.Contains(s.IdempotencyKey)).ToListAsync(ct);
            if (ids.Select(id => found.FirstOrDefault(f => f.IdempotencyKey == id)).FirstOrDefault(f => f is not null) is { } hit)
                return new NotifiedThread(hit.ChannelId, hit.ExternalThreadId);
        }
        if (tokens is null) return null;
        foreach (var recipient in mime.To.Mailboxes.Concat(mime.Cc.Mailboxes).Select(a => a.Address))
        {
            if (ReplyTokens.NumberIn(tokens.Address, recipient, tokens.Key) is not { } number) continue;
            if (await sent.FirstOrDefaultAsync(s => s.Number == number, ct) is { } hit) return new NotifiedThread(hit.ChannelId, hit.ExternalThreadId);
        }
        return null;
    }
}
