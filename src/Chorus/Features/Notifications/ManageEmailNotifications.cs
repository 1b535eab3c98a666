using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Email;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Notifications;

/// Which mailbox sends the mail that is not an e-mail conversation's own reply: web-form confirmations
/// and replies, and colleagues' notifications. Automatic picks the first enabled mailbox channel.
public enum NotificationMailboxMode { Automatic, Mailbox, Off }

public sealed record SendingMailbox(Guid Id, string Name, string Address);

/// The workspace setting, and what it means right now: the mailbox that sends, or why none does.
public sealed record EmailNotificationSettings(NotificationMailboxMode Mode, Guid? MailboxId, SendingMailbox? SendingMailbox, string? Problem);

public sealed record EmailNotificationSettingsInput(NotificationMailboxMode Mode, Guid? MailboxId = null);

public class ManageEmailNotifications(ChorusDb db, RecordAudit audit)
{
    public const string SettingKey = "email-notifications.mailbox";
    private const string Off = "off";

    public async Task<EmailNotificationSettings> ReadAsync(CancellationToken ct = default)
    {
        var value = await db.Settings.AsNoTracking().Where(s => s.Key == SettingKey).Select(s => s.Value).SingleOrDefaultAsync(ct);
        var mailboxes = from m in db.Mailboxes.AsNoTracking()
                        join c in db.Channels on m.ChannelId equals c.Id
                        select new { c.Id, c.Name, m.Address, c.Enabled, c.CreatedAt };
        if (value == Off)
            return new(NotificationMailboxMode.Off, null, null, "E-mail notifications are switched off: Chorus sends no confirmations, web-form replies or colleague notifications by e-mail.");
        if (Guid.TryParse(value, out var chosen))
        {
            var m = await mailboxes.SingleOrDefaultAsync(x => x.Id == chosen, ct);
            if (m is null) return new(NotificationMailboxMode.Mailbox, chosen, null, "The mailbox chosen for notifications no longer exists, so no notification e-mail is sent. Choose another.");
            if (!m.Enabled) return new(NotificationMailboxMode.Mailbox, chosen, null, $"The mailbox chosen for notifications, {m.Name}, is switched off, so no notification e-mail is sent.");
            return new(NotificationMailboxMode.Mailbox, chosen, new SendingMailbox(m.Id, m.Name, m.Address), null);
        }
        var first = await mailboxes.Where(x => x.Enabled).OrderBy(x => x.CreatedAt).ThenBy(x => x.Id).FirstOrDefaultAsync(ct);
        return first is null
            ? new(NotificationMailboxMode.Automatic, null, null, "No mailbox channel is enabled, so Chorus sends no notification e-mail. Add a mailbox channel to send them.")
            : new(NotificationMailboxMode.Automatic, null, new SendingMailbox(first.Id, first.Name, first.Address), null);
    }

    /// The mailbox that sends notification mail now; null when none does (nothing is sent then).
    public async Task<Mailbox?> SendingMailboxAsync(CancellationToken ct = default) =>
        (await ReadAsync(ct)).SendingMailbox is { } sending
            ? await db.Mailboxes.AsNoTracking().SingleOrDefaultAsync(m => m.ChannelId == sending.Id, ct)
            : null;

    public async Task<Outcome<EmailNotificationSettings>> ChangeAsync(StaffActor actor, EmailNotificationSettingsInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<EmailNotificationSettings>.Forbidden("Only admins choose the notification mailbox.");
        string? value;
        switch (input.Mode)
        {
            case NotificationMailboxMode.Automatic: value = null; break;
            case NotificationMailboxMode.Off: value = Off; break;
            case NotificationMailboxMode.Mailbox:
                if (input.MailboxId is not { } id) return Outcome<EmailNotificationSettings>.Invalid.One("mailboxId", "Choose the mailbox that sends notifications.");
                if (!await db.Mailboxes.AnyAsync(m => m.ChannelId == id, ct)) return Outcome<EmailNotificationSettings>.Invalid.One("mailboxId", "There is no such mailbox channel.");
                value = id.ToString();
                break;
            default: return Outcome<EmailNotificationSettings>.Invalid.One("mode", "Mode is Automatic, Mailbox or Off.");
        }
        var setting = await db.Settings.SingleOrDefaultAsync(s => s.Key == SettingKey, ct);
        if (value is null && setting is not null) db.Settings.Remove(setting);
        else if (value is not null && setting is null) db.Settings.Add(new WorkspaceSetting { Key = SettingKey, Value = value });
        else if (value is not null) setting!.Value = value;
        audit.Add(actor, "settings.email-notifications", "setting", SettingKey, value ?? "automatic");
        await db.SaveChangesAsync(ct);
        return await ReadAsync(ct);
    }
}
