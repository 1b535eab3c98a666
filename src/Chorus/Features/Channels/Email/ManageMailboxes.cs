using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Email;

/// Create or change a mailbox channel. Null fields keep their value on update; a password of ""
/// removes it (an SMTP relay that needs no sign-in).
public sealed record MailboxInput(
    string? Name = null, string? Address = null, Guid? DefaultTeamId = null, bool? Enabled = null,
    string? ImapHost = null, int? ImapPort = null, MailSecurity? ImapSecurity = null, string? ImapUser = null, string? ImapPassword = null,
    string? ImapFolder = null,
    string? SmtpHost = null, int? SmtpPort = null, MailSecurity? SmtpSecurity = null, string? SmtpUser = null, string? SmtpPassword = null,
    ProcessedAction? ProcessedAction = null, string? ProcessedFolder = null, int? PollIntervalSeconds = null);

/// A mailbox as the API shows it: settings, whether passwords are stored (never the passwords), and
/// how reading it went: last poll, last error, messages filed from it and messages it did not file.
public sealed record MailboxView(
    Guid Id, string Name, bool Enabled, Guid? DefaultTeamId, string Address,
    string ImapHost, int ImapPort, MailSecurity ImapSecurity, string ImapUser, bool HasImapPassword, string ImapFolder,
    string SmtpHost, int SmtpPort, MailSecurity SmtpSecurity, string SmtpUser, bool HasSmtpPassword,
    ProcessedAction ProcessedAction, string? ProcessedFolder, int PollIntervalSeconds,
    DateTimeOffset? LastPolledAt, string? LastError, DateTimeOffset? LastErrorAt, int ConsecutiveFailures, long? UidValidity, long LastUid,
    int MessagesIngested, int Rejections);

public class ManageMailboxes(ChorusDb db, MailboxSecrets secrets, RecordAudit audit, MailboxChanges changes)
{
    public async Task<IReadOnlyList<MailboxView>> ListAsync(CancellationToken ct = default) =>
        await Views(db.Mailboxes.AsNoTracking()).ToListAsync(ct);

    public async Task<Outcome<MailboxView>> GetAsync(Guid id, CancellationToken ct = default) =>
        await Views(db.Mailboxes.AsNoTracking().Where(m => m.ChannelId == id)).SingleOrDefaultAsync(ct) is { } view
            ? view : new Outcome<MailboxView>.NotFound("Mailbox");

    public async Task<Outcome<MailboxView>> CreateAsync(StaffActor actor, MailboxInput input, CancellationToken ct = default)
    {
        var missing = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Name)) missing["name"] = ["Give the mailbox a name."];
        if (string.IsNullOrWhiteSpace(input.Address)) missing["address"] = ["The address customers write to is required."];
        if (string.IsNullOrWhiteSpace(input.ImapHost)) missing["imapHost"] = ["The IMAP server is required."];
        if (string.IsNullOrWhiteSpace(input.ImapUser)) missing["imapUser"] = ["The IMAP user name is required."];
        if (string.IsNullOrEmpty(input.ImapPassword)) missing["imapPassword"] = ["The IMAP password is required."];
        if (string.IsNullOrWhiteSpace(input.SmtpHost)) missing["smtpHost"] = ["The SMTP server is required."];
        if (missing.Count > 0) return new Outcome<MailboxView>.Invalid(missing);

        var channel = new Channel { Kind = ChannelKind.Email, Name = "" };
        var mailbox = new Mailbox { ChannelId = channel.Id, ReplyTokenKeyProtected = secrets.NewReplyTokenKey() };
        if (await ApplyAsync(channel, mailbox, input, ct) is { } invalid) return invalid;
        db.Channels.Add(channel);
        db.Mailboxes.Add(mailbox);
        audit.Add(actor, "mailbox.created", "channel", channel.Id.ToString(), mailbox.Address);
        await db.SaveChangesAsync(ct);
        changes.Notify();
        return await GetAsync(channel.Id, ct);
    }

    public async Task<Outcome<MailboxView>> UpdateAsync(StaffActor actor, Guid id, MailboxInput input, CancellationToken ct = default)
    {
        var mailbox = await db.Mailboxes.SingleOrDefaultAsync(m => m.ChannelId == id, ct);
        var channel = await db.Channels.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (mailbox is null || channel is null) return new Outcome<MailboxView>.NotFound("Mailbox");
        var readFrom = (mailbox.ImapHost, mailbox.ImapUser, mailbox.ImapFolder);
        if (await ApplyAsync(channel, mailbox, input, ct) is { } invalid) return invalid;
        // Another server, account or folder: UIDs there mean nothing here, so read it from the start.
        // Message-IDs already stored keep that from duplicating anything.
        if (readFrom != (mailbox.ImapHost, mailbox.ImapUser, mailbox.ImapFolder))
        {
            mailbox.UidValidity = null;
            mailbox.LastUid = 0;
        }
        // What actually changed, by name (passwords never by value); switching a mailbox on or off is
        // its own entry, since it starts or stops reading mail.
        var changed = Changed(channel, mailbox);
        if (changed.Count == 0) return await GetAsync(id, ct);
        mailbox.UpdatedAt = DateTimeOffset.UtcNow;
        if (changed is ["enabled"])
            audit.Add(actor, channel.Enabled ? "mailbox.enabled" : "mailbox.disabled", "channel", id.ToString(), mailbox.Address);
        else
            audit.Add(actor, "mailbox.updated", "channel", id.ToString(), $"{mailbox.Address}: {string.Join(", ", changed)}");
        await db.SaveChangesAsync(ct);
        changes.Notify();
        return await GetAsync(id, ct);
    }

    /// The settings of a mailbox as they would be with <paramref name="input"/> applied, unsaved: what
    /// "Test connection" checks before the admin saves. Null id: a mailbox not created yet.
    public async Task<Outcome<Mailbox>> PreviewAsync(Guid? id, MailboxInput input, CancellationToken ct = default)
    {
        var mailbox = id is null ? new Mailbox() : await db.Mailboxes.AsNoTracking().SingleOrDefaultAsync(m => m.ChannelId == id, ct);
        var channel = id is null ? new Channel { Kind = ChannelKind.Email } : await db.Channels.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (mailbox is null || channel is null) return new Outcome<Mailbox>.NotFound("Mailbox");
        if (id is null) mailbox.ChannelId = Guid.Empty;
        // Only what the servers need counts here; a missing name does not stop a connection test.
        if (await ApplyAsync(channel, mailbox, input, ct) is { } invalid
            && invalid.Errors.Where(e => e.Key.StartsWith("imap") || e.Key.StartsWith("smtp") || e.Key == "processedFolder").ToDictionary() is { Count: > 0 } errors)
            return new Outcome<Mailbox>.Invalid(errors);
        return mailbox;
    }

    public async Task<IReadOnlyList<InboundEmailRejection>> ListRejectionsAsync(Guid id, int take, CancellationToken ct = default) =>
        await db.InboundEmailRejections.AsNoTracking().Where(r => r.ChannelId == id)
            .OrderByDescending(r => r.At).Take(Math.Clamp(take, 1, 500)).ToListAsync(ct);

    /// The settings an update changed, for the audit log: passwords by name only, read position left out.
    private List<string> Changed(Channel channel, Mailbox mailbox) =>
        db.Entry(channel).Properties.Concat(db.Entry(mailbox).Properties)
            .Where(p => p.IsModified && !Equals(p.OriginalValue, p.CurrentValue))
            .Select(p => p.Metadata.Name.Replace("Protected", ""))
            .Where(n => n is not (nameof(Mailbox.UidValidity) or nameof(Mailbox.LastUid) or nameof(Mailbox.UpdatedAt)))
            .Select(n => char.ToLowerInvariant(n[0]) + n[1..]).ToList();

    private async Task<Outcome<MailboxView>.Invalid?> ApplyAsync(Channel channel, Mailbox m, MailboxInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        void Check(bool bad, string field, string error) { if (bad) errors[field] = [error]; }

        if (input.Name is not null) channel.Name = input.Name.Trim();
        if (input.Enabled is { } enabled) channel.Enabled = enabled;
        if (input.DefaultTeamId is { } team)
        {
            Check(!await db.Teams.AnyAsync(t => t.Id == team, ct), "defaultTeamId", "There is no such team.");
            channel.DefaultTeamId = team;
        }
        if (input.Address is not null) m.Address = input.Address.Trim().ToLowerInvariant();
        if (input.ImapHost is not null) m.ImapHost = input.ImapHost.Trim();
        if (input.ImapSecurity is { } imapSecurity) m.ImapSecurity = imapSecurity;
        if (input.ImapPort is { } imapPort) m.ImapPort = imapPort;
        else if (input.ImapSecurity is not null) m.ImapPort = m.ImapSecurity == MailSecurity.SslOnConnect ? 993 : 143;
        if (input.ImapUser is not null) m.ImapUser = input.ImapUser.Trim();
        if (input.ImapPassword is not null) m.ImapPasswordProtected = input.ImapPassword.Length == 0 ? null : secrets.Protect(input.ImapPassword);
        if (input.ImapFolder is not null) m.ImapFolder = input.ImapFolder.Trim();
        if (input.SmtpHost is not null) m.SmtpHost = input.SmtpHost.Trim();
        if (input.SmtpSecurity is { } smtpSecurity) m.SmtpSecurity = smtpSecurity;
        if (input.SmtpPort is { } smtpPort) m.SmtpPort = smtpPort;
        else if (input.SmtpSecurity is not null) m.SmtpPort = m.SmtpSecurity == MailSecurity.SslOnConnect ? 465 : 587;
        if (input.SmtpUser is not null) m.SmtpUser = input.SmtpUser.Trim();
        if (input.SmtpPassword is not null) m.SmtpPasswordProtected = input.SmtpPassword.Length == 0 ? null : secrets.Protect(input.SmtpPassword);
        if (input.ProcessedAction is { } action) m.ProcessedAction = action;
        if (input.ProcessedFolder is not null) m.ProcessedFolder = input.ProcessedFolder.Trim() is { Length: > 0 } folder ? folder : null;
        if (input.PollIntervalSeconds is { } interval) m.PollIntervalSeconds = interval;

        Check(channel.Name.Length is 0 or > 100, "name", "The name is 1 to 100 characters.");
        Check(!EmailAddress.IsValid(m.Address), "address", "The address is not a valid e-mail address.");
        Check(m.Address.Contains('+'), "address", "Use the plain address: Chorus adds +tokens to it for replies.");
        Check(m.ImapHost.Length is 0 or > 255, "imapHost", "The IMAP server is a host name of at most 255 characters.");
        Check(m.ImapPort is < 1 or > 65535, "imapPort", "The IMAP port is 1 to 65535.");
        Check(m.ImapUser.Length is 0 or > 320, "imapUser", "The IMAP user name is 1 to 320 characters.");
        Check(m.ImapPasswordProtected is null, "imapPassword", "The IMAP password is required.");
        Check(m.ImapFolder.Length is 0 or > 255, "imapFolder", "The IMAP folder is 1 to 255 characters (usually INBOX).");
        Check(m.SmtpHost.Length is 0 or > 255, "smtpHost", "The SMTP server is a host name of at most 255 characters.");
        Check(m.SmtpPort is < 1 or > 65535, "smtpPort", "The SMTP port is 1 to 65535.");
        Check(m.SmtpUser.Length > 320, "smtpUser", "The SMTP user name is at most 320 characters.");
        Check(m.SmtpUser.Length > 0 && m.SmtpPasswordProtected is null, "smtpPassword", "An SMTP user needs a password.");
        Check(m.ProcessedAction == ProcessedAction.Move && m.ProcessedFolder is null, "processedFolder", "Say which folder processed messages move to.");
        Check(m.ProcessedAction == ProcessedAction.Move && string.Equals(m.ProcessedFolder, m.ImapFolder, StringComparison.OrdinalIgnoreCase),
            "processedFolder", "Processed messages must move to another folder than the one read.");
        Check(m.PollIntervalSeconds is < 1 or > 3600, "pollIntervalSeconds", "Poll every 1 to 3,600 seconds.");
        if (!errors.ContainsKey("address") && await db.Mailboxes.AnyAsync(x => x.Address == m.Address && x.ChannelId != m.ChannelId, ct))
            errors["address"] = ["Another mailbox already reads this address."];
        return errors.Count == 0 ? null : new Outcome<MailboxView>.Invalid(errors);
    }

    private IQueryable<MailboxView> Views(IQueryable<Mailbox> mailboxes) =>
        from m in mailboxes
        join c in db.Channels on m.ChannelId equals c.Id
        orderby c.Name
        select new MailboxView(c.Id, c.Name, c.Enabled, c.DefaultTeamId, m.Address,
            m.ImapHost, m.ImapPort, m.ImapSecurity, m.ImapUser, m.ImapPasswordProtected != null, m.ImapFolder,
            m.SmtpHost, m.SmtpPort, m.SmtpSecurity, m.SmtpUser, m.SmtpPasswordProtected != null,
            m.ProcessedAction, m.ProcessedFolder, m.PollIntervalSeconds,
            m.LastPolledAt, m.LastError, m.LastErrorAt, m.ConsecutiveFailures, m.UidValidity, m.LastUid,
            db.Messages.Count(x => x.ChannelId == c.Id && x.Kind == MessageKind.Inbound),
            db.InboundEmailRejections.Count(r => r.ChannelId == c.Id));
}
