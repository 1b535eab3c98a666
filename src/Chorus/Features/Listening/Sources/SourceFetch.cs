using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chorus.Features.Listening.Feeds;
using Chorus.Features.Listening.Mentions;

namespace Chorus.Features.Listening.Sources;

/// The answer of one poll of a source.
public abstract record SourceFetch
{
    /// Posts read (new or not: storing them deduplicates), and where the next poll resumes.
    public sealed record Read(IReadOnlyList<MentionCandidate> Candidates, SourceCheckpoint Checkpoint, string? Note = null) : SourceFetch;
    /// The service asked to wait (429 or 503, with Retry-After or a default).
    public sealed record RetryLater(TimeSpan After, string Reason) : SourceFetch;
    /// The service could not be read; the reason is shown on the source and the poll is retried after a backoff.
    public sealed record Failed(string Reason) : SourceFetch;
}

/// Reads one kind of source.
public interface IReadSource
{
    Task<SourceFetch> ReadAsync(Source source, SourceCheckpoint checkpoint, CancellationToken ct);
}

/// GETs a JSON document from a service's API with the listening User-Agent: 429/503 become "retry later" with
/// the service's Retry-After, other errors, HTML pages and malformed JSON become a readable reason, bodies are capped.
public sealed class GetJson(IHttpClientFactory clients)
{
    public const string ClientName = "listening";
    public const string UserAgent = "Chorus-Listening/1.0 (self-hosted social listening; +https://github.com/chorus)";
    public const int MaxBytes = 10 * 1024 * 1024;

    public abstract record Answer
    {
        public sealed record Json(JsonDocument Document) : Answer;
        public sealed record Stop(SourceFetch Why) : Answer;
    }

    public async Task<Answer> RunAsync(Uri url, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                return new Answer.Stop(new SourceFetch.RetryLater(FetchFeed.RetryAfter(response.Headers.RetryAfter), $"{url.Host} answered {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd()));
            if (!response.IsSuccessStatusCode)
                return Fail($"{url.Host} answered {(int)response.StatusCode} {response.ReasonPhrase} for {url.AbsolutePath}.".Replace(" for", " for"));
            if (response.Content.Headers.ContentLength > MaxBytes) return Fail($"{url.Host} sent more than {MaxBytes / 1024 / 1024} MB.");
            var body = await FetchFeed.ReadCappedAsync(response.Content, MaxBytes, ct);
            if (body is null) return Fail($"{url.Host} sent more than {MaxBytes / 1024 / 1024} MB.");
            var type = response.Content.Headers.ContentType?.MediaType ?? "";
            var start = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200)).TrimStart();
            if (type.Contains("html", StringComparison.OrdinalIgnoreCase) || start.StartsWith('<'))
                return Fail($"{url.Host} answered with an HTML page instead of JSON (is the base URL right, or is the service down for maintenance?).");
            try { return new Answer.Json(JsonDocument.Parse(body)); }
            catch (JsonException e) { return Fail($"{url.Host} answered with malformed JSON: {e.Message}"); }
        }
        catch (HttpRequestException e) { return Fail($"Could not reach {url.Host}: {e.Message}"); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return Fail($"{url.Host} did not answer in time."); }
    }

    private static Answer.Stop Fail(string reason) => new(new SourceFetch.Failed(reason));

    /// A base URL and a path with its query, as one address (the base may carry a path prefix).
    public static Uri Combine(string baseUrl, string pathAndQuery) => new(baseUrl.TrimEnd('/') + pathAndQuery);
}
