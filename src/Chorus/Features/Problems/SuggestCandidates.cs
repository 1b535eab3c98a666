using System.Text;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Inbox;
using Chorus.Features.Search;
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
        var docs = candidates.Select(c => SimilarText.Count(Document(c.Id))).ToList();
        var queryTerms = SimilarText.Count(query.ToString());
        if (queryTerms.Count == 0 || docs.Count == 0) return [];
        var idf = SimilarText.InverseDocumentFrequency(docs.Append(queryTerms).ToList());
        var q = SimilarText.Weigh(queryTerms, idf);

        return candidates.Select((c, i) => (c, Similarity: SimilarText.Cosine(q, SimilarText.Weigh(docs[i], idf))))
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
