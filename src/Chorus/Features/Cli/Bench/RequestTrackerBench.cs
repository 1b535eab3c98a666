using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chorus.Features.Inbox.Ingest;
using Npgsql;

namespace Chorus.Features.Cli.Bench;

public sealed record RequestTrackerBenchSettings(
    Uri Rt, string RtToken, string RtQueue, string? RtIndexCommand, string Connection, int Tickets, int Concurrency, int Searches, string DataDir, int Seed, string? Results,
    IReadOnlyList<string> HostArgs)
{
    public string? Validate() =>
        Tickets < 1 || Concurrency < 1 || Searches < 1 ? "--tickets, --concurrency and --searches must be at least 1."
        : Directory.Exists(DataDir) && Directory.EnumerateFileSystemEntries(DataDir).Any() ? $"The data directory {DataDir} is not empty: the benchmark needs a fresh one."
        : null;
}

/// `chorus bench rt` (issue 8): the same tickets created, at the same concurrency and in the same run, through
/// Request Tracker's REST 2.0 API (`POST /REST/2.0/ticket`) and Chorus's (`POST /api/v1/inbound`, a new
/// conversation each), both on fresh PostgreSQL databases on the same server; then the same word searched in
/// both (RT: TicketSQL on Subject and on Content; Chorus: the inbox search over subject and text).
/// bench/rt.sh installs, configures and starts RT and makes the token.
public static class RequestTrackerBench
{
    public static Command Create()
    {
        var rt = new Option<string>("--rt") { Description = "Request Tracker's base URL, e.g. http://127.0.0.1:8080", Required = true };
        var token = new Option<string>("--rt-token") { Description = "An RT auth token (sent as 'Authorization: token …')", Required = true };
        var queue = new Option<string>("--rt-queue") { Description = "The RT queue tickets are created in", DefaultValueFactory = _ => "General" };
        var index = new Option<string?>("--rt-index-command") { Description = "Shell command that brings RT's full-text index up to date (rt-fulltext-indexer, run from cron in production), run and timed before the searches" };
        var connection = new Option<string>("--connection") { Description = "PostgreSQL server to create Chorus's fresh database on", Required = true };
        var tickets = new Option<int>("--tickets") { Description = "Tickets created in each system (after 100 warm-up ones)", DefaultValueFactory = _ => 2_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent clients creating tickets", DefaultValueFactory = _ => 8 };
        var searches = new Option<int>("--searches") { Description = "Timed searches per query and system (one client)", DefaultValueFactory = _ => 100 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fresh directory for Chorus's data directory (default: a new one under /tmp)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic tickets", DefaultValueFactory = _ => 20261130 };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };
        var cmd = new Command("rt", "Compare ticket creation and search with Request Tracker's REST 2.0 API (bench/rt.sh sets RT up).")
        {
            rt, token, queue, index, connection, tickets, concurrency, searches, dataDir, seed, results,
        };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(async (parse, ct) =>
        {
            if (!Uri.TryCreate(parse.GetValue(rt), UriKind.Absolute, out var rtUri))
            {
                Console.Error.WriteLine("--rt must be an absolute URL.");
                return 2;
            }
            var settings = new RequestTrackerBenchSettings(rtUri, parse.GetValue(token)!, parse.GetValue(queue)!, parse.GetValue(index), parse.GetValue(connection)!, parse.GetValue(tickets),
                parse.GetValue(concurrency), parse.GetValue(searches),
                Path.GetFullPath(parse.GetValue(dataDir) ?? Path.Combine(Path.GetTempPath(), $"chorus-bench-rt-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
                parse.GetValue(seed), parse.GetValue(results), [.. parse.UnmatchedTokens]);
            if (settings.Validate() is { } error)
            {
                Console.Error.WriteLine(error);
                return 2;
            }
            return await RunAsync(settings, ct);
        });
        return cmd;
    }

    private static readonly string[] Words = ["refund", "invoice", "password"];

    public static async Task<int> RunAsync(RequestTrackerBenchSettings s, CancellationToken ct)
    {
        Directory.CreateDirectory(s.DataDir);
        var database = await BenchRunner.CreatePostgresDatabaseAsync(s.Connection, ct);
        string[] hostArgs =
        [
            $"--Chorus:DataDirectory={Path.Combine(s.DataDir, "app")}", "--Chorus:DemoWorkspace=false",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Warning",
            "--Database:Provider=Postgres", $"--ConnectionStrings:Chorus={database}", .. s.HostArgs,
        ];
        var report = new BenchReport();
        Console.WriteLine($"chorus bench rt: {s.Tickets:N0} tickets at {s.Concurrency} concurrent into Request Tracker ({s.Rt}) and Chorus; machine: {Machine.Describe()}; load {Machine.Load()}");
        try
        {
            BenchWorkspace workspace;
            await using (var setup = ChorusApp.Build(hostArgs))
                workspace = await BenchWorkspace.CreateAsync(setup.Services, ct);
            NpgsqlConnection.ClearAllPools();

            // New tickets only: one envelope per customer question, its subject and text from the synthetic traffic.
            var traffic = new SyntheticTraffic(new WorkspaceSize(30_000, 3_000, 10_000), s.Seed, workspace.Channels);
            var tickets = Enumerable.Range(0, (s.Tickets + 100) * 3 / 2 + 3).Select(n => traffic.Extra(n, DateTimeOffset.UtcNow))
                .Where(e => e.ExternalThreadId is null).Take(s.Tickets + 100).ToList();

            using var rt = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = s.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
                { BaseAddress = s.Rt, Timeout = TimeSpan.FromSeconds(120) };
            rt.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", s.RtToken);
            var (server, _) = await ServerPhase.StartAsync(hostArgs, workspace.Token, s.Concurrency, ct);
            await using (server)
            {
                using var chorus = HttpLoad.Client(server.Address, workspace.Token, connections: s.Concurrency);
                Func<HttpRequestMessage> RtTicket(InboundEnvelope e) => HttpLoad.Post("REST/2.0/ticket", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
                {
                    ["Queue"] = s.RtQueue, ["Subject"] = e.Subject!, ["Requestor"] = e.Author.Handle, ["Content"] = e.Text!, ["ContentType"] = "text/plain",
                }));
                Func<HttpRequestMessage> ChorusTicket(InboundEnvelope e) =>
                    HttpLoad.Post("api/v1/inbound", HttpLoad.InboundBody(e with { ChannelId = workspace.Channels.Single(c => c.Name == "API").Id }));

                var rtRate = await CreateAsync("Request Tracker", rt, tickets, RtTicket, s, report, ct);
                var chorusRate = await CreateAsync("Chorus", chorus, tickets, ChorusTicket, s, report, ct);
                report.Add("ticket creation, Chorus / Request Tracker", $"**{chorusRate / rtRate:N1}×**");
                if (s.RtIndexCommand is not null) await IndexRtAsync(s.RtIndexCommand, report, ct);

                foreach (var word in Words)
                {
                    var rtSubject = await SearchAsync(rt, $"REST/2.0/tickets?per_page=50&query={Uri.EscapeDataString($"Subject LIKE '{word}'")}", s.Searches, ct);
                    var rtContent = await SearchAsync(rt, $"REST/2.0/tickets?per_page=50&query={Uri.EscapeDataString($"Content LIKE '{word}'")}", s.Searches, ct);
                    var ours = await SearchAsync(chorus, $"api/v1/conversations?q={word}", s.Searches, ct);
                    report.Add($"search '{word}', Request Tracker (Subject LIKE)", Percentiles(rtSubject));
                    report.Add($"search '{word}', Request Tracker (Content LIKE)", Percentiles(rtContent));
                    report.Add($"search '{word}', Chorus (subject and text)", Percentiles(ours));
                    report.Add($"search '{word}', p50 ratio RT Subject / Chorus, RT Content / Chorus",
                        $"{rtSubject.Percentile(50) / ours.Percentile(50):N1}×, **{rtContent.Percentile(50) / ours.Percentile(50):N1}×**");
                }
                report.Add("resident memory of Chorus after the run", $"{server.Memory().Rss:N0} MiB");
            }
            if (s.Results is not null)
                await File.WriteAllTextAsync(s.Results, report.ToMarkdown($"chorus bench rt, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}"), ct);
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await BenchRunner.DropPostgresDatabaseAsync(s.Connection, database, ct);
            Directory.Delete(s.DataDir, recursive: true);
        }
    }

    private static async Task<double> CreateAsync(string system, HttpClient http, IReadOnlyList<InboundEnvelope> tickets, Func<InboundEnvelope, Func<HttpRequestMessage>> request,
        RequestTrackerBenchSettings s, BenchReport report, CancellationToken ct)
    {
        var warm = new LoadRecorder();
        await RunAsync(tickets.Take(100).ToList(), warm);
        Console.WriteLine($"  {system}: {s.Tickets:N0} tickets, {s.Concurrency} concurrent [load {Machine.Load()}]");
        var recorder = new LoadRecorder();
        var clock = Stopwatch.StartNew();
        await RunAsync(tickets.Skip(100).ToList(), recorder);
        var elapsed = clock.Elapsed;
        var l = recorder.All("create");
        var rate = l.Count / elapsed.TotalSeconds;
        report.Add($"ticket creation, {system}", $"**{rate:N1} tickets/s** ({l.Count:N0} in {elapsed.TotalSeconds:N1} s, {recorder.Errors + warm.Errors} failed); p50 {BenchReport.Ms(l.Percentile(50))}, p99 {BenchReport.Ms(l.Percentile(99))}");
        if ((recorder.FirstError ?? warm.FirstError) is { } error) report.Note($"{system}, first failed request: {error}");
        return rate;

        Task RunAsync(List<InboundEnvelope> batch, LoadRecorder into)
        {
            var next = -1;
            return Task.WhenAll(Enumerable.Range(0, s.Concurrency).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < batch.Count)
                    await into.SendAsync(http, request(batch[i]), "create", ct, HttpStatusCode.Created, HttpStatusCode.OK);
            }, ct)));
        }
    }

    /// RT indexes ticket text for full-text search in a separate job; Chorus's search finds a message the moment it is stored.
    private static async Task IndexRtAsync(string command, BenchReport report, CancellationToken ct)
    {
        Console.WriteLine($"  Request Tracker full-text indexer: {command}");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not start the RT indexer.");
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"The RT indexer exited with {process.ExitCode}.");
        report.Add("Request Tracker full-text index catch-up after creation (rt-fulltext-indexer)", $"{clock.Elapsed.TotalSeconds:N1} s");
    }

    private static async Task<Latencies> SearchAsync(HttpClient http, string url, int runs, CancellationToken ct)
    {
        var latencies = new Latencies(url);
        for (var i = -3; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(url, ct);
            await response.Content.LoadIntoBufferAsync(ct);
            clock.Stop();
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            if (i >= 0) latencies.Add(clock.Elapsed);
        }
        return latencies;
    }

    private static string Percentiles(Latencies l) =>
        $"p50 {BenchReport.Ms(l.Percentile(50))}, p95 {BenchReport.Ms(l.Percentile(95))} ({l.Count} runs)";
}
