using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Chorus.Features.Listening.Mentions;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Incidents;

/// The shared room where teams coordinate the response to something happening in public (DESIGN: Alert / Incident):
/// what it is, who speaks for the company, which teams are in, the mentions and support conversations it is about,
/// what was said where, a checklist, and the statement that answers it.
public class Incident
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public long Number { get; set; }
    public string Title { get; set; } = "";
    public IncidentStatus Status { get; set; } = IncidentStatus.Investigating;
    /// The spokesperson: the staff user who speaks for the company in this incident.
    public string? OwnerId { get; set; }
    /// The monitor whose volume chart the incident shows (from the alert it was opened from, or chosen).
    public Guid? MonitorId { get; set; }
    /// The alert it was opened from; an alert opens one incident, however many click.
    public Guid? AlertId { get; set; }

    /// The statement, in Markdown: drafted, then approved (by an admin or a member of PR, never its own author),
    /// then posted in one action as public replies to the chosen threads and saved as a macro for Support.
    public string Statement { get; set; } = "";
    public StatementStatus StatementStatus { get; set; } = StatementStatus.None;
    public string? StatementDraftedById { get; set; }
    public string? StatementApprovedById { get; set; }
    public string? StatementApprovedByName { get; set; }
    public DateTimeOffset? StatementApprovedAt { get; set; }
    /// When the statement was posted: the response time marked on the volume chart.
    public DateTimeOffset? StatementPostedAt { get; set; }
    public Guid? MacroId { get; set; }

    public string? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? ResolvedAt { get; set; }
    /// Optimistic concurrency: two people changing the incident at once do not overwrite each other.
    public int Version { get; set; }
}

public enum IncidentStatus { Investigating, Responding, Monitoring, Resolved }

public enum StatementStatus { None, Drafted, Approved, Posted }

public class IncidentTeam
{
    public Guid IncidentId { get; set; }
    public Guid TeamId { get; set; }
}

/// A thread the incident is about: a mention, or a support conversation. Chosen threads get the statement as a public
/// reply; once answered, the reply's message is recorded so no thread is answered twice.
public class IncidentThread
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid IncidentId { get; set; }
    public Guid? MentionId { get; set; }
    public Guid? ConversationId { get; set; }
    public bool Chosen { get; set; } = true;
    /// While the statement is being posted to it: claimed, so two posts never race for one thread.
    public DateTimeOffset? AnsweringSince { get; set; }
    public Guid? AnswerMessageId { get; set; }
    /// The conversation the answer was posted in (a mention's becomes one when answered).
    public Guid? AnswerConversationId { get; set; }
    public string? AnswerError { get; set; }
    public DateTimeOffset AddedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// What happened in the incident, in order: opened, status changes, notes, the statement's steps, replies posted where.
public class IncidentEntry
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid IncidentId { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
    public string Kind { get; set; } = "";
    public string? ActorName { get; set; }
    public string Text { get; set; } = "";
    /// Where it was said: a conversation's number, and/or the public post's link.
    public long? ConversationNumber { get; set; }
    public string? Url { get; set; }
}

public class IncidentChecklistItem
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid IncidentId { get; set; }
    public int Position { get; set; }
    public string Text { get; set; } = "";
    public DateTimeOffset? DoneAt { get; set; }
    /// Who did it: who ticked it by hand, or who did the step that ticked it.
    public string? DoneByName { get; set; }
    /// What Chorus sees happen that ticks this item by itself (IncidentSteps); null for steps only people tick.
    public string? Step { get; set; }
    /// Ticked by Chorus when its step happened, rather than by hand.
    public bool DoneAutomatically { get; set; }
}

/// Things Chorus sees happen in an incident that tick checklist items by themselves.
public static class IncidentSteps
{
    public const string StatementDrafted = "statement-drafted", StatementApproved = "statement-approved", StatementPosted = "statement-posted",
        MacroSaved = "macro-saved", Resolved = "resolved";
}

public static class IncidentEntryKinds
{
    public const string Opened = "opened", Status = "status", Note = "note", Owner = "owner", Teams = "teams", Thread = "thread",
        Statement = "statement", Reply = "reply", Checklist = "checklist";
}

internal static class IncidentModel
{
    public static void Configure(ModelBuilder b)
    {
        b.Entity<Incident>(e =>
        {
            e.ToTable("Incidents");
            e.HasIndex(i => i.Number).IsUnique();
            e.HasIndex(i => i.AlertId).IsUnique();
            e.HasIndex(i => new { i.Status, i.UpdatedAt });
            e.Property(i => i.Title).HasMaxLength(200);
            e.Property(i => i.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(i => i.StatementStatus).HasConversion<string>().HasMaxLength(20);
            e.Property(i => i.Statement).HasMaxLength(IncidentLimits.StatementLength);
            e.Property(i => i.OwnerId).HasMaxLength(450);
            e.Property(i => i.CreatedById).HasMaxLength(450);
            e.Property(i => i.StatementDraftedById).HasMaxLength(450);
            e.Property(i => i.StatementApprovedById).HasMaxLength(450);
            e.Property(i => i.StatementApprovedByName).HasMaxLength(200);
            e.Property(i => i.Version).IsConcurrencyToken();
            e.HasOne<StaffUser>().WithMany().HasForeignKey(i => i.OwnerId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<Monitors.Monitor>().WithMany().HasForeignKey(i => i.MonitorId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<Alerts.Alert>().WithMany().HasForeignKey(i => i.AlertId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<Automation.Macro>().WithMany().HasForeignKey(i => i.MacroId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<IncidentTeam>(e =>
        {
            e.ToTable("IncidentTeams");
            e.HasKey(t => new { t.IncidentId, t.TeamId });
            e.HasOne<Incident>().WithMany().HasForeignKey(t => t.IncidentId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Team>().WithMany().HasForeignKey(t => t.TeamId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<IncidentThread>(e =>
        {
            e.ToTable("IncidentThreads");
            e.HasOne<Incident>().WithMany().HasForeignKey(t => t.IncidentId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Mention>().WithMany().HasForeignKey(t => t.MentionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Conversation>().WithMany().HasForeignKey(t => t.ConversationId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(t => new { t.IncidentId, t.MentionId }).IsUnique();
            e.HasIndex(t => new { t.IncidentId, t.ConversationId }).IsUnique();
            e.HasIndex(t => t.ConversationId);
            e.HasIndex(t => t.MentionId);
            e.Property(t => t.AnswerError).HasMaxLength(1000);
        });
        b.Entity<IncidentEntry>(e =>
        {
            e.ToTable("IncidentEntries");
            e.HasOne<Incident>().WithMany().HasForeignKey(t => t.IncidentId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(t => new { t.IncidentId, t.At });
            e.Property(t => t.Kind).HasMaxLength(20);
            e.Property(t => t.ActorName).HasMaxLength(200);
            e.Property(t => t.Text).HasMaxLength(IncidentLimits.StatementLength + 500);
            e.Property(t => t.Url).HasMaxLength(2000);
        });
        b.Entity<IncidentChecklistItem>(e =>
        {
            e.ToTable("IncidentChecklistItems");
            e.HasOne<Incident>().WithMany().HasForeignKey(t => t.IncidentId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(t => new { t.IncidentId, t.Position });
            e.Property(t => t.Text).HasMaxLength(300);
            e.Property(t => t.DoneByName).HasMaxLength(200);
            e.Property(t => t.Step).HasMaxLength(40);
        });
    }
}

public static class IncidentLimits
{
    public const int StatementLength = 10_000;
    public const int TitleLength = 200;
}
