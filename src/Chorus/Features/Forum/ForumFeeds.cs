using System.Xml.Linq;
using Chorus.Data;
using Chorus.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum;

/// RSS 2.0 feeds of published posts: a category's newest topics, a topic's newest replies.
public class ForumFeeds(ChorusDb db, ReadForum read, PublicUrls urls)
{
    private const int Items = 30;

    public async Task<string?> CategoryAsync(string slug, CancellationToken ct = default)
    {
        var category = await read.CategoryAsync(slug, ct);
        if (category is null) return null;
        var topics = await (from t in db.ForumTopics.AsNoTracking()
                            join p in db.ForumPosts on t.Id equals p.TopicId
                            where t.CategoryId == category.Id && t.State == PostState.Visible && p.Position == 1
                            orderby t.CreatedAt descending
                            select new { t.Id, t.Title, t.AuthorName, t.CreatedAt, p.Html }).Take(Items).ToListAsync(ct);
        return Render($"{category.Name} · Community", urls.To($"/forum/c/{category.Slug}"), category.Description ?? category.Name,
            topics.Select(t => Item(t.Title, urls.To($"/forum/t/{t.Id}"), $"topic:{t.Id}", t.AuthorName, t.CreatedAt, t.Html)));
    }

    public async Task<string?> TopicAsync(Guid id, CancellationToken ct = default)
    {
        var topic = await db.ForumTopics.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id && t.State == PostState.Visible, ct);
        if (topic is null) return null;
        var posts = await db.ForumPosts.AsNoTracking().Where(p => p.TopicId == id && p.State == PostState.Visible)
            .OrderByDescending(p => p.Position).Take(Items).Select(p => new { p.Id, p.Position, p.AuthorName, p.CreatedAt, p.Html }).ToListAsync(ct);
        var link = urls.To($"/forum/t/{id}");
        return Render($"{topic.Title} · Community", link, topic.Title,
            posts.Select(p => Item(p.Position == 1 ? topic.Title : $"Re: {topic.Title} ({p.AuthorName})", $"{urls.To($"/forum/p/{p.Id}")}", $"post:{p.Id}", p.AuthorName, p.CreatedAt, p.Html)));
    }

    private static XElement Item(string title, string link, string guid, string author, DateTimeOffset at, string html) =>
        new("item",
            new XElement("title", title),
            new XElement("link", link),
            new XElement("guid", new XAttribute("isPermaLink", "false"), guid),
            new XElement(Dc + "creator", author),
            new XElement("pubDate", at.ToUniversalTime().ToString("r")),
            // Already sanitized when posted; XLinq escapes it, as RSS expects HTML in description.
            new XElement("description", html));

    private static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";

    private static string Render(string title, string link, string description, IEnumerable<XElement> items)
    {
        var doc = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement("rss", new XAttribute("version", "2.0"), new XAttribute(XNamespace.Xmlns + "dc", Dc),
                new XElement("channel", new XElement("title", title), new XElement("link", link), new XElement("description", description), items)));
        return doc.Declaration + "\n" + doc;
    }
}
