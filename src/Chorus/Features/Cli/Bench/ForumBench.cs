using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Email;
using Chorus.Features.Forum;
using Chorus.Features.Forum.Members;
using Chorus.Features.Forum.Posting;
using Chorus.Features.MemberNotifications;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Cli.Bench;

public sealed record ForumBenchSettings(int Replies, int Members, int Topics, int Writers, int Runs, int Readers, int Reads, int Seed,
    string DataDir, bool Keep, string? Results, IReadOnlyList<string> HostArgs)
{
    public string? Validate()
    {
        if (Replies < ForumLimits.PageSize) return $"--replies must be at least {ForumLimits.PageSize} (one page).";
        if (Members < 2 || Topics < 1 || Writers < 1 || Runs < 1 || Readers < 1 || Reads < 1)
            return "--members must be at least 2, and --topics, --writers, --runs, --readers and --reads at least 1.";
        if (Directory.Exists(DataDir) && Directory.EnumerateFileSystemEntries(DataDir).Any())
            return $"The data directory {DataDir} is not empty: the benchmark needs a fresh one.";
        return null;
    }
}

/// `chorus bench forum` (issue 6): the community forum on loopback. Members post through PostToForum
/// (render, sanitize, classify, screen, notify: the members who follow the topic get their e-mail queued
/// in the outbox, which does not dispatch here) to build a topic of N replies: posts/s one at a time and
/// with concurrent writers. Then the real server (Kestrel on 127.0.0.1) renders that topic's pages:
/// sequential GETs for anonymous readers, a signed-in member and a moderator (p95 against the issue's
/// 50 ms), and 200 concurrent anonymous readers (pages/s, p99). Bounded in count and time.
public static partial class ForumBench
{
    private static readonly string[] Words =
    [
        "export", "report", "dashboard", "sync", "login", "password", "invoice", "team", "inbox", "mobile", "app", "setting", "webhook", "api", "token",
        "csv", "filter", "search", "release", "update", "theme", "dark", "mode", "slow", "fast", "error", "crash", "works", "thanks", "tried", "again",
        "version", "browser", "cache", "cleared", "restart", "account", "workspace", "import", "schedule", "timezone", "calendar", "plugin", "feature",
    ];

    public static Command Create()
    {
        var replies = new Option<int>("--replies") { Description = "Replies in the long topic whose pages are measured", DefaultValueFactory = _ => 1_000 };
        var members = new Option<int>("--members") { Description = "Confirmed members who write (the long topic's followers)", DefaultValueFactory = _ => 200 };
        var topics = new Option<int>("--topics") { Description = "Other topics, for the concurrent writers", DefaultValueFactory = _ => 50 };
        var writers = new Option<int>("--writers") { Description = "Concurrent writers in the second posting run", DefaultValueFactory = _ => 8 };
        var runs = new Option<int>("--runs") { Description = "Timed sequential page renders per kind of reader", DefaultValueFactory = _ => 300 };
        var readers = new Option<int>("--readers") { Description = "Concurrent anonymous readers", DefaultValueFactory = _ => 200 };
        var reads = new Option<int>("--reads") { Description = "Timed page reads by the concurrent readers (after a warm-up)", DefaultValueFactory = _ => 20_000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic posts", DefaultValueFactory = _ => 20261130 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fresh directory for the benchmark workspace (default: a new one under /tmp)" };
        var keep = new Option<bool>("--keep") { Description = "Keep the benchmark workspace afterwards (it is deleted by default)" };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };
        var cmd = new Command("forum", "Measure the community forum: posts/s (with classification), topic-page render time on a 1,000-reply topic, and 200 concurrent readers.")
        {
            replies, members, topics, writers, runs, readers, reads, seed, dataDir, keep, results,
        };
        cmd.TreatUnmatchedTokensAsErrors = false; // --Database:Provider=Postgres --ConnectionStrings:Chorus=… run it on PostgreSQL
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new ForumBenchSettings(parse.GetValue(replies), parse.GetValue(members), parse.GetValue(topics), parse.GetValue(writers), parse.GetValue(runs),
                parse.GetValue(readers), parse.GetValue(reads), parse.GetValue(seed),
                Path.GetFullPath(parse.GetValue(dataDir) ?? Path.Combine(Path.GetTempPath(), $"chorus-bench-forum-{DateTime.UtcNow:yyyyMMdd-HHmmss}")),
                parse.GetValue(keep), parse.GetValue(results), [.. parse.UnmatchedTokens]);
            if (settings.Validate() is { } error)
            {
                Console.Error.WriteLine(error);
                return 2;
            }
            return await RunAsync(settings, ct);
        });
        return cmd;
    }

    private sealed record Writer(ForumAuthor Author, string Email);

    public static async Task<int> RunAsync(ForumBenchSettings s, CancellationToken ct)
    {
        Directory.CreateDirectory(s.DataDir);
        var report = new BenchReport();
        Console.WriteLine($"chorus bench forum: a topic of {s.Replies:N0} replies by {s.Members:N0} members, {s.Topics} other topics, {s.Readers} concurrent readers");
        Console.WriteLine($"  machine: {Machine.Describe()}; data: {s.DataDir}; load {Machine.Load()}");
        try
        {
            string[] hostArgs =
            [
                $"--Chorus:DataDirectory={Path.Combine(s.DataDir, "app")}", "--Chorus:DemoWorkspace=false", "--Chorus:Outbox:Dispatch=false", "--Chorus:Email:Poll=false",
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Warning", "--urls=http://127.0.0.1:0", .. s.HostArgs,
            ];
            await using (var app = ChorusApp.Build(hostArgs))
            {
                var workspace = await BenchWorkspace.CreateAsync(app.Services, ct); // migrated, bootstrapped, staff with their passwords
                var random = new Random(s.Seed);
                var (categoryId, writers) = await SetUpAsync(app.Services, s.Members, ct);
                var (longTopic, visible) = await PostingAsync(app.Services, s, categoryId, writers, random, report, ct);

                await app.StartAsync(ct);
                var baseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
                await RenderAsync(baseUrl, longTopic, visible, writers[0].Email, BenchWorkspace.AgentEmail, s, report, ct);
                await ReadersAsync(baseUrl, longTopic, visible, s, report, ct);
                await app.StopAsync(CancellationToken.None);
            }
            SqliteConnection.ClearAllPools();
            Console.WriteLine();
            Console.WriteLine(report.ToMarkdown("Results"));
            if (s.Results is not null)
                await File.WriteAllTextAsync(s.Results, report.ToMarkdown($"chorus bench forum, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}"), ct);
            return 0;
        }
        finally
        {
            if (!s.Keep) Directory.Delete(s.DataDir, recursive: true);
            else Console.WriteLine($"Workspace kept in {s.DataDir}");
        }
    }

    /// Members confirmed through MemberAccounts (each becomes a Person) at the Member trust level, so their
    /// posts are screened but not held for being new; a mailbox that sends their notification e-mail.
    private static async Task<(Guid Category, List<Writer> Writers)> SetUpAsync(IServiceProvider services, int count, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<ChorusDb>();
        await sp.GetRequiredService<ManageForumCategories>().EnsureDefaultsAsync(ct);
        var category = await db.ForumCategories.Where(c => c.Slug == "general").Select(c => c.Id).SingleAsync(ct);

        var channel = new Channel { Kind = ChannelKind.Email, Name = "community@bench.test", DefaultTeamId = await db.Teams.Where(t => t.Name == "Support").Select(t => t.Id).SingleAsync(ct) };
        db.Channels.Add(channel);
        db.Mailboxes.Add(new Mailbox
        {
            ChannelId = channel.Id, Address = "community@bench.test", ImapHost = "127.0.0.1", ImapUser = "community", SmtpHost = "127.0.0.1",
            ReplyTokenKeyProtected = sp.GetRequiredService<MailboxSecrets>().NewReplyTokenKey(),
        });
        await db.SaveChangesAsync(ct);

        var accounts = sp.GetRequiredService<MemberAccounts>();
        var writers = new List<Writer>();
        Console.WriteLine($"Signing up {count:N0} members (untimed) [load {Machine.Load()}]");
        for (var i = 0; i < count; i++)
        {
            var name = $"member{i:D3}";
            var member = new ForumMember { Username = name, UsernameKey = name, Email = $"{name}@members.bench.test" };
            member.PasswordHash = MemberAccounts.Hash(member, BenchPassword);
            db.ForumMembers.Add(member);
            await db.SaveChangesAsync(ct);
            if (await accounts.ConfirmAsync(accounts.ConfirmationToken(member), ct) is { Error: { } error }) throw new InvalidOperationException(error);
            member.Trust = TrustLevel.Member;
            await db.SaveChangesAsync(ct);
            writers.Add(new Writer(new ForumAuthor(member.Id, null, member.Username, member.Trust, member.PersonId), member.Email));
        }
        return (category, writers);
    }

    private const string BenchPassword = "bench-member-password-1";

    /// Posts/s through PostToForum, one writer at a time (the long topic's replies), then with concurrent writers.
    private static async Task<(Guid Topic, int VisiblePosts)> PostingAsync(IServiceProvider services, ForumBenchSettings s, Guid categoryId, List<Writer> writers, Random random, BenchReport report, CancellationToken ct)
    {
        Console.WriteLine($"Starting {s.Topics + 1} topics (untimed warm-up) [load {Machine.Load()}]");
        var longTopic = (await StartAsync(services, writers[0], categoryId, "How do you export a report to CSV every Monday?", Body(random, writers), ct)).TopicId;
        var others = new List<Guid>();
        for (var i = 0; i < s.Topics; i++)
            others.Add((await StartAsync(services, writers[(i + 1) % writers.Count], categoryId, $"Question {i}: {Sentence(random, 6)}", Body(random, writers), ct)).TopicId);

        Console.WriteLine($"Posting {s.Replies:N0} replies to the long topic, one at a time [load {Machine.Load()}]");
        var sequential = new Latencies("reply");
        var clock = new CpuClock();
        var held = 0;
        clock.Start();
        for (var i = 0; i < s.Replies; i++)
        {
            var body = Body(random, writers);
            var one = Stopwatch.StartNew();
            var receipt = await ReplyAsync(services, writers[(i * 7 + 1) % writers.Count], longTopic, body, ct);
            sequential.Add(one.Elapsed);
            if (receipt.State != PostState.Visible) held++;
        }
        clock.Stop();
        report.Add("post creation (reply through PostToForum: render, sanitize, classify, screen, store; its followers told in the background), 1 writer",
            $"**{BenchReport.Rate(s.Replies / clock.Wall.TotalSeconds, "posts/s")}**, p50 {BenchReport.Ms(sequential.Percentile(50))}, p95 {BenchReport.Ms(sequential.Percentile(95))}; " +
            $"{clock.Cpu.TotalMilliseconds / s.Replies:N1} ms CPU per post");
        await FanOutAsync(services, report, ct);
        report.Add("replies held for review by the classifier", $"{held:N0} of {s.Replies:N0}");

        var count = s.Replies;
        Console.WriteLine($"Posting {count:N0} replies to {s.Topics} other topics, {s.Writers} writers at once [load {Machine.Load()}]");
        var concurrent = new ConcurrentBag<double>();
        var bodies = Enumerable.Range(0, count).Select(_ => Body(random, writers)).ToArray();
        var next = -1;
        var failures = 0;
        clock = new CpuClock();
        clock.Start();
        await Task.WhenAll(Enumerable.Range(0, s.Writers).Select(async w =>
        {
            while (Interlocked.Increment(ref next) is var i && i < count)
            {
                var one = Stopwatch.StartNew();
                try { await ReplyAsync(services, writers[(i * 13 + w) % writers.Count], others[i % others.Count], bodies[i], ct); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (Interlocked.Increment(ref failures) == 1) Console.Error.WriteLine("  first failed post: " + e.Message);
                    continue;
                }
                concurrent.Add(one.Elapsed.TotalMilliseconds);
            }
        }));
        clock.Stop();
        var lat = new Latencies("reply");
        lat.AddRange(concurrent);
        report.Add($"post creation, {s.Writers} concurrent writers",
            $"**{BenchReport.Rate(lat.Count / clock.Wall.TotalSeconds, "posts/s")}**, p50 {BenchReport.Ms(lat.Percentile(50))}, p95 {BenchReport.Ms(lat.Percentile(95))}; " +
            $"{failures} failed; {clock.Cpu.TotalMilliseconds / Math.Max(1, lat.Count):N1} ms CPU per post");
        await FanOutAsync(services, null, ct); // untimed: the rendering below measures pages, not the fan-out
        return (longTopic, 1 + s.Replies - held);
    }

    /// The replies' follower notifications, expanded by the background fan-out (FanOutMemberNotifications, which the
    /// app runs once started) until no job is left: e-mails queued per second and CPU per e-mail.
    private static async Task FanOutAsync(IServiceProvider services, BenchReport? report, CancellationToken ct)
    {
        var fanOut = services.GetRequiredService<FanOutMemberNotifications>();
        var (emailsBefore, _) = await CountMailAsync(services, ct);
        Console.WriteLine($"Telling the followers in the background (fan-out) [load {Machine.Load()}]");
        var clock = new CpuClock();
        clock.Start();
        while (await fanOut.RunRoundAsync("bench", ct) > 0) { }
        clock.Stop();
        var (emails, notified) = await CountMailAsync(services, ct);
        var queued = emails - emailsBefore;
        report?.Add("follower e-mails written by the background fan-out (batches of 100 members per transaction)",
            $"{queued:N0} e-mails ({notified:N0} notifications; each reply tells the topic's followers) in {clock.Wall.TotalSeconds:N1} s: " +
            $"**{BenchReport.Rate(queued / clock.Wall.TotalSeconds, "e-mails/s")}**, {clock.Cpu.TotalMilliseconds / Math.Max(1, queued):N2} ms CPU per e-mail");
    }

    private static async Task<(int Emails, int Notifications)> CountMailAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        return (await db.Outbox.CountAsync(ct), await db.MemberNotifications.CountAsync(ct));
    }

    private static async Task<PostReceipt> StartAsync(IServiceProvider services, Writer writer, Guid categoryId, string title, string body, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<PostToForum>().StartTopicAsync(writer.Author, categoryId,
            new TopicInput { Title = title, Body = body, RequestId = Guid.NewGuid() }, ct);
        return outcome is Outcome<PostReceipt>.Ok ok ? ok.Value : throw new InvalidOperationException(outcome.Error);
    }

    private static async Task<PostReceipt> ReplyAsync(IServiceProvider services, Writer writer, Guid topicId, string body, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<PostToForum>().ReplyAsync(writer.Author, topicId, new ReplyInput { Body = body, RequestId = Guid.NewGuid() }, ct);
        return outcome is Outcome<PostReceipt>.Ok ok ? ok.Value : throw new InvalidOperationException(outcome.Error);
    }

    /// Sequential GETs of every page of the long topic in turn: anonymous, as a signed-in member (their likes
    /// looked up, their reading recorded) and as a moderator (staff tools on every post).
    private static async Task RenderAsync(Uri baseUrl, Guid topicId, int posts, string memberEmail, string staffEmail, ForumBenchSettings s, BenchReport report, CancellationToken ct)
    {
        var pages = (posts + ForumLimits.PageSize - 1) / ForumLimits.PageSize;
        using var anonymous = Client(baseUrl, 1);
        using var member = Client(baseUrl, 1);
        using var staff = Client(baseUrl, 1);
        await SignInAsync(member, "/forum/sign-in", memberEmail, BenchPassword, ct);
        await SignInAsync(staff, "/account/login", staffEmail, "bench-password-1", ct);
        var last = await GetAsync(anonymous, $"forum/t/{topicId}?page={pages}", ct);
        var postsOnLast = PostMarker().Count(last);
        if (postsOnLast != posts - (pages - 1) * ForumLimits.PageSize)
            throw new InvalidOperationException($"The last page shows {postsOnLast} posts: the topic is not what was posted.");

        foreach (var (who, client) in new[] { ("anonymous reader", anonymous), ("signed-in member", member), ("moderator", staff) })
        {
            Console.WriteLine($"Rendering the {posts:N0}-post topic's {pages} pages as {who}: {s.Runs} timed GETs [load {Machine.Load()}]");
            for (var i = 0; i < Math.Min(50, s.Runs); i++) await GetAsync(client, $"forum/t/{topicId}?page={i % pages + 1}", ct); // warm-up
            var lat = new Latencies(who);
            long bytes = 0;
            var cpu = new CpuClock();
            cpu.Start();
            for (var i = 0; i < s.Runs; i++)
            {
                var one = Stopwatch.StartNew();
                var html = await GetAsync(client, $"forum/t/{topicId}?page={i % pages + 1}", ct);
                lat.Add(one.Elapsed);
                bytes += html.Length;
                if (i == 0 && who == "moderator" && !html.Contains("id=\"topic-staff-tools\"", StringComparison.Ordinal)) throw new InvalidOperationException("The moderator was not signed in.");
                if (i == 0 && who == "signed-in member" && !html.Contains("id=\"forum-me\"", StringComparison.Ordinal)) throw new InvalidOperationException("The member was not signed in.");
            }
            cpu.Stop();
            var p95 = lat.Percentile(95);
            report.Add($"topic page ({ForumLimits.PageSize} posts, any of {pages} pages) server render over loopback HTTP, {who}",
                $"p50 {BenchReport.Ms(lat.Percentile(50))}, **p95 {BenchReport.Ms(p95)}**, p99 {BenchReport.Ms(lat.Percentile(99))}, max {BenchReport.Ms(lat.Max)}; {BenchReport.Ms(cpu.Cpu.TotalMilliseconds / s.Runs)} CPU and {bytes / s.Runs / 1024:N0} KiB per page",
                "p95 < 50 ms", p95 < 50);
        }
    }

    /// N anonymous readers at once, each on its own connection, reading random pages of the long topic.
    private static async Task ReadersAsync(Uri baseUrl, Guid topicId, int posts, ForumBenchSettings s, BenchReport report, CancellationToken ct)
    {
        var pages = (posts + ForumLimits.PageSize - 1) / ForumLimits.PageSize;
        using var http = Client(baseUrl, s.Readers);
        async Task<(Latencies Lat, int Failed, string? FirstError, TimeSpan Elapsed)> Load(int count, TimeSpan limit)
        {
            var samples = new ConcurrentBag<double>();
            var next = -1;
            var failed = 0;
            string? firstError = null;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(limit);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, s.Readers).Select(async reader =>
            {
                var random = new Random(s.Seed + reader);
                while (!deadline.IsCancellationRequested && Interlocked.Increment(ref next) < count)
                {
                    var one = Stopwatch.StartNew();
                    try
                    {
                        using var response = await http.GetAsync($"forum/t/{topicId}?page={random.Next(1, pages + 1)}", HttpCompletionOption.ResponseContentRead, deadline.Token);
                        if (response.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"answered {(int)response.StatusCode}");
                        samples.Add(one.Elapsed.TotalMilliseconds);
                    }
                    catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested) { break; }
                    catch (HttpRequestException e)
                    {
                        Interlocked.Increment(ref failed);
                        Interlocked.CompareExchange(ref firstError, e.Message, null);
                    }
                }
            }));
            var lat = new Latencies("read");
            lat.AddRange(samples);
            return (lat, failed, firstError, clock.Elapsed);
        }

        var warmUp = Math.Min(2_000, s.Reads);
        Console.WriteLine($"{s.Readers} concurrent readers: {warmUp:N0} warm-up reads, then {s.Reads:N0} timed (at most 3 minutes) [load {Machine.Load()}]");
        await Load(warmUp, TimeSpan.FromMinutes(1));
        var cpu = new CpuClock();
        cpu.Start();
        var (timed, failedReads, error, elapsed) = await Load(s.Reads, TimeSpan.FromMinutes(3));
        cpu.Stop();
        report.Add($"{s.Readers} concurrent anonymous readers (random pages of the long topic, loopback, client in the same process)",
            $"**{BenchReport.Rate(timed.Count / elapsed.TotalSeconds, "pages/s")}**, p50 {BenchReport.Ms(timed.Percentile(50))}, **p99 {BenchReport.Ms(timed.Percentile(99))}**, " +
            $"max {BenchReport.Ms(timed.Max)}; {timed.Count:N0} pages in {elapsed.TotalSeconds:N1} s, {failedReads} failed; {cpu.Cores:N2} cores busy");
        if (error is not null) report.Note("First failed read: " + error);
    }

    private static HttpClient Client(Uri baseUrl, int connections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections, AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer(),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<string> GetAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        var html = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET /{path} answered {(int)response.StatusCode}.");
        return html;
    }

    /// Signs in through the page's own form, like a browser without JavaScript.
    private static async Task SignInAsync(HttpClient client, string path, string email, string password, CancellationToken ct)
    {
        var page = await GetAsync(client, path.TrimStart('/'), ct);
        var fields = HiddenInput().Matches(page).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["Input.Email"] = email;
        fields["Input.Password"] = password;
        using var response = await client.PostAsync(path.TrimStart('/'), new FormUrlEncodedContent(fields), ct);
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Signing in at {path} answered {(int)response.StatusCode}.");
    }

    /// A reply as members write them: a few sentences, sometimes a list, a code span, a quote or an @mention.
    private static string Body(Random random, List<Writer> writers)
    {
        var sb = new StringBuilder();
        if (random.Next(8) == 0) sb.Append("> ").Append(Sentence(random, 12)).Append("\n\n");
        sb.Append(Sentence(random, random.Next(8, 20)));
        if (random.Next(4) == 0) sb.Append(" Try `").Append(Words[random.Next(Words.Length)]).Append("--").Append(Words[random.Next(Words.Length)]).Append('`');
        sb.Append(". ");
        if (random.Next(5) == 0) sb.Append("Thanks @").Append(writers[random.Next(writers.Count)].Author.Name).Append(" for the **tip**. ");
        if (random.Next(4) == 0) sb.Append("\n\n- ").Append(Sentence(random, 5)).Append("\n- ").Append(Sentence(random, 6)).Append('\n');
        sb.Append("\n\n").Append(Sentence(random, random.Next(10, 30))).Append('.');
        return sb.ToString();
    }

    private static string Sentence(Random random, int words)
    {
        var text = string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    [GeneratedRegex(@"<input type=""hidden"" name=""(?<name>[^""]+)"" value=""(?<value>[^""]*)""")]
    private static partial Regex HiddenInput();
    [GeneratedRegex(@"data-test=""post""")]
    private static partial Regex PostMarker();
}
