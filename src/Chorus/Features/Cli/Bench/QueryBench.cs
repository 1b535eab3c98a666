using System.CommandLine;
using System.Diagnostics;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Cli.Bench;

/// `chorus bench queries`: the inbox views and searches of `chorus bench` again, on a workspace an earlier
/// `chorus bench --keep` left behind, without building it again (5-15 minutes). With --compare every run
/// is timed twice, with the newest-first search reading on and off (`Chorus:Search:NewestFirst`), in turn,
/// so both see the same load on a shared machine; CPU time per query is process CPU (getrusage) per run.
public static class QueryBench
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The directory of a workspace kept by `chorus bench --keep` (SQLite)", Required = true };
        var runs = new Option<int>("--runs") { Description = "Timed runs of each view and search (after 3 warm-ups)", DefaultValueFactory = _ => 100 };
        var only = new Option<string?>("--only") { Description = "Only the cases whose name contains this text (e.g. search)" };
        var compare = new Option<bool>("--compare") { Description = "Also time each case with the newest-first search reading off, run for run in turn" };
        var seed = new Option<int>("--seed") { Description = "Seed the workspace was built with", DefaultValueFactory = _ => 20261123 };
        var totals = new Option<bool>("--totals") { Description = "Also time each search's total above the list: capped (Chorus:Search:CountCap) and exact" };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };
        var cmd = new Command("queries", "Time the inbox views and searches on a kept benchmark workspace (no rebuild); --compare times the search plans side by side.")
        {
            dataDir, runs, only, compare, seed, totals, results,
        };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(async (parse, ct) =>
        {
            var dir = Path.GetFullPath(parse.GetValue(dataDir)!);
            if (!File.Exists(Path.Combine(dir, "app", "chorus.db")))
            {
                Console.Error.WriteLine($"No benchmark workspace in {dir} (expected app/chorus.db; build one with `chorus bench --skip-http --keep --data-dir {dir}`).");
                return 2;
            }
            if (parse.GetValue(runs) < 1)
            {
                Console.Error.WriteLine("--runs must be at least 1.");
                return 2;
            }
            return await RunAsync(dir, parse.GetValue(runs), parse.GetValue(only), parse.GetValue(compare), parse.GetValue(seed), parse.GetValue(totals), parse.GetValue(results),
                [.. parse.UnmatchedTokens], ct);
        });
        return cmd;
    }

    private static async Task<int> RunAsync(string dir, int runs, string? only, bool compare, int seed, bool totals, string? results, string[] extra, CancellationToken ct)
    {
        string[] hostArgs =
        [
            $"--Chorus:DataDirectory={Path.Combine(dir, "app")}", "--Chorus:DemoWorkspace=false",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Warning", .. extra,
        ];
        await using var app = ChorusApp.Build(hostArgs);
        await using var old = compare ? ChorusApp.Build([.. hostArgs, "--Chorus:Search:NewestFirst=false"]) : null;
        var (workspace, traffic) = await WorkspaceAsync(app.Services, seed, ct);
        var cases = (await QueryPhase.CasesAsync(app.Services, workspace, traffic, ct))
            .Where(c => only is null || c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)).ToList();
        Console.WriteLine($"chorus bench queries: {cases.Count} cases, {runs} runs each{(compare ? ", newest-first reading on and off in turn" : "")}; {dir}; load {Machine.Load()}");

        var actor = await ActorAsync(app.Services, workspace.AgentId, ct);
        var report = new BenchReport();
        foreach (var c in cases)
        {
            var variants = compare ? new[] { new Variant("on", app.Services), new Variant("off", old!.Services) } : [new Variant("", app.Services)];
            for (var i = -3; i < runs; i++)
                for (var k = 0; k < variants.Length; k++)
                {
                    var v = variants[(k + Math.Max(i, 0)) % variants.Length]; // take turns going first
                    var cpu = Environment.CpuUsage.TotalTime;
                    var clock = Stopwatch.StartNew();
                    await using (var scope = v.Services.CreateAsyncScope())
                        v.Rows = (await scope.ServiceProvider.GetRequiredService<InboxQuery>().ListAsync(actor, c.Filter, ct)).Items.Count;
                    clock.Stop();
                    if (i < 0) continue; // three untimed warm-up runs (query compilation, caches)
                    v.Wall.Add(clock.Elapsed);
                    v.Cpu.Add((Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds);
                }
            var (p, limit) = c.Filter.Query is not null ? (95, 100) : (99, 20);
            foreach (var v in variants)
                report.Add(c.Name + (v.Name == "" ? "" : $" [newest-first {v.Name}]"),
                    $"p50 {BenchReport.Ms(v.Wall.Percentile(50))}, p{p} {BenchReport.Ms(v.Wall.Percentile(p))}, CPU {BenchReport.Ms(v.Cpu.Average())} per query ({v.Rows} rows)",
                    $"p{p} < {limit} ms", v.Wall.Percentile(p) < limit);
            if (totals && c.Filter.Query is not null) await TimeTotalsAsync(app.Services, actor, c, runs, report, ct);
        }
        if (results is not null)
            await File.WriteAllTextAsync(results, report.ToMarkdown($"chorus bench queries, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}, {dir}"), ct);
        SqliteConnection.ClearAllPools();
        return 0;
    }

    /// The search's total as the inbox shows it (capped) and as an exact count, run for run in turn.
    private static async Task TimeTotalsAsync(IServiceProvider services, StaffActor actor, QueryPhase.Case c, int runs, BenchReport report, CancellationToken ct)
    {
        var filter = c.Filter with { Page = 1 };
        var capped = new Latencies("capped");
        var exact = new Latencies("exact");
        var (cappedCpu, exactCpu) = (new List<double>(), new List<double>());
        string shown = "", counted = "";
        for (var i = -3; i < runs; i++)
            foreach (var isCapped in i % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var cpu = Environment.CpuUsage.TotalTime;
                var clock = Stopwatch.StartNew();
                await using (var scope = services.CreateAsyncScope())
                {
                    var inbox = scope.ServiceProvider.GetRequiredService<InboxQuery>();
                    if (isCapped) shown = (await inbox.TotalAsync(actor, filter, ct)).ToString();
                    else counted = (await inbox.CountAsync(actor, filter, ct)).ToString("N0");
                }
                clock.Stop();
                if (i < 0) continue;
                (isCapped ? capped : exact).Add(clock.Elapsed);
                (isCapped ? cappedCpu : exactCpu).Add((Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds);
            }
        report.Add(c.Name + " [total, capped]", $"p50 {BenchReport.Ms(capped.Percentile(50))}, p95 {BenchReport.Ms(capped.Percentile(95))}, CPU {BenchReport.Ms(cappedCpu.Average())} per count ({shown})");
        report.Add(c.Name + " [total, exact]", $"p50 {BenchReport.Ms(exact.Percentile(50))}, p95 {BenchReport.Ms(exact.Percentile(95))}, CPU {BenchReport.Ms(exactCpu.Average())} per count ({counted})");
    }

    private sealed class Variant(string name, IServiceProvider services)
    {
        public string Name => name;
        public IServiceProvider Services => services;
        public Latencies Wall { get; } = new(name);
        public List<double> Cpu { get; } = [];
        public int Rows { get; set; }
    }

    private static async Task<StaffActor> ActorAsync(IServiceProvider services, string agentId, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(agentId, ct))!;
    }

    /// What `chorus bench` set up, read back from the kept workspace (channel shares do not matter here).
    private static async Task<(BenchWorkspace, SyntheticTraffic)> WorkspaceAsync(IServiceProvider services, int seed, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var agent = await db.Users.Where(u => u.Email == BenchWorkspace.AgentEmail).Select(u => u.Id).SingleAsync(ct);
        var support = await db.Teams.Where(t => t.Name == "Support").Select(t => t.Id).SingleAsync(ct);
        var channels = await db.Channels.Select(c => new TrafficChannel(c.Id, c.Name, c.DefaultTeamId, 0)).ToListAsync(ct);
        var size = new WorkspaceSize(await db.Messages.CountAsync(ct), await db.People.CountAsync(ct), await db.Conversations.CountAsync(ct));
        return (new BenchWorkspace(channels, [agent], agent, support, ""), new SyntheticTraffic(size, seed, channels));
    }
}
