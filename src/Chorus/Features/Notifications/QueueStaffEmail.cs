using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Notifications;

/// E-mails colleagues about a conversation: when they are @mentioned in an internal note (unless they
/// turned it off) and when a conversation is assigned to them (when they turned it on). Staff only:
/// it goes to the staff user's own address, never to the requester, and never threads into the
/// conversation. Queued in the caller's unit of work, so it is sent once, with the note or assignment.
public class QueueStaffEmail(ChorusDb db, ManageEmailNotifications settings, PublicUrls urls)
{
    public const int ExcerptLength = 1000;

    public async Task<int> MentionAsync(Conversation c, string authorName, IReadOnlyCollection<string> staffIds, string noteText, CancellationToken ct = default)
    {
        if (staffIds.Count == 0) return 0;
        var recipients = await RecipientsAsync(staffIds, mentions: true, ct);
        if (recipients.Count == 0 || await settings.SendingMailboxAsync(ct) is not { } mailbox) return 0;
        var excerpt = noteText.Length > ExcerptLength ? TextLimits.Cut(noteText, ExcerptLength) + "…" : noteText;
        var link = urls.Conversation(c.Number);
        foreach (var r in recipients)
        {
            var text = $"""
                {authorName} mentioned you in an internal note on #{c.Number} "{c.Subject}":

                {Quote(excerpt)}

                Open the conversation: {link}

                Internal notes are for staff only; the requester never sees them. Reply in Chorus, not to this e-mail.
                You get these e-mails because mention e-mails are on: {urls.To("/me/notifications")}
                """;
            var html = $"""
                <p>{OutgoingEmail.Encode(authorName)} mentioned you in an internal note on <strong>#{c.Number}</strong> “{OutgoingEmail.Encode(c.Subject)}”:</p>
                <blockquote style="border-left:3px solid #c7c9d9;margin:0 0 1em;padding:0 1em;color:#333">{OutgoingEmail.Paragraphs(excerpt)}</blockquote>
                <p><a href="{OutgoingEmail.Encode(link)}">Open #{c.Number} in Chorus</a></p>
                <p style="color:#666;font-size:small">Internal notes are for staff only; the requester never sees them. Reply in Chorus, not to this e-mail.
                You get these e-mails because mention e-mails are on (<a href="{OutgoingEmail.Encode(urls.To("/me/notifications"))}">change</a>).</p>
                """;
            Add(mailbox, c, r, $"[Chorus #{c.Number}] {authorName} mentioned you: {c.Subject}", text, html);
        }
        return recipients.Count;
    }

    public async Task<int> AssignedAsync(Conversation c, string actorName, string assigneeId, CancellationToken ct = default)
    {
        var recipients = await RecipientsAsync([assigneeId], mentions: false, ct);
        if (recipients.Count == 0 || await settings.SendingMailboxAsync(ct) is not { } mailbox) return 0;
        var link = urls.Conversation(c.Number);
        var r = recipients[0];
        var text = $"""
            {actorName} assigned #{c.Number} "{c.Subject}" to you.

            {c.Preview}

            Open the conversation: {link}

            You get these e-mails because assignment e-mails are on: {urls.To("/me/notifications")}
            """;
        var html = $"""
            <p>{OutgoingEmail.Encode(actorName)} assigned <strong>#{c.Number}</strong> “{OutgoingEmail.Encode(c.Subject)}” to you.</p>
            <p style="color:#333">{OutgoingEmail.Encode(c.Preview)}</p>
            <p><a href="{OutgoingEmail.Encode(link)}">Open #{c.Number} in Chorus</a></p>
            <p style="color:#666;font-size:small">You get these e-mails because assignment e-mails are on (<a href="{OutgoingEmail.Encode(urls.To("/me/notifications"))}">change</a>).</p>
            """;
        Add(mailbox, c, r, $"[Chorus #{c.Number}] Assigned to you: {c.Subject}", text, html);
        return 1;
    }

    private sealed record Recipient(string Id, string Name, string Email);

    private async Task<List<Recipient>> RecipientsAsync(IReadOnlyCollection<string> staffIds, bool mentions, CancellationToken ct)
    {
        var users = await (from u in db.Users.AsNoTracking()
                           where staffIds.Contains(u.Id) && u.Email != null
                           join p in db.NotificationPreferences on u.Id equals p.StaffUserId into pj
                           from p in pj.DefaultIfEmpty()
                           select new { u.Id, u.DisplayName, u.Email, Mentions = p == null ? (bool?)null : p.MentionEmails, Assignments = p == null ? (bool?)null : p.AssignmentEmails })
            .ToListAsync(ct);
        return users.Where(u => mentions ? u.Mentions ?? NotificationPreference.DefaultMentionEmails : u.Assignments ?? NotificationPreference.DefaultAssignmentEmails)
            .Where(u => EmailAddress.IsValid(u.Email))
            .Select(u => new Recipient(u.Id, u.DisplayName, u.Email!)).ToList();
    }

    private void Add(Mailbox mailbox, Conversation c, Recipient r, string subject, string text, string html)
    {
        var mime = OutgoingEmail.Compose(mailbox, "Chorus", r.Name, r.Email, subject, text, html);
        OutgoingEmail.MarkAutomatic(mime);
        OutgoingEmail.Queue(db, mailbox, c.Id, OutboxPurpose.StaffNotification, mime);
    }

    private static string Quote(string text) => string.Join("\n", text.Replace("\r\n", "\n").Split('\n').Select(l => "> " + l));
}
