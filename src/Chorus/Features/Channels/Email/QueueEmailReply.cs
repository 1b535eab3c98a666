using System.Text;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Attachments;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using MimeKit.Utils;

namespace Chorus.Features.Channels.Email;

/// Renders an agent's reply on a mailbox conversation as an e-mail and adds it to the outbox, in the
/// caller's unit of work (so the reply and its outbox item are saved together or not at all).
/// The reply's ExternalId becomes the e-mail's Message-ID, so the customer's answer threads back.
public class QueueEmailReply(ChorusDb db, MailboxSecrets secrets, AttachmentStore store)
{
    public const int MaxReferences = 20;

    /// Ok(Message-ID) when queued; Ok(null) when the conversation is not on a mailbox (nothing to send).
    public async Task<Outcome<string?>> AddAsync(Conversation conversation, Message reply, IReadOnlyList<MessageAttachment> files, CancellationToken ct = default)
    {
        var mailbox = await db.Mailboxes.AsNoTracking().SingleOrDefaultAsync(m => m.ChannelId == conversation.ChannelId, ct);
        if (mailbox is null) return (string?)null;
        var channelName = await db.Channels.Where(c => c.Id == mailbox.ChannelId).Select(c => c.Name).SingleAsync(ct);
        var to = await db.Identities.AsNoTracking()
            .Where(i => i.PersonId == conversation.RequesterId && i.Kind == IdentityKind.Email)
            .OrderBy(i => i.CreatedAt).Select(i => new { i.Handle, i.DisplayName }).FirstOrDefaultAsync(ct);
        if (to is null) return new Outcome<string?>.Conflict($"#{conversation.Number}'s requester has no e-mail address, so the reply cannot be sent by e-mail.");
        if (secrets.Unprotect(mailbox.ReplyTokenKeyProtected) is not { } tokenKey)
            return new Outcome<string?>.Conflict("The mailbox's reply key cannot be read with this server's keys; save the mailbox settings again.");

        // Earlier e-mails of this thread, oldest first: In-Reply-To names the newest one from the customer.
        var earlier = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.ExternalId != null && (m.Kind == MessageKind.Inbound || m.Kind == MessageKind.Reply))
            .OrderBy(m => m.CreatedAt).Select(m => new { m.ExternalId, m.Kind }).ToListAsync(ct);
        var threadIds = earlier.Where(m => IsMessageId(m.ExternalId!)).ToList();

        var domain = mailbox.Address[(mailbox.Address.LastIndexOf('@') + 1)..];
        var mime = new MimeMessage { MessageId = MimeUtils.GenerateMessageId(domain), Date = reply.CreatedAt, Subject = ReplySubject(conversation.Subject) };
        mime.From.Add(new MailboxAddress(channelName, mailbox.Address));
        mime.ReplyTo.Add(new MailboxAddress(channelName, ReplyTokens.AddressFor(mailbox.Address, conversation.Number, Convert.FromBase64String(tokenKey))));
        mime.To.Add(new MailboxAddress(to.DisplayName, to.Handle));
        if ((threadIds.LastOrDefault(m => m.Kind == MessageKind.Inbound) ?? threadIds.LastOrDefault()) is { } parent)
            mime.InReplyTo = parent.ExternalId;
        foreach (var id in threadIds.TakeLast(MaxReferences)) mime.References.Add(id.ExternalId!);
        var body = new BodyBuilder { TextBody = reply.Text, HtmlBody = $"<!DOCTYPE html><html><body>{reply.Html ?? System.Net.WebUtility.HtmlEncode(reply.Text)}</body></html>" };
        foreach (var file in files)
        {
            await using var content = store.OpenRead(file.ContentHash!);
            if (content is null) return new Outcome<string?>.Conflict($"The file {file.FileName} could not be read back from the attachment store.");
            await body.Attachments.AddAsync(file.FileName, content, ContentType.TryParse(file.ContentType, out var type) ? type : new ContentType("application", "octet-stream"), ct);
        }
        mime.Body = body.ToMessageBody();

        reply.ExternalId = mime.MessageId;
        db.Outbox.Add(new OutboxItem
        {
            ChannelId = mailbox.ChannelId, MessageId = reply.Id, IdempotencyKey = mime.MessageId, Payload = Render(mime), CreatedAt = reply.CreatedAt,
            NextAttemptAt = reply.CreatedAt,
        });
        return mime.MessageId;
    }

    // Ids we derived from a hash (no Message-ID on the original) mean nothing to a mail client.
    private static bool IsMessageId(string id) => id.Contains('@') && !id.StartsWith("sha256:", StringComparison.Ordinal);

    private static string ReplySubject(string subject) =>
        subject.TrimStart().StartsWith("re:", StringComparison.OrdinalIgnoreCase) ? subject : "Re: " + subject;

    /// The MIME text (7-bit: MimeKit encodes non-ASCII headers and bodies), stored as the outbox payload.
    public static string Render(MimeMessage mime)
    {
        using var stream = new MemoryStream();
        mime.Prepare(EncodingConstraint.SevenBit);
        mime.WriteTo(FormatOptions.Default, stream);
        return Encoding.ASCII.GetString(stream.ToArray());
    }

    public static MimeMessage Parse(string payload) => MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(payload)));
}
