using System.CommandLine;
using Chorus.Data;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Chorus.Features.Cli.Bench;

public sealed record ClusterBenchSettings(
    string Connection, string Redis, int Messages, int Requests, int Concurrency, int Agents, int AgentRounds, TimeSpan AgentTime, int ThinkMs,
    string DataDir, int Seed, bool Keep, string? Results, IReadOnlyList<string> HostArgs)
{
    public string? Validate()
    {
        if (Messages < 10 || Requests < 1 || Concurrency < 1 || Agents < 1 || AgentRounds < 1 || ThinkMs < 0)
            return "--messages must be at least 10; --requests, --concurrency, --agents and --agent-rounds at least 1; --think-ms not negative.";
        if (Directory.Exists(DataDir) && Directory.EnumerateFileSystemEntries(DataDir).Any())
            return $"The data directory {DataDir} is not empty: the benchmark needs a fresh one.";
        return null;
    }
}

/// `chorus bench cluster` (issue 8): one Chorus process, then two, on loopback sharing one PostgreSQL
/// database and one Redis, as "Running several nodes" in the README sets them up. Measures POST /api/v1/inbound
/// at the same concurrency spread over the nodes, and the inbox as 100 agents (API tokens, spread over the
/// nodes) list views, open conversations and reply or add notes; then checks every acknowledged message is
/// stored exactly once and every reply and note the agents were told was saved is there.
public static class ClusterBench
{
    private const string Prefix = "<cluster.";
    private const string AgentPassword = "load-agent-password-1";

    public static Command Create()
    {
        var connection = new Option<string>("--connection") { Description = "PostgreSQL server to create a fresh benchmark database on", Required = true };
        var redis = new Option<string>("--redis") { Description = "Redis the nodes share (StackExchange.Redis configuration, e.g. 127.0.0.1:6379)", Required = true };
        var messages = new Option<int>("--messages") { Description = "Messages in the workspace before the load (through the pipeline)", DefaultValueFactory = _ => 20_000 };
        var requests = new Option<int>("--requests") { Description = "Timed POST /api/v1/inbound requests per configuration (after 1,000 warm-up ones)", DefaultValueFactory = _ => 20_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent inbound clients, spread over the nodes", DefaultValueFactory = _ => 32 };
        var agents = new Option<int>("--agents") { Description = "Simulated agents, spread over the nodes", DefaultValueFactory = _ => 100 };
        var rounds = new Option<int>("--agent-rounds") { Description = "Rounds (list, open, sometimes reply or note) each agent works at most", DefaultValueFactory = _ => 60 };
        var seconds = new Option<int>("--agent-seconds") { Description = "Time limit of each agent phase", DefaultValueFactory = _ => 60 };
        var think = new Option<int>("--think-ms") { Description = "An agent's pause between rounds (±50 %)", DefaultValueFactory = _ => 500 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fresh directory for the nodes' data directories (default: a new one under /tmp)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic traffic", DefaultValueFactory = _ => 20261130 };
        var keep = new Option<bool>("--keep") { Description = "Keep the database and directories afterwards" };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };
        var cmd = new Command("cluster", "Measure one Chorus node against two on PostgreSQL + Redis: inbound throughput, and inbox latency under 100 agents.")
        {
            connection, redis, messages, requests, concurrency, agents, rounds, seconds, think, dataDir, seed, keep, results,
        };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new ClusterBenchSettings(parse.GetValue(connection)!, parse.GetValue(redis)!, parse.GetValue(messages), parse.GetValue(requests),
                parse.GetValue(concurrency), parse.GetValue(agents), parse.GetValue(rounds), TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(think),
                Path.GetFullPath(parse.GetValue(dataDir) ?? Path.Combine(Path.GetTempPath(), $"chorus-bench-cluster-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
                parse.GetValue(seed), parse.GetValue(keep), parse.GetValue(results), [.. parse.UnmatchedTokens]);
            if (settings.Validate() is { } error)
            {
                Console.Error.WriteLine(error);
                return 2;
            }
            return await RunAsync(settings, ct);
        });
        return cmd;
    }

    public static async Task<int> RunAsync(ClusterBenchSettings s, CancellationToken ct)
    {
        Directory.CreateDirectory(s.DataDir);
        var database = await BenchRunner.CreatePostgresDatabaseAsync(s.Connection, ct);
        string[] Node(string name) =>
        [
            $"--Chorus:DataDirectory={Path.Combine(s.DataDir, name)}", "--Chorus:DemoWorkspace=false",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Warning",
            "--Database:Provider=Postgres", $"--ConnectionStrings:Chorus={database}", $"--Redis={s.Redis}", .. s.HostArgs,
        ];
        var report = new BenchReport();
        Console.WriteLine($"chorus bench cluster: PostgreSQL {new NpgsqlConnectionStringBuilder(database).Database}, Redis {s.Redis}; machine: {Machine.Describe()}; load {Machine.Load()}");
        try
        {
            var size = new WorkspaceSize(s.Messages, Math.Max(1, s.Messages / 10), Math.Max(1, s.Messages / 3));
            BenchWorkspace workspace;
            IReadOnlyList<(string Id, string Email, string Token)> agents;
            await using (var setup = ChorusApp.Build(Node("node-a")))
            {
                workspace = await BenchWorkspace.CreateAsync(setup.Services, ct);
                Console.WriteLine($"Workspace: {size.Messages:N0} messages, {size.People:N0} people, {size.Conversations:N0} conversations through the pipeline; {s.Agents} agents");
                await IngestPhase.RunAsync(setup.Services, new SyntheticTraffic(size, s.Seed, workspace.Channels), ct);
                agents = await HttpLoad.AddAgentsAsync(setup.Services, workspace.SupportTeamId, s.Agents, AgentPassword, ct);
            }
            NpgsqlConnection.ClearAllPools();

            var traffic = new SyntheticTraffic(size, s.Seed, workspace.Channels);
            var next = 0L;
            List<Inbox.Ingest.InboundEnvelope> Batch(int count) => [.. Enumerable.Range(0, count).Select(_ =>
            {
                var n = next++;
                return traffic.Extra(n, SyntheticTraffic.Start + SyntheticTraffic.Span + TimeSpan.FromSeconds(n)) with { ExternalId = $"{Prefix}{n}@bench.test>" };
            })];
            var acked = new List<string>();
            var posted = 0;

            Console.WriteLine("One node");
            var (a, _) = await ServerPhase.StartAsync(Node("node-a"), workspace.Token, s.Concurrency, ct);
            await using (a)
            {
                var nodes = new List<ServerPhase> { a };
                acked.AddRange(await InboundAsync(nodes, Batch(1_000), workspace.Token, s, null, ct));
                acked.AddRange(await InboundAsync(nodes, Batch(s.Requests), workspace.Token, s, report, ct));
                posted += await AgentsAsync(nodes, agents, s, report, ct);

                Console.WriteLine("Two nodes");
                var (b, _) = await ServerPhase.StartAsync(Node("node-b"), workspace.Token, s.Concurrency, ct);
                await using (b)
                {
                    nodes.Add(b);
                    acked.AddRange(await InboundAsync(nodes, Batch(1_000), workspace.Token, s, null, ct));
                    acked.AddRange(await InboundAsync(nodes, Batch(s.Requests), workspace.Token, s, report, ct));
                    posted += await AgentsAsync(nodes, agents, s, report, ct);
                    report.Add("resident memory after the load (peak), node A / node B",
                        $"{a.Memory().Rss:N0} ({a.Memory().Peak:N0}) / {b.Memory().Rss:N0} ({b.Memory().Peak:N0}) MiB");
                }
            }

            Console.WriteLine("Checking what was stored");
            await using (var check = ChorusApp.Build(Node("node-a")))
            {
                using var scope = check.Services.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
                var (missing, duplicated) = await HttpLoad.CheckStoredAsync(db, acked, Prefix, ct);
                var agentIds = agents.Select(x => x.Id).ToList();
                var posts = await db.Messages.CountAsync(m => (m.Kind == MessageKind.Reply || m.Kind == MessageKind.Note) && m.AuthorStaffId != null && agentIds.Contains(m.AuthorStaffId), ct);
                report.Add("inbound acknowledged / missing / stored twice", $"{acked.Count:N0} / {missing} / {duplicated}", "0 missing, 0 twice", missing == 0 && duplicated == 0);
                report.Add("agents' replies and notes acknowledged / stored", $"{posted:N0} / {posts:N0}", "equal", posted == posts);
            }

            if (s.Results is not null)
                await File.WriteAllTextAsync(s.Results, report.ToMarkdown($"chorus bench cluster, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}"), ct);
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (!s.Keep)
            {
                await BenchRunner.DropPostgresDatabaseAsync(s.Connection, database, ct);
                Directory.Delete(s.DataDir, recursive: true);
            }
            else Console.WriteLine($"Kept {s.DataDir} and database {new NpgsqlConnectionStringBuilder(database).Database}");
        }
    }

    /// POSTs the envelopes with <c>s.Concurrency</c> workers spread over the nodes; a warm-up when <paramref name="report"/> is null.
    private static async Task<IReadOnlyList<string>> InboundAsync(IReadOnlyList<ServerPhase> nodes, List<Inbox.Ingest.InboundEnvelope> envelopes,
        string token, ClusterBenchSettings s, BenchReport? report, CancellationToken ct)
    {
        var clients = nodes.Select(n => HttpLoad.Client(n.Address, token, connections: s.Concurrency)).ToList();
        try
        {
            var recorder = new LoadRecorder();
            if (report is not null) Console.WriteLine($"  POST /api/v1/inbound on {nodes.Count} node(s): {envelopes.Count:N0} requests, {s.Concurrency} concurrent [load {Machine.Load()}]");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var acked = await HttpLoad.PostInboundAsync(clients, envelopes, s.Concurrency, TimeSpan.FromMinutes(5), null, recorder, "inbound", ct);
            var elapsed = clock.Elapsed;
            if (report is not null)
            {
                var l = recorder.All("inbound");
                report.Add($"POST /api/v1/inbound, {s.Concurrency} concurrent, {nodes.Count} node{(nodes.Count > 1 ? "s" : "")}",
                    $"**{BenchReport.Rate(l.Count / elapsed.TotalSeconds, "requests/s")}** ({l.Count:N0} in {elapsed.TotalSeconds:N1} s, {recorder.Errors} failed); p50 {BenchReport.Ms(l.Percentile(50))}, p99 {BenchReport.Ms(l.Percentile(99))}");
                if (recorder.FirstError is not null) report.Note("First failed request: " + recorder.FirstError);
            }
            return acked;
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    /// The agents, agent i on node i mod n, each its own token and connection, for at most <c>s.AgentTime</c>.
    private static async Task<int> AgentsAsync(IReadOnlyList<ServerPhase> nodes, IReadOnlyList<(string Id, string Email, string Token)> agents,
        ClusterBenchSettings s, BenchReport report, CancellationToken ct)
    {
        Console.WriteLine($"  {agents.Count} agents on {nodes.Count} node(s), at most {s.AgentRounds} rounds or {s.AgentTime.TotalSeconds:N0} s each, {s.ThinkMs} ms between rounds [load {Machine.Load()}]");
        var recorder = new LoadRecorder();
        var clients = agents.Select((x, i) => HttpLoad.Client(nodes[i % nodes.Count].Address, x.Token, connections: 2)).ToList();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var posted = await Task.WhenAll(clients.Select((c, i) =>
                HttpLoad.RunAgentAsync(c, s.Seed + i * 7919 + nodes.Count, s.AgentRounds, s.AgentTime, s.ThinkMs, 0.2, recorder, ct)));
            var elapsed = clock.Elapsed;
            var requests = recorder.Kinds.Sum(recorder.Count);
            var where = $"{agents.Count} agents, {nodes.Count} node{(nodes.Count > 1 ? "s" : "")}";
            report.Add($"{where}: requests", $"{requests:N0} in {elapsed.TotalSeconds:N0} s ({requests / elapsed.TotalSeconds:N0}/s), {recorder.Errors} failed",
                "0 failed", recorder.Errors == 0);
            foreach (var kind in recorder.Kinds) report.Add($"{where}: {kind}", recorder.Summary(kind));
            if (recorder.FirstError is not null) report.Note($"{where}, first failed request: " + recorder.FirstError);
            return posted.Sum();
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }
}
