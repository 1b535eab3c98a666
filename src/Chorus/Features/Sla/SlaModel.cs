using System.Text.Json;
using System.Text.Json.Serialization;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Chorus.Features.Sla;

/// The workspace's business hours: one row (Id 1). No row means none are set, and SLA targets count every minute.
public class BusinessHours
{
    public const int SingletonId = 1;
    public int Id { get; set; } = SingletonId;
    /// An IANA time zone id, e.g. Europe/Paris.
    public string TimeZone { get; set; } = "UTC";
    public List<OpeningHours> Hours { get; set; } = [];
    public List<Holiday> Holidays { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
    public int Version { get; set; }

    public BusinessSchedule ToSchedule() =>
        new(TimeZoneInfo.FindSystemTimeZoneById(TimeZone), Hours, Holidays.Select(h => h.Date));
}

/// Targets for the conversations it applies to: a team (or every team) and some priorities (or all).
/// Policies are ordered; a conversation gets the first that matches.
public class SlaPolicy
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public int Position { get; set; }
    /// Null: every team (and conversations without one).
    public Guid? TeamId { get; set; }
    /// Empty: every priority.
    public List<Priority> Priorities { get; set; } = [];
    /// Business minutes from the conversation's start to the first public reply.
    public int? FirstReplyMinutes { get; set; }
    /// Business minutes from the start to solved, not counting time pending, on hold or solved.
    public int? ResolutionMinutes { get; set; }
    /// How long before a target is due the "SLA target about to breach" rule trigger fires (0: never).
    public int WarnMinutesBefore { get; set; } = DefaultWarnMinutes;
    public const int DefaultWarnMinutes = 30;
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
    public int Version { get; set; }

    public bool Matches(Guid? teamId, Priority priority) =>
        (TeamId is null || TeamId == teamId) && (Priorities.Count == 0 || Priorities.Contains(priority));
}

public enum SlaTarget { FirstReply, Resolution }

/// A target a conversation missed. One row per (conversation, target): inserting it is how a node claims
/// the breach, so the event, the rules and the counter happen once however many nodes sweep.
public class SlaBreach
{
    public Guid ConversationId { get; set; }
    public SlaTarget Target { get; set; }
    public Guid? PolicyId { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

/// A warning that a target was about to breach: one row per (conversation, target), claimed like a breach,
/// so the rule trigger fires once however many nodes sweep.
public class SlaWarning
{
    public Guid ConversationId { get; set; }
    public SlaTarget Target { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

public static class SlaModel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static ValueComparer<List<T>> ListComparer<T>() =>
        new((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, x) => HashCode.Combine(h, x)), v => v.ToList());

    public static void Apply(ModelBuilder b)
    {
        b.ApplyConfiguration(new SlaRestampConfiguration());
        b.Entity<BusinessHours>(e =>
        {
            e.ToTable("BusinessHours");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.TimeZone).HasMaxLength(100);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.Property(x => x.Hours).HasConversion(v => JsonSerializer.Serialize(v, Json), v => JsonSerializer.Deserialize<List<OpeningHours>>(v, Json) ?? new(), ListComparer<OpeningHours>());
            e.Property(x => x.Holidays).HasConversion(v => JsonSerializer.Serialize(v, Json), v => JsonSerializer.Deserialize<List<Holiday>>(v, Json) ?? new(), ListComparer<Holiday>());
        });
        b.Entity<SlaPolicy>(e =>
        {
            e.ToTable("SlaPolicies");
            e.Property(x => x.Name).HasMaxLength(100);
            e.HasIndex(x => x.Name).IsUnique();
            e.HasIndex(x => x.Position);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasOne<Admin.Team>().WithMany().HasForeignKey(x => x.TeamId).OnDelete(DeleteBehavior.Cascade);
            e.Property(x => x.Priorities).HasConversion(v => JsonSerializer.Serialize(v, Json), v => JsonSerializer.Deserialize<List<Priority>>(v, Json) ?? new(), ListComparer<Priority>())
                .HasMaxLength(200);
        });
        b.Entity<SlaBreach>(e =>
        {
            e.ToTable("SlaBreaches");
            e.HasKey(x => new { x.ConversationId, x.Target });
            e.Property(x => x.Target).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(x => x.At);
            e.HasOne<Conversation>().WithMany().HasForeignKey(x => x.ConversationId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<SlaPolicy>().WithMany().HasForeignKey(x => x.PolicyId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<SlaWarning>(e =>
        {
            e.ToTable("SlaWarnings");
            e.HasKey(x => new { x.ConversationId, x.Target });
            e.Property(x => x.Target).HasConversion<string>().HasMaxLength(20);
            e.HasOne<Conversation>().WithMany().HasForeignKey(x => x.ConversationId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Conversation>(e =>
        {
            // SlaPolicyId is no foreign key: on SQLite adding one would rebuild the conversations table. Deleting a
            // policy re-works open conversations; a solved one keeps the id of the policy it was measured against.
            // The Breaching view and the SLA watcher read along (SlaDueAt); the "SLA due soonest" sort reads each
            // status a page deep along (Status, SlaDueAt, Number), as the longest-waiting sort does.
            e.HasIndex(c => c.SlaDueAt);
            e.HasIndex(c => new { c.Status, c.SlaDueAt, c.Number });
        });
    }
}
