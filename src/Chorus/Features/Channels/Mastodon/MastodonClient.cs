using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Chorus.Features.Channels.Mastodon;

/// What a Mastodon instance answered to one request.
public abstract record MastodonAnswer
{
    /// 2xx with a JSON body (an empty object when the body was empty or not JSON).
    public sealed record Ok(JsonElement Body) : MastodonAnswer;
    /// 429: the instance asked us to wait until then.
    public sealed record RateLimited(DateTimeOffset Until, string Error) : MastodonAnswer;
    /// 404 or 410: what was asked for does not exist (a deleted status).
    public sealed record Gone(string Error) : MastodonAnswer;
    /// Down, slow, unreachable or 5xx (or 408): the same request may well work later.
    public sealed record Transient(string Error) : MastodonAnswer;
    /// Any other refusal (401 bad token, 422 validation): trying again will not help.
    public sealed record Refused(int Status, string Error) : MastodonAnswer;

    /// What went wrong, in words for staff (null when it went well).
    public string? Why => this switch
    {
        RateLimited r => r.Error, Gone g => g.Error, Transient t => t.Error, Refused f => f.Error, _ => null,
    };
}

/// An account Chorus acts as: the instance's base URL, its access token, and the name errors call it by (a channel's name).
public sealed record MastodonAccount(string BaseUrl, string Token, string Name);

/// A new status: its text, the status it answers (the instance's own id), and media already uploaded.
public sealed record MastodonStatusInput(string Text, string? InReplyToId = null, IReadOnlyList<string>? MediaIds = null, string Visibility = "public");

/// The one HTTP client Chorus speaks Mastodon with: campaign posts (POST /api/v1/statuses, with images from
/// POST /api/v2/media), replies from the inbox (in_reply_to_id), and reading statuses back (GET /api/v1/statuses/{id}
/// and /context, GET /api/v2/search to resolve a status of another server). Every call carries the account's bearer
/// token; a status carries an Idempotency-Key, so a repeated request publishes nothing new. Redirects are never
/// followed (a post must not be replayed at a guessed address), and each answer is classified the same way for
/// every caller: ok, rate-limited (with the instance's Retry-After or X-RateLimit-Reset), gone, transient, refused.
public sealed class MastodonClient(IHttpClientFactory clients, TimeProvider clock)
{
    public const string HttpClientName = "mastodon";
    private const int MaxAnswerBytes = 2 * 1024 * 1024;

    public static void Register(IServiceCollection services)
    {
        services.AddHttpClient(HttpClientName, c =>
            {
                c.Timeout = TimeSpan.FromSeconds(30);
                c.DefaultRequestHeaders.UserAgent.ParseAdd("Chorus (+https://github.com/chorus)");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(15) });
        services.AddSingleton<MastodonClient>();
    }

    /// POST /api/v1/statuses (form fields, as Mastodon documents them). <paramref name="handingOff"/> runs just before the
    /// request leaves, so a crash while the instance takes it is known (the outbox's "may have been delivered").
    public Task<MastodonAnswer> PostStatusAsync(MastodonAccount account, MastodonStatusInput status, string idempotencyKey,
        Func<Task>? handingOff = null, CancellationToken ct = default)
    {
        var fields = new List<KeyValuePair<string, string>> { new("status", status.Text), new("visibility", status.Visibility) };
        if (status.InReplyToId is { } to) fields.Add(new("in_reply_to_id", to));
        foreach (var id in status.MediaIds ?? []) fields.Add(new("media_ids[]", id));
        var request = new HttpRequestMessage(HttpMethod.Post, Url(account, "/api/v1/statuses")) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return SendAsync(account, request, handingOff, ct);
    }

    /// POST /api/v2/media: one image with its alt text (Mastodon's "description"). The instance answers 200 with a
    /// url when it is ready, or 202 with a null url while it processes it (then GET /api/v1/media/{id} until it has one).
    public Task<MastodonAnswer> UploadMediaAsync(MastodonAccount account, Stream file, string fileName, string contentType, string? description,
        CancellationToken ct = default)
    {
        var form = new MultipartFormDataContent();
        var part = new StreamContent(file);
        part.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        form.Add(part, "file", fileName);
        if (!string.IsNullOrWhiteSpace(description)) form.Add(new StringContent(description), "description");
        return SendAsync(account, new HttpRequestMessage(HttpMethod.Post, Url(account, "/api/v2/media")) { Content = form }, null, ct);
    }

    /// GET a path of the API (a status, its context, a search).
    public Task<MastodonAnswer> GetAsync(MastodonAccount account, string pathAndQuery, CancellationToken ct = default) =>
        SendAsync(account, new HttpRequestMessage(HttpMethod.Get, Url(account, pathAndQuery)), null, ct);

    /// The instance's own id of a status known by its URI (of any server), via GET /api/v2/search?resolve=true; null when not found.
    public async Task<(string? Id, MastodonAnswer Answer)> ResolveStatusAsync(MastodonAccount account, string uri, CancellationToken ct = default)
    {
        if (LocalStatusId(account.BaseUrl, uri) is { } local) return (local, new MastodonAnswer.Ok(default));
        var answer = await GetAsync(account, $"/api/v2/search?q={Uri.EscapeDataString(uri)}&type=statuses&resolve=true&limit=1", ct);
        if (answer is not MastodonAnswer.Ok ok) return (null, answer);
        var id = ok.Body.ValueKind == JsonValueKind.Object && ok.Body.TryGetProperty("statuses", out var statuses) && statuses.ValueKind == JsonValueKind.Array
            ? statuses.EnumerateArray().Select(s => s.TryGetProperty("id", out var i) ? i.ToString() : null).FirstOrDefault(i => i is not null)
            : null;
        return (id, answer);
    }

    /// A status URI of the instance itself ends with its id (…/users/name/statuses/ID or …/@name/ID).
    public static string? LocalStatusId(string baseUrl, string uri)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var b) || !Uri.TryCreate(uri, UriKind.Absolute, out var u) || !u.Authority.Equals(b.Authority, StringComparison.OrdinalIgnoreCase)) return null;
        var last = u.AbsolutePath.TrimEnd('/').Split('/').Last();
        return last.Length > 0 && last.All(char.IsAsciiDigit) ? last : null;
    }

    /// A string property of a JSON answer, or null.
    public static string? Str(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number ? v.ToString() : null;

    private async Task<MastodonAnswer> SendAsync(MastodonAccount account, HttpRequestMessage request, Func<Task>? handingOff, CancellationToken ct)
    {
        using (request)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", account.Token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            var host = account.Name;
            HttpResponseMessage response;
            try
            {
                if (handingOff is not null) await handingOff();
                response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
            }
            catch (HttpRequestException e) { return new MastodonAnswer.Transient($"{host} could not be reached: {e.GetBaseException().Message}"); }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return new MastodonAnswer.Transient($"{host} did not answer in time."); }
            using (response)
            {
                var body = await ReadCappedAsync(response.Content, ct);
                JsonElement json = default;
                try { if (body.Length > 0) json = JsonDocument.Parse(body).RootElement.Clone(); }
                catch (JsonException) { }
                var why = $"{host} answered {(int)response.StatusCode} {response.ReasonPhrase}{Reason(json, body)}";
                if (response.IsSuccessStatusCode) return new MastodonAnswer.Ok(json.ValueKind == JsonValueKind.Undefined ? JsonDocument.Parse("{}").RootElement.Clone() : json);
                if (response.StatusCode == HttpStatusCode.TooManyRequests) return new MastodonAnswer.RateLimited(RetryAt(response), why);
                if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone) return new MastodonAnswer.Gone(why);
                if (response.StatusCode == HttpStatusCode.RequestTimeout || (int)response.StatusCode >= 500) return new MastodonAnswer.Transient(why);
                return new MastodonAnswer.Refused((int)response.StatusCode, why);
            }
        }
    }

    /// Mastodon says why in {"error": "..."}; anything else is shown briefly. Shown to staff, so kept short.
    private static string Reason(JsonElement json, string body)
    {
        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var e)) return ": " + Common.TextLimits.Preview(e.ToString());
        return string.IsNullOrWhiteSpace(body) || json.ValueKind != JsonValueKind.Undefined ? "." : ": " + Common.TextLimits.Preview(body);
    }

    private static async Task<string> ReadCappedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxAnswerBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0) read += n;
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// Retry-After (seconds or a date), else Mastodon's X-RateLimit-Reset, else five minutes.
    private DateTimeOffset RetryAt(HttpResponseMessage response)
    {
        var now = clock.GetUtcNow();
        if (response.Headers.RetryAfter is { } after)
        {
            if (after.Delta is { } delta) return now + delta;
            if (after.Date is { } date) return date;
        }
        if (response.Headers.TryGetValues("X-RateLimit-Reset", out var reset)
            && DateTimeOffset.TryParse(reset.First(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        return now + TimeSpan.FromMinutes(5);
    }

    private static Uri Url(MastodonAccount account, string pathAndQuery) => new(account.BaseUrl.TrimEnd('/') + pathAndQuery);
}
