using Chorus.Data;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Chorus.Features.Channels.WebForm;

/// The e-mail a web-form requester gets after writing to us: their reference and their private link,
/// from the notification mailbox, with a Reply-To that threads an answer back into the conversation.
/// Its Message-ID is derived from the conversation, so a resubmitted form never sends a second one.
public class SendWebFormConfirmation(ChorusDb db, ManageEmailNotifications notifications, MailboxSecrets secrets, RequesterLinks links, PublicUrls urls,
    ILogger<SendWebFormConfirmation> log)
{
    /// True when a confirmation is (or already was) queued; false when no mailbox sends notification e-mail.
    public async Task<bool> RunAsync(Guid conversationId, string email, string? name, CancellationToken ct = default)
    {
        if (await notifications.SendingMailboxAsync(ct) is not { } mailbox) return false;
        var c = await db.Conversations.AsNoTracking().Where(x => x.Id == conversationId).Select(x => new { x.Id, x.Number, x.Subject }).SingleOrDefaultAsync(ct);
        if (c is null) return false;
        var messageId = $"confirmation.{c.Id:N}@{OutgoingEmail.Domain(mailbox)}";
        if (await db.Outbox.AnyAsync(o => o.IdempotencyKey == messageId, ct)) return true;
        if (secrets.Unprotect(mailbox.ReplyTokenKeyProtected) is not { } tokenKey)
        {
            log.LogWarning("Mailbox {Address}: the reply key cannot be read with this server's keys; no confirmation for #{Number}", mailbox.Address, c.Number);
            return false;
        }
        var fromName = await db.Channels.Where(x => x.Id == mailbox.ChannelId).Select(x => x.Name).SingleAsync(ct);
        var link = urls.To(links.PathFor(c.Id));
        var greeting = string.IsNullOrWhiteSpace(name) ? "Hello," : $"Hello {name},";
        var text = $"""
            {greeting}

            Thank you for writing to us. We received your message and will answer soon.

            Your reference: #{c.Number}
            Subject: {c.Subject}

            Follow your request and answer us on the web (this link is private: do not share it):
            {link}

            Or simply reply to this e-mail.
            """;
        var html = $"""
            <p>{OutgoingEmail.Encode(greeting)}</p>
            <p>Thank you for writing to us. We received your message and will answer soon.</p>
            <p>Your reference: <strong>#{c.Number}</strong><br>Subject: {OutgoingEmail.Encode(c.Subject)}</p>
            <p><a href="{OutgoingEmail.Encode(link)}">Follow your request and answer us on the web</a> (this link is private: do not share it).</p>
            <p>Or simply reply to this e-mail.</p>
            """;
        var mime = OutgoingEmail.Compose(mailbox, fromName, name, email, $"We received your message [#{c.Number}]: {c.Subject}", text, html, messageId);
        mime.ReplyTo.Add(new MailboxAddress(fromName, ReplyTokens.AddressFor(mailbox.Address, c.Number, Convert.FromBase64String(tokenKey))));
        mime.Headers.Add("Auto-Submitted", "auto-replied"); // an answer to their message: vacation responders stay quiet (RFC 3834)
        OutgoingEmail.Queue(db, mailbox, c.Id, OutboxPurpose.Confirmation, mime);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same form submitted twice at once: the other request queued it (its Message-ID is unique).
            db.ChangeTracker.Clear();
            if (!await db.Outbox.AnyAsync(o => o.IdempotencyKey == messageId, CancellationToken.None)) throw;
        }
        return true;
    }
}
