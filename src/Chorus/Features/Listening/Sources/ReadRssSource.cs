using Chorus.Features.Listening.Feeds;
using Chorus.Features.Listening.Mentions;

namespace Chorus.Features.Listening.Sources;

/// An RSS or Atom feed: a conditional GET (the last ETag / Last-Modified), then every item read leniently.
/// Items with no date count as published when first seen.
public sealed class ReadRssSource(IHttpClientFactory clients) : IReadSource
{
    public async Task<SourceFetch> ReadAsync(Source source, SourceCheckpoint checkpoint, CancellationToken ct)
    {
        var url = new Uri(source.BaseUrl);
        var fetch = await new FetchFeed(clients.CreateClient(GetJson.ClientName)).FetchAsync(url, new FeedCheckpoint(checkpoint.ETag, checkpoint.LastModified), ct);
        switch (fetch)
        {
            case FeedFetch.NotModified: return new SourceFetch.Read([], checkpoint, "not modified");
            case FeedFetch.RetryLater later: return new SourceFetch.RetryLater(later.After, $"{url.Host} answered {later.Reason}");
            case FeedFetch.Failed failed: return new SourceFetch.Failed(failed.Reason);
        }
        var changed = (FeedFetch.Changed)fetch;
        if (ReadFeed.Parse(changed.Body, url) is not Common.Outcome<ParsedFeed>.Ok { Value: var feed } parsed)
            return new SourceFetch.Failed(ReadFeed.Parse(changed.Body, url).Error ?? "The feed could not be read.");
        var now = DateTimeOffset.UtcNow;
        var candidates = feed.Items.Select(i => new MentionCandidate("rss", i.Id, i.Link, null, i.Author, i.Title, i.Text, null, null, null, i.Published ?? now)).ToList();
        var newest = feed.Items.Where(i => i.Published is not null).Select(i => i.Published).DefaultIfEmpty(checkpoint.NewestAt).Max();
        return new SourceFetch.Read(candidates,
            checkpoint with { ETag = changed.Checkpoint.ETag, LastModified = changed.Checkpoint.LastModified, NewestAt = Max(newest, checkpoint.NewestAt) },
            feed.Problems.Count > 0 ? string.Join(" ", feed.Problems) : null);
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
