using Chorus.Data;
using Chorus.Features.Channels.Email;
using Chorus.Features.Listening.Mentions;
using Chorus.Features.Listening.Spikes;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Alerts;

/// Runs the streaming spike detector (DetectSpikes) over every enabled monitor's 5-minute buckets, on volume and
/// on negative share, as they close: a bucket is judged once it ended <see cref="Grace"/> ago, so mentions a poll
/// brings in a little late still count. Each monitor is judged by one node at a time (a lease on its watch row);
/// the detector's state lives in memory and is rebuilt by replaying the monitor's last two weeks when this node did
/// not judge its last buckets (a restart, another node). A spike becomes an alert with the mentions that drove it,
/// delivered in-app, by e-mail and to the alert webhook (DeliverAlert).
public sealed class WatchForSpikes(IServiceScopeFactory scopes, IConfiguration config, PollerNode node, ListeningEvents events, TimeProvider clock, ILogger<WatchForSpikes> log)
    : BackgroundService
{
    public static readonly TimeSpan Bucket = TimeSpan.FromMinutes(5);
    /// How much history a rebuilt detector replays: its baseline (a week) and threshold history (two weeks).
    public static readonly TimeSpan Replay = TimeSpan.FromDays(14);
    /// Buckets older than this when first judged are learned from, not alerted on: an alert is about now.
    public static readonly TimeSpan AlertHorizon = TimeSpan.FromDays(1);
    /// The fewest negative mentions a negative-share alert needs (a share of 3 mentions says little).
    public const int MinNegativeMentions = 5;
    public const int MaxAlertMentions = 200;

    private TimeSpan Grace => TimeSpan.FromMinutes(config.GetValue("Chorus:Listening:BucketGraceMinutes", 10.0));
    private TimeSpan Lease => TimeSpan.FromSeconds(config.GetValue("Chorus:Listening:LeaseSeconds", 300.0));

    private sealed class State
    {
        public DetectSpikes Volume { get; } = new(SpikeDetectorOptions.ForCounts);
        public DetectSpikes Share { get; } = new(SpikeDetectorOptions.ForShares);
        public DateTimeOffset JudgedThrough { get; set; }
        public Queue<int> LastDayCounts { get; } = new();
        public Queue<double> LastDayShares { get; } = new();
    }

    private readonly Dictionary<Guid, State> _states = [];
    private readonly SemaphoreSlim _running = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!config.GetValue("Chorus:Listening:WatchSpikes", true)) return;
        var tick = TimeSpan.FromSeconds(config.GetValue("Chorus:Listening:SpikeTickSeconds", 30.0));
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await RunOnceAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogError(e, "Watching monitors for spikes failed; trying again"); }
            try { await Task.Delay(tick, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// Judges every enabled monitor's buckets that closed since the last run; returns the alerts raised.
    public async Task<List<Alert>> RunOnceAsync(CancellationToken ct = default)
    {
        await _running.WaitAsync(ct);
        try
        {
            List<Guid> monitors;
            await using (var scope = scopes.CreateAsyncScope())
                monitors = await scope.ServiceProvider.GetRequiredService<ChorusDb>().Monitors.Where(m => m.Enabled).Select(m => m.Id).ToListAsync(ct);
            foreach (var gone in _states.Keys.Except(monitors).ToList()) _states.Remove(gone);
            var raised = new List<Alert>();
            foreach (var id in monitors) raised.AddRange(await JudgeAsync(id, ct));
            return raised;
        }
        finally { _running.Release(); }
    }

    private async Task<List<Alert>> JudgeAsync(Guid monitorId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var now = clock.GetUtcNow();
        if (!await db.MonitorWatches.AnyAsync(w => w.MonitorId == monitorId, ct))
        {
            db.MonitorWatches.Add(new MonitorWatch { MonitorId = monitorId });
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException) { db.ChangeTracker.Clear(); } // another node made it
        }
        var claimed = await db.MonitorWatches
            .Where(w => w.MonitorId == monitorId && (w.LeaseUntil == null || w.LeaseUntil < now || w.LeaseOwner == node.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.LeaseOwner, node.Id).SetProperty(w => w.LeaseUntil, now + Lease), ct);
        if (claimed == 0) return [];
        try
        {
            var watch = await db.MonitorWatches.AsNoTracking().SingleAsync(w => w.MonitorId == monitorId, ct);
            var closedThrough = ReadMentions.Floor(now - Grace, Bucket);
            var alertFrom = watch.JudgedThrough ?? closedThrough - AlertHorizon;
            if (!_states.TryGetValue(monitorId, out var state) || state.JudgedThrough != watch.JudgedThrough)
            {
                // Rebuild from history: the replayed buckets before alertFrom only teach the detector.
                state = new State();
                var first = await db.MentionMatches.Where(x => x.MonitorId == monitorId).MinAsync(x => (DateTimeOffset?)x.PublishedAt, ct);
                var start = first is null ? closedThrough : ReadMentions.Floor(first.Value > closedThrough - Replay ? first.Value : closedThrough - Replay, Bucket);
                state.JudgedThrough = start;
                _states[monitorId] = state;
            }
            if (state.JudgedThrough >= closedThrough) return [];

            var rows = await db.MentionMatches.AsNoTracking()
                .Where(x => x.MonitorId == monitorId && x.PublishedAt >= state.JudgedThrough && x.PublishedAt < closedThrough)
                .Select(x => new { x.MentionId, x.PublishedAt, x.Negative }).ToListAsync(ct);
            var byBucket = rows.ToLookup(r => ReadMentions.Floor(r.PublishedAt, Bucket));
            var raised = new List<(Alert Alert, List<Guid> Mentions)>();
            for (var bucket = state.JudgedThrough; bucket < closedThrough; bucket += Bucket)
            {
                var inBucket = byBucket[bucket].ToList();
                var count = inBucket.Count;
                var negative = inBucket.Count(r => r.Negative);
                var volume = state.Volume.Observe(count);
                var volumeBaseline = Median(state.LastDayCounts.Select(c => (double)c));
                Remember(state.LastDayCounts, count);
                if (volume.Alert && bucket >= alertFrom && count > 0)
                    raised.Add((new Alert { MonitorId = monitorId, Kind = AlertKind.Volume, BucketStart = bucket, Value = count, Baseline = volumeBaseline, Score = Math.Round(volume.Score, 2), Mentions = count },
                        inBucket.Select(r => r.MentionId).ToList()));
                if (count == 0) continue; // an empty bucket has no share
                var share = (double)negative / count;
                var shareVerdict = state.Share.Observe(share);
                var shareBaseline = Median(state.LastDayShares);
                Remember(state.LastDayShares, share);
                if (shareVerdict.Alert && bucket >= alertFrom && negative >= MinNegativeMentions)
                    raised.Add((new Alert { MonitorId = monitorId, Kind = AlertKind.NegativeShare, BucketStart = bucket, Value = Math.Round(share, 3), Baseline = Math.Round(shareBaseline, 3), Score = Math.Round(shareVerdict.Score, 2), Mentions = negative },
                        inBucket.Where(r => r.Negative).Select(r => r.MentionId).ToList()));
            }
            state.JudgedThrough = closedThrough;

            var deliver = scope.ServiceProvider.GetRequiredService<DeliverAlert>();
            var monitorName = await db.Monitors.Where(m => m.Id == monitorId).Select(m => m.Name).SingleAsync(ct);
            foreach (var (alert, mentionIds) in raised)
            {
                var drove = mentionIds.Take(MaxAlertMentions).ToList();
                await deliver.DescribeAsync(alert, monitorName, drove, ct);
                db.Alerts.Add(alert);
                db.AlertMentions.AddRange(drove.Select(m => new AlertMention { AlertId = alert.Id, MentionId = m }));
                await deliver.QueueAsync(alert, monitorName, drove, ct);
            }
            // The alerts and how far the monitor was judged are saved together: a crash repeats the buckets, never half of them.
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                var mine = await db.MonitorWatches.Where(w => w.MonitorId == monitorId && w.LeaseOwner == node.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(w => w.JudgedThrough, closedThrough), ct);
                if (mine == 0) { _states.Remove(monitorId); return []; } // the lease ran out: another node judges now
                try { await db.SaveChangesAsync(ct); }
                catch (DbUpdateException e)
                {
                    log.LogWarning(e, "Alerts of monitor {Monitor} were already raised", monitorId);
                    _states.Remove(monitorId);
                    return [];
                }
                await tx.CommitAsync(ct);
            }
            if (raised.Count > 0) events.Publish(new ListeningChange(ListeningChangeKind.Alert, [monitorId]));
            return raised.Select(r => r.Alert).ToList();
        }
        catch
        {
            _states.Remove(monitorId); // rebuilt next time from what was saved
            throw;
        }
        finally
        {
            await db.MonitorWatches.Where(w => w.MonitorId == monitorId && w.LeaseOwner == node.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
        }
    }

    private static void Remember<T>(Queue<T> lastDay, T value)
    {
        lastDay.Enqueue(value);
        if (lastDay.Count > (int)(TimeSpan.FromDays(1) / Bucket)) lastDay.Dequeue();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
