using Chorus.Common;
using Chorus.Features.Listening.Mentions;

namespace Chorus.Features.Listening.Sources;

/// Hacker News through the Algolia search API: stories and comments matching the query, newest first,
/// created after the checkpoint (<c>numericFilters=created_at_i&gt;N</c>), page by page. The first poll looks back
/// <see cref="FirstPollLookback"/>.
public sealed class ReadHackerNewsSource(GetJson get) : IReadSource
{
    public const int HitsPerPage = 100;
    public const int MaxPages = 20;
    public static readonly TimeSpan FirstPollLookback = TimeSpan.FromDays(2);

    public async Task<SourceFetch> ReadAsync(Source source, SourceCheckpoint checkpoint, CancellationToken ct)
    {
        var since = (checkpoint.NewestAt ?? DateTimeOffset.UtcNow - FirstPollLookback).ToUnixTimeSeconds();
        var candidates = new List<MentionCandidate>();
        var newest = checkpoint.NewestAt;
        string? note = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var path = $"/api/v1/search_by_date?query={Uri.EscapeDataString(source.Query.Trim())}&tags={Uri.EscapeDataString("(story,comment)")}"
                       + $"&numericFilters={Uri.EscapeDataString($"created_at_i>{since}")}&hitsPerPage={HitsPerPage}&page={page}";
            var answer = await get.RunAsync(GetJson.Combine(source.BaseUrl, path), ct);
            // A later page failing keeps nothing of this poll (the checkpoint stays), so no item is skipped.
            if (answer is GetJson.Answer.Stop stop) return stop.Why;
            using var doc = ((GetJson.Answer.Json)answer).Document;
            if (doc.RootElement.Obj("hits").ValueKind != System.Text.Json.JsonValueKind.Array)
                return new SourceFetch.Failed("Hacker News search answered with JSON that has no \"hits\".");
            foreach (var hit in doc.RootElement.Items("hits"))
            {
                if (hit.Str("objectID") is not { } id || hit.Long("created_at_i") is not { } created) continue;
                var at = DateTimeOffset.FromUnixTimeSeconds(created);
                var comment = hit.Str("comment_text");
                var html = comment ?? hit.Str("story_text") ?? "";
                candidates.Add(new MentionCandidate("hackernews", id, $"https://news.ycombinator.com/item?id={id}", hit.Str("author"), hit.Str("author"),
                    comment is null ? hit.Str("title") : hit.Str("story_title") is { } story ? "Re: " + story : null,
                    html.Length > 0 ? HtmlCleaner.ToText(html).Trim() : hit.Str("url") ?? "",
                    hit.Int("points"), null, null, at));
                if (newest is null || at > newest) newest = at;
            }
            var pages = doc.RootElement.Int("nbPages") ?? 1;
            if (page + 1 >= pages) break;
            if (page + 1 == MaxPages) note = $"More than {MaxPages * HitsPerPage} new items since the last poll; the oldest were left out.";
        }
        return new SourceFetch.Read(candidates, checkpoint with { NewestAt = newest }, note);
    }
}
