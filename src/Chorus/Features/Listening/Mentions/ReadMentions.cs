using Chorus.Data;
using Chorus.Features.Channels;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Mentions;

public sealed record MentionView(
    Guid Id, Guid SourceId, string SourceName, string Platform, string ExternalId, string? Url, string? AuthorHandle, string? AuthorName,
    string? Title, string Text, int? Score, int? Followers, double Sentiment, string? Language, DateTimeOffset PublishedAt, DateTimeOffset FoundAt,
    IReadOnlyList<Guid> MonitorIds, long? ConversationNumber = null);

/// Which mentions to show: of one monitor and/or source, by sentiment (negative, neutral, positive), containing words, newest first.
public sealed record MentionFilter(Guid? MonitorId = null, Guid? SourceId = null, string? Sentiment = null, string? Text = null, DateTimeOffset? Before = null, int Take = 50, IReadOnlyCollection<Guid>? Ids = null);

/// One bucket of a monitor's series: how many mentions, how many negative and positive, and the mean sentiment.
public sealed record MentionBucket(DateTimeOffset Start, int Count, int Negative, int Positive, double MeanSentiment)
{
    public double NegativeShare => Count == 0 ? 0 : (double)Negative / Count;
}

public sealed class ReadMentions(ChorusDb db)
{
    public const int MaxTake = 200;

    public async Task<List<MentionView>> ListAsync(MentionFilter filter, CancellationToken ct = default)
    {
        var q = db.Mentions.AsNoTracking();
        if (filter.MonitorId is { } monitor) q = q.Where(m => db.MentionMatches.Any(x => x.MonitorId == monitor && x.MentionId == m.Id));
        if (filter.Ids is { } only) q = q.Where(m => only.Contains(m.Id));
        if (filter.SourceId is { } source) q = q.Where(m => m.ChannelId == source);
        q = filter.Sentiment?.ToLowerInvariant() switch
        {
            "negative" => q.Where(m => m.Sentiment < Mention.NegativeBelow),
            "positive" => q.Where(m => m.Sentiment > Mention.PositiveAbove),
            "neutral" => q.Where(m => m.Sentiment >= Mention.NegativeBelow && m.Sentiment <= Mention.PositiveAbove),
            _ => q,
        };
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var words = filter.Text.Trim().ToLower();
            q = q.Where(m => m.Text.ToLower().Contains(words) || (m.Title != null && m.Title.ToLower().Contains(words)) || (m.AuthorHandle != null && m.AuthorHandle.ToLower().Contains(words)));
        }
        if (filter.Before is { } before) q = q.Where(m => m.PublishedAt < before);
        var rows = await q.OrderByDescending(m => m.PublishedAt).ThenByDescending(m => m.Id).Take(Math.Clamp(filter.Take, 1, MaxTake))
            .Join(db.Channels, m => m.ChannelId, c => c.Id, (m, c) => new { m, c.Name })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.m.Id).ToList();
        var matches = (await db.MentionMatches.AsNoTracking().Where(x => ids.Contains(x.MentionId)).Select(x => new { x.MentionId, x.MonitorId }).ToListAsync(ct))
            .ToLookup(x => x.MentionId, x => x.MonitorId);
        var engaged = await Engage.EngageMention.NumbersAsync(db, ids, ct); // the conversation a mention became, if it was engaged
        return rows.Select(r => new MentionView(r.m.Id, r.m.ChannelId, r.Name, r.m.Platform, r.m.ExternalId, r.m.Url, r.m.AuthorHandle, r.m.AuthorName,
            r.m.Title, r.m.Text, r.m.Score, r.m.Followers, r.m.Sentiment, r.m.Language, r.m.PublishedAt, r.m.FoundAt, matches[r.m.Id].ToList(),
            engaged.TryGetValue(r.m.Id, out var number) ? number : null)).ToList();
    }

    /// A monitor's mentions per bucket from `from` to `to` (buckets without mentions included, as zeros).
    public async Task<List<MentionBucket>> SeriesAsync(Guid monitorId, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, CancellationToken ct = default)
    {
        var start = Floor(from, bucket);
        var rows = await (from x in db.MentionMatches.AsNoTracking()
                          where x.MonitorId == monitorId && x.PublishedAt >= start && x.PublishedAt < to
                          join m in db.Mentions on x.MentionId equals m.Id
                          select new { x.PublishedAt, m.Sentiment }).ToListAsync(ct);
        var count = (int)Math.Ceiling((to - start) / bucket);
        var buckets = new (int Count, int Negative, int Positive, double Sum)[Math.Max(count, 0)];
        foreach (var r in rows)
        {
            var i = (int)((r.PublishedAt - start) / bucket);
            if (i < 0 || i >= buckets.Length) continue;
            ref var b = ref buckets[i];
            b.Count++;
            if (r.Sentiment < Mention.NegativeBelow) b.Negative++;
            else if (r.Sentiment > Mention.PositiveAbove) b.Positive++;
            b.Sum += r.Sentiment;
        }
        return buckets.Select((b, i) => new MentionBucket(start + bucket * i, b.Count, b.Negative, b.Positive, b.Count == 0 ? 0 : Math.Round(b.Sum / b.Count, 3))).ToList();
    }

    /// Per monitor: mentions since `since` and how many of them were negative.
    public async Task<Dictionary<Guid, (int Count, int Negative)>> TotalsAsync(DateTimeOffset since, CancellationToken ct = default) =>
        (await db.MentionMatches.AsNoTracking().Where(x => x.PublishedAt >= since)
            .GroupBy(x => x.MonitorId).Select(g => new { g.Key, Count = g.Count(), Negative = g.Count(x => x.Negative) }).ToListAsync(ct))
        .ToDictionary(x => x.Key, x => (x.Count, x.Negative));

    public static DateTimeOffset Floor(DateTimeOffset at, TimeSpan bucket) =>
        new(at.UtcTicks - at.UtcTicks % bucket.Ticks, TimeSpan.Zero);
}
