using System.Diagnostics.Metrics;
using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry.Metrics;

namespace Chorus.Features.Operations;

/// Chorus's own measurements, exported with the runtime's and ASP.NET Core's in Prometheus format at
/// /metrics (an admin's API token as the bearer; Prometheus's `authorization` scrape setting carries it):
/// messages ingested by outcome, the ingest queue, the outbox backlog and its oldest item's age, mailboxes
/// failing, the rule events waiting and the oldest one's age, and whether realtime reaches the other nodes.
public sealed class ChorusMetrics : IDisposable
{
    public const string MeterName = "Chorus";
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _ingested;
    private readonly Counter<long> _slaBreaches;

    // The pipeline reports into these metrics, so it is looked up when measured, not taken as a dependency.
    public ChorusMetrics(IServiceProvider services, BacklogSampler backlog, ClusterRelay relay)
    {
        _ingested = _meter.CreateCounter<long>("chorus.ingest.messages", "{message}", "Inbound messages through the ingest pipeline, by outcome");
        _slaBreaches = _meter.CreateCounter<long>("chorus.sla.breaches", "{breach}", "SLA targets missed, by target (first_reply, resolution)");
        _meter.CreateObservableGauge("chorus.ingest.queue", () => services.GetRequiredService<IngestPipeline>().Waiting, "{message}", "Messages waiting to be written");
        _meter.CreateObservableGauge("chorus.outbox.queued", () => backlog.Latest.Queued, "{item}", "Outbound items waiting to be sent");
        _meter.CreateObservableGauge("chorus.outbox.failed", () => backlog.Latest.Failed, "{item}", "Outbound items that failed for good");
        _meter.CreateObservableGauge("chorus.outbox.oldest_age", () => backlog.Latest.OldestQueuedSeconds, "s", "Age of the oldest item waiting to be sent");
        _meter.CreateObservableGauge("chorus.mailboxes.failing", () => backlog.Latest.MailboxesFailing, "{mailbox}", "Enabled mailboxes whose last poll failed");
        // A rule processor that falls behind a burst, or has stopped, shows here before agents notice rules acting late.
        _meter.CreateObservableGauge("chorus.rules.events_waiting", () => backlog.Latest.RuleEventsWaiting, "{event}", "Rule events waiting to be evaluated");
        _meter.CreateObservableGauge("chorus.rules.oldest_event_age", () => backlog.Latest.OldestRuleEventSeconds, "s", "How long the oldest waiting rule event has waited");
        _meter.CreateObservableGauge("chorus.realtime.cluster", () => relay.State().State == "node-local" ? 0 : 1, null, "1 while live updates reach every node (or there is one node), 0 while Redis is unreachable");
    }

    /// This node's instruments (other Chorus hosts in the same process have their own).
    public Meter Meter => _meter;

    public void Ingested(IngestStatus status) => _ingested.Add(1, new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));

    public void SlaBreached(Sla.SlaTarget target) =>
        _slaBreaches.Add(1, new KeyValuePair<string, object?>("target", target == Sla.SlaTarget.FirstReply ? "first_reply" : "resolution"));

    public void Dispose() => _meter.Dispose();
}

/// Database-backed figures are sampled every 15 seconds rather than queried on every scrape.
public sealed class BacklogSampler(IServiceScopeFactory scopes, ILogger<BacklogSampler> log) : BackgroundService
{
    public sealed record Sample(long Queued, long Failed, double OldestQueuedSeconds, long MailboxesFailing,
        long RuleEventsWaiting, double OldestRuleEventSeconds);

    public Sample Latest { get; private set; } = new(0, 0, 0, 0, 0, 0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15));
        do
        {
            try { await SampleAsync(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogDebug(e, "Backlog not sampled"); // the database being away is reported by /health/ready
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// Reads the figures now (and keeps them for the gauges).
    public async Task<Sample> SampleAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var queued = await db.Outbox.Where(o => o.Status == DeliveryStatus.Queued || o.Status == DeliveryStatus.Sending).CountAsync(ct);
        var failed = await db.Outbox.CountAsync(o => o.Status == DeliveryStatus.Failed, ct);
        var oldest = await db.Outbox.Where(o => o.Status == DeliveryStatus.Queued || o.Status == DeliveryStatus.Sending)
            .OrderBy(o => o.CreatedAt).Select(o => (DateTimeOffset?)o.CreatedAt).FirstOrDefaultAsync(ct);
        var failing = await (from m in db.Mailboxes join c in db.Channels on m.ChannelId equals c.Id
                             where c.Enabled && m.LastError != null select m).CountAsync(ct);
        var ruleEvents = await db.RuleEvents.LongCountAsync(ct);
        var oldestRuleEvent = await db.RuleEvents.OrderBy(e => e.Sequence).Select(e => (DateTimeOffset?)e.RaisedAt).FirstOrDefaultAsync(ct);
        return Latest = new Sample(queued, failed, AgeInSeconds(oldest), failing, ruleEvents, AgeInSeconds(oldestRuleEvent));
    }

    private static double AgeInSeconds(DateTimeOffset? since) => since is { } s ? Math.Max(0, (DateTimeOffset.UtcNow - s).TotalSeconds) : 0;
}

public static class MetricsFeature
{
    public static IServiceCollection AddChorusMetrics(this IServiceCollection services)
    {
        services.AddSingleton<ChorusMetrics>();
        services.AddSingleton<BacklogSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<BacklogSampler>());
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(ChorusMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        return services;
    }

    /// GET /metrics in Prometheus's text format, for an admin's API token.
    public static void MapChorusMetrics(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint("/metrics")
            .RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute
                { AuthenticationSchemes = Admin.ApiTokenAuthenticationHandler.SchemeName, Policy = Policies.Admin });
}
