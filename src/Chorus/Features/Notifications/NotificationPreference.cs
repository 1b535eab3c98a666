using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Notifications;

/// What one staff user wants by e-mail. No row means the defaults: mentions on, assignments off
/// (a mention asks for you; an assignment usually happens while you are in the inbox anyway), listening
/// alerts on for the teams they concern (a spike wants someone now; the listening pages show it in any case).
public class NotificationPreference
{
    public const bool DefaultMentionEmails = true;
    public const bool DefaultAssignmentEmails = false;
    public const bool DefaultAlertEmails = true;

    public string StaffUserId { get; set; } = "";
    public bool MentionEmails { get; set; } = DefaultMentionEmails;
    public bool AssignmentEmails { get; set; } = DefaultAssignmentEmails;
    public bool AlertEmails { get; set; } = DefaultAlertEmails;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class NotificationPreferenceConfiguration : IEntityTypeConfiguration<NotificationPreference>
{
    public void Configure(EntityTypeBuilder<NotificationPreference> e)
    {
        e.ToTable("NotificationPreferences");
        e.HasKey(p => p.StaffUserId);
        e.HasOne<StaffUser>().WithOne().HasForeignKey<NotificationPreference>(p => p.StaffUserId).OnDelete(DeleteBehavior.Cascade);
    }
}
