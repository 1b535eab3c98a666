using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Notifications;

/// My e-mail preferences, where they go, and whether anything is sent at all.
/// AlertEmails: listening alerts for the teams they concern (Outreach & Advocacy, Marketing, PR); the alert shows in the app either way.
public sealed record NotificationPreferencesView(bool MentionEmails, bool AssignmentEmails, string? EmailAddress, SendingMailbox? SendingMailbox, string? Problem,
    bool AlertEmails = NotificationPreference.DefaultAlertEmails);

/// Null leaves a preference as it is.
public sealed record NotificationPreferencesInput(bool? MentionEmails, bool? AssignmentEmails, bool? AlertEmails = null);

public class ManageNotificationPreferences(ChorusDb db, ManageEmailNotifications settings, RecordAudit audit)
{
    public async Task<NotificationPreferencesView> ReadAsync(StaffActor actor, CancellationToken ct = default)
    {
        var p = await db.NotificationPreferences.AsNoTracking().SingleOrDefaultAsync(x => x.StaffUserId == actor.Id, ct);
        var email = await db.Users.Where(u => u.Id == actor.Id).Select(u => u.Email).SingleOrDefaultAsync(ct);
        var sending = await settings.ReadAsync(ct);
        return new NotificationPreferencesView(p?.MentionEmails ?? NotificationPreference.DefaultMentionEmails,
            p?.AssignmentEmails ?? NotificationPreference.DefaultAssignmentEmails, email, sending.SendingMailbox, sending.Problem,
            p?.AlertEmails ?? NotificationPreference.DefaultAlertEmails);
    }

    public async Task<NotificationPreferencesView> ChangeAsync(StaffActor actor, NotificationPreferencesInput input, CancellationToken ct = default)
    {
        var p = await db.NotificationPreferences.SingleOrDefaultAsync(x => x.StaffUserId == actor.Id, ct);
        if (p is null) db.Add(p = new NotificationPreference { StaffUserId = actor.Id });
        if (input.MentionEmails is { } mentions) p.MentionEmails = mentions;
        if (input.AssignmentEmails is { } assignments) p.AssignmentEmails = assignments;
        if (input.AlertEmails is { } alerts) p.AlertEmails = alerts;
        p.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Add(actor, "me.notification-preferences", "staff", actor.Id, $"mention e-mails {(p.MentionEmails ? "on" : "off")}, assignment e-mails {(p.AssignmentEmails ? "on" : "off")}, alert e-mails {(p.AlertEmails ? "on" : "off")}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (db.Entry(p).State == EntityState.Added)
        {
            // Two first saves at once (two tabs): the other created the row; apply this change to it.
            db.ChangeTracker.Clear();
            return await ChangeAsync(actor, input, ct);
        }
        return await ReadAsync(actor, ct);
    }
}
