using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Listening.Monitors;
using Chorus.Features.Listening.Sentiment;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Mentions;

/// One post as an adapter read it, before it is a mention.
public sealed record MentionCandidate(
    string Platform, string ExternalId, string? Url, string? AuthorHandle, string? AuthorName, string? Title, string Text,
    int? Score, int? Followers, string? Language, DateTimeOffset PublishedAt);

/// Stores new mentions, each once: a candidate whose post (platform + id) or canonical address is already
/// stored is left alone, whichever source or node found it first; the unique indexes settle a race between
/// two nodes. Each new mention is scored for sentiment and matched against every enabled monitor.
public sealed class RecordMentions(ChorusDb db, MatchMonitors monitors, ListeningEvents events)
{
    public sealed record Recorded(IReadOnlyList<Mention> Added, int Duplicates);

    public async Task<Recorded> RunAsync(Guid channelId, IReadOnlyList<MentionCandidate> candidates, CancellationToken ct = default)
    {
        // One candidate per post and per address within the batch, the first one read winning.
        var batch = new List<Mention>();
        var seenKeys = new HashSet<(string, string)>();
        var seenUrls = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in candidates)
        {
            var m = ToMention(channelId, c);
            if (!seenKeys.Add((m.Platform, m.ExternalId))) continue;
            if (m.CanonicalUrl is { } url && !seenUrls.Add(url)) continue;
            batch.Add(m);
        }
        if (batch.Count == 0) return new Recorded([], candidates.Count);

        var ids = batch.Select(m => m.ExternalId).Distinct().ToList();
        var urls = batch.Where(m => m.CanonicalUrl is not null).Select(m => m.CanonicalUrl!).Distinct().ToList();
        var knownKeys = (await db.Mentions.AsNoTracking().Where(m => ids.Contains(m.ExternalId)).Select(m => new { m.Platform, m.ExternalId }).ToListAsync(ct))
            .Select(k => (k.Platform, k.ExternalId)).ToHashSet();
        var knownUrls = (await db.Mentions.AsNoTracking().Where(m => m.CanonicalUrl != null && urls.Contains(m.CanonicalUrl)).Select(m => m.CanonicalUrl!).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        // In one order on every node, so two nodes inserting the same posts wait for each other rather than deadlock.
        var fresh = batch.Where(m => !knownKeys.Contains((m.Platform, m.ExternalId)) && (m.CanonicalUrl is null || !knownUrls.Contains(m.CanonicalUrl)))
            .OrderBy(m => m.Platform, StringComparer.Ordinal).ThenBy(m => m.ExternalId, StringComparer.Ordinal).ToList();
        if (fresh.Count == 0) return new Recorded([], candidates.Count);

        var matchers = await monitors.CurrentAsync(db, ct);
        var matches = new List<MentionMatch>();
        foreach (var m in fresh)
        {
            m.Sentiment = Math.Round(ScoreSentiment.Default.Score(m.Title is null ? m.Text : m.Title + ". " + m.Text), 4);
            var text = MentionText.Of(m.Title is null ? m.Text : m.Title + " " + m.Text);
            foreach (var monitorId in MatchMonitors.Matching(matchers, text, m.Language))
                matches.Add(new MentionMatch { MonitorId = monitorId, MentionId = m.Id, PublishedAt = m.PublishedAt, Negative = m.IsNegative });
        }

        List<Mention> added;
        try
        {
            db.Mentions.AddRange(fresh);
            db.MentionMatches.AddRange(matches);
            await db.SaveChangesAsync(ct);
            added = fresh;
        }
        catch (Exception e) when (LostRace(e))
        {
            // Another node stored some of these a moment ago: store the rest one by one.
            db.ChangeTracker.Clear();
            added = [];
            foreach (var m in fresh)
            {
                db.Mentions.Add(m);
                db.MentionMatches.AddRange(matches.Where(x => x.MentionId == m.Id));
                try
                {
                    await db.SaveChangesAsync(ct);
                    added.Add(m);
                }
                catch (Exception again) when (LostRace(again)) { /* the other node's copy stands */ }
                db.ChangeTracker.Clear();
            }
        }
        if (added.Count > 0)
        {
            await db.Sources.Where(s => s.ChannelId == channelId).ExecuteUpdateAsync(s => s.SetProperty(x => x.MentionsFound, x => x.MentionsFound + added.Count), ct);
            events.Publish(new ListeningChange(ListeningChangeKind.Mentions, matches.Where(x => added.Any(a => a.Id == x.MentionId)).Select(x => x.MonitorId).Distinct().ToList()));
        }
        return new Recorded(added, candidates.Count - added.Count);
    }

    /// A unique index refused the row, or PostgreSQL chose this transaction as a deadlock's victim (its
    /// execution strategy wraps that transient error in an InvalidOperationException).
    private static bool LostRace(Exception e) => e is DbUpdateException || e.InnerException is DbUpdateException;

    private static Mention ToMention(Guid channelId, MentionCandidate c) => new()
    {
        ChannelId = channelId,
        Platform = TextLimits.Cut(c.Platform, 100),
        ExternalId = TextLimits.Cut(c.ExternalId, 500),
        Url = c.Url is { Length: <= 2000 } ? c.Url : null,
        CanonicalUrl = CanonicalUrls.Of(c.Url) is { Length: <= 2000 } canonical ? canonical : null,
        AuthorHandle = Cut(c.AuthorHandle, 200),
        AuthorName = Cut(c.AuthorName, 200),
        Title = Cut(c.Title, 500),
        Text = TextLimits.Cut(c.Text.Trim(), MentionLimits.TextLength),
        Score = c.Score,
        Followers = c.Followers,
        Language = c.Language is { Length: >= 2 } lang ? lang[..2].ToLowerInvariant() : null,
        PublishedAt = c.PublishedAt.ToUniversalTime(),
    };

    private static string? Cut(string? s, int max) => string.IsNullOrWhiteSpace(s) ? null : TextLimits.Cut(s.Trim(), max);
}

/// The enabled monitors' parsed queries, parsed again only when a monitor changed.
public sealed class MatchMonitors
{
    public sealed record Matcher(Guid Id, MonitorQuery Query, IReadOnlySet<string> Languages);

    private readonly Lock _lock = new();
    private Dictionary<Guid, (DateTimeOffset Version, Matcher Matcher)> _cache = [];

    public async Task<IReadOnlyList<Matcher>> CurrentAsync(ChorusDb db, CancellationToken ct)
    {
        var rows = await db.Monitors.AsNoTracking().Where(m => m.Enabled)
            .Select(m => new { m.Id, m.Query, m.Languages, m.UpdatedAt }).ToListAsync(ct);
        lock (_lock)
        {
            var next = new Dictionary<Guid, (DateTimeOffset Version, Matcher Matcher)>();
            foreach (var r in rows)
            {
                if (_cache.TryGetValue(r.Id, out var cached) && cached.Version == r.UpdatedAt) { next[r.Id] = cached; continue; }
                if (MonitorQuery.Parse(r.Query) is not Outcome<MonitorQuery>.Ok ok) continue; // stored queries were checked when saved
                next[r.Id] = (r.UpdatedAt, new Matcher(r.Id, ok.Value, r.Languages.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet()));
            }
            _cache = next;
            return next.Values.Select(v => v.Matcher).ToList();
        }
    }

    /// The monitors a mention matches: its text, and its language when both the monitor and the mention name one.
    public static IEnumerable<Guid> Matching(IReadOnlyList<Matcher> matchers, MentionText text, string? language)
    {
        foreach (var m in matchers)
            if ((m.Languages.Count == 0 || language is null || m.Languages.Contains(language)) && m.Query.Matches(text))
                yield return m.Id;
    }
}
