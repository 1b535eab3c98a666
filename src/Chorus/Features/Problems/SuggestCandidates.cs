using System.Text;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Problems;

/// A conversation that reads like the problem. Score: cosine similarity 0–1; Terms: the words they share that weigh most.
public sealed record ProblemCandidate(long Number, string Subject, string RequesterName, string ChannelName, ChannelKind ChannelKind, ConversationStatus Status,
    DateTimeOffset LastMessageAt, double Score, IReadOnlyList<string> Terms);

/// Suggests conversations not yet linked to a problem that resemble it: TF-IDF vectors of the problem's title
/// and description plus its linked conversations, against each recent conversation's subject and what the
/// requester wrote, ranked by cosine similarity. Reads the newest conversations only (Window), the ones a
/// problem still open is about; conversations of private teams the actor is not in are never read.
public sealed class SuggestCandidates(ChorusDb db)
{
    public const int Window = 2_000;
    public const int MaxResults = 10;
    public const double MinScore = 0.05;
    private const int TextPerConversation = 4_000;

    public async Task<List<ProblemCandidate>?> RunAsync(StaffActor actor, long number, CancellationToken ct = default)
    {
        var p = await db.Set<Problem>().AsNoTracking().SingleOrDefaultAsync(x => x.Number == number, ct);
        if (p is null) return null;
        var hidden = actor.HiddenTeamIds.ToList();
        var linkedIds = await db.Set<ProblemLink>().Where(l => l.ProblemId == p.Id).Select(l => l.ConversationId).ToListAsync(ct);
        // Only what the actor may see shapes the query: a private conversation's words must not surface as "shared words".
        var visibleLinked = await db.Conversations.Where(c => linkedIds.Contains(c.Id) && (c.TeamId == null || !hidden.Contains(c.TeamId.Value))).Select(c => c.Id).ToListAsync(ct);
        var recent = await db.Conversations.AsNoTracking()
            .Where(c => c.MergedIntoId == null && (c.TeamId == null || !hidden.Contains(c.TeamId.Value)))
            .OrderByDescending(c => c.LastMessageAt).Take(Window)
            .Select(c => new { c.Id, c.Number, c.Subject, RequesterName = c.Requester!.Name, ChannelName = c.Channel!.Name, c.Channel.Kind, c.Status, c.LastMessageAt })
            .ToListAsync(ct);
        var texts = await TextsAsync(recent.Select(c => c.Id).Concat(visibleLinked).Distinct().ToList(), ct);
        var subjects = recent.ToDictionary(c => c.Id, c => c.Subject);
        foreach (var id in visibleLinked.Where(id => !subjects.ContainsKey(id)))
            subjects[id] = await db.Conversations.Where(c => c.Id == id).Select(c => c.Subject).SingleAsync(ct);

        string Document(Guid id) => subjects[id] + "\n" + subjects[id] + "\n" + texts.GetValueOrDefault(id, "");
        // The problem's own words count twice: they were written to describe it.
        var query = new StringBuilder().AppendLine(p.Title).AppendLine(p.Title).AppendLine(p.Description).AppendLine(p.Description);
        foreach (var id in visibleLinked) query.AppendLine(Document(id));

        var candidates = recent.Where(c => !linkedIds.Contains(c.Id)).ToList();
        var docs = candidates.Select(c => Terms.Count(Document(c.Id))).ToList();
        var queryTerms = Terms.Count(query.ToString());
        if (queryTerms.Count == 0 || docs.Count == 0) return [];
        var idf = Terms.InverseDocumentFrequency(docs.Append(queryTerms).ToList());
        var q = Terms.Weigh(queryTerms, idf);

        return candidates.Select((c, i) => (c, Similarity: Terms.Cosine(q, Terms.Weigh(docs[i], idf))))
            .Where(x => x.Similarity.Score >= MinScore)
            .OrderByDescending(x => x.Similarity.Score).ThenByDescending(x => x.c.LastMessageAt).Take(MaxResults)
            .Select(x => new ProblemCandidate(x.c.Number, x.c.Subject, x.c.RequesterName, x.c.ChannelName, x.c.Kind, x.c.Status, x.c.LastMessageAt,
                Math.Round(x.Similarity.Score, 3), x.Similarity.Shared))
            .ToList();
    }

    /// What the requesters wrote in each conversation (inbound messages, oldest first, cut to a few thousand characters).
    private async Task<Dictionary<Guid, string>> TextsAsync(List<Guid> ids, CancellationToken ct)
    {
        var texts = new Dictionary<Guid, StringBuilder>();
        foreach (var chunk in ids.Chunk(500))
        {
            var rows = await db.Messages.AsNoTracking().Where(m => chunk.Contains(m.ConversationId) && m.Kind == MessageKind.Inbound)
                .OrderBy(m => m.CreatedAt).Select(m => new { m.ConversationId, Text = m.Text.Substring(0, TextPerConversation) }).ToListAsync(ct);
            foreach (var r in rows)
            {
                if (!texts.TryGetValue(r.ConversationId, out var sb)) texts[r.ConversationId] = sb = new StringBuilder();
                if (sb.Length < TextPerConversation) sb.AppendLine(r.Text);
            }
        }
        return texts.ToDictionary(t => t.Key, t => t.Value.ToString());
    }
}

/// Words for text similarity: lower-cased letters and digits, common English words left out, plural -s folded.
internal static class Terms
{
    private static readonly HashSet<string> Stop =
    [
        "the", "and", "for", "are", "but", "not", "you", "your", "yours", "all", "any", "can", "had", "her", "was", "one", "our", "out", "has", "have", "him", "his",
        "how", "its", "may", "new", "now", "old", "see", "two", "who", "did", "does", "get", "got", "let", "say", "she", "too", "use", "way", "this", "that", "with",
        "from", "they", "them", "then", "than", "there", "their", "what", "when", "where", "which", "while", "will", "would", "could", "should", "been", "being",
        "into", "just", "like", "more", "most", "much", "some", "such", "very", "also", "only", "over", "about", "after", "again", "before", "here", "hello", "thanks",
        "thank", "please", "regards", "best", "dear", "team", "hi", "hey", "still", "since", "because", "each", "other", "same", "were", "these", "those", "why",
        "my", "me", "we", "us", "it", "is", "in", "on", "of", "to", "at", "by", "an", "or", "if", "so", "do", "be", "as", "no", "am", "i", "a",
    ];

    public static Dictionary<string, int> Count(string text)
    {
        var counts = new Dictionary<string, int>();
        var word = new StringBuilder();
        void Flush()
        {
            if (word.Length is >= 2 and <= 40)
            {
                var w = word.ToString();
                if (w.Length > 3 && w.EndsWith('s') && !w.EndsWith("ss")) w = w[..^1];
                if (!Stop.Contains(w)) counts[w] = counts.GetValueOrDefault(w) + 1;
            }
            word.Clear();
        }
        foreach (var ch in text)
            if (char.IsLetterOrDigit(ch)) word.Append(char.ToLowerInvariant(ch));
            else if (ch != '\'') Flush();
        Flush();
        return counts;
    }

    public static Dictionary<string, double> InverseDocumentFrequency(IReadOnlyList<Dictionary<string, int>> docs)
    {
        var df = new Dictionary<string, int>();
        foreach (var d in docs)
            foreach (var t in d.Keys) df[t] = df.GetValueOrDefault(t) + 1;
        return df.ToDictionary(x => x.Key, x => Math.Log((1.0 + docs.Count) / (1.0 + x.Value)) + 1.0);
    }

    /// Sub-linear term frequency (1 + log tf) times idf.
    public static Dictionary<string, double> Weigh(Dictionary<string, int> counts, Dictionary<string, double> idf) =>
        counts.ToDictionary(x => x.Key, x => (1 + Math.Log(x.Value)) * idf.GetValueOrDefault(x.Key, 1.0));

    public static (double Score, IReadOnlyList<string> Shared) Cosine(Dictionary<string, double> a, Dictionary<string, double> b)
    {
        double dot = 0;
        var shared = new List<(string Term, double Weight)>();
        foreach (var (term, wa) in a)
            if (b.TryGetValue(term, out var wb))
            {
                dot += wa * wb;
                shared.Add((term, wa * wb));
            }
        if (dot == 0) return (0, []);
        var norm = Math.Sqrt(a.Values.Sum(v => v * v)) * Math.Sqrt(b.Values.Sum(v => v * v));
        return (dot / norm, shared.OrderByDescending(s => s.Weight).Take(5).Select(s => s.Term).ToList());
    }
}
