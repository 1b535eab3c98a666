using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chorus.Features.Campaigns;

namespace Chorus.Features.Engagement;

/// A reply to a published status, as Mastodon describes it.
public sealed record MastodonReply(string Id, string? InReplyToId, string AccountId, string Acct, string? DisplayName, string? Url, string Content, DateTimeOffset CreatedAt);

/// What reading one status back gave.
public abstract record MastodonRead
{
    public sealed record Read(int Replies, int Boosts, int Favourites, string AccountId, IReadOnlyList<MastodonReply> Descendants) : MastodonRead;
    /// The instance asked us to wait (429) until then.
    public sealed record RateLimited(DateTimeOffset Until, string Error) : MastodonRead;
    /// The status no longer exists: reading it again will not help.
    public sealed record Gone(string Error) : MastodonRead;
    /// Down, slow, refusing the token, or an answer we cannot read: tried again later, waiting longer each time.
    public sealed record Failed(string Error) : MastodonRead;
}

/// Reads a status's counts (GET /api/v1/statuses/{id}) and its replies (GET /api/v1/statuses/{id}/context,
/// the descendants) with the channel's access token.
public sealed class ReadMastodonStatus(IHttpClientFactory http, Channels.Email.MailboxSecrets secrets, TimeProvider clock)
{
    public async Task<MastodonRead> RunAsync(PublishingChannel channel, string statusId, CancellationToken ct)
    {
        var token = secrets.Unprotect(channel.ProtectedSecret);
        if (token is null) return new MastodonRead.Failed($"{channel.Name} has no access token this server can read; an admin sets it again.");
        var id = Uri.EscapeDataString(statusId);
        var (root, statusProblem) = await GetAsync(channel, token, $"/api/v1/statuses/{id}", ct);
        if (statusProblem is not null) return statusProblem;
        var (context, contextProblem) = await GetAsync(channel, token, $"/api/v1/statuses/{id}/context", ct);
        if (contextProblem is not null) return contextProblem;
        try
        {
            var accountId = root.GetProperty("account").GetProperty("id").ToString();
            var host = new Uri(channel.BaseUrl!).Host;
            var replies = context.GetProperty("descendants").EnumerateArray().Select(d => Reply(d, host)).ToList();
            return new MastodonRead.Read(Count(root, "replies_count"), Count(root, "reblogs_count"), Count(root, "favourites_count"), accountId, replies);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or UriFormatException)
        {
            return new MastodonRead.Failed($"{channel.Name} answered in a shape Chorus does not read: {e.Message}");
        }
    }

    private static int Count(JsonElement status, string name) =>
        status.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;

    /// A local account's acct has no domain; the instance's host makes the handle the same everywhere.
    private static MastodonReply Reply(JsonElement d, string host)
    {
        var account = d.GetProperty("account");
        var acct = account.GetProperty("acct").GetString()!;
        return new MastodonReply(d.GetProperty("id").ToString(), d.TryGetProperty("in_reply_to_id", out var to) && to.ValueKind != JsonValueKind.Null ? to.ToString() : null,
            account.GetProperty("id").ToString(), acct.Contains('@') ? acct : $"{acct}@{host}",
            account.TryGetProperty("display_name", out var name) && name.GetString() is { Length: > 0 } n ? n : null,
            d.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null,
            d.GetProperty("content").GetString() ?? "", DateTimeOffset.Parse(d.GetProperty("created_at").GetString()!, CultureInfo.InvariantCulture));
    }

    /// The JSON answer, or what went wrong.
    private async Task<(JsonElement Body, MastodonRead? Problem)> GetAsync(PublishingChannel channel, string token, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, channel.BaseUrl!.TrimEnd('/') + path) { Headers = { Authorization = new("Bearer", token) } };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try { response = await http.CreateClient(PublishingSenders.HttpClientName).SendAsync(request, ct); }
        catch (HttpRequestException e) { return (default, new MastodonRead.Failed($"{channel.Name} could not be reached: {e.Message}")); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return (default, new MastodonRead.Failed($"{channel.Name} did not answer in time.")); }
        using (response)
        {
            var why = $"{channel.Name} answered {(int)response.StatusCode} {response.ReasonPhrase} to GET {path}";
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                return (default, new MastodonRead.RateLimited(RetryAt(response), why + "; waiting as it asked."));
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                return (default, new MastodonRead.Gone("The status was deleted on Mastodon, so nothing more comes back from it."));
            if (!response.IsSuccessStatusCode) return (default, new MastodonRead.Failed(why + "."));
            try { return (JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone(), null); }
            catch (JsonException) { return (default, new MastodonRead.Failed(why + " with something that is not JSON.")); }
        }
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
}
