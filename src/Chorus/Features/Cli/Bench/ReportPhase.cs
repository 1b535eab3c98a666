using System.Diagnostics;
using Chorus.Features.Admin;
using Chorus.Features.Reports;

namespace Chorus.Features.Cli.Bench;

/// Recounts the report aggregates of the benchmark workspace (the shaping step changes statuses in bulk,
/// around the counting), then times every report the Reports page draws, as an agent in Support.
public static class ReportPhase
{
    public static async Task RunAsync(IServiceProvider services, BenchWorkspace workspace, BenchReport report, int runs, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        RebuildReports.Rebuilt rebuilt;
        await using (var scope = services.CreateAsyncScope())
            rebuilt = await scope.ServiceProvider.GetRequiredService<RebuildReports>().RunAsync(ct);
        report.Add("report aggregates rebuilt from scratch", $"{clock.Elapsed.TotalSeconds:N1} s ({rebuilt.Conversations:N0} conversations, {rebuilt.StaffMessages:N0} staff messages)");

        StaffActor actor;
        await using (var scope = services.CreateAsyncScope())
            actor = (await scope.ServiceProvider.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(workspace.AgentId, ct))!;
        var end = CountForReports.DayOf(SyntheticTraffic.Start.AddDays(364));
        var forum = workspace.Channels.Single(c => c.Name == "Community forum").Id;
        (string Name, ReportQuery Query)[] cases =
        [
            ("report: 12 weeks by week", new ReportQuery(end.AddDays(-83), end)),
            ("report: 1 year by week", new ReportQuery(end.AddDays(-364), end)),
            ("report: 1 year by day", new ReportQuery(end.AddDays(-364), end, ReportInterval.Day)),
            ("report: 1 year by week, team Support", new ReportQuery(end.AddDays(-364), end, TeamId: workspace.SupportTeamId)),
            ("report: 1 year by day, channel forum", new ReportQuery(end.AddDays(-364), end, ReportInterval.Day, ChannelId: forum)),
        ];
        foreach (var (name, query) in cases)
        {
            var latencies = new Latencies(name);
            for (var i = -3; i < runs; i++)
            {
                var timer = Stopwatch.StartNew();
                await using var scope = services.CreateAsyncScope();
                var outcome = await scope.ServiceProvider.GetRequiredService<ReadReports>().OverviewAsync(actor, query, ct);
                timer.Stop();
                if (outcome is not Common.Outcome<ReportOverview>.Ok) throw new InvalidOperationException($"{name}: {outcome.Error}");
                if (i >= 0) latencies.Add(timer.Elapsed);
            }
            report.Add(name, $"p50 {BenchReport.Ms(latencies.Percentile(50))}, p95 {BenchReport.Ms(latencies.Percentile(95))}", "p95 < 500 ms", latencies.Percentile(95) < 500);
        }
    }
}
