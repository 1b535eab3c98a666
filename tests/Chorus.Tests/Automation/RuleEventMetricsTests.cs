using System.Diagnostics.Metrics;
using System.Net;
using Chorus.Features.Automation;
using Chorus.Features.Operations;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Chorus.Tests.Automation.AutomationTestKit;

namespace Chorus.Tests.Automation;

/// /metrics tells operators how many rule events wait and how long the oldest has: a processor that fell behind shows there.
public class RuleEventMetricsTests
{
    [Theory, Providers]
    public async Task The_gauges_show_the_rule_events_waiting_and_the_age_of_the_oldest(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Rules:ProcessEvents"] = "false"; // the events wait, as behind a stopped processor
        var admin = await app.StaffAsync("admin");
        await admin.CreateRuleAsync(new
        {
            name = "Tag every message", enabled = true, trigger = "MessageReceived",
            conditions = Array.Empty<object>(), actions = new[] { Action("AddTags", "seen") },
        });
        var backlog = app.Services.GetRequiredService<BacklogSampler>();
        var metrics = app.Services.GetRequiredService<ChorusMetrics>();
        var empty = await backlog.SampleAsync(CancellationToken.None);
        Assert.Equal(0, empty.RuleEventsWaiting);
        Assert.Equal(0, empty.OldestRuleEventSeconds);

        await admin.DeliverAsync("gauge-1");
        await admin.DeliverAsync("gauge-2");
        await admin.DeliverAsync("gauge-3", thread: "gauge-1");
        // The oldest was raised two hours ago (as if the processor had been down since).
        await app.DbAsync(db => db.RuleEvents.OrderBy(e => e.Sequence).Take(1)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.RaisedAt, DateTimeOffset.UtcNow.AddHours(-2))));

        await backlog.SampleAsync(CancellationToken.None);
        var (waiting, age) = Observe(metrics);
        Assert.Equal(3, waiting);
        Assert.InRange(age, 2 * 3600, 3 * 3600);

        var scraped = await (await admin.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Contains("chorus_rules_events_waiting", scraped);
        Assert.Contains("chorus_rules_oldest_event_age_seconds", scraped);

        // Evaluated: nothing waits.
        var process = app.Services.GetRequiredService<ProcessRuleEvents>();
        while (await process.RunRoundAsync("node-a", CancellationToken.None) > 0) { }
        await backlog.SampleAsync(CancellationToken.None);
        Assert.Equal((0, 0), Observe(metrics));
    }

    /// What this node's gauges report when read (other test hosts in the process have their own).
    private static (double Waiting, double Age) Observe(ChorusMetrics metrics)
    {
        var seen = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter == metrics.Meter) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return (seen["chorus.rules.events_waiting"], seen["chorus.rules.oldest_event_age"]);
    }
}
