using System.Net;
using System.Text;
using System.Text.Json;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;

namespace Chorus.Features.Automation;

/// Delivers one webhook call from the outbox: POST of the JSON body with an Idempotency-Key header
/// that is the same on every attempt, signed (<see cref="WebhookSigning"/>). 2xx is sent; 408, 429, 5xx and network failures are retried
/// with the outbox's backoff; any other answer fails at once (the receiver refused it).
public sealed class SendWebhook(IHttpClientFactory clients, WebhookSigning signing)
{
    public const string ClientName = "webhooks";

    public async Task<SendResult> RunAsync(OutboxItem item, CancellationToken ct)
    {
        var payload = JsonSerializer.Deserialize<WebhookPayload>(item.Payload, RuleConfiguration.Json);
        if (payload is null || !Uri.TryCreate(payload.Url, UriKind.Absolute, out var url)) return new SendResult.Failed("The webhook call has no valid address.");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(payload.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", item.IdempotencyKey);
        request.Headers.Add(WebhookSigning.Header, WebhookSigning.Sign(await signing.SecretAsync(ct), payload.Body));
        request.Headers.UserAgent.ParseAdd("Chorus-Webhooks/1");
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return new SendResult.Sent();
            var what = $"{url.Host} answered {code} {response.ReasonPhrase}.";
            return code is 408 or 429 || code >= 500 ? new SendResult.Retry(what) : new SendResult.Failed(what);
        }
        catch (HttpRequestException e) { return new SendResult.Retry($"{url.Host} could not be reached: {e.Message}"); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return new SendResult.Retry($"{url.Host} did not answer within 15 seconds."); }
    }
}
