using System.Text;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Channels.WebForm;
using Chorus.Features.Notifications;
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
/// A reply on a web-form conversation goes out the same way from the notification mailbox, with the
/// requester's private link (see <see cref="ThreadAnswerToNotification"/> for their answer).
public class QueueEmailReply(ChorusDb db, MailboxSecrets secrets, AttachmentStore store, ManageEmailNotifications notifications, RequesterLinks links, PublicUrls urls)
{
    public const int MaxReferences = 20;

    /// Ok(Message-ID) when queued; Ok(null) when the conversation is not on a mailbox (nothing to send).
    public async Task<Outcome<string?>> AddAsync(Conversation conversation, Message reply, IReadOnlyList<MessageAttachment> files, CancellationToken ct = default)
    {
        var mailbox = await db.Mailboxes.AsNoTracking().SingleOrDefaultAsync(m => m.ChannelId == conversation.ChannelId, ct);
        var webForm = mailbox is null && await db.Channels.AnyAsync(c => c.Id == conversation.ChannelId && c.Kind == ChannelKind.WebForm, ct);
        if (webForm) mailbox = await notifications.SendingMailboxAsync(ct); // none: the requester reads it on their private page
        if (mailbox is null) return (string?)null;
        var channelName = await db.Channels.Where(c => c.Id == mailbox.ChannelId).Select(c => c.Name).SingleAsync(ct);
        var to = await db.Identities.AsNoTracking()
            .Where(i => i.PersonId == conversation.RequesterId && i.Kind == IdentityKind.Email)
            .OrderBy(i => i.CreatedAt).Select(i => new { i.Handle, i.DisplayName }).FirstOrDefaultAsync(ct);
        if (to is null && webForm) return (string?)null;
        if (to is null) return new Outcome<string?>.Conflict($"#{conversation.Number}'s requester has no e-mail address, so the reply cannot be sent by e-mail.");
        if (secrets.Unprotect(mailbox.ReplyTokenKeyProtected) is not { } tokenKey)
            return new Outcome<string?>.Conflict("The mailbox's reply key cannot be read with this server's keys; save the mailbox settings again.");

        // Earlier e-mails of this thread, oldest first: In-Reply-To names the newest one from the customer.
        var earlier = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.ExternalId != null && (m.Kind == MessageKind.Inbound || m.Kind == MessageKind.Reply))
            .OrderBy(m => m.CreatedAt).Select(m => new { m.ExternalId, m.Kind }).ToListAsync(ct);
        var threadIds = earlier.Where(m => IsMessageId(m.ExternalId!)).ToList();
        if (webForm)
        {
            // The web-form confirmation started the e-mail side of this thread.
            var confirmation = await db.Outbox.AsNoTracking().Where(o => o.ConversationId == conversation.Id && o.Purpose == OutboxPurpose.Confirmation)
                .Select(o => o.IdempotencyKey).FirstOrDefaultAsync(ct);
            if (confirmation is not null) threadIds.Insert(0, new { ExternalId = (string?)confirmation, Kind = MessageKind.Reply });
        }

        var mime = new MimeMessage { MessageId = MimeUtils.GenerateMessageId(OutgoingEmail.Domain(mailbox)), Date = reply.CreatedAt, Subject = earlier.Count == 0 ? conversation.Subject : ReplySubject(conversation.Subject) };
        mime.From.Add(new MailboxAddress(channelName, mailbox.Address));
        mime.ReplyTo.Add(new MailboxAddress(channelName, ReplyTokens.AddressFor(mailbox.Address, conversation.Number, Convert.FromBase64String(tokenKey))));
        mime.To.Add(new MailboxAddress(to.DisplayName, to.Handle));
        if ((threadIds.LastOrDefault(m => m.Kind == MessageKind.Inbound) ?? threadIds.LastOrDefault()) is { } parent)
            mime.InReplyTo = parent.ExternalId;
        foreach (var id in threadIds.TakeLast(MaxReferences)) mime.References.Add(id.ExternalId!);
        var (text, html) = (reply.Text, reply.Html ?? System.Net.WebUtility.HtmlEncode(reply.Text));
        if (webForm)
        {
            var link = urls.To(links.PathFor(conversation.Id));
            text += $"\n\n--\nSee the whole conversation and answer on the web (your private link): {link}\nOr simply reply to this e-mail.";
            html += $"<hr><p style=\"color:#555;font-size:small\"><a href=\"{System.Net.WebUtility.HtmlEncode(link)}\">See the whole conversation and answer on the web</a> (your private link). Or simply reply to this e-mail.</p>";
        }
        var body = new BodyBuilder { TextBody = text, HtmlBody = $"<!DOCTYPE html><html><body>{html}</body></html>" };
        foreach (var file in files)
        {
            await using var content = store.OpenRead(file.ContentHash!);
            if (content is null) return new Outcome<string?>.Conflict($"The file {file.FileName} could not be read back from the attachment store.");
            await body.Attachments.AddAsync(file.FileName, content, ContentType.TryParse(file.ContentType, out var type) ? type : new ContentType("application", "octet-stream"), ct);
        }
        mime.Body = body.ToMessageBody();

        reply.ExternalId = mime.MessageId;
        var item = OutgoingEmail.Queue(db, mailbox, conversation.Id, OutboxPurpose.Reply, mime, reply.Id);
        item.CreatedAt = item.NextAttemptAt = reply.CreatedAt;
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
