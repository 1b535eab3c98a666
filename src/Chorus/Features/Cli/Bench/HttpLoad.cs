using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Api;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Cli.Bench;

/// Latencies of an HTTP load by kind of request and by minute of the run, and every failure (thread-safe).
/// A failure is any answer other than the expected status, or no answer at all.
public sealed class LoadRecorder
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<(int Minute, double Ms)>> _samples = [];
    private readonly Dictionary<string, int> _errors = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public string? FirstError { get; private set; }
    public TimeSpan Elapsed => _clock.Elapsed;

    public void Ok(string kind, double ms)
    {
        lock (_lock)
        {
            if (!_samples.TryGetValue(kind, out var list)) _samples[kind] = list = [];
            list.Add(((int)_clock.Elapsed.TotalMinutes, ms));
        }
    }

    public void Failed(string kind, string error)
    {
        lock (_lock)
        {
            _errors[kind] = _errors.GetValueOrDefault(kind) + 1;
            FirstError ??= $"{kind}: {error}";
        }
    }

    public int Errors { get { lock (_lock) return _errors.Values.Sum(); } }

    public IReadOnlyDictionary<string, int> ErrorsByKind { get { lock (_lock) return new Dictionary<string, int>(_errors); } }

    public IReadOnlyList<string> Kinds { get { lock (_lock) return [.. _samples.Keys.Order()]; } }

    public int Count(string kind) { lock (_lock) return _samples.GetValueOrDefault(kind)?.Count ?? 0; }

    public Latencies All(string kind)
    {
        var latencies = new Latencies(kind);
        lock (_lock) latencies.AddRange(_samples.GetValueOrDefault(kind)?.Select(x => x.Ms) ?? []);
        return latencies;
    }

    public IReadOnlyList<(int Minute, Latencies Latencies)> ByMinute(string kind)
    {
        lock (_lock)
            return [.. (_samples.GetValueOrDefault(kind) ?? []).GroupBy(x => x.Minute).OrderBy(g => g.Key)
                .Select(g => { var l = new Latencies(kind); l.AddRange(g.Select(x => x.Ms)); return (g.Key, l); })];
    }

    /// "p50 …, p95 …, p99 … (n requests)" for the report.
    public string Summary(string kind)
    {
        var l = All(kind);
        return $"p50 {BenchReport.Ms(l.Percentile(50))}, p95 {BenchReport.Ms(l.Percentile(95))}, **p99 {BenchReport.Ms(l.Percentile(99))}**, max {BenchReport.Ms(l.Max)} ({l.Count:N0} requests)";
    }

    /// Sends one request, reads the whole answer and records its latency under <paramref name="kind"/>;
    /// returns the body when the status is one of <paramref name="expected"/> (200 when none), else null.
    public async Task<string?> SendAsync(HttpClient http, Func<HttpRequestMessage> request, string kind, CancellationToken ct, params HttpStatusCode[] expected)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var message = request();
            using var response = await http.SendAsync(message, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (expected.Length == 0 ? response.StatusCode == HttpStatusCode.OK : expected.Contains(response.StatusCode))
            {
                Ok(kind, ms);
                return body;
            }
            Failed(kind, $"{(int)response.StatusCode} {message.Method} {message.RequestUri}: {body[..Math.Min(body.Length, 300)]}");
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Failed(kind, e.GetType().Name + ": " + e.Message);
            return null;
        }
    }
}

/// The HTTP traffic of the cluster and soak benches: inbound envelopes, agents working the inbox,
/// searches and page views, each a bounded loop (a count and a deadline) against Chorus processes on loopback.
public static partial class HttpLoad
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static HttpClient Client(Uri address, string? token, bool cookies = false, int connections = 64)
    {
        var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = cookies,
            CookieContainer = new CookieContainer(), AllowAutoRedirect = false,
        })
        { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// An envelope as the JSON body of POST /api/v1/inbound.
    public static byte[] InboundBody(InboundEnvelope e) =>
        JsonSerializer.SerializeToUtf8Bytes(new InboundRequest(e.ChannelId.ToString(), e.ExternalId, e.ExternalThreadId,
            new InboundAuthorRequest(IdentityKind.Email, e.Author.Handle, e.Author.Name), e.At, e.Subject, e.Text, e.Html), Json);

    public static Func<HttpRequestMessage> Post(string path, byte[] json) => () =>
        new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } } };

    public static Func<HttpRequestMessage> Get(string path) => () => new HttpRequestMessage(HttpMethod.Get, path);

    /// Inbound envelopes posted by <paramref name="workers"/> workers spread over the nodes (worker i on node i mod n),
    /// each waiting for its answer before the next; at most <paramref name="perSecond"/> a second in all when given.
    /// Returns the external ids Chorus acknowledged (201 or 200), the ones that must be stored exactly once.
    public static async Task<IReadOnlyList<string>> PostInboundAsync(IReadOnlyList<HttpClient> nodes, IReadOnlyList<InboundEnvelope> envelopes, int workers,
        TimeSpan limit, double? perSecond, LoadRecorder recorder, string kind, CancellationToken ct)
    {
        var acked = new string?[envelopes.Count];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var node = nodes[w % nodes.Count];
            int i;
            while ((i = Interlocked.Increment(ref next)) < envelopes.Count && clock.Elapsed < limit && !ct.IsCancellationRequested)
            {
                if (perSecond is { } rate && TimeSpan.FromSeconds(i / rate) - clock.Elapsed is { Ticks: > 0 } wait)
                {
                    if (clock.Elapsed + wait >= limit) break;
                    await Task.Delay(wait, ct);
                }
                if (await recorder.SendAsync(node, Post("api/v1/inbound", InboundBody(envelopes[i])), kind, ct, HttpStatusCode.Created, HttpStatusCode.OK) is not null)
                    acked[i] = envelopes[i].ExternalId;
            }
        }, ct)));
        return [.. acked.OfType<string>()];
    }

    private sealed record Row(long Number, ChannelKind ChannelKind);
    private sealed record Page(List<Row> Items);

    private static readonly string[] Views = ["view=All", "view=Unassigned", "view=All&status=Open", "view=Mine", "view=All&sort=LongestWaiting"];

    public static readonly string[] SearchWords = ["refund", "invoice", "password", "shipping", "subscription", "order", "login", "charge", "delivery", "account"];

    /// One agent working the inbox through the API: list a view, open a conversation from it, and now and then
    /// reply to it or add a note; <paramref name="thinkMs"/> (±50 %) between rounds. Returns the replies and notes stored.
    public static async Task<int> RunAgentAsync(HttpClient http, int seed, int rounds, TimeSpan limit, int thinkMs, double postShare,
        LoadRecorder recorder, CancellationToken ct)
    {
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        var known = new List<Row>();
        var posted = 0;
        for (var round = 0; round < rounds && clock.Elapsed < limit && !ct.IsCancellationRequested; round++)
        {
            if (thinkMs > 0) await Task.Delay(random.Next(thinkMs / 2, thinkMs * 3 / 2 + 1), ct);
            var list = await recorder.SendAsync(http, Get($"api/v1/conversations?{Views[random.Next(Views.Length)]}"), "inbox list (API)", ct);
            if (list is not null && JsonSerializer.Deserialize<Page>(list, Json)?.Items is { Count: > 0 } items)
            {
                known.Clear();
                known.AddRange(items);
            }
            if (known.Count == 0) continue;
            var (number, channel) = known[random.Next(known.Count)];
            if (await recorder.SendAsync(http, Get($"api/v1/conversations/{number}"), "open conversation (API)", ct) is null) continue;
            if (random.NextDouble() >= postShare) continue;
            // The synthetic forum conversations have no topic to answer in, so agents write notes there.
            var note = channel == ChannelKind.Forum || random.Next(2) == 0;
            var text = note
                ? $"Checked the account history for #{number}: {Sentence(random)}."
                : $"Hello, thanks for writing in. {Sentence(random)}. Let us know if anything else comes up.";
            var body = JsonSerializer.SerializeToUtf8Bytes(new { text }, Json);
            if (await recorder.SendAsync(http, Post($"api/v1/conversations/{number}/{(note ? "notes" : "replies")}", body), note ? "note" : "reply", ct,
                    HttpStatusCode.OK, HttpStatusCode.Created) is not null)
                posted++;
        }
        return posted;
    }

    /// Searches through the inbox API, one word (sometimes two) a request.
    public static async Task RunSearcherAsync(HttpClient http, int seed, TimeSpan limit, int thinkMs, LoadRecorder recorder, CancellationToken ct)
    {
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit && !ct.IsCancellationRequested)
        {
            var q = SearchWords[random.Next(SearchWords.Length)] + (random.Next(4) == 0 ? " " + SearchWords[random.Next(SearchWords.Length)] : "");
            await recorder.SendAsync(http, Get($"api/v1/conversations?q={Uri.EscapeDataString(q)}"), "search (API)", ct);
            if (thinkMs > 0) await Task.Delay(random.Next(thinkMs / 2, thinkMs * 3 / 2 + 1), ct);
        }
    }

    /// Server-rendered pages: a signed-in agent's inbox, a conversation and the people list, and the public help center
    /// and web form for a client without a session.
    public static async Task RunPageViewerAsync(HttpClient http, bool signedIn, int seed, TimeSpan limit, int thinkMs, Func<long> someConversation,
        LoadRecorder recorder, CancellationToken ct)
    {
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit && !ct.IsCancellationRequested)
        {
            var path = signedIn
                ? random.Next(3) switch { 0 => "inbox", 1 => $"conversations/{someConversation()}", _ => "people" }
                : random.Next(2) == 0 ? "help" : "contact";
            await recorder.SendAsync(http, Get(path), signedIn ? "page view, signed in" : "page view, public", ct);
            if (thinkMs > 0) await Task.Delay(random.Next(thinkMs / 2, thinkMs * 3 / 2 + 1), ct);
        }
    }

    /// Signs a cookie client in at /account/login as a browser would (antiforgery field from the form).
    public static async Task SignInAsync(HttpClient http, string email, string password, CancellationToken ct)
    {
        var page = await http.GetStringAsync("account/login", ct);
        var fields = HiddenInput().Matches(page).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["Input.Email"] = email;
        fields["Input.Password"] = password;
        using var response = await http.PostAsync("account/login", new FormUrlEncodedContent(fields), ct);
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Signing in as {email} answered {(int)response.StatusCode}.");
    }

    [GeneratedRegex(@"<input type=""hidden"" name=""(?<name>[^""]+)"" value=""(?<value>[^""]*)""")]
    private static partial Regex HiddenInput();

    private static readonly string[] Words = ["refund", "processed", "today", "invoice", "attached", "shipping", "label", "resend", "account", "password", "reset", "order", "update", "tracking"];

    private static string Sentence(Random random) =>
        string.Join(' ', Enumerable.Range(0, random.Next(6, 14)).Select(_ => Words[random.Next(Words.Length)]));

    /// Agents of the Support team with API tokens (and a password, for page views), as the agent load needs them.
    public static async Task<IReadOnlyList<(string Id, string Email, string Token)>> AddAgentsAsync(IServiceProvider services, Guid teamId, int count,
        string password, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var sp = scope.ServiceProvider;
        var staff = sp.GetRequiredService<ManageStaff>();
        var agents = new List<(string, string, string)>();
        for (var i = 0; i < count; i++)
        {
            var email = $"load-agent{i}@chorus.test";
            var added = await staff.AddAsync(null, new NewStaff(email, $"Load Agent {i}", Roles.Agent, password, [teamId]), ct);
            var id = added is Outcome<StaffView>.Ok ok ? ok.Value.Id : throw new InvalidOperationException(added.Error);
            var actor = (await sp.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(id, ct))!;
            agents.Add((id, email, (await sp.GetRequiredService<ManageApiTokens>().IssueAsync(actor, "load", ct)).Token));
        }
        return agents;
    }

    /// An API token of the first admin (bootstrap), for /metrics.
    public static async Task<string> AdminTokenAsync(IServiceProvider services, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var sp = scope.ServiceProvider;
        var admin = await sp.GetRequiredService<ChorusDb>().Users.Where(u => u.Email == BootstrapWorkspace.AdminEmail).Select(u => u.Id).SingleAsync(ct);
        var actor = (await sp.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(admin, ct))!;
        return (await sp.GetRequiredService<ManageApiTokens>().IssueAsync(actor, "bench metrics", ct)).Token;
    }

    /// Stored-once check of acknowledged inbound ids: how many are missing and how many are stored more than once.
    public static async Task<(int Missing, int Duplicated)> CheckStoredAsync(ChorusDb db, IReadOnlyCollection<string> acked, string prefix, CancellationToken ct)
    {
        var stored = await db.Messages.Where(m => m.ExternalId != null && m.ExternalId.StartsWith(prefix)).Select(m => m.ExternalId!).ToListAsync(ct);
        var counts = stored.GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        return (acked.Count(a => !counts.ContainsKey(a)), counts.Values.Count(c => c > 1));
    }
}

/// The process's memory as it runs, from outside: resident memory from /proc, and the GC's own figures
/// (heap by generation after the last collection, bytes allocated, collections) from Chorus's /metrics.
public static partial class MemorySampler
{
    public sealed record Sample(TimeSpan At, double RssMiB, double? HeapMiB, IReadOnlyDictionary<string, double> GenerationsMiB, double? AllocatedMiB,
        double? Gen2Collections, string Load);

    public static async Task<Sample> TakeAsync(int pid, HttpClient admin, TimeSpan at, CancellationToken ct)
    {
        var (rss, _) = Machine.Memory(pid);
        var metrics = "";
        try { metrics = await admin.GetStringAsync("metrics", ct); }
        catch (HttpRequestException) { }
        var generations = new Dictionary<string, double>();
        double? allocated = null, gen2 = null;
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith('#') || line.Length == 0) continue;
            var value = double.TryParse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
            if (line.StartsWith("dotnet_gc_last_collection_heap_size_bytes{", StringComparison.Ordinal) && Generation().Match(line) is { Success: true } g)
                generations[g.Groups[1].Value] = value / 1048576;
            else if (line.StartsWith("dotnet_gc_heap_total_allocated_bytes", StringComparison.Ordinal))
                allocated = value / 1048576;
            else if (line.StartsWith("dotnet_gc_collections_total{", StringComparison.Ordinal) && line.Contains("gen2", StringComparison.Ordinal))
                gen2 = value;
        }
        return new Sample(at, rss, generations.Count == 0 ? null : generations.Values.Sum(), generations, allocated, gen2, Machine.Load());
    }

    [GeneratedRegex(@"gc_heap_generation=""(\w+)""")]
    private static partial Regex Generation();

    /// The samples as a Markdown table.
    public static string Table(IReadOnlyList<Sample> samples)
    {
        var gens = samples.SelectMany(s => s.GenerationsMiB.Keys).Distinct().Order().ToList();
        var sb = new StringBuilder("| time | resident MiB | GC heap MiB | " + string.Join(" | ", gens) + " | allocated MiB | gen2 GCs | load |\n");
        sb.Append("| ---: | ---: | ---: | " + string.Concat(gens.Select(_ => "---: | ")) + "---: | ---: | ---: |\n");
        foreach (var s in samples)
            sb.Append(CultureInfo.InvariantCulture, $"| {s.At:mm\\:ss} | {s.RssMiB:N0} | {s.HeapMiB:N1} | ")
                .Append(string.Concat(gens.Select(g => s.GenerationsMiB.TryGetValue(g, out var v) ? $"{v:N1} | " : " | ")))
                .Append(CultureInfo.InvariantCulture, $"{s.AllocatedMiB:N0} | {s.Gen2Collections:N0} | {s.Load} |\n");
        return sb.ToString();
    }

    /// Resident memory (R) and GC heap (H) over time as text, one column per sample.
    public static string Chart(IReadOnlyList<Sample> samples, int height = 12)
    {
        if (samples.Count == 0) return "";
        var top = Math.Max(1, samples.Max(s => s.RssMiB));
        var sb = new StringBuilder();
        for (var row = height; row >= 1; row--)
        {
            var level = top * row / height;
            sb.Append(CultureInfo.InvariantCulture, $"{level,6:N0} MiB |");
            foreach (var s in samples)
            {
                var r = s.RssMiB >= level - top / height / 2;
                var h = s.HeapMiB is { } heap && heap >= level - top / height / 2;
                sb.Append(h ? 'H' : r ? 'R' : ' ');
            }
            sb.Append('\n');
        }
        sb.Append("           +").Append(new string('-', samples.Count)).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"            one column per {(samples.Count > 1 ? (samples[1].At - samples[0].At).TotalSeconds : 10):N0} s; R resident memory, H GC heap (below it, R as well)\n");
        return sb.ToString();
    }
}
