using System.Text.Json;
using Chorus.Common;
using Chorus.Features.Listening.Mentions;

namespace Chorus.Features.Listening.Sources;

/// reddit's public JSON API: a subreddit's newest posts (<c>/r/{sub}/new.json</c>) or a search
/// (<c>/search.json?q=</c>, newest first), then the comments of each new post that has any
/// (<c>/comments/{id}.json</c>, up to five threads a poll). Posts before the checkpoint's time were read
/// by an earlier poll and are not asked for again; posts at it are deduplicated when stored.
public sealed class ReadRedditSource(GetJson get) : IReadSource
{
    public const int MaxThreadsPerPoll = 5;

    public async Task<SourceFetch> ReadAsync(Source source, SourceCheckpoint checkpoint, CancellationToken ct)
    {
        var query = source.Query.Trim();
        var listingPath = SubredditOf(query) is { } sub
            ? $"/r/{Uri.EscapeDataString(sub)}/new.json?limit=100&raw_json=1"
            : $"/search.json?q={Uri.EscapeDataString(query)}&sort=new&limit=100&raw_json=1";
        var answer = await get.RunAsync(GetJson.Combine(source.BaseUrl, listingPath), ct);
        if (answer is GetJson.Answer.Stop stop) return stop.Why;
        using var listing = ((GetJson.Answer.Json)answer).Document;
        if (listing.RootElement.Str("kind") != "Listing")
            return new SourceFetch.Failed("reddit answered with JSON that is not a listing (no \"kind\": \"Listing\").");

        var candidates = new List<MentionCandidate>();
        var newThreads = new List<string>();
        var newest = checkpoint.NewestAt;
        foreach (var child in listing.RootElement.Obj("data").Items("children"))
        {
            if (child.Str("kind") != "t3") continue;
            var post = child.Obj("data");
            if (Read(post, source.BaseUrl) is not { } mention) continue;
            if (checkpoint.NewestAt is { } since && mention.PublishedAt < since) continue;
            candidates.Add(mention);
            if (newest is null || mention.PublishedAt > newest) newest = mention.PublishedAt;
            if (post.Int("num_comments") > 0 && post.Str("id") is { } id) newThreads.Add(id);
        }

        string? note = null;
        foreach (var id in newThreads.Take(MaxThreadsPerPoll))
        {
            var thread = await get.RunAsync(GetJson.Combine(source.BaseUrl, $"/comments/{Uri.EscapeDataString(id)}.json?sort=new&limit=100&raw_json=1"), ct);
            if (thread is GetJson.Answer.Stop { Why: SourceFetch.RetryLater } limited) return limited.Why; // posts are read again next time
            if (thread is GetJson.Answer.Stop { Why: SourceFetch.Failed failed }) { note = $"Comments of {id} could not be read: {failed.Reason}"; continue; }
            using var doc = ((GetJson.Answer.Json)thread).Document;
            // [the post's listing, the comments' listing]
            if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.GetArrayLength() < 2) continue;
            Comments(doc.RootElement[1], source.BaseUrl, candidates);
        }
        if (newThreads.Count > MaxThreadsPerPoll) note = $"{newThreads.Count - MaxThreadsPerPoll} more new threads had comments; only the first {MaxThreadsPerPoll} were read.";
        return new SourceFetch.Read(candidates, checkpoint with { NewestAt = newest, NewestId = newest == checkpoint.NewestAt ? checkpoint.NewestId : LatestName(listing) }, note);
    }

    private static string? LatestName(JsonDocument listing) =>
        listing.RootElement.Obj("data").Items("children").Select(c => c.Obj("data").Str("name")).FirstOrDefault(n => n is not null);

    private static void Comments(JsonElement listing, string baseUrl, List<MentionCandidate> into)
    {
        foreach (var child in listing.Obj("data").Items("children"))
        {
            if (child.Str("kind") != "t1") continue;
            var c = child.Obj("data");
            if (Read(c, baseUrl) is { } comment) into.Add(comment);
            if (c.Obj("replies") is { ValueKind: JsonValueKind.Object } replies) Comments(replies, baseUrl, into);
        }
    }

    /// A post (t3) or comment (t1) as a candidate; null without an id or time. Removed and deleted bodies are kept as said.
    private static MentionCandidate? Read(JsonElement d, string baseUrl)
    {
        var name = d.Str("name") ?? (d.Str("id") is { } id ? "t3_" + id : null);
        if (name is null || d.Long("created_utc") is not { } created) return null;
        var permalink = d.Str("permalink");
        var link = permalink is null ? null : permalink.StartsWith("http", StringComparison.Ordinal) ? permalink : PublicHost(baseUrl) + permalink;
        var text = d.Str("selftext") ?? d.Str("body") ?? "";
        var author = d.Str("author");
        return new MentionCandidate("reddit", name, link, author is null or "[deleted]" ? null : "u/" + author, author,
            d.Str("title"), text, d.Int("score"), null, null, DateTimeOffset.FromUnixTimeSeconds(created));
    }

    // Links back point at reddit itself, whatever API address the source reads from.
    private static string PublicHost(string baseUrl) =>
        Uri.TryCreate(baseUrl, UriKind.Absolute, out var u) && u.Host.EndsWith("reddit.com", StringComparison.OrdinalIgnoreCase) ? "https://www.reddit.com" : baseUrl.TrimEnd('/');

    public static string? SubredditOf(string query)
    {
        var q = query.Trim();
        if (q.StartsWith("/r/", StringComparison.OrdinalIgnoreCase)) q = q[1..];
        return q.StartsWith("r/", StringComparison.OrdinalIgnoreCase) && q.Length > 2 && q[2..].All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? q[2..] : null;
    }
}
