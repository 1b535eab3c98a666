using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Chorus.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chorus.Features.Cli.Bench;

public sealed record SoakBenchSettings(
    double Minutes, bool Postgres, string? Connection, int Messages, double IngestPerSecond, int Agents, int ThinkMs, int Searchers, int Viewers,
    int SampleSeconds, string DataDir, int Seed, bool Keep, string? Results, IReadOnlyList<string> HostArgs, IReadOnlyList<double> HeapSnapshots)
{
    /// "0.25,0.5,0.97" (fractions of the run) as a list; empty for "none" or ""; null when a value is not a fraction.
    public static IReadOnlyList<double>? ParseFractions(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "none") return [];
        var fractions = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) || f is <= 0 or > 1) return null;
            fractions.Add(f);
        }
        return [.. fractions.Distinct().Order()];
    }

    public string? Validate()
    {
        if (Minutes is <= 0 or > 240) return "--minutes must be more than 0 and at most 240.";
        if (Postgres && string.IsNullOrWhiteSpace(Connection)) return "--provider postgres needs --connection (the benchmark creates its own database there).";
        if (Messages < 10 || IngestPerSecond <= 0 || Agents < 1 || Searchers < 0 || Viewers < 0 || ThinkMs < 0 || SampleSeconds < 1)
            return "--messages must be at least 10, --ingest-rate more than 0, --agents at least 1, the others not negative.";
        if (Directory.Exists(DataDir) && Directory.EnumerateFileSystemEntries(DataDir).Any())
            return $"The data directory {DataDir} is not empty: the benchmark needs a fresh one.";
        return null;
    }
}

/// `chorus bench soak` (issue 8): a Chorus process under mixed load for a fixed time — inbound messages at a steady
/// rate, agents working the inbox (list, open, reply, note), searches, server-rendered page views — counting every
/// failed request, sampling the process's resident memory and GC heap every 10 s and the latency of each kind of
/// request per minute. At the end every acknowledged inbound message must be stored exactly once.
public static class SoakBench
{
    private const string Prefix = "<soak.";
    private const string AgentPassword = "load-agent-password-1";

    public static Command Create()
    {
        var minutes = new Option<double>("--minutes") { Description = "How long the mixed load runs", DefaultValueFactory = _ => 10 };
        var provider = new Option<string>("--provider") { Description = "sqlite or postgres", DefaultValueFactory = _ => "sqlite" };
        provider.AcceptOnlyFromAmong("sqlite", "postgres");
        var connection = new Option<string?>("--connection") { Description = "PostgreSQL server to create a fresh database on (with --provider postgres)" };
        var messages = new Option<int>("--messages") { Description = "Messages in the workspace before the load (through the pipeline)", DefaultValueFactory = _ => 20_000 };
        var rate = new Option<double>("--ingest-rate") { Description = "Inbound messages a second (POST /api/v1/inbound, 4 clients)", DefaultValueFactory = _ => 40 };
        var agents = new Option<int>("--agents") { Description = "Simulated agents (API tokens)", DefaultValueFactory = _ => 20 };
        var think = new Option<int>("--think-ms") { Description = "Pause between an agent's rounds, a searcher's searches and a page viewer's pages (±50 %)", DefaultValueFactory = _ => 1_000 };
        var searchers = new Option<int>("--searchers") { Description = "Clients searching through the API", DefaultValueFactory = _ => 2 };
        var viewers = new Option<int>("--viewers") { Description = "Clients viewing pages (two of three signed in as agents, the rest public pages)", DefaultValueFactory = _ => 3 };
        var sample = new Option<int>("--sample-seconds") { Description = "Memory sampling interval", DefaultValueFactory = _ => 10 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fresh directory for the workspace (default: a new one under /tmp)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic traffic", DefaultValueFactory = _ => 20261130 };
        var keep = new Option<bool>("--keep") { Description = "Keep the workspace afterwards" };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };
        var heapSnapshots = new Option<string>("--heap-snapshots")
        {
            Description = "When to take a heap snapshot with dotnet-gcdump (a full GC, then what survived it), as fractions of the run; \"none\" for none",
            DefaultValueFactory = _ => "0.25,0.5,0.75,0.97",
        };
        var cmd = new Command("soak", "Run mixed load (ingest, agents, searches, page views) against a Chorus process for --minutes; errors, memory curve, p99 per minute.")
        {
            minutes, provider, connection, messages, rate, agents, think, searchers, viewers, sample, dataDir, seed, keep, results, heapSnapshots,
        };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(async (parse, ct) =>
        {
            if (SoakBenchSettings.ParseFractions(parse.GetValue(heapSnapshots)) is not { } fractions)
            {
                Console.Error.WriteLine("--heap-snapshots takes fractions of the run, more than 0 and at most 1, separated by commas (e.g. 0.25,0.5,0.97), or none.");
                return 2;
            }
            var settings = new SoakBenchSettings(parse.GetValue(minutes), parse.GetValue(provider) == "postgres", parse.GetValue(connection), parse.GetValue(messages),
                parse.GetValue(rate), parse.GetValue(agents), parse.GetValue(think), parse.GetValue(searchers), parse.GetValue(viewers), parse.GetValue(sample),
                Path.GetFullPath(parse.GetValue(dataDir) ?? Path.Combine(Path.GetTempPath(), $"chorus-bench-soak-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
                parse.GetValue(seed), parse.GetValue(keep), parse.GetValue(results), [.. parse.UnmatchedTokens], fractions);
            if (settings.Validate() is { } error)
            {
                Console.Error.WriteLine(error);
                return 2;
            }
            return await RunAsync(settings, ct);
        });
        return cmd;
    }

    public static async Task<int> RunAsync(SoakBenchSettings s, CancellationToken ct)
    {
        Directory.CreateDirectory(s.DataDir);
        var database = s.Postgres ? await BenchRunner.CreatePostgresDatabaseAsync(s.Connection!, ct) : null;
        var hostArgs = new List<string>
        {
            $"--Chorus:DataDirectory={Path.Combine(s.DataDir, "app")}", "--Chorus:DemoWorkspace=false",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Warning",
        };
        if (database is not null) hostArgs.AddRange(["--Database:Provider=Postgres", $"--ConnectionStrings:Chorus={database}"]);
        hostArgs.AddRange(s.HostArgs);
        var report = new BenchReport();
        var limit = TimeSpan.FromMinutes(s.Minutes);
        Console.WriteLine($"chorus bench soak: {s.Minutes:0.#} minutes on {(s.Postgres ? "PostgreSQL" : "SQLite")}; machine: {Machine.Describe()}; load {Machine.Load()}");
        try
        {
            var size = new WorkspaceSize(s.Messages, Math.Max(1, s.Messages / 10), Math.Max(1, s.Messages / 3));
            BenchWorkspace workspace;
            IReadOnlyList<(string Id, string Email, string Token)> agents;
            string adminToken;
            await using (var setup = ChorusApp.Build([.. hostArgs]))
            {
                workspace = await BenchWorkspace.CreateAsync(setup.Services, ct);
                Console.WriteLine($"Workspace: {size.Messages:N0} messages, {size.People:N0} people, {size.Conversations:N0} conversations; {s.Agents} agents");
                await IngestPhase.RunAsync(setup.Services, new SyntheticTraffic(size, s.Seed, workspace.Channels), ct);
                agents = await HttpLoad.AddAgentsAsync(setup.Services, workspace.SupportTeamId, Math.Max(s.Agents, 2), AgentPassword, ct);
                adminToken = await HttpLoad.AdminTokenAsync(setup.Services, ct);
            }
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();

            var traffic = new SyntheticTraffic(size, s.Seed, workspace.Channels);
            var envelopes = Enumerable.Range(0, (int)Math.Ceiling(s.IngestPerSecond * limit.TotalSeconds))
                .Select(n => traffic.Extra(n, DateTimeOffset.UtcNow.AddSeconds(n / s.IngestPerSecond)) with { ExternalId = $"{Prefix}{n}@bench.test>" }).ToList();

            var (server, startup) = await ServerPhase.StartAsync(hostArgs, workspace.Token, 8, ct);
            IReadOnlyList<string> acked;
            var samples = new List<MemorySampler.Sample>();
            var snapshots = new List<HeapSnapshots.Snapshot>();
            var recorder = new LoadRecorder();
            var posted = 0;
            await using (server)
            {
                report.Add("start-up to first served inbox page", $"{startup.FirstInboxPage.TotalSeconds:N2} s");
                using var admin = HttpLoad.Client(server.Address, adminToken);
                using var ingestClient = HttpLoad.Client(server.Address, workspace.Token, connections: 4);
                var agentClients = agents.Take(s.Agents).Select(a => HttpLoad.Client(server.Address, a.Token, connections: 2)).ToList();
                var searchClients = Enumerable.Range(0, s.Searchers).Select(_ => HttpLoad.Client(server.Address, workspace.Token, connections: 1)).ToList();
                var viewerClients = new List<(HttpClient Http, bool SignedIn)>();
                for (var i = 0; i < s.Viewers; i++)
                {
                    var signedIn = i % 3 != 2;
                    var http = HttpLoad.Client(server.Address, null, cookies: true, connections: 1);
                    if (signedIn) await HttpLoad.SignInAsync(http, agents[i % agents.Count].Email, AgentPassword, ct);
                    viewerClients.Add((http, signedIn));
                }

                Console.WriteLine($"Mixed load for {limit.TotalMinutes:0.#} min: inbound {s.IngestPerSecond}/s, {s.Agents} agents, {s.Searchers} searchers, {s.Viewers} page viewers, " +
                                  $"{s.ThinkMs} ms think time [load {Machine.Load()}]");
                var clock = Stopwatch.StartNew();
                samples.Add(await MemorySampler.TakeAsync(server.ProcessId, admin, clock.Elapsed, ct));
                var random = new Random(s.Seed);
                long SomeConversation() { lock (random) return random.Next(1, size.Conversations + 1); }
                var ingest = HttpLoad.PostInboundAsync([ingestClient], envelopes, 4, limit, s.IngestPerSecond, recorder, "inbound", ct);
                var work = new List<Task>
                {
                    ingest,
                    Task.WhenAll(agentClients.Select((c, i) => HttpLoad.RunAgentAsync(c, s.Seed + i * 7919, int.MaxValue, limit, s.ThinkMs, 0.2, recorder, ct)))
                        .ContinueWith(t => posted = t.Result.Sum(), ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default),
                };
                work.AddRange(searchClients.Select((c, i) => HttpLoad.RunSearcherAsync(c, s.Seed + 31 * i, limit, s.ThinkMs, recorder, ct)));
                work.AddRange(viewerClients.Select((v, i) => HttpLoad.RunPageViewerAsync(v.Http, v.SignedIn, s.Seed + 131 * i, limit, s.ThinkMs, SomeConversation, recorder, ct)));
                var all = Task.WhenAll(work);
                var snapshotting = TakeHeapSnapshotsAsync(s, server.ProcessId, limit, clock, all, recorder, snapshots, report, ct);
                var interval = TimeSpan.FromSeconds(s.SampleSeconds);
                while (!all.IsCompleted)
                {
                    var due = interval * samples.Count - clock.Elapsed;
                    await Task.WhenAny(all, Task.Delay(due > TimeSpan.Zero ? due : TimeSpan.Zero, ct));
                    if (all.IsCompleted) break;
                    var sample = await MemorySampler.TakeAsync(server.ProcessId, admin, clock.Elapsed, ct);
                    samples.Add(sample);
                    Console.WriteLine($"  {sample.At:mm\\:ss} resident {sample.RssMiB:N0} MiB, GC heap {sample.HeapMiB:N1} MiB, " +
                                      $"{recorder.Kinds.Sum(recorder.Count):N0} requests, {recorder.Errors} failed [load {sample.Load}]");
                }
                await all;
                await snapshotting;
                acked = await ingest;
                samples.Add(await MemorySampler.TakeAsync(server.ProcessId, admin, clock.Elapsed, ct));
                foreach (var c in agentClients.Concat(searchClients).Concat(viewerClients.Select(v => v.Http))) c.Dispose();

                var requests = recorder.Kinds.Sum(recorder.Count);
                report.Add("requests", $"{requests:N0} in {clock.Elapsed.TotalMinutes:N1} min ({requests / clock.Elapsed.TotalSeconds:N0}/s); inbound {acked.Count:N0} acknowledged of {envelopes.Count:N0}");
                report.Add("failed requests", recorder.Errors == 0 ? "0" : string.Join(", ", recorder.ErrorsByKind.Select(x => $"{x.Key} {x.Value}")), "0", recorder.Errors == 0);
                if (recorder.FirstError is not null) report.Note("First failed request: " + recorder.FirstError);
                foreach (var kind in recorder.Kinds) report.Add(kind, recorder.Summary(kind));
                Flatness(samples, report);
                if (HeapSnapshots.Growth(snapshots) is { } growth)
                    report.Add("live heap after full GC (gcdump), first → last snapshot",
                        $"{snapshots[0].Heap.Bytes / 1048576.0:N1} → {snapshots[^1].Heap.Bytes / 1048576.0:N1} MiB ({growth.GrowthMiB:+0.0;-0.0;0} MiB over " +
                        $"{snapshots[^1].Requests - snapshots[0].Requests:N0} requests: {growth.BytesPerThousandRequests / 1024:+#,0.0;-#,0.0;0} KiB per 1,000 requests)",
                        "flat: under +10 %", HeapSnapshots.IsFlat(snapshots));
            }
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();

            await using (var check = ChorusApp.Build([.. hostArgs]))
            {
                using var scope = check.Services.CreateScope();
                var (missing, duplicated) = await HttpLoad.CheckStoredAsync(scope.ServiceProvider.GetRequiredService<ChorusDb>(), acked, Prefix, ct);
                report.Add("inbound acknowledged / missing / stored twice", $"{acked.Count:N0} / {missing} / {duplicated}", "0 missing, 0 twice", missing == 0 && duplicated == 0);
                report.Add("agents' replies and notes acknowledged", $"{posted:N0}");
            }
            SqliteConnection.ClearAllPools();

            var markdown = new StringBuilder(report.ToMarkdown($"chorus bench soak, {s.Minutes:0.#} min on {(s.Postgres ? "PostgreSQL" : "SQLite")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}"))
                .Append("\nMemory every ").Append(s.SampleSeconds).Append(" s:\n\n").Append(MemorySampler.Table(samples))
                .Append("\n```\n").Append(MemorySampler.Chart(samples)).Append("```\n\np99 per minute (requests in that minute):\n\n").Append(PerMinute(recorder));
            if (snapshots.Count > 0)
                markdown.Append("\nHeap snapshots (dotnet-gcdump: each forces a full, blocking collection and counts what survived it; " +
                                "Chorus is paused meanwhile, so the latencies of those minutes include it):\n\n")
                    .Append(HeapSnapshots.Markdown(snapshots));
            Console.WriteLine(markdown);
            if (s.Results is not null) await File.WriteAllTextAsync(s.Results, markdown.ToString(), ct);
            return recorder.Errors == 0 ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            if (!s.Keep)
            {
                if (database is not null) await BenchRunner.DropPostgresDatabaseAsync(s.Connection!, database, ct);
                Directory.Delete(s.DataDir, recursive: true);
            }
            else Console.WriteLine($"Kept {s.DataDir}" + (database is null ? "" : $" and database {new NpgsqlConnectionStringBuilder(database).Database}"));
        }
    }

    /// Heap snapshots at the given fractions of the run while the load goes on (skipped, with a note, when dotnet-gcdump
    /// is not installed). The .gcdump files stay beside the results (or in the data directory) for PerfView or Visual Studio.
    private static async Task TakeHeapSnapshotsAsync(SoakBenchSettings s, int pid, TimeSpan limit, Stopwatch clock, Task load, LoadRecorder recorder,
        List<HeapSnapshots.Snapshot> into, BenchReport report, CancellationToken ct)
    {
        if (s.HeapSnapshots.Count == 0) return;
        if (HeapSnapshots.FindTool() is not { } tool)
        {
            report.Note($"Heap snapshots skipped: dotnet-gcdump is not installed ({HeapSnapshots.Install}).");
            return;
        }
        var dir = s.Results is null ? s.DataDir : Path.GetDirectoryName(Path.GetFullPath(s.Results))!;
        var name = s.Results is null ? "soak" : Path.GetFileNameWithoutExtension(s.Results);
        for (var i = 0; i < s.HeapSnapshots.Count; i++)
        {
            var due = limit * s.HeapSnapshots[i] - clock.Elapsed;
            if (due > TimeSpan.Zero) await Task.WhenAny(load, Task.Delay(due, ct));
            if (load.IsCompleted)
            {
                report.Note($"Heap snapshots from {s.HeapSnapshots[i]:0%} of the run on were not taken: the load had ended.");
                return;
            }
            var label = $"{i + 1} ({s.HeapSnapshots[i]:0%})";
            try
            {
                var snapshot = await HeapSnapshots.TakeAsync(tool, pid, label, clock.Elapsed, recorder.Kinds.Sum(recorder.Count), Path.Combine(dir, $"{name}-heap-{i + 1}.gcdump"), ct);
                into.Add(snapshot);
                Console.WriteLine($"  heap snapshot {label} at {snapshot.At:mm\\:ss}: {snapshot.Heap.Bytes / 1048576.0:N1} MiB live after a full GC, " +
                                  $"{snapshot.Heap.Objects:N0} objects, {snapshot.Requests:N0} requests served (gcdump took {snapshot.Took.TotalSeconds:N1} s) → {snapshot.File}");
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or IOException or System.ComponentModel.Win32Exception)
            {
                report.Note($"Heap snapshot {label} failed: {e.Message}");
            }
        }
    }

    /// Memory is flat when the second half of the run holds no more than the first half after warm-up:
    /// compares the mean of the samples in the second quarter with that of the last quarter.
    private static void Flatness(IReadOnlyList<MemorySampler.Sample> samples, BenchReport report)
    {
        if (samples.Count < 8) return;
        var quarter = samples.Count / 4;
        var early = samples.Skip(quarter).Take(quarter).ToList();
        var late = samples.TakeLast(quarter).ToList();
        double Mean(IEnumerable<double?> xs) => xs.OfType<double>().DefaultIfEmpty(double.NaN).Average();
        var (rss0, rss1) = (Mean(early.Select(x => (double?)x.RssMiB)), Mean(late.Select(x => (double?)x.RssMiB)));
        var (heap0, heap1) = (Mean(early.Select(x => x.HeapMiB)), Mean(late.Select(x => x.HeapMiB)));
        report.Add("resident memory, 2nd quarter → last quarter (mean)", $"{rss0:N0} → {rss1:N0} MiB ({(rss1 - rss0) / rss0:+0%;-0%;0%}); peak {samples.Max(x => x.RssMiB):N0} MiB");
        report.Add("GC heap after collections, 2nd quarter → last quarter (mean)", $"{heap0:N1} → {heap1:N1} MiB ({(heap1 - heap0) / heap0:+0%;-0%;0%})");
    }

    private static string PerMinute(LoadRecorder recorder)
    {
        var kinds = recorder.Kinds;
        var byKind = kinds.ToDictionary(k => k, k => recorder.ByMinute(k).ToDictionary(x => x.Minute, x => x.Latencies));
        var minutes = byKind.Values.SelectMany(x => x.Keys).Distinct().Order().ToList();
        var sb = new StringBuilder("| minute | " + string.Join(" | ", kinds) + " |\n| ---: | " + string.Concat(kinds.Select(_ => "---: | ")) + "\n");
        foreach (var m in minutes)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {m + 1} | ");
            foreach (var k in kinds)
                sb.Append(byKind[k].TryGetValue(m, out var l) ? $"{BenchReport.Ms(l.Percentile(99))} ({l.Count:N0})" : "").Append(" | ");
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
