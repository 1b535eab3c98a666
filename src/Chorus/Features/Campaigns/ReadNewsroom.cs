using System.Globalization;
using System.Text;
using System.Xml;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Campaigns;

public sealed record NewsroomEntry(string Slug, string Title, string Html, DateTimeOffset PublishedAt, string? Summary = null, bool IsPressRelease = false,
    IReadOnlyList<NewsroomImage>? Images = null);

/// An image of a newsroom entry: its absolute public address, type, size and alt text.
public sealed record NewsroomImage(string Url, string ContentType, long Size, string AltText);

/// The public newsroom: posts published on a newsroom channel and public press releases, newest
/// first, as pages and as RSS.
public class ReadNewsroom(ChorusDb db, HtmlCleaner html, PublicUrls urls, PressRoom.ReadPublishedReleases releases)
{
    public const int PageSize = 20;

    public async Task<List<NewsroomEntry>> LatestAsync(int take = PageSize, CancellationToken ct = default)
    {
        var rows = await Published(null).OrderByDescending(r => r.PublishedAt).Take(take).ToListAsync(ct);
        var images = await ImagesAsync(rows.Select(r => r.PostId).ToList(), ct);
        return rows.Select(r => Entry(r, images)).Concat(await releases.LatestAsync(take, ct)).OrderByDescending(e => e.PublishedAt).Take(take).ToList();
    }

    public async Task<NewsroomEntry?> GetAsync(string slug, CancellationToken ct = default) =>
        await Published(slug).FirstOrDefaultAsync(ct) is { } row ? Entry(row, await ImagesAsync([row.PostId], ct)) : await releases.GetAsync(slug, ct);

    private NewsroomEntry Entry(Row r, ILookup<Guid, NewsroomImage> images) =>
        new(r.Slug!, r.Title, html.MarkdownToHtml(r.Text), r.PublishedAt!.Value, Images: images[r.PostId].ToList());

    private async Task<ILookup<Guid, NewsroomImage>> ImagesAsync(List<Guid> postIds, CancellationToken ct) =>
        (await db.Set<PostImage>().AsNoTracking().Where(i => postIds.Contains(i.PostId)).OrderBy(i => i.Position).ToListAsync(ct))
            .ToLookup(i => i.PostId, i => new NewsroomImage(urls.To(ManagePostImages.PublicPath(i.Id)), i.ContentType, i.Size, i.AltText));

    private IQueryable<Row> Published(string? slug) =>
        from d in db.Set<PostDelivery>().AsNoTracking()
        join ch in db.Set<PublishingChannel>() on d.ChannelId equals ch.Id
        join p in db.Set<Post>() on d.PostId equals p.Id
        where ch.Kind == PublishingChannelKind.Newsroom && d.State == PublishState.Published && d.ExternalId != null && (slug == null || d.ExternalId == slug)
        select new Row { PostId = p.Id, Slug = d.ExternalId, Title = p.Title, Text = d.Text ?? p.Body, PublishedAt = d.PublishedAt };

    private sealed class Row
    {
        public Guid PostId { get; init; }
        public string? Slug { get; init; }
        public string Title { get; init; } = "";
        public string Text { get; init; } = "";
        public DateTimeOffset? PublishedAt { get; init; }
    }

    /// RSS 2.0 of the newest entries.
    public async Task<string> RssAsync(CancellationToken ct = default)
    {
        var entries = await LatestAsync(50, ct);
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(new StringWriterUtf8(sb), new XmlWriterSettings { Indent = true, Async = false }))
        {
            w.WriteStartDocument();
            w.WriteStartElement("rss");
            w.WriteAttributeString("version", "2.0");
            w.WriteAttributeString("xmlns", "atom", null, "http://www.w3.org/2005/Atom");
            w.WriteStartElement("channel");
            w.WriteElementString("title", "Newsroom");
            w.WriteElementString("link", urls.To("/newsroom"));
            w.WriteElementString("description", "News and announcements");
            w.WriteElementString("language", "en");
            w.WriteStartElement("atom", "link", "http://www.w3.org/2005/Atom");
            w.WriteAttributeString("href", urls.To("/newsroom/rss.xml"));
            w.WriteAttributeString("rel", "self");
            w.WriteAttributeString("type", "application/rss+xml");
            w.WriteEndElement();
            if (entries.Count > 0) w.WriteElementString("lastBuildDate", Rfc822(entries[0].PublishedAt));
            foreach (var e in entries)
            {
                var link = urls.To($"/newsroom/{e.Slug}");
                w.WriteStartElement("item");
                w.WriteElementString("title", e.Title);
                w.WriteElementString("link", link);
                w.WriteStartElement("guid");
                w.WriteAttributeString("isPermaLink", "true");
                w.WriteString(link);
                w.WriteEndElement();
                w.WriteElementString("pubDate", Rfc822(e.PublishedAt));
                if (e.IsPressRelease) w.WriteElementString("category", "Press release");
                // Feed readers show the images in the text; the first is also the item's enclosure (RSS allows one).
                w.WriteElementString("description", e.Html + ImagesHtml(e.Images));
                if (e.Images is [var first, ..])
                {
                    w.WriteStartElement("enclosure");
                    w.WriteAttributeString("url", first.Url);
                    w.WriteAttributeString("length", first.Size.ToString(CultureInfo.InvariantCulture));
                    w.WriteAttributeString("type", first.ContentType);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return sb.ToString();
    }

    /// The images as HTML figures with their alt text (the newsroom page shows them the same way).
    public static string ImagesHtml(IReadOnlyList<NewsroomImage>? images) =>
        images is null or [] ? "" : string.Concat(images.Select(i =>
            $"<figure class=\"newsroom-image\"><img src=\"{System.Net.WebUtility.HtmlEncode(i.Url)}\" alt=\"{System.Net.WebUtility.HtmlEncode(i.AltText)}\" loading=\"lazy\"></figure>"));

    private static string Rfc822(DateTimeOffset at) => at.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";

    private sealed class StringWriterUtf8(StringBuilder sb) : StringWriter(sb, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => Encoding.UTF8;
    }
}
