using System.Text;

namespace Chorus.Features.Search;

/// TF-IDF text similarity, for "conversations like this one" (problem candidates, an incident's support
/// conversations): words are lower-cased letters and digits, common English words left out, plural -s folded;
/// weights are sub-linear term frequency times inverse document frequency; similarity is the cosine.
public static class SimilarText
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
