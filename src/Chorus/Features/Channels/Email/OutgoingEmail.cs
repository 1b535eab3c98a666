using System.Net;
using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using MimeKit;
using MimeKit.Utils;

namespace Chorus.Features.Channels.Email;

/// Mail Chorus writes itself (confirmations, notifications): composed here and queued in the outbox in
/// the caller's unit of work, so it is sent once, with retries, like a reply.
public static class OutgoingEmail
{
    public static string Domain(Mailbox mailbox) => mailbox.Address[(mailbox.Address.LastIndexOf('@') + 1)..];

    public static MimeMessage Compose(Mailbox mailbox, string fromName, string? toName, string toAddress, string subject, string text, string html, string? messageId = null)
    {
        var mime = new MimeMessage { MessageId = messageId ?? MimeUtils.GenerateMessageId(Domain(mailbox)), Date = DateTimeOffset.UtcNow, Subject = subject };
        mime.From.Add(new MailboxAddress(fromName, mailbox.Address));
        mime.To.Add(new MailboxAddress(toName, toAddress));
        mime.Body = new BodyBuilder { TextBody = text, HtmlBody = $"<!DOCTYPE html><html><body>{html}</body></html>" }.ToMessageBody();
        return mime;
    }

    /// Marks mail no person typed, so vacation responders and rules do not answer it (RFC 3834).
    public static void MarkAutomatic(MimeMessage mime) => mime.Headers.Add("Auto-Submitted", "auto-generated");

    public static OutboxItem Queue(ChorusDb db, Mailbox mailbox, Guid? conversationId, OutboxPurpose purpose, MimeMessage mime, Guid? messageId = null)
    {
        var item = new OutboxItem
        {
            ChannelId = mailbox.ChannelId, ConversationId = conversationId, MessageId = messageId, Purpose = purpose,
            IdempotencyKey = mime.MessageId!, Payload = QueueEmailReply.Render(mime),
        };
        db.Outbox.Add(item);
        return item;
    }

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// Plain text as HTML paragraphs (line breaks kept, everything encoded).
    public static string Paragraphs(string text) =>
        string.Join("", text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => $"<p>{Encode(p.Trim('\n')).Replace("\n", "<br>")}</p>"));
}
