using System.CommandLine;
using System.Diagnostics;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Listening.Alerts;
using Chorus.Features.Listening.Mentions;
using Chorus.Features.Listening.Monitors;
using Chorus.Features.Listening.Sources;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Cli.Bench;

/// `chorus bench mentions`: mentions stored through RecordMentions (dedupe, sentiment, matching against every
/// monitor, one transaction per batch) with N active monitors, in batches the size of a source's poll, a share of
/// each batch being posts a re-poll already brought; then one spike-detector pass over every monitor.
public static class MentionsBench
{
    private static readonly string[] Brands = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "cyberdyne", "tyrell"];
    private static readonly string[] Words =
    [
        "support", "login", "refund", "release", "outage", "slow", "love", "great", "broken", "pricing", "feature", "bug", "app", "dark", "mode", "sync",
        "export", "inbox", "team", "price", "upgrade", "docs", "api", "mobile", "email", "password", "crash", "fast", "beautiful", "terrible", "thanks",
    ];

    public static Command Create()
    {
        var mentions = new Option<int>("--mentions") { Description = "Mentions to store", DefaultValueFactory = _ => 50_000 };
        var monitors = new Option<int>("--monitors") { Description = "Active monitors every mention is matched against", DefaultValueFactory = _ => 200 };
        var batch = new Option<int>("--batch") { Description = "Mentions per batch (one source poll)", DefaultValueFactory = _ => 100 };
        var repeats = new Option<double>("--repeats") { Description = "Share of each batch that are posts already stored (re-polls)", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic monitors and mentions", DefaultValueFactory = _ => 20261130 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fresh directory for the benchmark workspace (default: a new one under /tmp)" };
        var keep = new Option<bool>("--keep") { Description = "Keep the benchmark workspace afterwards (it is deleted by default)" };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };
        var cmd = new Command("mentions", "Measure mentions stored per second (dedupe, sentiment, monitor matching) with many active monitors, and a spike-detector pass.")
        {
            mentions, monitors, batch, repeats, seed, dataDir, keep, results,
        };
        cmd.TreatUnmatchedTokensAsErrors = false; // --Database:Provider=Postgres --ConnectionStrings:Chorus=… run it on PostgreSQL
        cmd.SetAction(async (parse, ct) =>
        {
            int n = parse.GetValue(mentions), m = parse.GetValue(monitors), b = parse.GetValue(batch);
            var r = parse.GetValue(repeats);
            if (n < 1 || m < 1 || b < 1 || r is < 0 or >= 1)
            {
                Console.Error.WriteLine("--mentions, --monitors and --batch must be at least 1, and --repeats in [0, 1).");
                return 2;
            }
            var dir = Path.GetFullPath(parse.GetValue(dataDir) ?? Path.Combine(Path.GetTempPath(), $"chorus-bench-mentions-{DateTime.UtcNow:yyyyMMdd-HHmmss}"));
            return await RunAsync(n, m, b, r, parse.GetValue(seed), dir, parse.GetValue(keep), parse.GetValue(results), [.. parse.UnmatchedTokens], ct);
        });
        return cmd;
    }

    private static async Task<int> RunAsync(int count, int monitorCount, int batchSize, double repeats, int seed, string dir, bool keep, string? resultsPath, string[] hostArgs, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var report = new BenchReport();
        Console.WriteLine($"chorus bench mentions: {count:N0} mentions in batches of {batchSize}, {repeats:P0} repeats, {monitorCount} active monitors (seed {seed})");
        Console.WriteLine($"  machine: {Machine.Describe()}; data: {dir}; load {Machine.Load()}");
        try
        {
            string[] args =
            [
                $"--Chorus:DataDirectory={Path.Combine(dir, "app")}", "--Chorus:DemoWorkspace=false", "--Chorus:Listening:Poll=false", "--Chorus:Listening:WatchSpikes=false",
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Warning", .. hostArgs,
            ];
            await using (var app = ChorusApp.Build(args))
            {
                await BenchWorkspace.CreateAsync(app.Services, ct);
                var random = new Random(seed);
                var sourceId = await SetUpAsync(app.Services, monitorCount, random, ct);

                var now = DateTimeOffset.UtcNow;
                var stored = new List<MentionCandidate>();
                var next = 0;
                MentionCandidate Fresh()
                {
                    var i = next++;
                    var brand = Brands[random.Next(Brands.Length)];
                    var text = string.Join(' ', Enumerable.Range(0, random.Next(8, 40)).Select(_ => random.Next(6) == 0 ? brand : Words[random.Next(Words.Length)]));
                    return new MentionCandidate("hackernews", $"b{i}", $"https://news.ycombinator.com/item?id={9_000_000 + i}", $"user{random.Next(5000)}", null, null, text,
                        random.Next(1, 500), null, "en", now - TimeSpan.FromSeconds(random.Next(0, 7 * 86400)));
                }

                // Warm-up (JIT, caches), not timed.
                await StoreAsync(app.Services, sourceId, Enumerable.Range(0, Math.Min(1000, count)).Select(_ => Fresh()).ToList(), ct);
                long added = 0, duplicates = 0, batches = 0;
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var latencies = new List<double>();
                while (added < count)
                {
                    var take = (int)Math.Min(batchSize, count - added + (long)(batchSize * repeats));
                    var repeatCount = stored.Count == 0 ? 0 : (int)(take * repeats);
                    var list = Enumerable.Range(0, take - repeatCount).Select(_ => Fresh())
                        .Concat(Enumerable.Range(0, repeatCount).Select(_ => stored[random.Next(stored.Count)])).ToList();
                    var one = Stopwatch.StartNew();
                    var result = await StoreAsync(app.Services, sourceId, list, ct);
                    latencies.Add(one.Elapsed.TotalMilliseconds);
                    added += result.Added.Count;
                    duplicates += result.Duplicates;
                    batches++;
                    stored.AddRange(list.Take(Math.Min(10, list.Count))); // a sample to repeat later
                }
                var elapsed = clock.Elapsed;
                var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                latencies.Sort();

                long matches;
                await using (var scope = app.Services.CreateAsyncScope())
                    matches = await scope.ServiceProvider.GetRequiredService<ChorusDb>().MentionMatches.LongCountAsync(ct);
                report.Add("mentions stored per second", BenchReport.Rate(added / elapsed.TotalSeconds, "mentions/s"));
                report.Add("batches (polls) per second", BenchReport.Rate(batches / elapsed.TotalSeconds, "batches/s"));
                report.Add("time to store one batch, p50 / p95", $"{BenchReport.Ms(latencies[latencies.Count / 2])} / {BenchReport.Ms(latencies[(int)(latencies.Count * 0.95)])}");
                report.Add("repeated posts recognised", $"{duplicates:N0} of {duplicates + added:N0} read");
                report.Add("monitor matches per mention", (matches / (double)Math.Max(1, added + Math.Min(1000, count))).ToString("0.00"));
                report.Add("CPU per mention", BenchReport.Ms(cpu.TotalMilliseconds / Math.Max(1, added)));

                var spikes = Stopwatch.StartNew();
                var alerts = await app.Services.GetRequiredService<WatchForSpikes>().RunOnceAsync(ct);
                report.Add($"spike-detector pass over {monitorCount} monitors (a week of 5-minute buckets each, from scratch)", BenchReport.Ms(spikes.Elapsed.TotalMilliseconds));
                report.Note($"Alerts raised on the synthetic week (mentions spread uniformly, so few are expected): {alerts.Count}.");
            }
            SqliteConnection.ClearAllPools();
            Console.WriteLine();
            Console.WriteLine(report.ToMarkdown("Results"));
            if (resultsPath is not null)
                await File.WriteAllTextAsync(resultsPath, report.ToMarkdown($"chorus bench mentions, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}"), ct);
            return 0;
        }
        finally
        {
            if (!keep) Directory.Delete(dir, recursive: true);
            else Console.WriteLine($"Workspace kept in {dir}");
        }
    }

    private static async Task<RecordMentions.Recorded> StoreAsync(IServiceProvider services, Guid sourceId, List<MentionCandidate> batch, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RecordMentions>().RunAsync(sourceId, batch, ct);
    }

    /// An admin, a webhook source for the mentions, and the monitors: brand names with words, phrases, NOT and prefixes.
    private static async Task<Guid> SetUpAsync(IServiceProvider services, int monitorCount, Random random, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var added = await sp.GetRequiredService<ManageStaff>().AddAsync(null, new NewStaff("bench-listening@chorus.test", "Bench admin", Roles.Admin, "bench-password-1", []), ct);
        var adminId = added is Outcome<StaffView>.Ok ok ? ok.Value.Id : throw new InvalidOperationException(added.Error);
        var admin = (await sp.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(adminId, ct))!;
        var source = await sp.GetRequiredService<ManageSources>().CreateAsync(admin, new SourceInput("Bench", "webhook", null, null, null, null), ct);
        var sourceId = source is Outcome<SourceWithSecret>.Ok s ? s.Value.Source.Id : throw new InvalidOperationException(source.Error);
        var manage = sp.GetRequiredService<ManageMonitors>();
        for (var i = 0; i < monitorCount; i++)
        {
            string W() => Words[random.Next(Words.Length)];
            var brand = Brands[i % Brands.Length];
            var query = (i % 4) switch
            {
                0 => $"{brand} AND ({W()} OR {W()})",
                1 => $"\"{brand} {W()}\" OR {brand}-{W()}",
                2 => $"{brand} {W()[..3]}* NOT {W()}",
                _ => $"({brand} OR {Brands[(i + 1) % Brands.Length]}) AND {W()} NOT ({W()} OR {W()})",
            };
            var created = await manage.CreateAsync(admin, new MonitorInput($"Monitor {i}", query, null, null), ct);
            if (created is not Outcome<MonitorView>.Ok) throw new InvalidOperationException($"Monitor {i} ({query}): {created.Error}");
        }
        return sourceId;
    }
}
