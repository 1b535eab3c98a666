using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Automation;

/// Automation: when <see cref="Trigger"/> happens to a conversation and every condition holds, the
/// actions run, in the order of <see cref="Position"/> among the enabled rules.
public class Rule
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    /// Rules run in ascending position; a later rule sees what an earlier one changed.
    public int Position { get; set; }
    public bool Enabled { get; set; } = true;
    public RuleTrigger Trigger { get; set; }
    /// For <see cref="RuleTrigger.TimeInStatus"/>: the status the conversation has been in...
    public Inbox.ConversationStatus? TriggerStatus { get; set; }
    /// ...and for how many hours without any change.
    public int? TriggerHours { get; set; }
    public List<RuleCondition> Conditions { get; set; } = [];
    public List<RuleAction> Actions { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
    public int FireCount { get; set; }
    public DateTimeOffset? LastFiredAt { get; set; }
    public int Version { get; set; }
    /// A playbook (internal help-center article) the thread points agents to when the rule acts.
    public Guid? PlaybookId { get; set; }
}

public enum RuleTrigger
{
    /// A new conversation arrived through the ingest pipeline.
    ConversationCreated,
    /// The requester wrote: a new conversation's first message or one more message on an existing one.
    MessageReceived,
    /// Someone (an agent, a macro or another rule) changed the status.
    StatusChanged,
    /// Someone assigned the conversation to an agent.
    Assigned,
    /// Time-based, found by the background sweep: in <see cref="Rule.TriggerStatus"/> with no change for <see cref="Rule.TriggerHours"/>.
    TimeInStatus,
    /// A conversation missed its first-reply or resolution target (Features/Sla raises it once per target).
    SlaBreach,
    /// A running first-reply or resolution target is due within its policy's warning lead (Features/Sla raises it once per target).
    SlaAboutToBreach,
}

/// One condition; all of a rule's conditions must hold. Values are ids (channel, team, organization,
/// staff user), enum names (status, priority, person kind), a tag, or text.
public sealed record RuleCondition(ConditionField Field, ConditionOperator Operator, string Value);

/// What a condition looks at. BusinessHours: "inside" or "outside" the workspace's business hours
/// (Features/Sla) at the moment the rule runs; language and sentiment arrive with the enrichment of issue 5.
public enum ConditionField { Channel, Team, Assignee, Text, PersonKind, Organization, Tag, Priority, Status, BusinessHours }

public enum ConditionOperator
{
    Is,
    IsNot,
    /// Text: contains any of the comma-separated words or phrases (case-insensitive).
    Contains,
    /// Text: contains none of them.
    DoesNotContain,
    /// Text: matches a regular expression (case-insensitive, time-limited).
    Matches,
}

/// One action. Value: a team id ("" for no team), a staff user id ("" to unassign), an enum name,
/// comma-separated tags, note text, a macro id, "assignee" or a staff user id to e-mail, a webhook URL, how many articles to suggest (1–5, "" for 3),
/// a problem's number ("3" or "P-3", Features/Problems).
public sealed record RuleAction(ActionKind Kind, string Value);

public enum ActionKind { SetTeam, Assign, SetPriority, SetStatus, AddTags, RemoveTags, AddNote, ReplyWithMacro, NotifyByEmail, SendWebhook, Solve,
    /// Reply with links to the published help-center articles that best match the conversation (Features/HelpCenter).
    ReplyWithArticles,
    /// Link the conversation to a problem (Features/Problems), as an agent's "Link to problem" does.
    LinkToProblem }

public static class ProblemAction
{
    /// The problem a "link to problem" action names: its number, written "3" or "P-3".
    public static long? Number(string? value) =>
        long.TryParse((value ?? "").Trim().TrimStart('P', 'p').TrimStart('-'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}

/// When a time-based rule last looked at a conversation: it looks again only after the conversation changed
/// (its UpdatedAt differs) and sat for the rule's hours once more. The unique key also keeps two nodes from acting twice.
public class RuleFiring
{
    public Guid RuleId { get; set; }
    public Guid ConversationId { get; set; }
    /// The conversation's UpdatedAt after the rule acted.
    public DateTimeOffset ConversationUpdatedAt { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class RuleConfiguration : IEntityTypeConfiguration<Rule>
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public void Configure(EntityTypeBuilder<Rule> e)
    {
        e.ToTable("Rules");
        e.Property(r => r.Name).HasMaxLength(100);
        e.HasIndex(r => r.Name).IsUnique();
        e.Property(r => r.Description).HasMaxLength(500);
        e.Property(r => r.Trigger).HasConversion<string>().HasMaxLength(30);
        e.Property(r => r.TriggerStatus).HasConversion<string>().HasMaxLength(20);
        e.HasIndex(r => r.Position);
        e.Property(r => r.Version).IsConcurrencyToken();
        e.HasOne<HelpCenter.HelpArticle>().WithMany().HasForeignKey(r => r.PlaybookId).OnDelete(DeleteBehavior.SetNull);
        // Conditions and actions are read and written whole with their rule: JSON, the same on both providers.
        e.Property(r => r.Conditions).HasConversion(
            v => JsonSerializer.Serialize(v, Json), v => JsonSerializer.Deserialize<List<RuleCondition>>(v, Json) ?? new(),
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<RuleCondition>>((a, b) => a!.SequenceEqual(b!), v => v.Count, v => v.ToList()));
        e.Property(r => r.Actions).HasConversion(
            v => JsonSerializer.Serialize(v, Json), v => JsonSerializer.Deserialize<List<RuleAction>>(v, Json) ?? new(),
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<RuleAction>>((a, b) => a!.SequenceEqual(b!), v => v.Count, v => v.ToList()));
    }
}

internal sealed class RuleFiringConfiguration : IEntityTypeConfiguration<RuleFiring>
{
    public void Configure(EntityTypeBuilder<RuleFiring> e)
    {
        e.ToTable("RuleFirings");
        e.HasKey(f => new { f.RuleId, f.ConversationId });
        e.HasOne<Rule>().WithMany().HasForeignKey(f => f.RuleId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Inbox.Conversation>().WithMany().HasForeignKey(f => f.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// A saved reply with placeholders plus actions, applied by an agent (or by a rule's "reply with a macro").
public class Macro
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    /// Markdown with {{placeholders}}; empty for a macro that only acts.
    public string Body { get; set; } = "";
    public List<RuleAction> Actions { get; set; } = [];
    public int UsageCount { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    /// A playbook (internal help-center article) shown beside the macro in the picker: how the team handles this case.
    public Guid? PlaybookId { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class MacroConfiguration : IEntityTypeConfiguration<Macro>
{
    public void Configure(EntityTypeBuilder<Macro> e)
    {
        e.ToTable("Macros");
        e.Property(m => m.Name).HasMaxLength(100);
        e.HasIndex(m => m.Name).IsUnique();
        e.HasOne<HelpCenter.HelpArticle>().WithMany().HasForeignKey(m => m.PlaybookId).OnDelete(DeleteBehavior.SetNull);
        e.Property(m => m.Actions).HasConversion(
            v => JsonSerializer.Serialize(v, RuleConfiguration.Json), v => JsonSerializer.Deserialize<List<RuleAction>>(v, RuleConfiguration.Json) ?? new(),
            new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<RuleAction>>((a, b) => a!.SequenceEqual(b!), v => v.Count, v => v.ToList()));
    }
}
