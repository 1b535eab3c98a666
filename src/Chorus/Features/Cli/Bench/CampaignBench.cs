using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Campaigns;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Cli.Bench;

public sealed record CampaignBenchSettings(int Posts, int Redirects, int Concurrency, string DataDir, bool Keep, string? Results, IReadOnlyList<string> HostArgs)
{
    public string? Validate()
    {
        if (Posts < 1) return "--posts must be at least 1.";
        if (Redirects < 0) return "--redirects must be 0 or more.";
        if (Concurrency < 1) return "--concurrency must be at least 1.";
        if (Directory.Exists(DataDir) && Directory.EnumerateFileSystemEntries(DataDir).Any())
            return $"The data directory {DataDir} is not empty: the benchmark needs a fresh one.";
        return null;
    }
}

/// `chorus bench campaigns` (issue 7): N posts scheduled for the same minute, spread over Mastodon,
/// Discord, Slack and the newsroom, published by the real dispatcher to receivers on loopback that
/// answer like those services (Mastodon honours Idempotency-Key); measures when the last one went out
/// and checks none went twice. Then short-link redirects (GET /l/{code}) under concurrent load.
public static class CampaignBench
{
    public static async Task<int> RunAsync(CampaignBenchSettings s, CancellationToken ct)
    {
        Directory.CreateDirectory(s.DataDir);
        var report = new BenchReport();
        Console.WriteLine($"chorus bench campaigns: {s.Posts:N0} posts in one minute, {s.Redirects:N0} short-link redirects at concurrency {s.Concurrency}");
        Console.WriteLine($"  machine: {Machine.Describe()}; data: {s.DataDir}; load {Machine.Load()}");
        try
        {
            await using var receivers = await Receivers.StartAsync(ct);
            string[] hostArgs =
            [
                $"--Chorus:DataDirectory={Path.Combine(s.DataDir, "app")}", "--Chorus:DemoWorkspace=false",
                // Reading the published statuses back (Features/Engagement) is not publishing: it would share the receivers and the CPU.
                "--Chorus:Engagement:Poll=false",
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Warning", "--urls=http://127.0.0.1:0", .. s.HostArgs,
            ];
            await using (var app = ChorusApp.Build(hostArgs))
            {
                await BenchWorkspace.CreateAsync(app.Services, ct); // migrated, bootstrapped, the usual teams and staff
                await app.StartAsync(ct);
                var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                var (campaign, actor) = await SetUpAsync(app.Services, receivers, ct);
                await PublishAsync(app.Services, actor, campaign, receivers, s, report, ct);
                if (s.Redirects > 0) await RedirectsAsync(app.Services, actor, campaign, baseUrl, s, report, ct);
                await app.StopAsync(CancellationToken.None);
            }
            SqliteConnection.ClearAllPools();
            if (s.Results is not null)
                await File.WriteAllTextAsync(s.Results, report.ToMarkdown($"chorus bench campaigns, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}"), ct);
            return 0;
        }
        finally
        {
            if (!s.Keep) Directory.Delete(s.DataDir, recursive: true);
            else Console.WriteLine($"Workspace kept in {s.DataDir}");
        }
    }

    /// Four channels pointing at the receivers and one campaign using them, set up by an admin.
    private static async Task<(Guid Campaign, StaffActor Admin)> SetUpAsync(IServiceProvider services, Receivers receivers, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<ChorusDb>();
        var marketing = await db.Teams.Where(t => t.Name == "Marketing").Select(t => t.Id).SingleAsync(ct);
        var added = await sp.GetRequiredService<ManageStaff>().AddAsync(null, new NewStaff("bench-admin@chorus.test", "Bench admin", Roles.Admin, "bench-password-1", [marketing]), ct);
        var adminId = added is Outcome<StaffView>.Ok ok ? ok.Value.Id : throw new InvalidOperationException(added.Error);
        var admin = (await sp.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(adminId, ct))!;
        var channels = sp.GetRequiredService<ManagePublishingChannels>();
        async Task<Guid> Add(PublishingChannelInput input) =>
            await channels.CreateAsync(admin, input, ct) is Outcome<PublishingChannelView>.Ok c ? c.Value.Id : throw new InvalidOperationException("Could not add " + input.Name);
        var ids = new[]
        {
            await Add(new PublishingChannelInput("Bench Mastodon", PublishingChannelKind.Mastodon, receivers.Url(""), Receivers.Token)),
            await Add(new PublishingChannelInput("Bench Discord", PublishingChannelKind.Discord, Secret: receivers.Url("discord"))),
            await Add(new PublishingChannelInput("Bench Slack", PublishingChannelKind.Slack, Secret: receivers.Url("slack"))),
            await Add(new PublishingChannelInput("Bench newsroom", PublishingChannelKind.Newsroom)),
        };
        var campaign = await sp.GetRequiredService<ManageCampaigns>().CreateAsync(admin, new CampaignInput("Bench campaign", CampaignObjective.Awareness,
            DateOnly.FromDateTime(DateTime.UtcNow), DateOnly.FromDateTime(DateTime.UtcNow.AddDays(7)), marketing, ChannelIds: ids), ct);
        return (campaign is Outcome<CampaignDetail>.Ok c ? c.Value.Id : throw new InvalidOperationException(campaign.Error), admin);
    }

    private static async Task PublishAsync(IServiceProvider services, StaffActor admin, Guid campaignId, Receivers receivers, CampaignBenchSettings s, BenchReport report, CancellationToken ct)
    {
        Console.WriteLine($"Writing and approving {s.Posts:N0} posts (untimed) [load {Machine.Load()}]");
        List<Guid> channelIds;
        using (var scope = services.CreateScope())
            channelIds = await scope.ServiceProvider.GetRequiredService<ChorusDb>().Set<CampaignChannel>().Where(c => c.CampaignId == campaignId).Select(c => c.ChannelId).ToListAsync(ct);
        channelIds.Sort();
        var posts = new List<Guid>();
        var prepare = Stopwatch.StartNew();
        for (var i = 0; i < s.Posts; i++)
        {
            using var scope = services.CreateScope();
            var manage = scope.ServiceProvider.GetRequiredService<ManagePosts>();
            // Posts spread over the channels: one on each in turn, every fourth also on a second channel.
            var on = new List<PostChannelInput> { new(channelIds[i % channelIds.Count]) };
            if (i % 4 == 0) on.Add(new(channelIds[(i + 1) % channelIds.Count]));
            var draft = await manage.CreateAsync(admin, campaignId, new PostInput($"Bench post {i}", $"Bench post number {i}: something worth saying. #bench", on), ct);
            var id = draft is Outcome<PostDetail>.Ok d ? d.Value.Id : throw new InvalidOperationException(draft.Error);
            await manage.SubmitAsync(admin, id, ct);
            if (await manage.ApproveAsync(admin, id, ct) is { Error: { } error }) throw new InvalidOperationException(error);
            posts.Add(id);
        }
        var perPost = prepare.Elapsed / s.Posts;
        // One minute for all: its start far enough ahead that scheduling them all ends before it.
        var minute = DateTimeOffset.UtcNow + perPost * s.Posts + TimeSpan.FromSeconds(10);
        minute = new DateTimeOffset(minute.Year, minute.Month, minute.Day, minute.Hour, minute.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        var at = minute.ToString("yyyy-MM-ddTHH:mm");
        foreach (var id in posts)
        {
            using var scope = services.CreateScope();
            if (await scope.ServiceProvider.GetRequiredService<ManagePosts>().ScheduleAsync(admin, id, new ScheduleInput(at, "UTC"), ct) is { Error: { } error })
                throw new InvalidOperationException(error);
        }
        int deliveries;
        using (var scope = services.CreateScope())
            deliveries = await scope.ServiceProvider.GetRequiredService<ChorusDb>().Set<PostDelivery>().CountAsync(ct);
        report.Add("posts written, reviewed, approved and scheduled (untimed)", $"{s.Posts:N0} posts, {deliveries:N0} deliveries over 4 channels, all for {minute:HH:mm} UTC");

        Console.WriteLine($"Waiting for {minute:HH:mm:ss} UTC [load {Machine.Load()}]");
        var wait = minute - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
        var clock = new CpuClock();
        clock.Start();
        var deadline = minute.AddMinutes(3);
        int published = 0, failed = 0;
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200, ct);
            using var scope = services.CreateScope();
            var states = await scope.ServiceProvider.GetRequiredService<ChorusDb>().Set<PostDelivery>().GroupBy(d => d.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
            published = states.Where(x => x.Key == PublishState.Published).Sum(x => x.Count);
            failed = states.Where(x => x.Key == PublishState.Failed).Sum(x => x.Count);
            if (published + failed >= deliveries) break;
        }
        clock.Stop();
        List<DateTimeOffset> times;
        int postsPublished;
        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            times = (await db.Set<PostDelivery>().Where(d => d.PublishedAt != null).Select(d => d.PublishedAt!.Value).ToListAsync(ct)).Order().ToList();
            postsPublished = await db.Set<Post>().CountAsync(p => p.Status == PostStatus.Published, ct);
        }
        var last = times.Count > 0 ? times[^1] - minute : TimeSpan.MaxValue;
        var lat = new Latencies("after the minute");
        lat.AddRange(times.Select(t => (t - minute).TotalMilliseconds));
        report.Add("deliveries published", $"{published:N0} of {deliveries:N0} ({failed:N0} failed); {postsPublished:N0} of {s.Posts:N0} posts published");
        report.Add("last delivery published after the minute began", $"**{last.TotalSeconds:N1} s** (median {lat.Percentile(50) / 1000:N1} s)", "< 60 s", last < TimeSpan.FromMinutes(1) && published == deliveries);
        report.Add("publishing rate", BenchReport.Rate(published / Math.Max(last.TotalSeconds, 0.001), "deliveries/s") +
            $"; Chorus CPU {clock.Cpu.TotalMilliseconds * 1000 / Math.Max(published, 1):N0} µs per delivery");
        var requests = receivers.Requests.Count;
        var duplicates = receivers.Requests.GroupBy(k => k).Count(g => g.Count() > 1);
        report.Add("requests the receivers got", $"{requests:N0} ({receivers.Requests.Distinct().Count():N0} distinct idempotency keys; Mastodon created {receivers.StatusesCreated:N0} statuses)");
        var newsroom = deliveries - requests;
        report.Add("published twice", $"**{duplicates}** (newsroom deliveries, published inside Chorus: {newsroom:N0})", "0", duplicates == 0 && requests + newsroom == deliveries);
    }

    private static async Task RedirectsAsync(IServiceProvider services, StaffActor admin, Guid campaignId, string baseUrl, CampaignBenchSettings s, BenchReport report, CancellationToken ct)
    {
        string code;
        using (var scope = services.CreateScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<ManageTrackedLinks>().CreateAsync(admin, campaignId, new TrackedLinkInput("https://shop.example.test/winter?ref=bench"), ct);
            code = created is Outcome<CreatedTrackedLink>.Ok ok ? ok.Value.Link.Code : throw new InvalidOperationException(created.Error);
        }
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = s.Concurrency, UseCookies = false })
        { BaseAddress = new Uri(baseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        async Task<Latencies> Load(int count)
        {
            var lat = new ConcurrentBag<double>();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, s.Concurrency).Select(async _ =>
            {
                while (Interlocked.Increment(ref next) < count)
                {
                    var sw = Stopwatch.StartNew();
                    using var response = await http.GetAsync($"l/{code}", ct);
                    if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"/l/{code} answered {(int)response.StatusCode}");
                    lat.Add(sw.Elapsed.TotalMilliseconds);
                }
            }));
            var result = new Latencies("redirect");
            result.AddRange(lat);
            return result;
        }
        Console.WriteLine($"Short links: {Math.Min(1000, s.Redirects):N0} warm-up, then {s.Redirects:N0} timed redirects [load {Machine.Load()}]");
        await Load(Math.Min(1000, s.Redirects));
        var clock = new CpuClock();
        clock.Start();
        var timed = await Load(s.Redirects);
        clock.Stop();
        report.Add($"short-link redirects (GET /l/{{code}} → 302, {s.Concurrency} concurrent)",
            $"**{BenchReport.Rate(s.Redirects / clock.Wall.TotalSeconds, "requests/s")}**, p50 {BenchReport.Ms(timed.Percentile(50))}, **p99 {BenchReport.Ms(timed.Percentile(99))}**, max {BenchReport.Ms(timed.Max)}; " +
            $"{clock.Cpu.TotalMilliseconds * 1000 / s.Redirects:N0} µs CPU per redirect");
        long clicks;
        await services.GetRequiredService<CountClicks>().FlushAsync(ct);
        using (var scope = services.CreateScope())
            clicks = await scope.ServiceProvider.GetRequiredService<ChorusDb>().Set<TrackedLink>().Where(l => l.Code == code).Select(l => l.Clicks).SingleAsync(ct);
        var expected = s.Redirects + Math.Min(1000, s.Redirects);
        report.Add("clicks counted", $"{clicks:N0} of {expected:N0}", $"{expected:N0}", clicks == expected);
    }

    /// Loopback receivers that answer like Mastodon (POST /api/v1/statuses, one status per
    /// Idempotency-Key) and Discord and Slack webhooks, recording the idempotency key of every POST they get.
    private sealed class Receivers : IAsyncDisposable
    {
        public const string Token = "bench-token";
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, string> _statuses = new();
        private long _next;
        public ConcurrentQueue<string> Requests { get; } = new();
        public int StatusesCreated => _statuses.Count;
        private string _base = "";

        private Receivers(WebApplication app) => _app = app;

        public string Url(string path) => _base + path;

        public static async Task<Receivers> StartAsync(CancellationToken ct)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var self = new Receivers(app);
            app.Run(async http =>
            {
                var key = http.Request.Headers["Idempotency-Key"].ToString();
                await http.Request.Body.CopyToAsync(Stream.Null);
                if (HttpMethods.IsPost(http.Request.Method)) self.Requests.Enqueue(key);
                switch (http.Request.Path.Value)
                {
                    case "/api/v1/statuses" when http.Request.Headers.Authorization == "Bearer " + Token:
                        var id = self._statuses.GetOrAdd(key, _ => Interlocked.Increment(ref self._next).ToString());
                        http.Response.ContentType = "application/json";
                        await http.Response.WriteAsync(JsonSerializer.Serialize(new { id, url = self.Url($"@bench/{id}") }));
                        break;
                    case "/discord":
                        http.Response.StatusCode = 204;
                        break;
                    case "/slack":
                        await http.Response.WriteAsync("ok");
                        break;
                    default:
                        http.Response.StatusCode = 404;
                        break;
                }
            });
            await app.StartAsync(ct);
            self._base = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";
            return self;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
