using Chorus.Data;
using Chorus.Features.Inbox;
using Chorus.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.HelpCenter;

public sealed record SuggestedReply(string Text, int Count, IReadOnlyList<string> Titles);

/// The reply of a rule's "reply with suggested articles": links to the published articles that best match
/// the conversation's subject and first message. Null when none matches: then nothing is sent.
public sealed class SuggestArticlesReply(ChorusDb db, SearchArticles search, PublicUrls urls)
{
    public const int MaxArticles = 5;
    public const int DefaultArticles = 3;

    public async Task<SuggestedReply?> WriteAsync(Conversation c, int count, CancellationToken ct)
    {
        var first = await db.Messages.AsNoTracking().Where(m => m.ConversationId == c.Id && m.Kind == MessageKind.Inbound)
            .OrderBy(m => m.CreatedAt).Select(m => m.Text).FirstOrDefaultAsync(ct) ?? "";
        // The subject first: the query keeps its first words, and a subject says most in fewest.
        var hits = await search.RunAsync($"{c.Subject} {first}", ArticleAudience.Public, Math.Clamp(count, 1, MaxArticles), ct);
        if (hits.Count == 0) return null;
        // Weak matches (one common word of a long message) are noise next to a good one.
        var top = hits[0].Score;
        hits = hits.Where(h => h.Score >= top * 0.3).ToList();
        var name = await db.People.AsNoTracking().Where(p => p.Id == c.RequesterId).Select(p => p.Name).SingleOrDefaultAsync(ct) ?? "";
        var firstName = Automation.Placeholders.FirstName(name);
        var links = string.Join("\n", hits.Select(h => $"- [{Escape(h.Title)}]({urls.To(h.PublicPath)})"));
        var text = $"""
            {(firstName.Length > 0 ? $"Hi {firstName}," : "Hello,")}

            thanks for writing (reference #{c.Number}). While we look at your message, {(hits.Count == 1 ? "this article from our help center may already answer it" : "these articles from our help center may already answer it")}:

            {links}

            If {(hits.Count == 1 ? "it does" : "one does")}, there is nothing more to do. If not, just reply and a colleague will answer you.
            """;
        return new SuggestedReply(text, hits.Count, hits.Select(h => h.Title).ToList());
    }

    /// Square brackets in a title would end the Markdown link text early.
    private static string Escape(string title) => title.Replace("[", "\\[").Replace("]", "\\]");
}
