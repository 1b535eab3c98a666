using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Channels.Email;

namespace Chorus.Features.Campaigns;

/// What a channel answered to one publishing attempt.
public abstract record PublishResult
{
    /// Note: what staff should know about it (a newsletter's recipients), added to the post's history.
    public sealed record Published(string? ExternalId, string? ExternalUrl, string? Note = null) : PublishResult;
    /// Worth trying again later: the channel was down, slow or rate-limited.
    public sealed record Retry(string Error) : PublishResult;
    /// Trying again will not help: the channel refused the post (a bad token, a rejected text).
    public sealed record Failed(string Error) : PublishResult;
}

/// Sends one delivery to Mastodon or a Discord/Slack webhook. Every request carries the delivery's
/// idempotency key: Mastodon publishes a repeated request once; webhook receivers may use it too.
public sealed class PublishingSenders(IHttpClientFactory http, MailboxSecrets secrets)
{
    public const string HttpClientName = "publishing";

    public async Task<PublishResult> SendAsync(PublishingChannel channel, PostDelivery delivery, string text, CancellationToken ct)
    {
        var secret = secrets.Unprotect(channel.ProtectedSecret);
        if (secret is null) return new PublishResult.Failed($"{channel.Name} has no {(channel.Kind == PublishingChannelKind.Mastodon ? "access token" : "webhook address")} (or it was saved with keys this server does not have); an admin sets it again.");
        HttpRequestMessage request = channel.Kind switch
        {
            PublishingChannelKind.Mastodon => new(HttpMethod.Post, channel.BaseUrl + "/api/v1/statuses")
            {
                Content = JsonContent.Create(new { status = text, visibility = "public" }),
                Headers = { Authorization = new("Bearer", secret) },
            },
            PublishingChannelKind.Discord => new(HttpMethod.Post, secret) { Content = JsonContent.Create(new { content = text }) },
            _ => new(HttpMethod.Post, secret) { Content = JsonContent.Create(new { text }) },
        };
        request.Headers.Add("Idempotency-Key", delivery.IdempotencyKey);
        HttpResponseMessage response;
        try { response = await http.CreateClient(HttpClientName).SendAsync(request, ct); }
        catch (HttpRequestException e) { return new PublishResult.Retry($"{channel.Name} could not be reached: {e.Message}"); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return new PublishResult.Retry($"{channel.Name} did not answer in time."); }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode) return channel.Kind == PublishingChannelKind.Mastodon ? ReadStatus(body) : new PublishResult.Published(null, null);
            var why = $"{channel.Name} answered {(int)response.StatusCode} {response.ReasonPhrase}{Reason(body)}";
            return response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500
                ? new PublishResult.Retry(why) : new PublishResult.Failed(why);
        }
    }

    private static PublishResult ReadStatus(string body)
    {
        try
        {
            var json = JsonDocument.Parse(body).RootElement;
            return new PublishResult.Published(json.TryGetProperty("id", out var id) ? id.ToString() : null,
                json.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null);
        }
        catch (JsonException) { return new PublishResult.Published(null, null); } // published; the answer just was not the usual shape
    }

    /// Mastodon says why in {"error": "..."}; webhooks in plain text. Shown to staff, so kept short.
    private static string Reason(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return ".";
        try
        {
            if (JsonDocument.Parse(body).RootElement is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("error", out var e)) return ": " + e;
        }
        catch (JsonException) { }
        return ": " + Common.TextLimits.Preview(body);
    }
}
