using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox;
using Chorus.Features.People;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Chorus.Features.Cli.Bench;

public sealed record MailBenchSettings(
    string ImapHost, int ImapPort, string SmtpHost, int SmtpPort, int Messages, int Replies, int Concurrency,
    string DataDir, bool Keep, string? Results, IReadOnlyList<string> HostArgs)
{
    public static bool TryEndpoint(string? value, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = value?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !int.TryParse(value![(colon + 1)..], out port) || port is < 1 or > 65535) return false;
        host = value[..colon];
        return true;
    }

    public string? Validate()
    {
        if (Messages < 1) return "--messages must be at least 1.";
        if (Replies < 0 || Replies > Messages) return "--replies must be between 0 and --messages (one reply per conversation).";
        if (Concurrency < 1) return "--concurrency must be at least 1.";
        if (Directory.Exists(DataDir) && Directory.EnumerateFileSystemEntries(DataDir).Any())
            return $"The data directory {DataDir} is not empty: the benchmark needs a fresh one.";
        return null;
    }
}

/// `chorus bench mail`: the e-mail channel end to end against real mail servers (issue 3). Fills a
/// fresh IMAP mailbox before the clock starts, then times a Chorus host (in process, with its hosted
/// services: the mailbox pollers and the outbox dispatcher) from the moment the mailbox is enabled
/// until every message is stored, and agents' replies from POST /replies until the outbox has sent
/// them through SMTP and they sit in the customers' IMAP mailboxes. Expects a server where any
/// address of the domain is a mailbox with one password (tests/mail-servers.sh).
public static class MailBench
{
    public const string Domain = "example.test";
    public const string Password = "pass";
    private const int AppendBatch = 500;
    private const int Customers = 200;

    public static async Task<int> RunAsync(MailBenchSettings s, CancellationToken ct)
    {
        Directory.CreateDirectory(s.DataDir);
        var report = new BenchReport();
        var run = $"bench{DateTime.UtcNow:HHmmss}{Random.Shared.Next(1000):000}";
        var address = $"{run}@{Domain}";
        var customers = Enumerable.Range(0, Math.Min(Customers, s.Messages)).Select(i => $"{run}-c{i}@{Domain}").ToArray();
        Console.WriteLine($"chorus bench mail: {s.Messages:N0} messages into {address} (IMAP {s.ImapHost}:{s.ImapPort}), {s.Replies:N0} replies out (SMTP {s.SmtpHost}:{s.SmtpPort})");
        Console.WriteLine($"  machine: {Machine.Describe()}; data: {s.DataDir}; load {Machine.Load()}");
        try
        {
            Console.WriteLine("Filling the mailbox (IMAP APPEND, untimed)");
            var messages = Generate(s.Messages, address, customers);
            var fill = Stopwatch.StartNew();
            var multiAppend = await FillAsync(s, address, messages, ct);
            report.Add("mailbox filled before timing (IMAP APPEND)", $"{s.Messages:N0} messages in {fill.Elapsed.TotalSeconds:N1} s " +
                $"({BenchReport.Rate(s.Messages / fill.Elapsed.TotalSeconds, "messages/s")}, {(multiAppend ? $"MULTIAPPEND, {AppendBatch} a command" : "one APPEND a message")})");

            string[] hostArgs =
            [
                $"--Chorus:DataDirectory={Path.Combine(s.DataDir, "app")}", "--Chorus:DemoWorkspace=false",
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Warning",
                // The pollers look for new or changed mailboxes every 10 s by default; a second keeps that
                // wait out of the ingest figure (it is a one-off after enabling, not a per-message cost).
                "--Chorus:Email:ReconcileSeconds=1", "--urls=http://127.0.0.1:0", .. s.HostArgs,
            ];
            await using (var app = ChorusApp.Build(hostArgs))
            {
                var workspace = await BenchWorkspace.CreateAsync(app.Services, ct);
                var channelId = await CreateMailboxAsync(app.Services, workspace, s, address, ct);
                await app.StartAsync(ct);
                var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = s.Concurrency, UseCookies = false })
                { BaseAddress = new Uri(baseUrl + "/"), Timeout = TimeSpan.FromSeconds(60) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", workspace.Token);

                await IngestAsync(app.Services, http, workspace, channelId, s, messages, report, ct);
                if (s.Replies > 0) await RepliesAsync(app.Services, http, channelId, s, report, ct);
                await app.StopAsync(CancellationToken.None);
            }
            SqliteConnection.ClearAllPools();

            if (s.Results is not null)
                await File.WriteAllTextAsync(s.Results, report.ToMarkdown($"chorus bench mail, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}"), ct);
            return 0;
        }
        finally
        {
            if (!s.Keep) Directory.Delete(s.DataDir, recursive: true);
            else Console.WriteLine($"Workspace kept in {s.DataDir}");
        }
    }

    /// Distinct, e-mail-like messages from a few hundred customers, each with its own subject (so each
    /// starts a conversation: N messages, N conversations) and Message-ID, dated a second apart.
    private static List<MimeMessage> Generate(int count, string to, string[] customers)
    {
        var channel = new TrafficChannel(Guid.Empty, "mail", null, 1);
        var traffic = new SyntheticTraffic(new WorkspaceSize(count, customers.Length, count), 20261129, [channel]);
        var at = DateTimeOffset.UtcNow.AddSeconds(-count);
        return Enumerable.Range(0, count).Select(i =>
        {
            var e = traffic.Extra(i, at.AddSeconds(i));
            var customer = i % customers.Length;
            var message = new MimeMessage
            {
                MessageId = $"mailbench.{i}.{Guid.NewGuid():N}@customer.{Domain}", Date = e.At,
                Subject = $"{e.Subject ?? "Following up on my request"} (ref {100_000 + i})",
                Body = new TextPart("plain") { Text = e.Text ?? "" },
            };
            message.From.Add(new MailboxAddress(traffic.PersonName(customer), customers[customer]));
            message.To.Add(new MailboxAddress("Support", to));
            return message;
        }).ToList();
    }

    /// IMAP APPEND in batches: MailKit sends one MULTIAPPEND command per batch where the server has it.
    private static async Task<bool> FillAsync(MailBenchSettings s, string address, List<MimeMessage> messages, CancellationToken ct)
    {
        using var client = await ConnectAsync(s, address, ct);
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite, ct);
        if (client.Inbox.Count != 0) throw new InvalidOperationException($"The mailbox {address} is not empty.");
        foreach (var batch in messages.Chunk(AppendBatch))
            await client.Inbox.AppendAsync(batch.Select(m => (IAppendRequest)new AppendRequest(m, MessageFlags.None, m.Date)).ToList(), ct);
        await client.NoOpAsync(ct); // the server's EXISTS after the last APPEND updates Count
        var stored = client.Inbox.Count;
        if (stored != messages.Count) throw new InvalidOperationException($"The mailbox holds {stored:N0} messages, not {messages.Count:N0}.");
        var multi = client.Capabilities.HasFlag(ImapCapabilities.MultiAppend);
        await client.DisconnectAsync(true, ct);
        return multi;
    }

    private static async Task<ImapClient> ConnectAsync(MailBenchSettings s, string user, CancellationToken ct)
    {
        var client = new ImapClient { Timeout = 60_000 };
        await client.ConnectAsync(s.ImapHost, s.ImapPort, SecureSocketOptions.None, ct);
        await client.AuthenticateAsync(user, Password, ct);
        return client;
    }

    /// The mailbox channel as an admin would set it up, switched off until the clock starts.
    private static async Task<Guid> CreateMailboxAsync(IServiceProvider services, BenchWorkspace workspace, MailBenchSettings s, string address, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var actor = (await scope.ServiceProvider.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(workspace.AgentId, ct))!;
        var created = await scope.ServiceProvider.GetRequiredService<ManageMailboxes>().CreateAsync(actor, new MailboxInput(
            Name: "Bench support", Address: address, DefaultTeamId: workspace.SupportTeamId, Enabled: false,
            ImapHost: s.ImapHost, ImapPort: s.ImapPort, ImapSecurity: MailSecurity.None, ImapUser: address, ImapPassword: Password,
            SmtpHost: s.SmtpHost, SmtpPort: s.SmtpPort, SmtpSecurity: MailSecurity.None, SmtpUser: ""), ct);
        return created is Common.Outcome<MailboxView>.Ok ok ? ok.Value.Id : throw new InvalidOperationException("Could not create the mailbox: " + created.Error);
    }

    private static async Task IngestAsync(IServiceProvider services, HttpClient http, BenchWorkspace workspace, Guid channelId, MailBenchSettings s,
        List<MimeMessage> messages, BenchReport report, CancellationToken ct)
    {
        Console.WriteLine($"Inbound: mailbox enabled, waiting for {s.Messages:N0} messages [load {Machine.Load()}]");
        var clock = new CpuClock();
        clock.Start();
        using (var scope = services.CreateScope())
        {
            var actor = (await scope.ServiceProvider.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(workspace.AgentId, ct))!;
            var enabled = await scope.ServiceProvider.GetRequiredService<ManageMailboxes>().UpdateAsync(actor, channelId, new MailboxInput(Enabled: true), ct);
            if (enabled is not Common.Outcome<MailboxView>.Ok) throw new InvalidOperationException("Could not enable the mailbox: " + enabled.Error);
        }
        TimeSpan? first = null;
        var stored = 0;
        var lastProgress = clock.Wall;
        var nextPrint = TimeSpan.FromSeconds(5);
        while (stored < s.Messages)
        {
            await Task.Delay(100, ct);
            var now = await CountInboundAsync(services, channelId, ct);
            if (now > stored) lastProgress = clock.Wall;
            if (now > 0 && first is null) first = clock.Wall;
            stored = now;
            if (clock.Wall >= nextPrint)
            {
                Console.WriteLine($"    {stored:N0} stored after {clock.Wall.TotalSeconds:N0} s [load {Machine.Load()}]");
                nextPrint += TimeSpan.FromSeconds(5);
            }
            if (clock.Wall - lastProgress > TimeSpan.FromSeconds(60)) break;
        }
        clock.Stop();
        var firstAt = first ?? clock.Wall;
        var rate = stored / clock.Wall.TotalSeconds;
        report.Add("e-mail ingest, end to end (mailbox enabled → last message stored)", BenchReport.Rate(rate, "messages/s") + $" ({stored:N0} of {s.Messages:N0} in {clock.Wall.TotalSeconds:N1} s)",
            "≥ 500/s", rate >= 500 && stored == s.Messages);
        report.Add("time until the first message is visible", $"{firstAt.TotalSeconds:N2} s (includes the pollers noticing the mailbox)");
        report.Add("time until the last message is visible", $"{clock.Wall.TotalSeconds:N1} s");
        report.Add("e-mail ingest after the first message", BenchReport.Rate((stored - 1) / (clock.Wall - firstAt).TotalSeconds, "messages/s"));
        report.Add("e-mail ingest, CPU cost (Chorus process)",
            $"{clock.Cpu.TotalMilliseconds * 1000 / Math.Max(1, stored):N0} µs CPU per message ({clock.Cores:N2} cores busy)");

        // Exactly the messages appended, each once; and the newest is on the first page of the inbox API.
        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            var inbound = db.Messages.Where(m => m.ChannelId == channelId && m.Kind == MessageKind.Inbound);
            var ids = await inbound.Select(m => m.ExternalId).Distinct().CountAsync(ct);
            var conversations = await db.Conversations.CountAsync(c => c.ChannelId == channelId, ct);
            var rejected = await db.InboundEmailRejections.CountAsync(r => r.ChannelId == channelId, ct);
            var expected = messages.Select(m => m.MessageId).ToHashSet();
            var known = (await inbound.Select(m => m.ExternalId!).ToListAsync(ct)).Count(x => expected.Contains(x.Trim('<', '>')));
            var newest = await db.Conversations.Where(c => c.ChannelId == channelId).OrderByDescending(c => c.Number).Select(c => c.Number).FirstOrDefaultAsync(ct);
            var page = await http.GetFromJsonAsync<InboxPage>($"api/v1/conversations?view=All&channel={channelId}&pageSize=50", Json, ct);
            var visible = page!.Items.Any(c => c.Number == newest);
            var ok = stored == s.Messages && ids == s.Messages && known == s.Messages && conversations == s.Messages && rejected == 0 && visible;
            report.Note($"Inbound check: {stored:N0} messages stored, {ids:N0} distinct Message-IDs, {known:N0} of them the appended ones, " +
                        $"{conversations:N0} conversations, {rejected} not filed; newest conversation #{newest} {(visible ? "on" : "NOT on")} the inbox API's first page: {(ok ? "ok" : "MISMATCH")}");
            if (!ok) throw new InvalidOperationException("The mailbox was not ingested exactly once.");
        }
    }

    private static async Task<int> CountInboundAsync(IServiceProvider services, Guid channelId, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ChorusDb>().Messages.CountAsync(m => m.ChannelId == channelId && m.Kind == MessageKind.Inbound, ct);
    }

    private static async Task RepliesAsync(IServiceProvider services, HttpClient http, Guid channelId, MailBenchSettings s, BenchReport report, CancellationToken ct)
    {
        List<(long Number, string To)> targets;
        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            targets = (await (from c in db.Conversations
                              where c.ChannelId == channelId
                              orderby c.Number
                              select new { c.Number, To = db.Identities.Where(i => i.PersonId == c.RequesterId && i.Kind == IdentityKind.Email).Select(i => i.Handle).First() })
                .Take(s.Replies).ToListAsync(ct)).Select(x => (x.Number, x.To)).ToList();
        }
        var expected = targets.GroupBy(t => t.To).ToDictionary(g => g.Key, g => g.Count());
        var before = new Dictionary<string, int>();
        foreach (var to in expected.Keys) before[to] = await InboxCountAsync(s, to, ct);

        Console.WriteLine($"Outbound: {targets.Count:N0} replies via POST /api/v1/conversations/{{n}}/replies, {s.Concurrency} concurrent [load {Machine.Load()}]");
        var clock = new CpuClock();
        clock.Start();
        var next = -1;
        var failed = 0;
        string? firstError = null;
        await Task.WhenAll(Enumerable.Range(0, s.Concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < targets.Count)
            {
                using var response = await http.PostAsJsonAsync($"api/v1/conversations/{targets[i].Number}/replies",
                    new { text = $"Hello,\n\nthanks for writing in about this. We have looked into it and applied a fix on our side; please try again and tell us if anything is still wrong.\n\nBest regards,\nthe support team (reply {i})" }, ct);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}", null);
                }
            }
        }, ct)));
        var posted = clock.Wall;
        report.Add($"replies posted (POST …/replies, {s.Concurrency} concurrent)", BenchReport.Rate(targets.Count / posted.TotalSeconds, "replies/s") + $" ({targets.Count:N0} in {posted.TotalSeconds:N1} s, {failed} failed)");
        if (firstError is not null) report.Note("First failed reply: " + firstError);

        // Sent: the SMTP server accepted DATA (the outbox's proof of sending).
        var sent = 0;
        var lastProgress = clock.Wall;
        while (sent < targets.Count - failed && clock.Wall - lastProgress < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100, ct);
            using var scope = services.CreateScope();
            var now = await scope.ServiceProvider.GetRequiredService<ChorusDb>().Outbox.CountAsync(o => o.ChannelId == channelId && o.Status == DeliveryStatus.Sent, ct);
            if (now > sent) lastProgress = clock.Wall;
            sent = now;
        }
        clock.Stop();
        var sentAt = clock.Wall;
        report.Add("replies sent through SMTP (first POST → outbox all Sent)", BenchReport.Rate(sent / sentAt.TotalSeconds, "replies/s") + $" ({sent:N0} of {targets.Count:N0} in {sentAt.TotalSeconds:N1} s)");
        report.Add("outbound, CPU cost (Chorus process)", $"{clock.Cpu.TotalMilliseconds * 1000 / Math.Max(1, sent):N0} µs CPU per reply ({clock.Cores:N2} cores busy)");

        // Delivered: Postfix handed them over LMTP and Dovecot shows them in each customer's INBOX.
        var delivery = Stopwatch.StartNew();
        var waiting = new Dictionary<string, int>(expected);
        var arrived = 0;
        while (waiting.Count > 0 && delivery.Elapsed < TimeSpan.FromMinutes(2))
        {
            foreach (var (to, count) in waiting.ToList())
            {
                if (await InboxCountAsync(s, to, ct) - before[to] < count) continue;
                waiting.Remove(to);
                arrived += count;
            }
            if (waiting.Count > 0) await Task.Delay(500, ct);
        }
        var total = sentAt + delivery.Elapsed;
        report.Add("replies in the customers' IMAP mailboxes (first POST → last delivered)",
            BenchReport.Rate(arrived / total.TotalSeconds, "replies/s") + $" ({arrived:N0} of {targets.Count:N0} in {expected.Count} mailboxes after {total.TotalSeconds:N1} s)");
        if (arrived != targets.Count) report.Note($"Outbound check: {targets.Count - arrived:N0} replies did not arrive within 2 minutes of being sent.");
    }

    private static async Task<int> InboxCountAsync(MailBenchSettings s, string user, CancellationToken ct)
    {
        using var client = await ConnectAsync(s, user, ct);
        await client.Inbox.StatusAsync(StatusItems.Count, ct);
        var count = client.Inbox.Count;
        await client.DisconnectAsync(true, ct);
        return count;
    }

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
