using Chorus.Data;
using Chorus.Features.Inbox;
using Chorus.Features.MemberNotifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation;

/// Evaluates the stored rule events (<see cref="PendingRuleEvent"/>), oldest first, each in its own
/// transaction that deletes the event and saves what the rules did: of two processors (two nodes, or
/// one whose lease ran out while it worked) only the one whose delete took the row evaluates it, and a
/// crash before the commit leaves it stored for the next. One node holds the lease at a time, so the
/// others do not queue behind its row locks. Per conversation, events run in the order they were raised:
/// an event waits while an earlier one of its conversation waits for a retry. An evaluation that fails is
/// retried with growing waits; after <c>Chorus:Rules:MaxAttempts</c> the thread says the rules did not run.
public sealed class ProcessRuleEvents(IServiceScopeFactory scopes, RuleSetCache cache, IConfiguration config, ILogger<ProcessRuleEvents> log)
{
    public const string LeaseName = "rule-events";
    public const int RoundSize = 200;

    private TimeSpan Lease => TimeSpan.FromSeconds(config.GetValue("Chorus:Rules:LeaseSeconds", 60.0));
    private TimeSpan RetryBase => TimeSpan.FromSeconds(config.GetValue("Chorus:Rules:RetryBaseSeconds", 5.0));
    private TimeSpan MaxRetryDelay => TimeSpan.FromSeconds(config.GetValue("Chorus:Rules:MaxRetrySeconds", 900.0));
    public int MaxAttempts => config.GetValue("Chorus:Rules:MaxAttempts", 8);

    /// The events that may run now: due, and with no earlier event of their conversation waiting for a retry.
    public static IQueryable<PendingRuleEvent> Due(ChorusDb db, DateTimeOffset now) =>
        db.RuleEvents.Where(e => e.NextAttemptAt <= now
                                 && !db.RuleEvents.Any(w => w.ConversationId == e.ConversationId && w.Sequence < e.Sequence && w.NextAttemptAt > now))
            .OrderBy(e => e.Sequence);

    /// Evaluates up to <see cref="RoundSize"/> due events if this node holds (or takes) the lease; returns how many it looked at.
    public async Task<int> RunRoundAsync(string owner, CancellationToken ct)
    {
        List<PendingRuleEvent> due;
        int looked;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            if (!await JobLeases.ClaimAsync(db, LeaseName, owner, Lease, ct)) return 0;
            due = await Due(db, DateTimeOffset.UtcNow).AsNoTracking().Take(RoundSize).ToListAsync(ct);
            if (due.Count == 0) return 0;
            looked = due.Count;

            // Events no enabled rule listens to (the rule was switched off since) are done without a look.
            var set = await cache.GetAsync(ct);
            var unheard = due.Where(e => !set.ListensTo(e.Trigger)).Select(e => e.Id).ToList();
            if (unheard.Count > 0) await db.RuleEvents.Where(e => unheard.Contains(e.Id)).ExecuteDeleteAsync(ct);
            due.RemoveAll(e => unheard.Contains(e.Id));
        }

        var held = new HashSet<Guid>(); // conversations whose earlier event failed in this round: the rest of theirs wait
        var renewAt = Environment.TickCount64 + (long)(Lease.TotalMilliseconds / 3);
        foreach (var e in due)
        {
            if (held.Contains(e.ConversationId)) continue;
            if (Environment.TickCount64 > renewAt)
            {
                await using var scope = scopes.CreateAsyncScope();
                if (!await JobLeases.ClaimAsync(scope.ServiceProvider.GetRequiredService<ChorusDb>(), LeaseName, owner, Lease, ct)) break; // another node took over
                renewAt = Environment.TickCount64 + (long)(Lease.TotalMilliseconds / 3);
            }
            if (!await EvaluateAsync(e, ct)) held.Add(e.ConversationId);
        }
        return looked;
    }

    /// Hands the lease back (when the node stops), so another node need not wait for it to run out.
    public async Task ReleaseAsync(string owner)
    {
        await using var scope = scopes.CreateAsyncScope();
        await JobLeases.ReleaseAsync(scope.ServiceProvider.GetRequiredService<ChorusDb>(), LeaseName, owner);
    }

    /// Evaluates one event; false when it failed (and waits for a retry).
    private async Task<bool> EvaluateAsync(PendingRuleEvent e, CancellationToken ct)
    {
        string error;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            var run = scope.ServiceProvider.GetRequiredService<RunRules>();
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                // The claim: on PostgreSQL a second processor's delete waits for this transaction and then finds nothing.
                if (await db.RuleEvents.Where(x => x.Id == e.Id).ExecuteDeleteAsync(ct) == 0) return true; // evaluated elsewhere
                await run.RunAsync(e.ToEvent(), ct);
                await tx.CommitAsync(ct);
                run.PublishChanges();
                return true;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                error = ex.GetBaseException().Message;
                log.LogWarning(ex, "Rules failed for {Trigger} on conversation {Conversation} (attempt {Attempt})", e.Trigger, e.ConversationId, e.Attempts + 1);
            }
        }
        await RecordFailureAsync(e, error, ct);
        return false;
    }

    private async Task RecordFailureAsync(PendingRuleEvent e, string error, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        error = error.Length > 1000 ? error[..1000] : error;
        var attempts = e.Attempts + 1;
        // Conditional on the attempts read, so a failure is counted once even when two processors saw it.
        var mine = db.RuleEvents.Where(x => x.Id == e.Id && x.Attempts == e.Attempts);
        if (attempts < MaxAttempts)
        {
            var next = DateTimeOffset.UtcNow + Backoff(attempts);
            await mine.ExecuteUpdateAsync(s => s.SetProperty(x => x.Attempts, attempts).SetProperty(x => x.LastError, error).SetProperty(x => x.NextAttemptAt, next), ct);
            return;
        }
        // Given up: said where agents look, so a rule that did not act is not a silent mystery; later events go on.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await mine.ExecuteDeleteAsync(ct) == 0) return;
        if (await db.Conversations.AsNoTracking().Where(c => c.Id == e.ConversationId).Select(c => new { c.ChannelId }).SingleOrDefaultAsync(ct) is { } c)
            db.Messages.Add(new Message
            {
                ConversationId = e.ConversationId, ChannelId = c.ChannelId, Kind = MessageKind.Event,
                Text = $"Rules did not run for {RunRules.Describe(e.Trigger)} (tried {attempts} times): {error}",
            });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        log.LogError("Gave up on rules for {Trigger} on conversation {Conversation} after {Attempts} attempts: {Error}", e.Trigger, e.ConversationId, attempts, error);
    }

    private TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(RetryBase.TotalSeconds * Math.Pow(2, Math.Min(attempts - 1, 20)), MaxRetryDelay.TotalSeconds));
}
