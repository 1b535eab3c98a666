using System.Text.RegularExpressions;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.HelpCenter;

/// Who is searching: the public sees published, non-internal articles only; staff also see playbooks
/// (internal articles) and, when asked, drafts.
public enum ArticleAudience { Public, Staff, StaffWithDrafts }

public sealed record ArticleHit(Guid Id, string Title, string Slug, string CategoryName, string CategorySlug, string Excerpt,
    ArticleStatus Status, bool Internal, double Score)
{
    public string PublicPath => $"/help/articles/{Slug}";
}

/// Ranked search over help-center articles, the same for pages, the web form's suggestions and rules.
/// A help center holds hundreds of articles, not millions of messages, so it ranks in memory with BM25
/// over the candidates (title words count three times), with light stemming and the last word matched
/// as a prefix (the visitor is still typing it). It reads the database on each call, so every node
/// sees an article the moment it is published.
public sealed partial class SearchArticles(ChorusDb db)
{
    public const int MaxQueryLength = 500;

    public async Task<List<ArticleHit>> RunAsync(string? query, ArticleAudience audience, int take = 10, CancellationToken ct = default)
    {
        var terms = Terms(TextLimitsCut(query ?? ""));
        if (terms.Count == 0) return [];
        var candidates = db.Set<HelpArticle>().AsNoTracking();
        candidates = audience switch
        {
            ArticleAudience.Public => candidates.Where(a => a.Status == ArticleStatus.Published && !a.Internal),
            ArticleAudience.Staff => candidates.Where(a => a.Status == ArticleStatus.Published),
            _ => candidates,
        };
        var docs = await candidates.Select(a => new
        {
            a.Id, a.Title, a.Slug, a.Text, a.Status, a.Internal, CategoryName = a.Category!.Name, CategorySlug = a.Category.Slug,
        }).ToListAsync(ct);
        if (docs.Count == 0) return [];

        var tokenized = docs.Select(d => (Doc: d, Title: Tokens(d.Title), Body: Tokens(d.Text))).ToList();
        var averageLength = Math.Max(1.0, tokenized.Average(t => t.Body.Count + 3.0 * t.Title.Count));
        var lastIsPrefix = query is { Length: > 0 } q && char.IsLetterOrDigit(q[^1]);
        var scored = new List<ArticleHit>();
        foreach (var (doc, title, body) in tokenized)
        {
            var length = body.Count + 3.0 * title.Count;
            double score = 0;
            var matched = 0;
            for (var i = 0; i < terms.Count; i++)
            {
                var prefix = lastIsPrefix && i == terms.Count - 1 && terms[i].Length >= 3;
                var tf = 3.0 * Count(title, terms[i], prefix) + Count(body, terms[i], prefix);
                if (tf == 0) continue;
                matched++;
                var containing = tokenized.Count(t => Count(t.Title, terms[i], prefix) + Count(t.Body, terms[i], prefix) > 0);
                var idf = Math.Log(1 + (tokenized.Count - containing + 0.5) / (containing + 0.5));
                score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / averageLength));
            }
            if (matched == 0) continue;
            // An article that has every word the visitor typed beats one that repeats a single word.
            score *= (double)matched / terms.Count;
            scored.Add(new ArticleHit(doc.Id, doc.Title, doc.Slug, doc.CategoryName, doc.CategorySlug, Excerpt(doc.Text, terms), doc.Status, doc.Internal, score));
        }
        return scored.OrderByDescending(h => h.Score).ThenBy(h => h.Title, StringComparer.OrdinalIgnoreCase).Take(Math.Clamp(take, 1, 50)).ToList();
    }

    private static string TextLimitsCut(string query) => Common.TextLimits.Cut(query, MaxQueryLength);

    private static int Count(List<string> tokens, string term, bool prefix)
    {
        var n = 0;
        foreach (var t in tokens) if (prefix ? t.StartsWith(term, StringComparison.Ordinal) : t == term) n++;
        return n;
    }

    /// The query's words, stemmed, without the little words every article has.
    public static List<string> Terms(string query) => Tokens(query).Distinct().Take(20).ToList();

    private static List<string> Tokens(string text)
    {
        var list = new List<string>();
        foreach (Match m in Word().Matches(text.ToLowerInvariant()))
        {
            var w = m.Value;
            if (w.Length < 2 || StopWords.Contains(w)) continue;
            list.Add(Stem(w));
        }
        return list;
    }

    /// A light English stemmer: "refunds", "refunded" and "refunding" all count as "refund".
    private static string Stem(string w)
    {
        foreach (var suffix in new[] { "ing", "ed", "es", "s" })
            if (w.Length - suffix.Length >= 3 && w.EndsWith(suffix, StringComparison.Ordinal) && !w.EndsWith("ss", StringComparison.Ordinal))
                return w[..^suffix.Length];
        return w;
    }

    /// About 160 characters around the first word of the query found in the text.
    private static string Excerpt(string text, List<string> terms)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var at = terms.Select(t => flat.IndexOf(t, StringComparison.OrdinalIgnoreCase)).Where(i => i >= 0).DefaultIfEmpty(0).Min();
        var start = Math.Max(0, at - 60);
        while (start > 0 && flat[start - 1] != ' ') start--;
        var excerpt = Common.TextLimits.Cut(flat[start..], 160);
        return (start > 0 ? "…" : "") + excerpt + (start + excerpt.Length < flat.Length ? "…" : "");
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    private static readonly HashSet<string> StopWords =
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "has", "have", "how", "i", "if", "in", "is", "it",
        "its", "me", "my", "no", "not", "of", "on", "or", "our", "so", "that", "the", "their", "there", "this", "to", "was", "we", "what", "when",
        "where", "which", "who", "why", "will", "with", "you", "your", "hi", "hello", "thanks", "please", "help",
    ];
}
