using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Inbox;
using Chorus.Features.Search;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Incidents;

/// Support conversations that read like the incident's mentions: the mentions' words and each recent support
/// conversation's (subject and what the requester wrote) weighed by TF-IDF over those conversations, ranked by cosine
/// similarity. The people who wrote to Support about the same thing are the ones to answer with the statement too.
public sealed class SuggestConversations(ChorusDb db)
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

        var query = SimilarText.Count(string.Join(' ', mentions.Select(m => m.Title + " " + m.Text)));
        var docs = candidates.Select(c => SimilarText.Count(c.Subject + " " + said.GetValueOrDefault(c.Id, ""))).ToList();
        var idf = SimilarText.InverseDocumentFrequency(docs.Append(query).ToList());
        var q = SimilarText.Weigh(query, idf);
        var scores = docs.Select(d => SimilarText.Cosine(q, SimilarText.Weigh(d, idf)).Score).ToList();
        return candidates.Select((c, n) => new SuggestedConversation(c.Number, c.Subject, c.Requester, c.Status.ToDisplay(), c.LastMessageAt, Math.Round(scores[n], 3)))
            .Where(s => s.Similarity >= MinSimilarity).OrderByDescending(s => s.Similarity).ThenByDescending(s => s.LastMessageAt).Take(take).ToList();
    }
}
