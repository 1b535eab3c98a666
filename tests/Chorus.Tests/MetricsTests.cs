using System.Net;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests;

/// /metrics: Prometheus's text format for an admin's API token; ingest, outbox and realtime figures in it.
public class MetricsTests
{
    [Theory, Providers]
    public async Task An_admin_token_scrapes_ingest_and_outbox_figures_and_nobody_else_does(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await admin.DeliverAsync("metrics-1");
        await admin.DeliverAsync("metrics-2", thread: "metrics-1");
        await admin.DeliverAsync("metrics-1"); // a repeat delivery

        var response = await admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("chorus_ingest_messages_total{", text);
        // Meters are per process: other test hosts running alongside add to the same counters, hence "at least".
        Assert.Matches("chorus_ingest_messages_total\\{[^}]*status=\"created\"[^}]*\\} [1-9]", text);
        Assert.Matches("chorus_ingest_messages_total\\{[^}]*status=\"duplicate\"[^}]*\\} [1-9]", text);
        Assert.Contains("chorus_ingest_queue", text);
        Assert.Contains("chorus_outbox_oldest_age_seconds", text);
        Assert.Contains("chorus_realtime_cluster", text);
        Assert.Contains("http_server_request_duration_seconds", text); // ASP.NET Core's own

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/metrics")).StatusCode);
    }
}
