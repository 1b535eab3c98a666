using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Mastodon;

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

/// Sends one delivery to Mastodon (through the shared MastodonClient) or a Discord/Slack webhook. Every request carries
/// the delivery's idempotency key: Mastodon publishes a repeated request once; webhook receivers may use it too.
public sealed class PublishingSenders(IHttpClientFactory http, MailboxSecrets secrets, MastodonClient mastodon)
{
    public const string HttpClientName = "publishing";

    public async Task<PublishResult> SendAsync(PublishingChannel channel, PostDelivery delivery, string text, CancellationToken ct)
    {
        var secret = secrets.Unprotect(channel.ProtectedSecret);
        if (secret is null) return new PublishResult.Failed($"{channel.Name} has no {(channel.Kind == PublishingChannelKind.Mastodon ? "access token" : "webhook address")} (or it was saved with keys this server does not have); an admin sets it again.");
        if (channel.Kind == PublishingChannelKind.Mastodon)
            return Published(await mastodon.PostStatusAsync(new MastodonAccount(channel.BaseUrl!, secret, channel.Name), new MastodonStatusInput(text),
                delivery.IdempotencyKey, ct: ct));
        using var request = new HttpRequestMessage(HttpMethod.Post, secret)
        {
            Content = channel.Kind == PublishingChannelKind.Discord ? JsonContent.Create(new { content = text }) : JsonContent.Create(new { text }),
        };
        request.Headers.Add("Idempotency-Key", delivery.IdempotencyKey);
        HttpResponseMessage response;
        try { response = await http.CreateClient(HttpClientName).SendAsync(request, ct); }
        catch (HttpRequestException e) { return new PublishResult.Retry($"{channel.Name} could not be reached: {e.Message}"); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return new PublishResult.Retry($"{channel.Name} did not answer in time."); }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode) return new PublishResult.Published(null, null);
            var why = $"{channel.Name} answered {(int)response.StatusCode} {response.ReasonPhrase}{Reason(body)}";
            return response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500
                ? new PublishResult.Retry(why) : new PublishResult.Failed(why);
        }
    }

    /// What Mastodon's answer means for the delivery: 429 and 5xx are tried again; a refusal (a bad token, a rejected text) fails.
    public static PublishResult Published(MastodonAnswer answer) => answer switch
    {
        MastodonAnswer.Ok ok => new PublishResult.Published(MastodonClient.Str(ok.Body, "id"), MastodonClient.Str(ok.Body, "url")),
        MastodonAnswer.RateLimited or MastodonAnswer.Transient => new PublishResult.Retry(answer.Why!),
        _ => new PublishResult.Failed(answer.Why!),
    };

    /// Webhooks say why in plain text (or JSON with "error"). Shown to staff, so kept short.
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
