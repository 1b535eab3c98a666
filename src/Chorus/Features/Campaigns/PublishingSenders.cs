using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Mastodon;
using Chorus.Features.Inbox.Attachments;
using Chorus.Features.Notifications;
using Microsoft.EntityFrameworkCore;

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
/// A post's images go to Mastodon as uploaded media (each remembered per delivery, so a retry never uploads one
/// twice), to Discord as files of the same one request with their alt text as descriptions, and to Slack as their
/// public address in image blocks with the alt text.
public sealed class PublishingSenders(IHttpClientFactory http, MailboxSecrets secrets, MastodonClient mastodon, ChorusDb db, AttachmentStore store,
    PublicUrls urls, IConfiguration config)
{
    public const string HttpClientName = "publishing";
    /// Slack's longest text in one section block.
    private const int SlackSectionMax = 3000;
    /// Discord's longest attachment description (its alt text).
    private const int DiscordDescriptionMax = 1024;
    /// Discord takes files up to 10 MiB in one message on a server without boosts; a little under, for the rest of the request.
    public const long DefaultDiscordUploadBytes = 10_000_000;

    public async Task<PublishResult> SendAsync(PublishingChannel channel, PostDelivery delivery, string text, CancellationToken ct)
    {
        var secret = secrets.Unprotect(channel.ProtectedSecret);
        if (secret is null) return new PublishResult.Failed($"{channel.Name} has no {(channel.Kind == PublishingChannelKind.Mastodon ? "access token" : "webhook address")} (or it was saved with keys this server does not have); an admin sets it again.");
        var images = await ReadPosts.ImagesAsync(db, delivery.PostId, ct);
        if (channel.Kind == PublishingChannelKind.Mastodon)
        {
            var account = new MastodonAccount(channel.BaseUrl!, secret, channel.Name);
            var media = await UploadImagesAsync(account, delivery, images, ct);
            if (media.Refusal is { } refusal) return refusal;
            return Published(await mastodon.PostStatusAsync(account, new MastodonStatusInput(text, MediaIds: media.Ids), delivery.IdempotencyKey, ct: ct));
        }
        HttpContent content;
        if (channel.Kind == PublishingChannelKind.Discord)
        {
            var discord = DiscordMessage(text, images);
            if (discord.Refusal is { } refusal) return refusal;
            content = discord.Content!;
        }
        else content = JsonContent.Create(SlackMessage(text, images));
        using var request = new HttpRequestMessage(HttpMethod.Post, secret) { Content = content };
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

    private sealed record DiscordRequest(HttpContent? Content, PublishResult? Refusal);

    /// Without images, {"content"}: the plain shape every Discord-compatible receiver takes. With them, one
    /// multipart request: the message as payload_json, each image as files[n], and attachments [{id: n, description}]
    /// carrying its alt text (an embed's image has none). Still one request per attempt, so publishing stays as it
    /// was: a retry sends the same request again, nothing is uploaded ahead of it. Images together larger than
    /// Discord takes (Chorus:Publishing:DiscordMaxUploadBytes) go as embeds linking their public address, without alt text.
    private DiscordRequest DiscordMessage(string text, List<PostImage> images)
    {
        if (images.Count == 0) return new(JsonContent.Create(new { content = text }), null);
        if (images.Sum(i => i.Size) > config.GetValue("Chorus:Publishing:DiscordMaxUploadBytes", DefaultDiscordUploadBytes))
            return new(JsonContent.Create(new { content = text, embeds = images.Select(i => new { image = new { url = urls.To(ManagePostImages.PublicPath(i.Id)) } }).ToList() }), null);
        var form = new MultipartFormDataContent();
        var payload = new
        {
            content = text,
            attachments = images.Select((i, n) => new { id = n, filename = i.FileName, description = i.AltText.Length > 0 ? Common.TextLimits.Cut(i.AltText, DiscordDescriptionMax) : null }).ToList(),
        };
        form.Add(new StringContent(JsonSerializer.Serialize(payload, DiscordJson), System.Text.Encoding.UTF8, "application/json"), "payload_json");
        for (var n = 0; n < images.Count; n++)
        {
            var image = images[n];
            var file = store.OpenRead(image.Hash);
            if (file is null)
            {
                form.Dispose();
                var what = images.Count == 1 ? "the image" : $"image {n + 1} of {images.Count}";
                return new(null, new PublishResult.Failed($"The file of {what} ({image.FileName}) is missing from the data directory; remove it and attach it again."));
            }
            var part = new StreamContent(file);
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(image.ContentType);
            form.Add(part, $"files[{n}]", image.FileName);
        }
        return new(form, null);
    }

    private static readonly JsonSerializerOptions DiscordJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// Without images, {"text"}; with them, the text in section blocks (text stays as the notification's fallback)
    /// followed by one image block per image, with its alt text (Slack requires one).
    private object SlackMessage(string text, List<PostImage> images)
    {
        if (images.Count == 0) return new { text };
        var blocks = new List<object>();
        for (var at = 0; at < text.Length; at += SlackSectionMax)
            blocks.Add(new { type = "section", text = new { type = "mrkdwn", text = text.Substring(at, Math.Min(SlackSectionMax, text.Length - at)) } });
        blocks.AddRange(images.Select(i => new
        {
            type = "image", image_url = urls.To(ManagePostImages.PublicPath(i.Id)), alt_text = i.AltText.Length > 0 ? Common.TextLimits.Cut(i.AltText, 2000) : "Image",
        }));
        return new { text, blocks };
    }

    private sealed record Media(List<string> Ids, PublishResult? Refusal);

    /// Uploads the post's images to the account (those this delivery has not uploaded yet) and waits, boundedly,
    /// for the instance to process them. Each media id is saved the moment the instance gives it.
    private async Task<Media> UploadImagesAsync(MastodonAccount account, PostDelivery delivery, List<PostImage> images, CancellationToken ct)
    {
        var ids = new List<string>();
        if (images.Count == 0) return new(ids, null);
        var known = await db.Set<PostImageUpload>().Where(u => u.DeliveryId == delivery.Id).ToDictionaryAsync(u => u.ImageId, ct);
        var number = 0;
        foreach (var image in images)
        {
            number++;
            var what = images.Count == 1 ? "the image" : $"image {number} of {images.Count}";
            if (!known.TryGetValue(image.Id, out var upload))
            {
                await using var file = store.OpenRead(image.Hash);
                if (file is null) return new(ids, new PublishResult.Failed($"The file of {what} ({image.FileName}) is missing from the data directory; remove it and attach it again."));
                var answer = await mastodon.UploadMediaAsync(account, file, image.FileName, image.ContentType, image.AltText, ct);
                if (answer is not MastodonAnswer.Ok ok) return new(ids, Uploading(what, answer));
                if (MastodonClient.Str(ok.Body, "id") is not { } mediaId) return new(ids, new PublishResult.Retry($"{account.Name} accepted {what} without an id; trying again."));
                upload = new PostImageUpload { DeliveryId = delivery.Id, ImageId = image.Id, MediaId = mediaId, Processing = MastodonClient.Str(ok.Body, "url") is null };
                db.Add(upload);
                await db.SaveChangesAsync(CancellationToken.None); // remembered before anything else can fail
            }
            if (upload.Processing)
            {
                if (await ProcessedAsync(account, upload.MediaId, ct) is { } notYet) return new(ids, notYet is MastodonAnswer.Ok
                    ? new PublishResult.Retry($"{account.Name} is still processing {what}; trying again.") : Uploading(what, notYet));
                upload.Processing = false;
                await db.SaveChangesAsync(CancellationToken.None);
            }
            ids.Add(upload.MediaId);
        }
        return new(ids, null);
    }

    /// Asks GET /api/v1/media/{id} a few times (Chorus:Publishing:MediaPolls, a pause of MediaPollMilliseconds between);
    /// null once it has a url, else the last answer (an Ok without url means: still processing).
    private async Task<MastodonAnswer?> ProcessedAsync(MastodonAccount account, string mediaId, CancellationToken ct)
    {
        var polls = config.GetValue("Chorus:Publishing:MediaPolls", 10);
        var pause = TimeSpan.FromMilliseconds(config.GetValue("Chorus:Publishing:MediaPollMilliseconds", 1000));
        MastodonAnswer answer = new MastodonAnswer.Transient("not asked");
        for (var i = 0; i < polls; i++)
        {
            if (i > 0) await Task.Delay(pause, ct);
            answer = await mastodon.GetAsync(account, $"/api/v1/media/{Uri.EscapeDataString(mediaId)}", ct);
            if (answer is MastodonAnswer.Ok ok && MastodonClient.Str(ok.Body, "url") is not null) return null;
            if (answer is not MastodonAnswer.Ok) return answer;
        }
        return answer;
    }

    private static PublishResult Uploading(string what, MastodonAnswer answer) => Published(answer) switch
    {
        PublishResult.Retry r => new PublishResult.Retry($"Uploading {what}: {r.Error}"),
        PublishResult.Failed f => new PublishResult.Failed($"Uploading {what}: {f.Error}"),
        var other => other,
    };

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
