using System.Net;
using System.Net.Http.Headers;

namespace Chorus.Features.Listening.Feeds;

/// What a feed source remembers between polls so the publisher can answer "not modified".
public sealed record FeedCheckpoint(string? ETag, string? LastModified);

/// The answer of one conditional GET.
public abstract record FeedFetch
{
    /// New content, and the validators to send next time.
    public sealed record Changed(byte[] Body, FeedCheckpoint Checkpoint) : FeedFetch;
    /// 304: nothing new since the checkpoint.
    public sealed record NotModified : FeedFetch;
    /// 429 or 503: the publisher asked to wait (Retry-After), or a default wait when it did not say.
    public sealed record RetryLater(TimeSpan After, string Reason) : FeedFetch;
    /// Anything else; the source shows the reason and polls again after a backoff.
    public sealed record Failed(string Reason) : FeedFetch;
}

/// Fetches a feed with a conditional GET (If-None-Match / If-Modified-Since from the last answer),
/// honouring Retry-After, following at most five redirects, and refusing bodies over the size cap.
public sealed class FetchFeed(HttpClient http)
{
    public const int MaxBytes = 20 * 1024 * 1024;
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromMinutes(5);

    /// The HTTP client feeds are fetched with: at most five redirects, compressed bodies, a 30-second budget.
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 5,
        AutomaticDecompression = DecompressionMethods.All,
        ConnectTimeout = TimeSpan.FromSeconds(15),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestHeaders = { { "User-Agent", "Chorus feed reader (+https://github.com/chorus)" } },
    };

    public async Task<FeedFetch> FetchAsync(Uri url, FeedCheckpoint? checkpoint, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1");
        if (checkpoint?.ETag is { } etag) request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        if (checkpoint?.LastModified is { } modified) request.Headers.TryAddWithoutValidation("If-Modified-Since", modified);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            switch (response.StatusCode)
            {
                case HttpStatusCode.NotModified:
                    return new FeedFetch.NotModified();
                case HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable:
                    return new FeedFetch.RetryLater(RetryAfter(response.Headers.RetryAfter), $"{(int)response.StatusCode} {response.ReasonPhrase}".Trim());
            }
            if ((int)response.StatusCode is >= 300 and < 400)
                return new FeedFetch.Failed($"Redirected too many times (last: {(int)response.StatusCode} to {response.Headers.Location}).");
            if (!response.IsSuccessStatusCode)
                return new FeedFetch.Failed($"The server answered {(int)response.StatusCode} {response.ReasonPhrase}.".Replace(" .", "."));
            if (response.Content.Headers.ContentLength > MaxBytes)
                return new FeedFetch.Failed($"The feed is larger than {MaxBytes / 1024 / 1024} MB.");
            var body = await ReadCappedAsync(response.Content, MaxBytes, ct);
            if (body is null) return new FeedFetch.Failed($"The feed is larger than {MaxBytes / 1024 / 1024} MB.");
            return new FeedFetch.Changed(body, new FeedCheckpoint(
                response.Headers.ETag?.ToString(),
                response.Content.Headers.TryGetValues("Last-Modified", out var lastModified) ? lastModified.First() : null));
        }
        catch (HttpRequestException e)
        {
            return new FeedFetch.Failed($"Could not reach {url.Host}: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new FeedFetch.Failed($"{url.Host} did not answer in time.");
        }
    }

    /// The body, or null when it is longer than <paramref name="maxBytes"/> (read no further: a hostile server may never stop).
    internal static async Task<byte[]?> ReadCappedAsync(HttpContent content, int maxBytes, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// How long a 429 or 503 asks us to wait, between none and a day (five minutes when it does not say).
    internal static TimeSpan RetryAfter(RetryConditionHeaderValue? header)
    {
        var wait = header?.Delta ?? (header?.Date is { } at ? at - DateTimeOffset.UtcNow : DefaultRetryAfter);
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : wait;
    }

    /// How long to wait after the n-th failure in a row: the poll interval doubled each time, at most an hour
    /// (or the interval itself when that is longer).
    public static TimeSpan Backoff(TimeSpan interval, int consecutiveFailures)
    {
        var factor = Math.Pow(2, Math.Clamp(consecutiveFailures, 0, 16));
        var wait = TimeSpan.FromTicks((long)Math.Min(interval.Ticks * factor, TimeSpan.FromHours(1).Ticks));
        return wait < interval ? interval : wait;
    }
}
