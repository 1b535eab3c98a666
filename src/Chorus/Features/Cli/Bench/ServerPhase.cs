using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chorus.Features.Channels.Api;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;

namespace Chorus.Features.Cli.Bench;

/// Starts Chorus as its own process on the benchmark workspace, on 127.0.0.1 with a free port, exactly as
/// `chorus` serves (migrations check, bootstrap, Kestrel), and measures it from outside: start-up to the
/// first served inbox page, resident memory, a few pages over HTTP, and POST /api/v1/inbound under load
/// from an in-process generator (HttpClient with SocketsHttpHandler; N concurrent workers, a bounded
/// number of requests, a time limit).
public sealed class ServerPhase : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;

    private ServerPhase(Process process, HttpClient http)
    {
        _process = process;
        _http = http;
    }

    public int ProcessId => _process.Id;
    public Uri Address => _http.BaseAddress!;

    public sealed record Startup(TimeSpan Listening, TimeSpan FirstInboxPage, TimeSpan FirstHtmlPage);

    public static async Task<(ServerPhase Server, Startup Startup)> StartAsync(IReadOnlyList<string> hostArgs, string token, int concurrency, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DOTNET_ENVIRONMENT"] = "Production" },
        };
        // Run the same build: the apphost, or `dotnet Chorus.dll` when this process was started that way.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(ServerPhase).Assembly.Location);
        foreach (var arg in hostArgs) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Chorus server process.");

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.IndexOf("Chorus is running at ", StringComparison.Ordinal) is >= 0 and var at)
                listening.TrySetResult(new Uri(e.Data[(at + "Chorus is running at ".Length)..].Split(',')[0].Trim()));
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("    server: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync(ct).ContinueWith(_ => listening.TrySetException(new InvalidOperationException($"The server exited with {process.ExitCode}.")), TaskScheduler.Default);

        var address = await listening.Task.WaitAsync(TimeSpan.FromMinutes(5), ct);
        var listeningAfter = clock.Elapsed;
        var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = false, AllowAutoRedirect = false,
        })
        { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var server = new ServerPhase(process, http);

        using (var first = await http.GetAsync("api/v1/conversations?view=All", ct))
            first.EnsureSuccessStatusCode();
        var firstPage = clock.Elapsed;
        using (var html = await http.GetAsync("account/login", ct))
            html.EnsureSuccessStatusCode();
        return (server, new Startup(listeningAfter, firstPage, clock.Elapsed - firstPage));
    }

    /// Sequential GETs of one URL (one client, as one staff member paging the inbox).
    public async Task<Latencies> GetAsync(string name, string url, int runs, CancellationToken ct)
    {
        var latencies = new Latencies(name);
        for (var i = -3; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await _http.GetAsync(url, ct);
            await response.Content.LoadIntoBufferAsync(ct);
            clock.Stop();
            response.EnsureSuccessStatusCode();
            if (i >= 0) latencies.Add(clock.Elapsed);
        }
        return latencies;
    }

    /// <paramref name="ServerCpu"/>: CPU time of the Chorus process during the load; <paramref name="ClientCpu"/>: of this
    /// process (the load generator), which shares the machine's cores with it.
    public sealed record Load(int Completed, int Failed, TimeSpan Elapsed, Latencies Latencies, string? FirstError, TimeSpan ServerCpu, TimeSpan ClientCpu)
    {
        public double PerSecond => Completed / Elapsed.TotalSeconds;
        public double ServerMicrosPerRequest => ServerCpu.TotalMilliseconds * 1000 / Math.Max(1, Completed);
        public double ClientMicrosPerRequest => ClientCpu.TotalMilliseconds * 1000 / Math.Max(1, Completed);
    }

    private TimeSpan ServerCpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    private static TimeSpan OwnCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// POSTs the envelopes as fast as <paramref name="concurrency"/> workers can, each waiting for its
    /// answer before sending the next; stops when all are sent or the time limit is reached.
    public async Task<Load> PostInboundAsync(IReadOnlyList<InboundEnvelope> envelopes, int concurrency, TimeSpan limit, CancellationToken ct)
    {
        var bodies = envelopes.Select(e => JsonSerializer.SerializeToUtf8Bytes(new InboundRequest(e.ChannelId.ToString(), e.ExternalId, e.ExternalThreadId,
            new InboundAuthorRequest(IdentityKind.Email, e.Author.Handle, e.Author.Name), e.At, e.Subject, e.Text, e.Html), JsonOptions)).ToArray();
        var ms = new double[bodies.Length];
        var next = -1;
        var completed = 0;
        var failed = 0;
        string? firstError = null;
        var (serverCpu, clientCpu) = (ServerCpu(), OwnCpu());
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Length && clock.Elapsed < limit)
            {
                var started = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await _http.PostAsync("api/v1/inbound", content, ct);
                await response.Content.LoadIntoBufferAsync(ct);
                ms[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Interlocked.Increment(ref completed);
                if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}", null);
                }
            }
        }, ct)).ToArray();
        await Task.WhenAll(workers);
        clock.Stop();
        (serverCpu, clientCpu) = (ServerCpu() - serverCpu, OwnCpu() - clientCpu);
        var latencies = new Latencies("POST /api/v1/inbound");
        latencies.AddRange(ms.Where(x => x > 0)); // requests not sent before the time limit have none
        return new Load(completed, failed, clock.Elapsed, latencies, firstError, serverCpu, clientCpu);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public (double Rss, double Peak) Memory() => Machine.Memory(_process.Id);

    /// Stops the server the way a service manager would (SIGTERM, then a kill after 15 s).
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await term.WaitForExitAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await _process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { _process.Kill(); }
        }
        _process.Dispose();
    }
}
