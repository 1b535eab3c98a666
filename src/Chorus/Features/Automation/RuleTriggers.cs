using System.Threading.Channels;
using Chorus.Data;
using Chorus.Features.Inbox.Ingest;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation;

/// Something happened to a conversation that rules may act on. <see cref="RuleId"/> narrows a
/// time-based event to the rule whose sweep found it; <see cref="MessageId"/> is the message at hand.
public sealed record RuleEvent(RuleTrigger Trigger, Guid ConversationId, Guid? MessageId = null, Guid? RuleId = null);

/// Where the rest of Chorus reports events for rules. An event is a row (<see cref="PendingRuleEvent"/>)
/// added to the caller's unit of work, so it is committed with the change that raised it or not at all:
/// a burst of any size waits in the database, and a crash loses nothing. <see cref="ProcessRuleEvents"/>
/// evaluates the rows after the commit, so ingest and agents never wait for rules. Events for triggers
/// no enabled rule listens to are not stored at all.
public sealed class RuleTriggers
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly EventHandler<SavedChangesEventArgs> _wakeOnSave;
    private volatile IReadOnlySet<RuleTrigger>? _listening; // null until the rules were first read: store everything
    private long _lastSequence;

    public RuleTriggers() => _wakeOnSave = (_, _) => Wake();

    /// Set by <see cref="RuleSetCache"/> whenever it reads the rules.
    internal void Listen(IReadOnlySet<RuleTrigger>? triggers) => _listening = triggers;

    public bool IsListening(RuleTrigger trigger) =>
        _listening is not { } l || RuleSet.Hears(l, trigger);

    /// Adds the event to <paramref name="db"/>'s unit of work: it is stored by the caller's next SaveChanges
    /// (in the caller's transaction, when there is one). Call before saving the change it reports.
    public void Raise(ChorusDb db, RuleEvent e)
    {
        if (Pending(e) is not { } row) return;
        db.Add(row);
        // Once per context: the processor looks as soon as something was saved instead of at its next poll.
        db.SavedChanges -= _wakeOnSave;
        db.SavedChanges += _wakeOnSave;
    }

    /// The row that stores <paramref name="e"/>, or null when no rule listens to its trigger.
    private PendingRuleEvent? Pending(RuleEvent e) => !IsListening(e.Trigger) ? null : new PendingRuleEvent
    {
        Sequence = NextSequence(), Trigger = e.Trigger, ConversationId = e.ConversationId, MessageId = e.MessageId,
        RaisedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.UtcNow,
    };

    /// Orders the events of this node: the clock's ticks, but always above the last one handed out, so
    /// two events raised in the same tick (one ingest batch) keep the order they were raised in.
    private long NextSequence()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastSequence);
            var next = Math.Max(last + 1, DateTimeOffset.UtcNow.UtcTicks);
            if (Interlocked.CompareExchange(ref _lastSequence, next, last) == last) return next;
        }
    }

    /// The rows for what the ingest pipeline is writing in its batch: a new conversation, or a message on
    /// one. The pipeline writes them with the batch's rows, in its transaction, and calls <see cref="Wake"/> after the commit.
    public IEnumerable<PendingRuleEvent> Ingested(IEnumerable<IngestResult> results)
    {
        foreach (var r in results)
        {
            var e = r.Status switch
            {
                IngestStatus.Created => new RuleEvent(RuleTrigger.ConversationCreated, r.ConversationId, r.MessageId),
                IngestStatus.Appended => new RuleEvent(RuleTrigger.MessageReceived, r.ConversationId, r.MessageId),
                _ => null,
            };
            if (e is not null && Pending(e) is { } row) yield return row;
        }
    }

    public void StatusChanged(ChorusDb db, Guid conversationId) => Raise(db, new RuleEvent(RuleTrigger.StatusChanged, conversationId));

    public void Assigned(ChorusDb db, Guid conversationId) => Raise(db, new RuleEvent(RuleTrigger.Assigned, conversationId));

    /// For SLA policies: call when a conversation breaches its target.
    public void SlaBreached(ChorusDb db, Guid conversationId) => Raise(db, new RuleEvent(RuleTrigger.SlaBreach, conversationId));

    /// For SLA policies: a target of the conversation is due within the policy's warning lead.
    public void SlaAboutToBreach(ChorusDb db, Guid conversationId) => Raise(db, new RuleEvent(RuleTrigger.SlaAboutToBreach, conversationId));

    /// Tells this node's processor that events were committed (it also polls, for events other nodes stored).
    public void Wake() => _wake.Writer.TryWrite(true);

    /// Waits until <see cref="Wake"/> is called or <paramref name="timeout"/> passed.
    internal async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { await _wake.Reader.ReadAsync(cts.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
    }
}
