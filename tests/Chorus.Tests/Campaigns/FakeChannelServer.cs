using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chorus.Tests.Campaigns;

/// A file part of a multipart request, byte for byte.
public sealed record ReceivedFile(string Field, string FileName, string ContentType, byte[] Content);

/// One request a fake channel received, as it arrived. A multipart/form-data request's parts are in
/// Parts (text fields, in order) and Files.
public sealed record ReceivedRequest(string Method, string Path, string? Authorization, string? IdempotencyKey, string ContentType, string Body,
    (string Name, string Value)[]? Parts = null, ReceivedFile[]? Files = null)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// The fields of a form body (application/x-www-form-urlencoded), in order.
    public (string Name, string Value)[] Fields => Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2)).Select(p => (Decode(p[0]), p.Length > 1 ? Decode(p[1]) : "")).ToArray();

    public string? Field(string name) => Fields.Where(f => f.Name == name).Select(f => f.Value).FirstOrDefault();

    private static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
}

/// A server on 127.0.0.1 that answers like the Mastodon API (POST /api/v1/statuses, honouring
/// Idempotency-Key as Mastodon does) and like Discord and Slack incoming webhooks, recording every
/// request exactly. Each path can be told to fail its next requests (down, refusing).
public sealed class FakeChannelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _byKey = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Status, string Body, IReadOnlyDictionary<string, string>? Headers)>> _failures = new();
    private long _nextStatusId = 100;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();
    /// Statuses Mastodon created: a repeated idempotency key creates none.
    public ConcurrentBag<string> StatusesCreated { get; } = [];
    public const string Token = "mastodon-token-4f9a";
    public Uri Address { get; }

    private FakeChannelServer(WebApplication app, Uri address) { _app = app; Address = address; }

    public string Url(string path) => new Uri(Address, path).ToString();

    /// The next <paramref name="times"/> requests to <paramref name="path"/> get this answer.
    public void FailNext(string path, int times, int status, string body = "", IReadOnlyDictionary<string, string>? headers = null)
    {
        var queue = _failures.GetOrAdd(path, _ => new());
        for (var i = 0; i < times; i++) queue.Enqueue((status, body, headers));
    }

    /// Answers for other paths (GET a status, its context), as JSON; null answers 404.
    public Func<ReceivedRequest, string?>? Read { get; set; }

    public ReceivedRequest[] On(string path) => Requests.Where(r => r.Path == path).ToArray();

    public static async Task<FakeChannelServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeChannelServer? self = null;
        app.Run(async http =>
        {
            var body = "";
            (string, string)[]? parts = null;
            ReceivedFile[]? files = null;
            if (http.Request.HasFormContentType && http.Request.ContentType!.StartsWith("multipart/"))
            {
                var form = await http.Request.ReadFormAsync();
                parts = form.SelectMany(f => f.Value.Select(v => (f.Key, v ?? ""))).ToArray();
                files = await Task.WhenAll(form.Files.Select(async f =>
                {
                    using var bytes = new MemoryStream();
                    await f.CopyToAsync(bytes);
                    return new ReceivedFile(f.Name, f.FileName, f.ContentType, bytes.ToArray());
                }));
            }
            else body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            var request = new ReceivedRequest(http.Request.Method, http.Request.Path, http.Request.Headers.Authorization.FirstOrDefault(),
                http.Request.Headers["Idempotency-Key"].FirstOrDefault(), http.Request.ContentType ?? "", body, parts, files);
            self!.Requests.Enqueue(request);
            if (self._failures.TryGetValue(request.Path, out var failures) && failures.TryDequeue(out var failure))
            {
                http.Response.StatusCode = failure.Status;
                foreach (var (name, value) in failure.Headers ?? new Dictionary<string, string>()) http.Response.Headers[name] = value;
                await http.Response.WriteAsync(failure.Body);
                return;
            }
            var (status, answer) = request.Path switch
            {
                "/api/v1/statuses" => self.Mastodon(request),
                "/api/v2/media" => self.UploadMedia(request),
                var path when path!.StartsWith("/api/v1/media/") && request.Method == "GET" => self.ReadMedia(path["/api/v1/media/".Length..]),
                "/discord" => (204, ""),
                "/slack" => (200, "ok"),
                _ when request.Method == "GET" && self.Read?.Invoke(request) is { } json => (200, json),
                _ => (404, "no such webhook"),
            };
            http.Response.StatusCode = status;
            if (answer.Length > 0)
            {
                http.Response.ContentType = answer.StartsWith('{') ? "application/json" : "text/plain";
                await http.Response.WriteAsync(answer);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new FakeChannelServer(app, new Uri(address.TrimEnd('/') + "/"));
        return self;
    }

    /// How many times GET /api/v1/media/{id} says "still processing" (206) before the media is ready; 0 (the
    /// default) makes an upload answer 200 with its url at once, anything more answers the upload 202 without one.
    public int MediaProcessingPolls { get; set; }
    private readonly ConcurrentDictionary<string, int> _processing = new();
    private long _nextMediaId = 900;
    /// Media ids Mastodon gave out, in order.
    public ConcurrentQueue<string> MediaCreated { get; } = new();

    private (int, string) UploadMedia(ReceivedRequest r)
    {
        if (r.Authorization != "Bearer " + Token) return (401, """{"error":"The access token is invalid"}""");
        if (r.Files is not [{ Field: "file" } file] || !file.ContentType.StartsWith("image/")) return (422, """{"error":"Validation failed: File content type is invalid"}""");
        var id = Interlocked.Increment(ref _nextMediaId).ToString();
        MediaCreated.Enqueue(id);
        var description = r.Parts?.Where(p => p.Name == "description").Select(p => p.Value).FirstOrDefault();
        if (MediaProcessingPolls == 0) return (200, MediaJson(id, description, ready: true));
        _processing[id] = MediaProcessingPolls;
        return (202, MediaJson(id, description, ready: false));
    }

    private (int, string) ReadMedia(string id)
    {
        if (!MediaCreated.Contains(id)) return (404, """{"error":"Record not found"}""");
        var left = _processing.AddOrUpdate(id, 0, (_, n) => Math.Max(0, n - 1));
        return left > 0 ? (206, MediaJson(id, null, ready: false)) : (200, MediaJson(id, null, ready: true));
    }

    private string MediaJson(string id, string? description, bool ready) =>
        JsonSerializer.Serialize(new { id, type = "image", url = ready ? Url($"media/{id}.png") : null, description });

    private (int, string) Mastodon(ReceivedRequest r)
    {
        if (r.Authorization != "Bearer " + Token) return (401, """{"error":"The access token is invalid"}""");
        // Mastodon takes the status as a form or as JSON.
        var text = (r.ContentType.StartsWith("application/json") ? r.Json.GetProperty("status").GetString() : r.Field("status")) ?? "";
        if (text.Length > 500) return (422, """{"error":"Validation failed: Text character limit of 500 exceeded"}""");
        if (r.IdempotencyKey is { } key)
            return _byKey.GetOrAdd(key, _ => Create(text));
        return Create(text);
    }

    private (int, string) Create(string text)
    {
        var id = Interlocked.Increment(ref _nextStatusId).ToString();
        StatusesCreated.Add(id);
        return (200, JsonSerializer.Serialize(new { id, url = Url($"@chorus/{id}"), content = $"<p>{WebUtility.HtmlEncode(text)}</p>", visibility = "public" }));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
