using System.Diagnostics.Metrics;
using Chorus.Data;
using Chorus.Features.Operations;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation;

/// The rule events waiting to be evaluated and how long the oldest has waited, for /metrics
/// (chorus_rules_events_waiting, chorus_rules_oldest_event_age_seconds): a processor that falls behind a burst, or
/// has stopped, shows there before agents notice rules acting late. Sampled every 15 seconds, not on every scrape.
public sealed class RuleEventBacklog : BackgroundService
{
    public sealed record Sample(long Waiting, double OldestSeconds);

    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger<RuleEventBacklog> _log;

    public RuleEventBacklog(IServiceScopeFactory scopes, ILogger<RuleEventBacklog> log)
    {
        _scopes = scopes;
        _log = log;
        Meter = new Meter(ChorusMetrics.MeterName);
        Meter.CreateObservableGauge("chorus.rules.events_waiting", () => Latest.Waiting, "{event}", "Rule events waiting to be evaluated");
        Meter.CreateObservableGauge("chorus.rules.oldest_event_age", () => Latest.OldestSeconds, "s", "How long the oldest waiting rule event has waited");
    }

    /// This node's instruments (exported with the rest of the "Chorus" meter).
    public Meter Meter { get; }

    public Sample Latest { get; private set; } = new(0, 0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15));
        do
        {
            try { await SampleAsync(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _log.LogDebug(e, "Rule events not sampled"); // the database being away is reported by /health/ready
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// Counts the waiting events now (and keeps the figures for the gauges).
    public async Task<Sample> SampleAsync(CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var waiting = await db.RuleEvents.LongCountAsync(ct);
        var oldest = await db.RuleEvents.OrderBy(e => e.Sequence).Select(e => (DateTimeOffset?)e.RaisedAt).FirstOrDefaultAsync(ct);
        return Latest = new Sample(waiting, oldest is { } o ? Math.Max(0, (DateTimeOffset.UtcNow - o).TotalSeconds) : 0);
    }

    public override void Dispose()
    {
        Meter.Dispose();
        base.Dispose();
    }
}
