using System.Threading.Channels;
using Chorus.Features.Inbox.Ingest;

namespace Chorus.Features.Automation;

/// Something happened to a conversation that rules may act on. <see cref="RuleId"/> narrows a
/// time-based event to the rule whose sweep found it; <see cref="MessageId"/> is the message at hand.
public sealed record RuleEvent(RuleTrigger Trigger, Guid ConversationId, Guid? MessageId = null, Guid? RuleId = null);

/// Where the rest of Chorus reports events for rules. Raising is cheap and never blocks the caller
/// (the ingest pipeline, an agent's request): events are queued in memory and the
/// <see cref="RuleRunner"/> evaluates them after the caller's transaction committed. Events for
/// triggers no enabled rule listens to are not queued at all.
public sealed class RuleTriggers(ILogger<RuleTriggers> log)
{
    public const int Capacity = 100_000;

    private readonly Channel<RuleEvent> _queue = Channel.CreateBounded<RuleEvent>(new BoundedChannelOptions(Capacity) { SingleReader = true });
    private volatile IReadOnlySet<RuleTrigger>? _listening; // null until the rules were first read: queue everything

    internal ChannelReader<RuleEvent> Queue => _queue.Reader;

    /// Set by <see cref="RuleSetCache"/> whenever it reads the rules.
    internal void Listen(IReadOnlySet<RuleTrigger>? triggers) => _listening = triggers;

    public bool IsListening(RuleTrigger trigger) =>
        _listening is not { } l || l.Contains(trigger) || (trigger == RuleTrigger.ConversationCreated && l.Contains(RuleTrigger.MessageReceived));

    public void Raise(RuleEvent e)
    {
        if (!IsListening(e.Trigger)) return;
        if (!_queue.Writer.TryWrite(e))
            log.LogWarning("Rule queue full ({Capacity} events): {Trigger} on conversation {Conversation} was not evaluated", Capacity, e.Trigger, e.ConversationId);
    }

    /// After the ingest pipeline committed a batch: a new conversation, or a message on one.
    public void Ingested(IEnumerable<IngestResult> results)
    {
        foreach (var r in results)
            if (r.Status is IngestStatus.Created) Raise(new RuleEvent(RuleTrigger.ConversationCreated, r.ConversationId, r.MessageId));
            else if (r.Status is IngestStatus.Appended) Raise(new RuleEvent(RuleTrigger.MessageReceived, r.ConversationId, r.MessageId));
    }

    public void StatusChanged(Guid conversationId) => Raise(new RuleEvent(RuleTrigger.StatusChanged, conversationId));

    public void Assigned(Guid conversationId) => Raise(new RuleEvent(RuleTrigger.Assigned, conversationId));

    /// For SLA policies: call when a conversation breaches its target.
    public void SlaBreached(Guid conversationId) => Raise(new RuleEvent(RuleTrigger.SlaBreach, conversationId));

    /// For SLA policies: a target of the conversation is due within the policy's warning lead.
    public void SlaAboutToBreach(Guid conversationId) => Raise(new RuleEvent(RuleTrigger.SlaAboutToBreach, conversationId));
}
