using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum.Posting;

public sealed record RenderedPost(string Html, string Text, IReadOnlyList<Guid> MentionedMemberIds, bool HasLinks);

/// Markdown to safe HTML through the one sanitizer (HtmlCleaner), with @mentions of members linked to
/// their profiles. Rendered once when posted, so readers never pay for it.
public partial class RenderPost(ChorusDb db, HtmlCleaner cleaner)
{
    public async Task<RenderedPost> RunAsync(string markdown, CancellationToken ct = default)
    {
        var names = Mention().Matches(markdown).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct().Take(20).ToList();
        var members = names.Count == 0 ? [] : await db.ForumMembers.AsNoTracking()
            .Where(m => names.Contains(m.UsernameKey) && m.EmailConfirmedAt != null)
            .Select(m => new { m.Id, m.Username, m.UsernameKey }).ToListAsync(ct);
        var byKey = members.ToDictionary(m => m.UsernameKey);
        var linked = members.Count == 0 ? markdown : Mention().Replace(markdown, m =>
            byKey.TryGetValue(m.Groups[1].Value.ToLowerInvariant(), out var member) ? $"[@{member.Username}](/forum/u/{member.Username})" : m.Value);
        var html = cleaner.MarkdownToHtml(linked);
        // Mention links are ours: the same tab, and followed by search engines like any internal link.
        html = OwnMentionLink().Replace(html, "<a href=\"/forum/u/$1\">");
        var text = HtmlCleaner.ToText(html);
        var hasLinks = ExternalLink().IsMatch(html) || BareDomain().IsMatch(markdown);
        return new RenderedPost(html, text, members.Select(m => m.Id).ToList(), hasLinks);
    }

    /// "@name" not preceded by a word character or a backslash (so e-mail addresses are not mentions).
    [GeneratedRegex(@"(?<![\w\\/@`\[])@([A-Za-z0-9][A-Za-z0-9_.-]{1,18}[A-Za-z0-9_])")]
    private static partial Regex Mention();
    [GeneratedRegex(@"<a href=""/forum/u/([A-Za-z0-9_.-]+)""[^>]*>")]
    private static partial Regex OwnMentionLink();
    [GeneratedRegex(@"<a href=""(https?:|mailto:|//)", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalLink();
    [GeneratedRegex(@"\b[a-z0-9-]+\.(com|net|org|info|ru|biz|io|ly|xyz|top|shop)\b", RegexOptions.IgnoreCase)]
    private static partial Regex BareDomain();
}
