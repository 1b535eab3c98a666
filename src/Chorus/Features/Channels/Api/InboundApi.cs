using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Chorus.Features.Channels.Api;

/// Body of POST /api/v1/inbound. `channel` is a channel id or name; omitted means the built-in API channel.
public sealed record InboundRequest(
    string? Channel, string? ExternalId, string? ThreadId, InboundAuthorRequest? Author,
    DateTimeOffset? At, string? Subject, string? Text, string? Html);

public sealed record InboundAuthorRequest(IdentityKind? Kind, string? Handle, string? Name);

public static class InboundApi
{
    public const long MaxBodyBytes = 1_048_576;

    public static void MapInboundApi(this RouteGroupBuilder api)
    {
        api.MapPost("/inbound", async (HttpContext http, IMemoryCache cache, IngestPipeline pipeline) =>
        {
            var tooLarge = TypedResults.Problem(title: "Too large", detail: $"An inbound envelope is at most {MaxBodyBytes:N0} bytes.", statusCode: 413);
            if (http.Request.ContentLength > MaxBodyBytes) return tooLarge;
            // Also caps chunked bodies that announce no length: reading past the limit throws.
            if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = MaxBodyBytes;
            InboundRequest? body;
            try
            {
                body = await http.Request.ReadFromJsonAsync<InboundRequest>(http.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return tooLarge;
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or BadHttpRequestException)
            {
                return ApiResults.Invalid("body", "The body is not a JSON inbound envelope: " + e.Message);
            }
            if (body is null) return ApiResults.Invalid("body", "The body is empty.");
            if (body.Author is null) return ApiResults.Invalid("author", "The author is required: { kind, handle, name }.");

            var channel = await FindChannelAsync(http, cache, body.Channel);
            if (channel is null) return ApiResults.Invalid("channel", $"There is no channel '{body.Channel}'.");
            var envelope = new InboundEnvelope(channel.Value, body.ExternalId?.Trim() ?? "", body.ThreadId?.Trim(),
                new InboundAuthor(body.Author.Kind ?? IdentityKind.Email, body.Author.Handle ?? "", body.Author.Name),
                (body.At ?? DateTimeOffset.UtcNow).ToUniversalTime(), body.Subject, body.Text, body.Html);
            if (IngestPipeline.Validate(envelope) is { } errors) return TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.SelectMany(e => e.Value)));

            IngestResult result;
            try
            {
                result = await pipeline.IngestAsync(envelope, http.RequestAborted);
            }
            catch (StoreUnavailableException e)
            {
                // Not stored and not the sender's fault: the same request later will be (idempotent on the external id).
                http.Response.Headers.RetryAfter = "5";
                return TypedResults.Problem(title: "Try again shortly", detail: e.Message, statusCode: 503);
            }
            return result.Status switch
            {
                IngestStatus.Created => TypedResults.Created($"/api/v1/conversations/{result.ConversationNumber}", result),
                IngestStatus.Rejected => TypedResults.Problem(title: "Not stored", detail: result.Error, statusCode: 422),
                _ => (IResult)TypedResults.Ok(result),
            };
        })
        .RequireAuthorization(Policies.CanWork)
        .Accepts<InboundRequest>("application/json")
        .WithTags("Inbound").WithSummary("Deliver an inbound message; idempotent on (channel, externalId)");
    }

    /// Channels are few and rarely change, so a found one is remembered briefly instead of queried on
    /// every delivery. A channel removed meanwhile is still caught: the pipeline refuses envelopes for it.
    /// The database context is only made when the channel has to be read: a request that needs none skips its cost.
    private static async Task<Guid?> FindChannelAsync(HttpContext http, IMemoryCache cache, string? channel)
    {
        var key = "inbound-channel:" + (string.IsNullOrWhiteSpace(channel) ? "" : channel);
        if (cache.TryGetValue(key, out Guid id)) return id;
        var found = await QueryChannelAsync(http.RequestServices.GetRequiredService<ChorusDb>(), channel, http.RequestAborted);
        if (found is { } f) cache.Set(key, f, TimeSpan.FromSeconds(30));
        return found;
    }

    private static async Task<Guid?> QueryChannelAsync(ChorusDb db, string? channel, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(channel))
            return await db.Channels.Where(c => c.Kind == ChannelKind.Api).OrderBy(c => c.CreatedAt).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        if (Guid.TryParse(channel, out var id))
            return await db.Channels.Where(c => c.Id == id).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        return await db.Channels.Where(c => c.Name == channel).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
    }
}
