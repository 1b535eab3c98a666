using Chorus.Data;
using Chorus.Features.Inbox;
using Chorus.Features.MemberNotifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation;

/// Evaluates the stored rule events (<see cref="PendingRuleEvent"/>), oldest first, in batches: one
/// transaction deletes a batch's events and saves what the rules did for each of them. Of two processors
/// (two nodes, or one whose lease ran out while it worked) only the one whose delete took a row evaluates
/// it, and a crash before the commit leaves the batch stored for the next. A batch that fails as a whole
/// is evaluated again one event per transaction, so one bad event holds back only its own conversation. One node holds the lease at a time, so the
/// others do not queue behind its row locks. Per conversation, events run in the order they were raised:
/// an event waits while an earlier one of its conversation waits for a retry. An evaluation that fails is
/// retried with growing waits; after <c>Chorus:Rules:MaxAttempts</c> the thread says the rules did not run.
public sealed class ProcessRuleEvents(IServiceScopeFactory scopes, RuleSetCache cache, IConfiguration config, ILogger<ProcessRuleEvents> log)
{
    public const string LeaseName = "rule-events";
    public const int RoundSize = 200;

    /// Events evaluated in one transaction (one commit instead of one per event), and the longest such a transaction runs.
    private int BatchSize => Math.Max(1, config.GetValue("Chorus:Rules:BatchSize", 100));
    private TimeSpan BatchTime => TimeSpan.FromMilliseconds(config.GetValue("Chorus:Rules:BatchMilliseconds", 250.0));

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
            // Woken after every ingest batch: a read first, so an idle processor never writes (a lease claim is a
            // write, and under inbound load it made ~60 writes a second that threw away the ingest writer's page cache).
            var now = DateTimeOffset.UtcNow;
            if (!await db.RuleEvents.AnyAsync(e => e.NextAttemptAt <= now, ct)) return 0;
            if (!await JobLeases.ClaimAsync(db, LeaseName, owner, Lease, ct)) return 0;
            due = await Due(db, now).AsNoTracking().Take(RoundSize).ToListAsync(ct);
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
        var work = due;
        while (work.Count > 0)
        {
            if (Environment.TickCount64 > renewAt)
            {
                await using var scope = scopes.CreateAsyncScope();
                if (!await JobLeases.ClaimAsync(scope.ServiceProvider.GetRequiredService<ChorusDb>(), LeaseName, owner, Lease, ct)) break; // another node took over
                renewAt = Environment.TickCount64 + (long)(Lease.TotalMilliseconds / 3);
            }
            // A batch: the next events in order, up to the next one that failed before (that one runs alone, so a
            // bad event costs only its own transaction), leaving out conversations that wait.
            var batch = new List<PendingRuleEvent>();
            var next = 0;
            for (; next < work.Count && batch.Count < BatchSize; next++)
            {
                var e = work[next];
                if (held.Contains(e.ConversationId)) continue;
                if (e.Attempts > 0 && batch.Count > 0) break;
                batch.Add(e);
                if (e.Attempts > 0) { next++; break; }
            }
            var rest = work[next..];
            if (batch.Count == 0) { work = rest; continue; }

            var done = batch.Count > 1 ? await EvaluateBatchAsync(batch, ct) : 0;
            if (done == 0)
            {
                // One event alone, or a batch that failed as a whole (an event's rules threw, or another processor
                // took some of its events): one by one, each in its own transaction, so only a bad event waits.
                foreach (var e in batch)
                    if (!held.Contains(e.ConversationId) && !await EvaluateAsync(e, ct)) held.Add(e.ConversationId);
                done = batch.Count;
            }
            work = [.. batch[done..], .. rest]; // a batch cut short by time: the rest of it goes first next
        }
        return looked;
    }

    /// Evaluates the events in order in one transaction that deletes them all and saves what the rules did;
    /// stops early after <see cref="BatchTime"/> so on SQLite other writers never wait long behind it.
    /// Returns how many it evaluated, or 0 when nothing was saved (the caller goes one by one).
    private async Task<int> EvaluateBatchAsync(List<PendingRuleEvent> batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var run = scope.ServiceProvider.GetRequiredService<RunRules>();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var started = Environment.TickCount64;
            await run.PrepareAsync(batch.Select(e => e.ToEvent()).ToList(), ct);
            var done = 0;
            foreach (var e in batch)
            {
                if (done > 0 && Environment.TickCount64 - started > BatchTime.TotalMilliseconds) break;
                // The claim, as for one event: a row another processor deleted first makes the whole batch go one by one.
                if (await db.RuleEvents.Where(x => x.Id == e.Id).ExecuteDeleteAsync(ct) == 0) return 0;
                await run.RunAsync(e.ToEvent(), ct);
                db.ChangeTracker.Clear(); // the next event reads its conversation fresh, as saved
                done++;
            }
            await tx.CommitAsync(ct);
            run.PublishChanges();
            return done;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.LogDebug(ex, "A batch of {Count} rule events failed as a whole; evaluating them one by one", batch.Count);
            return 0;
        }
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
