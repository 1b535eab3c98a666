using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chorus.Common;
using Chorus.Features.Admin;
using Chorus.Features.Listening.Alerts;
using Chorus.Features.Listening.Monitors;
using Chorus.Features.Listening.Sources;
using Microsoft.Data.Sqlite;

namespace Chorus.Features.Cli.Bench;

/// `chorus bench alert-latency`: how long from a burst of mentions arriving at a source to its alert being stored and
/// posted to the alert webhook. Each run gives a fresh monitor 36 hours of ordinary history, lets the detector learn it,
/// then pushes a burst through the signed webhook source (the whole source path: signature, parsing, dedupe, sentiment,
/// matching, storing), and judges the burst's bucket as it closes; the hosted outbox posts the alert to a local receiver
/// in Slack's shape. The detector runs on a clock the benchmark steps to the bucket's close, so a run does not wait out
/// the 5-minute bucket: what is measured is the work, and the waiting by design is stated beside it.
public static class AlertLatencyBench
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "Bursts to time (each on its own monitor)", DefaultValueFactory = _ => 20 };
        var burst = new Option<int>("--burst") { Description = "Mentions in each burst", DefaultValueFactory = _ => 40 };
        var monitors = new Option<int>("--monitors") { Description = "Other active monitors the detector also judges on every pass", DefaultValueFactory = _ => 50 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fresh directory for the benchmark workspace (default: a new one under /tmp)" };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };
        var cmd = new Command("alert-latency", "Measure the time from a burst of mentions arriving at a source to its alert stored and posted to the alert webhook.")
        {
            runs, burst, monitors, dataDir, results,
        };
        cmd.TreatUnmatchedTokensAsErrors = false; // --Database:Provider=Postgres --ConnectionStrings:Chorus=… run it on PostgreSQL
        cmd.SetAction(async (parse, ct) =>
        {
            int n = parse.GetValue(runs), b = parse.GetValue(burst), m = parse.GetValue(monitors);
            if (n is < 1 or > 500 || b is < 10 or > 500 || m is < 0 or > 1000)
            {
                Console.Error.WriteLine("--runs is 1 to 500, --burst 10 to 500, --monitors 0 to 1,000.");
                return 2;
            }
            var dir = Path.GetFullPath(parse.GetValue(dataDir) ?? Path.Combine(Path.GetTempPath(), $"chorus-bench-alerts-{DateTime.UtcNow:yyyyMMdd-HHmmss}"));
            return await RunAsync(n, b, m, dir, parse.GetValue(results), [.. parse.UnmatchedTokens], ct);
        });
        return cmd;
    }

    /// The detector's clock: real time, or the moment the benchmark sets.
    private sealed class SteppedClock : TimeProvider
    {
        public DateTimeOffset? At { get; set; }
        public override DateTimeOffset GetUtcNow() => At ?? base.GetUtcNow();
    }

    private static async Task<int> RunAsync(int runs, int burstSize, int otherMonitors, string dir, string? resultsPath, string[] hostArgs, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var report = new BenchReport();
        Console.WriteLine($"chorus bench alert-latency: {runs} bursts of {burstSize} mentions, {otherMonitors} other monitors");
        Console.WriteLine($"  machine: {Machine.Describe()}; data: {dir}; load {Machine.Load()}");

        // The Slack-compatible receiver: notes when each alert's call arrives.
        var received = new ConcurrentDictionary<string, long>();
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        receiverBuilder.Logging.ClearProviders();
        await using var receiver = receiverBuilder.Build();
        receiver.MapPost("/hooks/alerts", async (HttpContext http) =>
        {
            var at = Stopwatch.GetTimestamp();
            var text = JsonDocument.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync()).RootElement.GetProperty("text").GetString() ?? "";
            var monitor = text.Split('*')[1].Split(" on ").Last(); // "*Spike in mentions on bench-7*"
            received.TryAdd(monitor, at);
            return Results.Text("ok");
        });
        await receiver.StartAsync(ct);

        try
        {
            string[] args =
            [
                $"--Chorus:DataDirectory={Path.Combine(dir, "app")}", "--Chorus:DemoWorkspace=false", "--Chorus:Listening:Poll=false", "--Chorus:Listening:WatchSpikes=false",
                "--Chorus:Listening:BucketGraceMinutes=0", "--Chorus:PublicUrl=https://chorus.example/", "--urls=http://127.0.0.1:0",
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Warning", .. hostArgs,
            ];
            await using var app = ChorusApp.Build(args);
            await BenchWorkspace.CreateAsync(app.Services, ct);
            await app.StartAsync(ct); // the outbox dispatcher delivers the alert as it would in production
            var (admin, sourceId, secret) = await SetUpAsync(app.Services, receiver.Urls.First() + "/hooks/alerts", ct);
            var clock = new SteppedClock();
            var watch = ActivatorUtilities.CreateInstance<WatchForSpikes>(app.Services, clock);

            var random = new Random(20261130);
            await using (var scope = app.Services.CreateAsyncScope())
                for (var i = 0; i < otherMonitors; i++)
                    await scope.ServiceProvider.GetRequiredService<ManageMonitors>().CreateAsync(admin, new MonitorInput($"other-{i}", $"other{i} OR steady{i}", null, null), ct);

            var stored = new Latencies("alert stored");
            var posted = new Latencies("alert posted");
            var missed = 0;
            for (var run = 0; run < runs; run++)
            {
                var name = $"bench-{run}";
                var word = $"zq{run}x";
                await using (var scope = app.Services.CreateAsyncScope())
                    await scope.ServiceProvider.GetRequiredService<ManageMonitors>().CreateAsync(admin, new MonitorInput(name, word, null, null), ct);
                // The burst's bucket is the last one to have closed; the history is the 36 hours before it.
                var bucket = Listening.Mentions.ReadMentions.Floor(DateTimeOffset.UtcNow, WatchForSpikes.Bucket) - WatchForSpikes.Bucket;
                var history = new List<object>();
                for (var at = bucket - TimeSpan.FromHours(36); at < bucket; at += WatchForSpikes.Bucket)
                    for (var k = random.Next(1, 4); k > 0; k--) // steady chatter: 1 to 3 mentions every 5 minutes
                        history.Add(Mention($"h{run}-{history.Count}", $"Using {word} for our shop, it is fine", at + TimeSpan.FromSeconds(random.Next(0, 299))));
                for (var from = 0; from < history.Count; from += ReceiveMentionWebhook.MaxMentions)
                    await PushAsync(app.Services, sourceId, secret, history.Skip(from).Take(ReceiveMentionWebhook.MaxMentions).ToList(), ct);
                clock.At = bucket; // the detector learns the history, up to the burst's bucket
                await watch.RunOnceAsync(ct);

                var burst = Enumerable.Range(0, burstSize)
                    .Select(k => Mention($"b{run}-{k}", $"The {word} collector's box is wonderful, love it #{k}", bucket + TimeSpan.FromSeconds(k * 299.0 / burstSize))).ToList();
                var start = Stopwatch.GetTimestamp();
                await PushAsync(app.Services, sourceId, secret, burst, ct);
                clock.At = bucket + WatchForSpikes.Bucket; // the bucket closes
                var alerts = await watch.RunOnceAsync(ct);
                var storedAt = Stopwatch.GetTimestamp();
                if (alerts.Count == 0) { missed++; continue; }
                var storedIn = Stopwatch.GetElapsedTime(start, storedAt);
                stored.Add(storedIn);
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (!received.ContainsKey(name) && DateTime.UtcNow < deadline) await Task.Delay(5, ct);
                TimeSpan? postedIn = received.TryGetValue(name, out var postedAt) ? Stopwatch.GetElapsedTime(start, postedAt) : null;
                if (postedIn is { } p) posted.Add(p);
                Console.WriteLine($"  run {run + 1}: stored {storedIn.TotalMilliseconds:0} ms, posted {(postedIn is { } q ? $"{q.TotalMilliseconds:0} ms" : "not within 60 s")}");
            }
            await app.StopAsync(CancellationToken.None);

            string P(Latencies xs) => xs.Count == 0 ? "none" : $"{BenchReport.Ms(xs.Percentile(50))} / {BenchReport.Ms(xs.Percentile(95))}";
            report.Add($"burst arrives at the source → alert stored, p50 / p95 ({stored.Count} runs)", P(stored));
            report.Add($"burst arrives at the source → alert posted to the webhook, p50 / p95 ({posted.Count} runs)", P(posted));
            report.Add("bursts the detector missed", $"{missed} of {runs}");
            report.Note($"Each burst: {burstSize} mentions in one signed webhook call; each detector pass also judges {otherMonitors} other monitors plus the earlier runs' ones.");
            report.Note("Not included, by design: the wait for the burst's 5-minute bucket to close (0–5 min after the onset), the grace for late mentions " +
                        "(Chorus:Listening:BucketGraceMinutes, 10 min by default) and the detector's tick (Chorus:Listening:SpikeTickSeconds, 30 s).");
            SqliteConnection.ClearAllPools();
            Console.WriteLine();
            Console.WriteLine(report.ToMarkdown("Results"));
            if (resultsPath is not null)
                await File.WriteAllTextAsync(resultsPath, report.ToMarkdown($"chorus bench alert-latency, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}"), ct);
            return missed == runs ? 1 : 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static object Mention(string id, string text, DateTimeOffset at) =>
        new { id, url = $"https://example.com/posts/{id}", author = "user-" + id, text, language = "en", published_at = at.ToString("O") };

    private static async Task PushAsync(IServiceProvider services, Guid sourceId, string secret, List<object> mentions, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { sent_at = DateTimeOffset.UtcNow.ToString("O"), mentions });
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
        await using var scope = services.CreateAsyncScope();
        var (_, failure) = await scope.ServiceProvider.GetRequiredService<ReceiveMentionWebhook>().RunAsync(sourceId, body, signature, ct);
        if (failure is not null) throw new InvalidOperationException(failure.Why);
    }

    /// An admin, a signed webhook source, and the alert webhook pointing at the local receiver.
    private static async Task<(StaffActor Admin, Guid Source, string Secret)> SetUpAsync(IServiceProvider services, string hookUrl, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var added = await sp.GetRequiredService<ManageStaff>().AddAsync(null, new NewStaff("bench-alerts@chorus.test", "Bench admin", Roles.Admin, "bench-password-1", []), ct);
        var adminId = added is Outcome<StaffView>.Ok ok ? ok.Value.Id : throw new InvalidOperationException(added.Error);
        var admin = (await sp.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(adminId, ct))!;
        var source = await sp.GetRequiredService<ManageSources>().CreateAsync(admin, new SourceInput("Bench pushes", "webhook", null, null, null, null), ct);
        var created = source is Outcome<SourceWithSecret>.Ok s ? s.Value : throw new InvalidOperationException(source.Error);
        if (await sp.GetRequiredService<AlertWebhook>().ChangeAsync(admin, hookUrl, ct) is not Outcome<AlertWebhook.View>.Ok) throw new InvalidOperationException("Setting the alert webhook failed.");
        return (admin, created.Source.Id, created.Secret!);
    }
}
