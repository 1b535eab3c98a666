using System.Threading.Channels;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.MemberNotifications;

/// Wakes this node's fan-out as soon as a job was saved (it also polls, for jobs other nodes stored).
public sealed class MemberFanOutSignal
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly EventHandler<SavedChangesEventArgs> _wakeOnSave;

    public MemberFanOutSignal() => _wakeOnSave = (_, _) => Wake();

    /// Once per context: the fan-out looks when <paramref name="db"/> saved, not at its next poll.
    public void WakeOnSave(ChorusDb db)
    {
        db.SavedChanges -= _wakeOnSave;
        db.SavedChanges += _wakeOnSave;
    }

    public void Wake() => _wake.Writer.TryWrite(true);

    internal async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { await _wake.Reader.ReadAsync(cts.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
    }
}

/// Expands the stored <see cref="MemberNotificationJob"/>s, oldest first, on one node at a time (a
/// <see cref="JobLease"/>): each job's audience is walked in batches of <c>Chorus:Community:FanOutBatch</c>
/// members (100), each batch one transaction holding its members' notification rows and e-mails. The job is
/// deleted when its last batch is committed. A crash, a lost lease or a failed batch leaves the job stored;
/// the next run walks the same audience and skips whoever already has their notification, so every member
/// is told once. A job that fails is retried with growing waits (5 s doubling, at most 15 minutes).
public sealed class FanOutMemberNotifications(IServiceScopeFactory scopes, IConfiguration config, ILogger<FanOutMemberNotifications> log)
{
    public const string LeaseName = "member-fan-out";
    private const int JobsPerRound = 20;

    private TimeSpan Lease => TimeSpan.FromSeconds(config.GetValue("Chorus:Community:FanOutLeaseSeconds", 60.0));
    public int BatchSize => Math.Clamp(config.GetValue("Chorus:Community:FanOutBatch", 100), 1, 1000);

    /// Expands up to 20 due jobs if this node holds (or takes) the lease; returns how many jobs it finished.
    /// <paramref name="maxBatches"/> bounds the batches written in this round (the rest waits for the next).
    public async Task<int> RunRoundAsync(string owner, CancellationToken ct, int maxBatches = int.MaxValue)
    {
        List<MemberNotificationJob> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            var now = DateTimeOffset.UtcNow;
            if (!await db.MemberNotificationJobs.AnyAsync(j => j.NextAttemptAt <= now, ct)) return 0; // the usual answer: no lease write
            if (!await JobLeases.ClaimAsync(db, LeaseName, owner, Lease, ct)) return 0;
            due = await db.MemberNotificationJobs.AsNoTracking().Where(j => j.NextAttemptAt <= now).OrderBy(j => j.Id).Take(JobsPerRound).ToListAsync(ct);
        }
        var finished = 0;
        var batches = 0;
        var renewAt = Environment.TickCount64 + (long)(Lease.TotalMilliseconds / 3);
        foreach (var job in due)
        {
            List<Guid> audience;
            HashSet<Guid> mentioned;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                (audience, mentioned) = await scope.ServiceProvider.GetRequiredService<NotifyMembers>().AudienceAsync(job, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await FailedAsync(job, e, ct);
                continue;
            }
            var done = true;
            for (var at = 0; at < audience.Count; at += BatchSize)
            {
                if (batches >= maxBatches) return finished;
                if (Environment.TickCount64 > renewAt)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    if (!await JobLeases.ClaimAsync(scope.ServiceProvider.GetRequiredService<ChorusDb>(), LeaseName, owner, Lease, ct)) return finished; // another node took over
                    renewAt = Environment.TickCount64 + (long)(Lease.TotalMilliseconds / 3);
                }
                batches++;
                if (!await TellBatchAsync(job, audience.GetRange(at, Math.Min(BatchSize, audience.Count - at)), mentioned, ct))
                {
                    done = false;
                    break;
                }
            }
            if (!done) continue;
            await using (var scope = scopes.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<ChorusDb>().MemberNotificationJobs.Where(j => j.Id == job.Id).ExecuteDeleteAsync(ct);
            finished++;
        }
        return finished;
    }

    /// One batch in one transaction; false when it failed (the job waits for a retry).
    private async Task<bool> TellBatchAsync(MemberNotificationJob job, List<Guid> batch, HashSet<Guid> mentioned, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await scope.ServiceProvider.GetRequiredService<NotifyMembers>().TellAsync(job, batch, mentioned, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await FailedAsync(job, e, ct);
            return false;
        }
    }

    private async Task FailedAsync(MemberNotificationJob job, Exception e, CancellationToken ct)
    {
        var attempts = job.Attempts + 1;
        var wait = TimeSpan.FromSeconds(Math.Min(900, 5 * Math.Pow(2, Math.Min(attempts - 1, 10))));
        log.LogWarning(e, "Telling members about post {Post} failed (attempt {Attempts}); trying again in {Wait}", job.PostId, attempts, wait);
        await using var scope = scopes.CreateAsyncScope();
        var error = e.Message.Length > 1000 ? e.Message[..1000] : e.Message;
        await scope.ServiceProvider.GetRequiredService<ChorusDb>().MemberNotificationJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Attempts, attempts).SetProperty(j => j.NextAttemptAt, DateTimeOffset.UtcNow + wait).SetProperty(j => j.LastError, error), ct);
    }

    /// Hands the lease back (when the node stops), so another node need not wait for it to run out.
    public async Task ReleaseAsync(string owner)
    {
        await using var scope = scopes.CreateAsyncScope();
        await JobLeases.ReleaseAsync(scope.ServiceProvider.GetRequiredService<ChorusDb>(), LeaseName, owner);
    }
}

/// Runs the fan-out on every node (the lease lets one work at a time): at once when this node stored a job,
/// otherwise every <c>Chorus:Community:FanOutPollMilliseconds</c> (1,000). <c>Chorus:Community:FanOut=false</c>
/// leaves the jobs to other nodes (or to a test that looks at them).
public sealed class MemberFanOutService(FanOutMemberNotifications fanOut, MemberFanOutSignal signal, Channels.Email.PollerNode node, IConfiguration config,
    ILogger<MemberFanOutService> log) : BackgroundService
{
    private TimeSpan PollInterval => TimeSpan.FromMilliseconds(Math.Max(50, config.GetValue("Chorus:Community:FanOutPollMilliseconds", 1000.0)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!config.GetValue("Chorus:Community:FanOut", true)) return;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var finished = 0;
                try { finished = await fanOut.RunRoundAsync(node.Id, stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException) { log.LogDebug(e, "Member fan-out round failed (database away or still migrating); trying again"); }
                if (finished == 0) await signal.WaitAsync(PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            try { await fanOut.ReleaseAsync(node.Id); }
            catch (Exception e) { log.LogDebug(e, "Could not hand back the member fan-out lease; it runs out on its own"); }
        }
    }
}
