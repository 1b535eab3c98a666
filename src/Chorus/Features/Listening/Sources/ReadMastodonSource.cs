using System.Text.Json;
using Chorus.Common;
using Chorus.Features.Listening.Mentions;

namespace Chorus.Features.Listening.Sources;

/// Mastodon: a hashtag's public timeline (<c>/api/v1/timelines/tag/{tag}?since_id=</c>) or a status search
/// (<c>/api/v2/search?type=statuses&amp;min_id=</c>). Statuses are known by their URI, which is the same on every
/// server that federates them, so one post seen through two servers is one mention.
public sealed class ReadMastodonSource(GetJson get) : IReadSource
{
    public const int Limit = 40;

    public async Task<SourceFetch> ReadAsync(Source source, SourceCheckpoint checkpoint, CancellationToken ct)
    {
        var query = source.Query.Trim();
        var since = checkpoint.NewestId is { } id ? id : null;
        var path = query.StartsWith('#')
            ? $"/api/v1/timelines/tag/{Uri.EscapeDataString(query[1..])}?limit={Limit}" + (since is null ? "" : $"&since_id={Uri.EscapeDataString(since)}")
            : $"/api/v2/search?q={Uri.EscapeDataString(query)}&type=statuses&limit={Limit}" + (since is null ? "" : $"&min_id={Uri.EscapeDataString(since)}");
        var answer = await get.RunAsync(GetJson.Combine(source.BaseUrl, path), ct);
        if (answer is GetJson.Answer.Stop stop) return stop.Why;
        using var doc = ((GetJson.Answer.Json)answer).Document;
        var statuses = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement : doc.RootElement.Obj("statuses");
        if (statuses.ValueKind != JsonValueKind.Array) return new SourceFetch.Failed("Mastodon answered with JSON that is neither a list of statuses nor search results.");

        var candidates = new List<MentionCandidate>();
        var newestId = checkpoint.NewestId;
        var newestAt = checkpoint.NewestAt;
        foreach (var s in statuses.EnumerateArray())
        {
            if (s.Str("id") is not { } statusId || ReadFeedDate(s.Str("created_at")) is not { } at) continue;
            if (since is not null && !IsNewer(statusId, since)) continue;
            var account = s.Obj("account");
            var acct = account.Str("acct");
            var html = s.Str("content") ?? "";
            var host = new Uri(source.BaseUrl).Host;
            candidates.Add(new MentionCandidate("mastodon", s.Str("uri") ?? $"{host}/{statusId}", s.Str("url") ?? s.Str("uri"),
                acct is null ? null : "@" + (acct.Contains('@') ? acct : $"{acct}@{host}"), account.Str("display_name") is { Length: > 0 } dn ? dn : acct,
                s.Str("spoiler_text") is { Length: > 0 } cw ? cw : null, HtmlCleaner.ToText(html).Trim(),
                (s.Int("reblogs_count") ?? 0) + (s.Int("favourites_count") ?? 0), account.Int("followers_count"), s.Str("language"), at));
            if (newestId is null || IsNewer(statusId, newestId)) newestId = statusId;
            if (newestAt is null || at > newestAt) newestAt = at;
        }
        return new SourceFetch.Read(candidates, checkpoint with { NewestId = newestId, NewestAt = newestAt });
    }

    private static DateTimeOffset? ReadFeedDate(string? s) => Feeds.ReadFeed.Date(s);

    /// Mastodon ids are numbers too large for a long on some servers, written as strings: compare by length, then digits.
    public static bool IsNewer(string id, string than) =>
        id.Length != than.Length ? id.Length > than.Length : string.CompareOrdinal(id, than) > 0;
}
