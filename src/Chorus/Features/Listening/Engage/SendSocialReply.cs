using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Campaigns;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Mastodon;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Listening.Sources;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Engage;

/// Posts a queued public reply through the source's API, at the source's base URL:
/// reddit: a bearer token from <c>POST /api/v1/access_token</c> (the app's client id and secret, password grant for the
/// reply user), then <c>POST /api/comment</c> with <c>thing_id</c> and <c>text</c> (on reddit.com itself the API lives at
/// oauth.reddit.com); Mastodon (through the shared MastodonClient): <c>POST /api/v1/statuses</c> with <c>status</c> and
/// <c>in_reply_to_id</c>, the bearer token and the outbox item's idempotency key as <c>Idempotency-Key</c>, so the server itself
/// drops a repeat; a conversation started by a reply to a campaign post answers from the publishing channel's account.
/// 429 and 5xx answers and network errors are retried by the outbox; a reddit retry first looks for the comment among the
/// account's newest ones, since reddit may have stored it before its answer was lost (Mastodon drops the repeat itself). A refusal (bad credentials, a locked thread) fails
/// with the service's reason. The item is marked handed off just before the post is sent, so a crash while the service
/// was taking it is never followed by a blind second post (see OutboxDispatcher).
public sealed class SendSocialReply(ChorusDb db, ManageReplyAccounts accounts, IHttpClientFactory clients, MastodonClient mastodon, MailboxSecrets publishingSecrets)
{
    public const string ClientName = "engage";

    public async Task<SendResult> RunAsync(OutboxItem item, CancellationToken ct)
    {
        var payload = JsonSerializer.Deserialize<SocialReplyPayload>(item.Payload)!;
        if (payload.Platform == SocialReplyPayload.MastodonStatus) return await PublishingAccountReplyAsync(item, payload, ct);
        var source = await db.Sources.AsNoTracking().SingleOrDefaultAsync(s => s.ChannelId == item.ChannelId, ct);
        if (source is null) return new SendResult.Failed("The source this reply was written on no longer exists.");
        var account = await db.ReplyAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.ChannelId == item.ChannelId, ct);
        if (account is null) return new SendResult.Failed("The source has no account to reply with any more; an admin sets one, then retry.");
        if (accounts.SecretsOf(account) is not { } secrets)
            return new SendResult.Failed("The reply account's secrets cannot be read with this server's keys; an admin enters them again, then retry.");
        if (payload.Platform != "reddit")
            return await MastodonAsync(new MastodonAccount(source.BaseUrl, secrets.AccessToken ?? "", Host(source.BaseUrl)), item, payload, resolve: true, ct);
        var http = clients.CreateClient(ClientName);
        try
        {
            return await RedditAsync(http, source.BaseUrl, account, secrets, item, payload, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new SendResult.Retry($"{Host(source.BaseUrl)} could not be reached: {e.GetBaseException().Message}");
        }
    }

    /// A reply in a conversation that a campaign post's reply started: it goes out from the account that published the
    /// post (the publishing channel shares its id with the conversation's channel), answering the reply's status by its id.
    private async Task<SendResult> PublishingAccountReplyAsync(OutboxItem item, SocialReplyPayload payload, CancellationToken ct)
    {
        var channel = await db.Set<PublishingChannel>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == item.ChannelId, ct);
        if (channel is null) return new SendResult.Failed("The Mastodon account this conversation came from is no longer a publishing channel.");
        if (!channel.Enabled) return new SendResult.Failed($"{channel.Name} is switched off; an admin switches it on under Marketing → Channels, then retry.");
        if (publishingSecrets.Unprotect(channel.ProtectedSecret) is not { } token)
            return new SendResult.Failed($"{channel.Name} has no access token this server can read; an admin sets it again under Marketing → Channels, then retry.");
        return await MastodonAsync(new MastodonAccount(channel.BaseUrl!, token, channel.Name), item, payload, resolve: false, ct);
    }

    private async Task<SendResult> RedditAsync(HttpClient http, string baseUrl, ReplyAccount account, ReplySecrets secrets, OutboxItem item, SocialReplyPayload payload, CancellationToken ct)
    {
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, Combine(baseUrl, "/api/v1/access_token"))
        {
            Content = new FormUrlEncodedContent([new("grant_type", "password"), new("username", account.Username ?? ""), new("password", secrets.Password ?? "")]),
        };
        tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{account.ClientId}:{secrets.ClientSecret}")));
        using var tokenResponse = await http.SendAsync(tokenRequest, ct);
        if (Transient(tokenResponse) is { } busy) return busy;
        var tokenJson = await ReadJsonAsync(tokenResponse, ct);
        // reddit answers a wrong password with 200 and {"error": "invalid_grant"}.
        if (!tokenResponse.IsSuccessStatusCode || tokenJson?.RootElement.Str("access_token") is not { Length: > 0 } token)
            return new SendResult.Failed($"reddit refused the reply account's credentials ({(int)tokenResponse.StatusCode}{(tokenJson?.RootElement.Str("error") is { } error ? ", " + error : "")}); an admin checks them, then retry.");

        if (item.Attempts > 1)
        {
            // An earlier attempt may have been stored by reddit before its answer was lost (a 5xx, a timeout, a crash):
            // reddit has no idempotency key, so look for our comment before posting it again.
            var earlier = await FindEarlierCommentAsync(http, baseUrl, account, token, item, payload, ct);
            if (earlier.Result is { } unsure) return unsure;
            if (earlier.Found)
            {
                await RecordPostIdAsync(item, earlier.Name, ct);
                return new SendResult.Sent();
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, Combine(RedditApiBase(baseUrl), "/api/comment"))
        {
            Content = new FormUrlEncodedContent([new("api_type", "json"), new("thing_id", payload.InReplyTo), new("text", payload.Text)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await HandOffAsync(item, ct);
        using var response = await http.SendAsync(request, ct);
        if (Transient(response) is { } later) return later;
        var json = await ReadJsonAsync(response, ct);
        if (!response.IsSuccessStatusCode) return new SendResult.Failed($"reddit refused the comment: {(int)response.StatusCode} {response.ReasonPhrase}.");
        var body = json?.RootElement.Obj("json");
        // Errors come as [["CODE", "message", "field"], ...] with a 200.
        var errors = body is { ValueKind: JsonValueKind.Object } b ? b.Items("errors").ToList() : [];
        if (errors.Count > 0)
        {
            var first = errors[0];
            var code = first.ValueKind == JsonValueKind.Array && first.GetArrayLength() > 0 ? first[0].GetString() : null;
            var why = first.ValueKind == JsonValueKind.Array && first.GetArrayLength() > 1 ? first[1].GetString() : first.ToString();
            return code == "RATELIMIT" ? new SendResult.Retry($"reddit: {why}") : new SendResult.Failed($"reddit refused the comment: {code} {why}".TrimEnd());
        }
        var name = body?.Obj("data").Items("things").Select(t => t.Obj("data").Str("name")).FirstOrDefault(n => n is not null);
        await RecordPostIdAsync(item, name, ct);
        return new SendResult.Sent();
    }

    /// The reply account's newest comments (<c>GET /user/{name}/comments</c>, up to 100, raw_json so the text comes back
    /// as written): one under the same parent, with the same text, made since the reply was queued, is this reply.
    private async Task<(bool Found, string? Name, SendResult? Result)> FindEarlierCommentAsync(HttpClient http, string baseUrl, ReplyAccount account, string token,
        OutboxItem item, SocialReplyPayload payload, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            Combine(RedditApiBase(baseUrl), $"/user/{Uri.EscapeDataString(account.Username ?? "")}/comments?sort=new&limit=100&raw_json=1"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        if (Transient(response) is { } busy) return (false, null, busy);
        var json = await ReadJsonAsync(response, ct);
        if (!response.IsSuccessStatusCode || json?.RootElement.Obj("data") is not { ValueKind: JsonValueKind.Object } listing)
            return (false, null, new SendResult.Failed($"An earlier attempt may have been posted, and reddit did not list u/{account.Username}'s comments to check "
                                                + $"({(int)response.StatusCode} {response.ReasonPhrase}). Look at the thread before sending it again."));
        var since = item.CreatedAt.AddMinutes(-5).ToUnixTimeSeconds(); // the reply cannot be older than its queueing, give or take clocks
        var text = SameText(payload.Text);
        var mine = listing.Items("children").Select(c => c.Obj("data"))
            .FirstOrDefault(d => d.Str("parent_id") == payload.InReplyTo && SameText(d.Str("body") ?? "") == text && d.Long("created_utc") >= since);
        return (mine.ValueKind == JsonValueKind.Object, mine.Str("name"), null);
    }

    /// reddit trims a comment and keeps its line breaks as \n.
    private static string SameText(string text) => text.Replace("\r\n", "\n").Trim();

    /// POST /api/v1/statuses with in_reply_to_id, through the shared MastodonClient. A listening mention is known by its
    /// status URI, resolved to the source server's own id first; a reply to a campaign post is known by its id already.
    private async Task<SendResult> MastodonAsync(MastodonAccount account, OutboxItem item, SocialReplyPayload payload, bool resolve, CancellationToken ct)
    {
        var statusId = payload.InReplyTo;
        if (resolve)
        {
            var (found, answer) = await mastodon.ResolveStatusAsync(account, payload.InReplyTo, ct);
            if (answer is MastodonAnswer.RateLimited or MastodonAnswer.Transient) return new SendResult.Retry(answer.Why + " Trying again later.");
            if (found is null) return new SendResult.Failed($"{account.Name} could not find the post to answer ({payload.InReplyTo}); it may have been deleted.");
            statusId = found;
        }
        var posted = await mastodon.PostStatusAsync(account, new MastodonStatusInput(payload.Text, statusId), item.IdempotencyKey, () => HandOffAsync(item, ct), ct);
        switch (posted)
        {
            case MastodonAnswer.Ok ok:
                await RecordPostIdAsync(item, MastodonClient.Str(ok.Body, resolve ? "uri" : "id") ?? MastodonClient.Str(ok.Body, "id"), ct);
                return new SendResult.Sent();
            case MastodonAnswer.RateLimited or MastodonAnswer.Transient:
                return new SendResult.Retry(posted.Why + " Trying again later.");
            case MastodonAnswer.Gone:
                return new SendResult.Failed($"{account.Name} refused the reply: the post it answers is gone ({posted.Why}).");
            default:
                return new SendResult.Failed(posted.Why!);
        }
    }

    /// 429 and 5xx: the service did not take the post; the outbox tries again later.
    private static SendResult? Transient(HttpResponseMessage r) =>
        r.StatusCode == HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500
            ? new SendResult.Retry($"{r.RequestMessage?.RequestUri?.Host} answered {(int)r.StatusCode} {r.ReasonPhrase}"
                                   + (r.Headers.RetryAfter is { } ra ? $" (asked to wait {ra})" : "") + "; trying again later.")
            : null;

    private async Task HandOffAsync(OutboxItem item, CancellationToken ct) =>
        await db.Outbox.Where(o => o.Id == item.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.HandedOffAt, DateTimeOffset.UtcNow), ct);

    /// The reply's id on the platform becomes its message's external id: when a poll reads it back, it is known.
    private async Task RecordPostIdAsync(OutboxItem item, string? postId, CancellationToken ct)
    {
        if (postId is null || item.MessageId is null || postId.Length > 500) return;
        try { await db.Messages.Where(m => m.Id == item.MessageId && m.ExternalId == null).ExecuteUpdateAsync(s => s.SetProperty(m => m.ExternalId, postId), CancellationToken.None); }
        catch (DbUpdateException) { /* already stored under that id: the post stands either way */ }
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpResponseMessage r, CancellationToken ct)
    {
        var body = await Feeds.FetchFeed.ReadCappedAsync(r.Content, 1024 * 1024, ct);
        if (body is null || body.Length == 0) return null;
        try { return JsonDocument.Parse(body); }
        catch (JsonException) { return null; }
    }

    /// On reddit.com the token comes from www.reddit.com and the API answers at oauth.reddit.com; elsewhere (a test server) both at the base.
    public static string RedditApiBase(string baseUrl) =>
        Uri.TryCreate(baseUrl, UriKind.Absolute, out var u) && (u.Host.Equals("www.reddit.com", StringComparison.OrdinalIgnoreCase) || u.Host.Equals("reddit.com", StringComparison.OrdinalIgnoreCase))
            ? "https://oauth.reddit.com" : baseUrl;

    private static Uri Combine(string baseUrl, string path) => new(baseUrl.TrimEnd('/') + path);
    private static string Host(string baseUrl) => Uri.TryCreate(baseUrl, UriKind.Absolute, out var u) ? u.Host : baseUrl;
}
