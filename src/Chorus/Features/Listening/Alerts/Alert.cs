using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Listening.Alerts;

/// A monitor's volume or negative share broke from its normal pattern in one 5-minute bucket (DESIGN: Alert).
/// Raised once per monitor, kind and bucket, whatever the number of nodes.
public class Alert
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid MonitorId { get; set; }
    public AlertKind Kind { get; set; }
    public DateTimeOffset BucketStart { get; set; }
    /// Mentions in the bucket (volume) or the negative share of them (0…1).
    public double Value { get; set; }
    /// The median of the same measure over the day before, for "40 mentions against 2 usually".
    public double Baseline { get; set; }
    public double Score { get; set; }
    public int Mentions { get; set; }
    /// A positive spike: more praise than complaint, worth acting on for Outreach &amp; Advocacy and Marketing.
    public bool Opportunity { get; set; }
    public string Summary { get; set; } = "";
    public string NextStep { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AcknowledgedById { get; set; }
}

public enum AlertKind { Volume, NegativeShare }

/// A mention that drove an alert (those of the alerting bucket; for negative share, its negative ones).
public class AlertMention
{
    public Guid AlertId { get; set; }
    public Guid MentionId { get; set; }
}

/// How far a monitor's spike detector has judged its buckets, and which node is judging them now.
public class MonitorWatch
{
    public Guid MonitorId { get; set; }
    /// Buckets before this time have been judged.
    public DateTimeOffset? JudgedThrough { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
}

internal static class AlertsModel
{
    public static void Apply(ModelBuilder b)
    {
        b.Entity<Alert>(e =>
        {
            e.ToTable("ListeningAlerts");
            e.HasOne<Monitors.Monitor>().WithMany().HasForeignKey(a => a.MonitorId).OnDelete(DeleteBehavior.Cascade);
            e.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(a => a.Summary).HasMaxLength(500);
            e.Property(a => a.NextStep).HasMaxLength(1000);
            e.Property(a => a.AcknowledgedById).HasMaxLength(450);
            e.HasIndex(a => new { a.MonitorId, a.Kind, a.BucketStart }).IsUnique();
            e.HasIndex(a => a.CreatedAt);
        });
        b.Entity<AlertMention>(e =>
        {
            e.ToTable("ListeningAlertMentions");
            e.HasKey(x => new { x.AlertId, x.MentionId });
            e.HasOne<Alert>().WithMany().HasForeignKey(x => x.AlertId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Mentions.Mention>().WithMany().HasForeignKey(x => x.MentionId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => x.MentionId);
        });
        b.Entity<MonitorWatch>(e =>
        {
            e.ToTable("MonitorWatches");
            e.HasKey(w => w.MonitorId);
            e.HasOne<Monitors.Monitor>().WithOne().HasForeignKey<MonitorWatch>(w => w.MonitorId).OnDelete(DeleteBehavior.Cascade);
            e.Property(w => w.LeaseOwner).HasMaxLength(200);
        });
    }
}
