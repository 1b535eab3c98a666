using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Automation;

/// A rule event waiting to be evaluated, stored in the transaction of the change that raised it.
/// Evaluating it deletes the row in the transaction that saves what the rules did, so it is evaluated
/// once: by whichever processor deletes it first, and again only if that transaction never commits.
public class PendingRuleEvent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// The order events are evaluated in (per conversation: a later event waits for every earlier one).
    public long Sequence { get; set; }
    public RuleTrigger Trigger { get; set; }
    public Guid ConversationId { get; set; }
    public Guid? MessageId { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    /// Failed evaluations so far; each one waits longer before the next (<see cref="NextAttemptAt"/>).
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }

    public RuleEvent ToEvent() => new(Trigger, ConversationId, MessageId);
}

internal sealed class PendingRuleEventConfiguration : IEntityTypeConfiguration<PendingRuleEvent>
{
    public void Configure(EntityTypeBuilder<PendingRuleEvent> e)
    {
        e.ToTable("RuleEvents");
        e.Property(x => x.Trigger).HasConversion<string>().HasMaxLength(30);
        e.Property(x => x.LastError).HasMaxLength(1000);
        e.HasIndex(x => x.Sequence);
        e.HasIndex(x => new { x.ConversationId, x.Sequence });
        // A conversation that goes away takes its pending events with it (the message may go on its own: no key).
        e.HasOne<Inbox.Conversation>().WithMany().HasForeignKey(x => x.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}
