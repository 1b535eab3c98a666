using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Incidents;

/// Support conversations that read like the incident's mentions: the mentions' words and each recent support
/// conversation's (subject and what the requester wrote) weighed by TF-IDF over those conversations, ranked by cosine
/// similarity. The people who wrote to Support about the same thing are the ones to answer with the statement too.
public sealed partial class SuggestConversations(ChorusDb db)
{
    public const int MaxCandidates = 1_000;
    public const double MinSimilarity = 0.08;
    public static readonly TimeSpan LookBack = TimeSpan.FromDays(30);

    private static readonly ChannelKind[] SupportChannels = [ChannelKind.Email, ChannelKind.WebForm, ChannelKind.Api, ChannelKind.Forum];

    public async Task<Outcome<List<SuggestedConversation>>> RunAsync(StaffActor actor, Guid incidentId, int take = 8, CancellationToken ct = default)
    {
        if (!await db.Incidents.AnyAsync(i => i.Id == incidentId, ct)) return new Outcome<List<SuggestedConversation>>.NotFound("Incident");
        var mentions = await (from t in db.IncidentThreads join m in db.Mentions on t.MentionId equals m.Id where t.IncidentId == incidentId
                              select new { m.Title, m.Text }).ToListAsync(ct);
        if (mentions.Count == 0) return new List<SuggestedConversation>();
        var linked = db.IncidentThreads.Where(t => t.IncidentId == incidentId && t.ConversationId != null).Select(t => t.ConversationId!.Value);
        var since = DateTimeOffset.UtcNow - LookBack;
        var hidden = actor.HiddenTeamIds.ToList();
        var candidates = await (from c in db.Conversations.AsNoTracking()
                                join ch in db.Channels on c.ChannelId equals ch.Id
                                join p in db.People on c.RequesterId equals p.Id
                                where SupportChannels.Contains(ch.Kind) && c.MergedIntoId == null && c.LastMessageAt >= since && !linked.Contains(c.Id)
                                      && (c.TeamId == null || !hidden.Contains(c.TeamId.Value))
                                orderby c.LastMessageAt descending
                                select new { c.Id, c.Number, c.Subject, c.Status, c.LastMessageAt, Requester = p.Name }).Take(MaxCandidates).ToListAsync(ct);
        if (candidates.Count == 0) return new List<SuggestedConversation>();
        var ids = candidates.Select(c => c.Id).ToList();
        var said = (await db.Messages.AsNoTracking().Where(m => ids.Contains(m.ConversationId) && m.Kind == MessageKind.Inbound)
                .Select(m => new { m.ConversationId, m.Text }).ToListAsync(ct))
            .GroupBy(m => m.ConversationId).ToDictionary(g => g.Key, g => string.Join(' ', g.Select(m => m.Text.Length > 4000 ? m.Text[..4000] : m.Text)));

        var query = Words(string.Join(' ', mentions.Select(m => m.Title + " " + m.Text)));
        var docs = candidates.Select(c => Words(c.Subject + " " + said.GetValueOrDefault(c.Id, ""))).ToList();
        var scores = Cosine(query, docs);
        return candidates.Select((c, n) => new SuggestedConversation(c.Number, c.Subject, c.Requester, c.Status.ToDisplay(), c.LastMessageAt, Math.Round(scores[n], 3)))
            .Where(s => s.Similarity >= MinSimilarity).OrderByDescending(s => s.Similarity).ThenByDescending(s => s.LastMessageAt).Take(take).ToList();
    }

    /// Cosine similarity of the query to each document, both weighed by tf × idf (idf over the documents and the query).
    public static double[] Cosine(Dictionary<string, int> query, IReadOnlyList<Dictionary<string, int>> docs)
    {
        var df = new Dictionary<string, int>();
        foreach (var d in docs.Append(query))
            foreach (var w in d.Keys) df[w] = df.GetValueOrDefault(w) + 1;
        var n = docs.Count + 1;
        double Idf(string w) => Math.Log((1.0 + n) / (1.0 + df.GetValueOrDefault(w))) + 1;
        Dictionary<string, double> Weigh(Dictionary<string, int> d) => d.ToDictionary(kv => kv.Key, kv => (1 + Math.Log(kv.Value)) * Idf(kv.Key));
        var q = Weigh(query);
        var qNorm = Math.Sqrt(q.Values.Sum(v => v * v));
        return docs.Select(d =>
        {
            var v = Weigh(d);
            var norm = Math.Sqrt(v.Values.Sum(x => x * x));
            if (norm == 0 || qNorm == 0) return 0;
            var dot = v.Sum(kv => q.TryGetValue(kv.Key, out var qv) ? qv * kv.Value : 0);
            return dot / (norm * qNorm);
        }).ToArray();
    }

    /// Lower-case words of three letters or more, without the commonest English words, counted.
    public static Dictionary<string, int> Words(string text)
    {
        var counts = new Dictionary<string, int>();
        foreach (Match m in WordPattern().Matches(text.ToLowerInvariant()))
        {
            var w = m.Value;
            if (w.Length < 3 || StopWords.Contains(w)) continue;
            if (w.Length > 4 && w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal)) w = w[..^1]; // "backups" is "backup"
            counts[w] = counts.GetValueOrDefault(w) + 1;
        }
        return counts;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:'[\p{L}]+)?")]
    private static partial Regex WordPattern();

    private static readonly HashSet<string> StopWords =
    [
        "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was", "one", "our", "out", "has", "have", "him", "his",
        "how", "its", "may", "new", "now", "old", "see", "two", "who", "did", "get", "got", "let", "put", "say", "she", "too", "use", "that", "with",
        "this", "they", "from", "your", "what", "when", "will", "just", "been", "were", "then", "them", "than", "there", "their", "about", "would",
        "could", "should", "which", "into", "some", "more", "also", "very", "here", "only", "over", "such", "after", "before", "because", "while",
        "i'm", "it's", "don't", "can't", "didn't", "doesn't", "isn't", "i've", "you're", "we're", "hello", "thanks", "thank", "please", "regards",
    ];
}
