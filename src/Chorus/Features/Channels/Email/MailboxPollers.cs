using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Email;

/// Runs one polling loop per enabled mailbox, and starts, restarts or stops loops as mailboxes are
/// added, changed or switched off. Between polls a loop waits with IMAP IDLE where the server has it
/// (new mail is read within seconds), else for the poll interval. A failing server is retried with
/// exponential backoff (up to 15 minutes); the failure is stored on the mailbox, where the admin API shows it.
public sealed class MailboxPollers(IServiceScopeFactory scopes, IConfiguration config, MailboxChanges changes, ILogger<MailboxPollers> log) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(15);
    private readonly Dictionary<Guid, Loop> _loops = [];

    private sealed record Loop(DateTimeOffset Version, CancellationTokenSource Stop, Task Task);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!config.GetValue("Chorus:Email:Poll", true)) return;
        var reconcileEvery = TimeSpan.FromSeconds(config.GetValue("Chorus:Email:ReconcileSeconds", 10.0));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try { await ReconcileAsync(stoppingToken); }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    log.LogError(e, "Could not read the list of mailboxes; trying again");
                }
                await changes.WaitAsync(reconcileEvery, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            foreach (var loop in _loops.Values) loop.Stop.Cancel();
            await Task.WhenAll(_loops.Values.Select(l => l.Task));
        }
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        Dictionary<Guid, DateTimeOffset> wanted;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            wanted = await (from m in db.Mailboxes
                            join c in db.Channels on m.ChannelId equals c.Id
                            where c.Enabled
                            select new { m.ChannelId, m.UpdatedAt }).ToDictionaryAsync(x => x.ChannelId, x => x.UpdatedAt, ct);
        }
        foreach (var (id, loop) in _loops.ToList())
        {
            if (wanted.TryGetValue(id, out var version) && version == loop.Version) continue;
            await loop.Stop.CancelAsync();
            await loop.Task;
            _loops.Remove(id);
        }
        foreach (var (id, version) in wanted)
        {
            if (_loops.ContainsKey(id)) continue;
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _loops[id] = new Loop(version, stop, Task.Run(() => RunLoopAsync(id, stop.Token), CancellationToken.None));
        }
    }

    private async Task RunLoopAsync(Guid channelId, CancellationToken ct)
    {
        var failures = 0;
        var idle = config.GetValue("Chorus:Email:Idle", true);
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait;
            var listen = false;
            var polledAt = DateTimeOffset.UtcNow;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
                var interval = TimeSpan.FromSeconds(await db.Mailboxes.Where(m => m.ChannelId == channelId).Select(m => m.PollIntervalSeconds).FirstOrDefaultAsync(ct));
                var result = await scope.ServiceProvider.GetRequiredService<PollMailbox>().RunAsync(channelId, ct);
                if (result.Filed + result.Skipped + result.Bounces > 0)
                    log.LogInformation("Mailbox {Channel}: {Filed} filed, {Skipped} skipped, {Bounces} delivery reports", channelId, result.Filed, result.Skipped, result.Bounces);
                failures = result.Failed is null ? 0 : failures + 1;
                wait = result.MoreWaiting ? TimeSpan.Zero : result.Failed is null ? interval : Backoff(interval, failures);
                // Another node holds the mailbox: it listens; this one only checks back after the interval.
                listen = idle && wait > TimeSpan.Zero && result is { Failed: null, HeldElsewhere: false };
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                log.LogError(e, "Polling mailbox {Channel} failed", channelId);
                wait = Backoff(TimeSpan.FromSeconds(5), failures);
            }
            try
            {
                if (listen) await ListenAsync(channelId, wait, polledAt, ct);
                else await Task.Delay(wait, ct);
            }
            catch (OperationCanceledException) { return; }
        }
    }

    /// Waits for new mail (IDLE) or the interval. A broken IDLE connection is no poll failure: the
    /// rest of the interval is waited out and the next poll says what is wrong with the server.
    private async Task ListenAsync(Guid channelId, TimeSpan interval, DateTimeOffset polledAt, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<WaitForNewMail>().RunAsync(channelId, interval, ct) == WaitForNewMail.Woken.NewMail)
            {
                // Never two polls in the same second, whatever a server announces.
                var since = DateTimeOffset.UtcNow - polledAt;
                if (since < MinPollGap) await Task.Delay(MinPollGap - since, ct);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.LogInformation(e, "Mailbox {Channel}: waiting with IDLE failed; polling at the interval", channelId);
            var left = polledAt + interval - DateTimeOffset.UtcNow;
            if (left > TimeSpan.Zero) await Task.Delay(left, ct);
        }
    }

    private static readonly TimeSpan MinPollGap = TimeSpan.FromSeconds(1);

    private static TimeSpan Backoff(TimeSpan interval, int failures)
    {
        var seconds = Math.Max(1, interval.TotalSeconds) * Math.Pow(2, Math.Min(failures, 16));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxBackoff.TotalSeconds));
    }
}

/// An admin's change to a mailbox on this node, so its polling loop restarts at once with the new
/// settings instead of at the next reconcile (other nodes see it at theirs).
public sealed class MailboxChanges
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { /* a reconcile is already due */ }
    }

    /// Waits for a change or the interval, whichever comes first.
    public async Task WaitAsync(TimeSpan interval, CancellationToken ct) => await _signal.WaitAsync(interval, ct);
}
