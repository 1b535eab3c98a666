using System.Globalization;
using System.Text.Json;
using Chorus.Features.Campaigns;
using Chorus.Features.Channels.Mastodon;

namespace Chorus.Features.Engagement;

/// A reply to a published status, as Mastodon describes it.
public sealed record MastodonReply(string Id, string? InReplyToId, string AccountId, string Acct, string? DisplayName, string? Url, string Content, DateTimeOffset CreatedAt);

/// What reading one status back gave.
public abstract record MastodonRead
{
    /// Followers: the publishing account's follower count as the status reports it (null when the server leaves it out).
    public sealed record Read(int Replies, int Boosts, int Favourites, string AccountId, IReadOnlyList<MastodonReply> Descendants, long? Followers = null) : MastodonRead;
    /// The instance asked us to wait (429) until then.
    public sealed record RateLimited(DateTimeOffset Until, string Error) : MastodonRead;
    /// The status no longer exists: reading it again will not help.
    public sealed record Gone(string Error) : MastodonRead;
    /// Down, slow, refusing the token, or an answer we cannot read: tried again later, waiting longer each time.
    public sealed record Failed(string Error) : MastodonRead;
}

/// Reads a status's counts (GET /api/v1/statuses/{id}) and its replies (GET /api/v1/statuses/{id}/context,
/// the descendants) with the channel's access token, through the shared MastodonClient.
public sealed class ReadMastodonStatus(MastodonClient mastodon, Channels.Email.MailboxSecrets secrets)
{
    public async Task<MastodonRead> RunAsync(PublishingChannel channel, string statusId, CancellationToken ct)
    {
        var token = secrets.Unprotect(channel.ProtectedSecret);
        if (token is null) return new MastodonRead.Failed($"{channel.Name} has no access token this server can read; an admin sets it again.");
        var account = new MastodonAccount(channel.BaseUrl!, token, channel.Name);
        var id = Uri.EscapeDataString(statusId);
        if (Problem(await mastodon.GetAsync(account, $"/api/v1/statuses/{id}", ct), out var root) is { } statusProblem) return statusProblem;
        if (Problem(await mastodon.GetAsync(account, $"/api/v1/statuses/{id}/context", ct), out var context) is { } contextProblem) return contextProblem;
        try
        {
            var owner = root.GetProperty("account");
            var accountId = owner.GetProperty("id").ToString();
            long? followers = owner.TryGetProperty("followers_count", out var f) && f.ValueKind == JsonValueKind.Number && f.TryGetInt64(out var n) && n >= 0 ? n : null;
            var host = new Uri(channel.BaseUrl!).Host;
            var replies = context.GetProperty("descendants").EnumerateArray().Select(d => Reply(d, host)).ToList();
            return new MastodonRead.Read(Count(root, "replies_count"), Count(root, "reblogs_count"), Count(root, "favourites_count"), accountId, replies, followers);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or UriFormatException)
        {
            return new MastodonRead.Failed($"{channel.Name} answered in a shape Chorus does not read: {e.Message}");
        }
    }

    private static MastodonRead? Problem(MastodonAnswer answer, out JsonElement body)
    {
        body = answer is MastodonAnswer.Ok ok ? ok.Body : default;
        return answer switch
        {
            MastodonAnswer.Ok => null,
            MastodonAnswer.RateLimited r => new MastodonRead.RateLimited(r.Until, r.Error + "; waiting as it asked."),
            MastodonAnswer.Gone => new MastodonRead.Gone("The status was deleted on Mastodon, so nothing more comes back from it."),
            _ => new MastodonRead.Failed(answer.Why!),
        };
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
}
