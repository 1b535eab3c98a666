using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Chorus.Common;

namespace Chorus.Features.Listening.Feeds;

/// One post of a feed, as a mention candidate. Html is the publisher's markup, unsanitized: whoever shows
/// it passes it through the HTML cleaner (the ingest pipeline does).
public sealed record FeedItem(string Id, string? Title, string? Link, string? Author, DateTimeOffset? Published, string Text, string? Html);

/// A feed as read: its title and link, its items, and what was wrong with it but could be read around
/// (a broken item, an XML error after the last good item).
public sealed record ParsedFeed(string Format, string? Title, string? Link, IReadOnlyList<FeedItem> Items, IReadOnlyList<string> Problems);

/// Reads RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 feeds, leniently: an ill-formed feed gives the
/// items before the damage and a problem saying where it is; a document that is not a feed at all
/// (an HTML page, an empty body, plain text) is refused with the reason. DTDs are never processed
/// (no entity expansion, no external fetches) and documents are capped in size.
public static class ReadFeed
{
    public const long MaxCharacters = 20_000_000;

    static ReadFeed() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance); // Big5, KOI8-R, windows-1252 …

    public static Outcome<ParsedFeed> Parse(byte[] body, Uri? baseUrl = null)
    {
        // Whitespace or comments before the XML declaration are common and harmless; XmlReader refuses them.
        var start = body.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var declaration = body.AsSpan(start, Math.Min(4096, body.Length - start)).IndexOf("<?xml"u8);
        if (declaration > 0) start += declaration;
        while (start < body.Length && body[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') start++;
        var bytes = body.AsSpan(start).ToArray();
        // Control characters are not allowed in XML, and publishers let them slip into titles. In the
        // encodings feeds use (not UTF-16, checked by its zero bytes) such a byte is always that character.
        if (!bytes.AsSpan(0, Math.Min(bytes.Length, 64)).Contains((byte)0))
            for (var i = 0; i < bytes.Length; i++)
                if (bytes[i] < 0x20 && bytes[i] is not ((byte)'\t' or (byte)'\r' or (byte)'\n')) bytes[i] = (byte)' ';
        return Parse(new MemoryStream(bytes, writable: false), baseUrl);
    }

    public static Outcome<ParsedFeed> Parse(Stream body, Uri? baseUrl = null)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Ignore,
            XmlResolver = null,
            MaxCharactersInDocument = MaxCharacters,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            CheckCharacters = false,
        };
        var items = new List<FeedItem>();
        var problems = new List<string>();
        string? format = null, title = null;
        Uri? link = null;
        try
        {
            using var reader = XmlReader.Create(body, settings);
            if (!MoveToRoot(reader)) return Invalid("The document is empty: there is no feed in it.");
            format = reader.LocalName.ToLowerInvariant() switch
            {
                "rss" => "RSS " + (reader.GetAttribute("version") ?? "2.0"),
                "rdf" => "RSS 1.0",
                "feed" => reader.NamespaceURI == "http://purl.org/atom/ns#" ? "Atom 0.3" : "Atom 1.0",
                "html" => null,
                _ => null,
            };
            if (format is null)
                return Invalid(reader.LocalName.Equals("html", StringComparison.OrdinalIgnoreCase)
                    ? "This is an HTML page, not a feed."
                    : $"This is not a feed: its root element is <{reader.Name}>, not <rss>, <rdf:RDF> or <feed>.");
            var atom = format.StartsWith("Atom", StringComparison.Ordinal);
            var itemName = atom ? "entry" : "item";
            var position = 0;
            // XNode.ReadFrom leaves the reader on the node after what it read, which is not read again.
            var fresh = false;
            while (fresh || reader.Read())
            {
                fresh = false;
                if (reader.EOF) break;
                if (reader.NodeType != XmlNodeType.Element) continue;
                var name = reader.LocalName;
                if (name == itemName)
                {
                    position++;
                    var element = (XElement)XNode.ReadFrom(reader);
                    fresh = true;
                    var item = atom ? AtomItem(element, link ?? baseUrl) : RssItem(element, link ?? baseUrl);
                    if (item is null) problems.Add($"Item {position} has no title, link or text; skipped.");
                    else items.Add(item);
                }
                // The feed's own title and link come before its items in every format.
                else if (position == 0 && reader.Depth <= 2 && (name == "title" && title is null || name == "link" && link is null))
                {
                    var element = (XElement)XNode.ReadFrom(reader);
                    fresh = true;
                    if (name == "title") title = Clean(element.Value);
                    else link = Url(atom ? ((string?)element.Attribute("rel") is null or "alternate" ? (string?)element.Attribute("href") : null) : element.Value, baseUrl);
                }
            }
        }
        catch (XmlException e)
        {
            if (format is null)
                return Invalid(e.Message.StartsWith("Root element is missing", StringComparison.Ordinal)
                    ? "The document is empty: there is no feed in it."
                    : $"This is not a feed: it is not well-formed XML ({e.Message})");
            var where = $"The feed is not well-formed XML at line {e.LineNumber}, position {e.LinePosition}: {e.Message}";
            if (items.Count == 0) return Invalid(where);
            problems.Add($"{where} The {items.Count} items before that point were read.");
        }
        catch (DecoderFallbackException e)
        {
            problems.Add($"The feed's bytes do not match its declared encoding: {e.Message}");
        }
        return new ParsedFeed(format!, title, link?.ToString(), items, problems);
    }

    private static Outcome<ParsedFeed>.Invalid Invalid(string error) => Outcome<ParsedFeed>.Invalid.One("feed", error);

    private static bool MoveToRoot(XmlReader reader)
    {
        while (reader.Read())
            if (reader.NodeType == XmlNodeType.Element) return true;
        return false;
    }

    private static FeedItem? RssItem(XElement item, Uri? baseUrl)
    {
        var title = Clean(Child(item, "title"));
        var link = Url(Child(item, "link"), baseUrl) ?? Url(Child(item, "guid") is { } g && IsPermalink(item) ? g : null, baseUrl);
        var html = Child(item, "encoded") ?? Child(item, "description");
        var author = Clean(Child(item, "creator") ?? Child(item, "author"));
        var published = Date(Child(item, "pubDate") ?? Child(item, "date"));
        var id = Clean(Child(item, "guid")) ?? link?.ToString();
        return Item(id, title, link, author, published, html);
    }

    private static bool IsPermalink(XElement item) =>
        item.Elements().FirstOrDefault(e => e.Name.LocalName == "guid")?.Attribute("isPermaLink")?.Value is not "false";

    private static FeedItem? AtomItem(XElement entry, Uri? baseUrl)
    {
        var title = Clean(Child(entry, "title"));
        var links = entry.Elements().Where(e => e.Name.LocalName == "link").ToList();
        var alternate = links.FirstOrDefault(l => (string?)l.Attribute("rel") is null or "alternate") ?? links.FirstOrDefault();
        var link = Url((string?)alternate?.Attribute("href"), baseUrl);
        var content = entry.Elements().FirstOrDefault(e => e.Name.LocalName == "content") ?? entry.Elements().FirstOrDefault(e => e.Name.LocalName == "summary");
        var html = content is null ? null
            : (string?)content.Attribute("type") is "xhtml" ? string.Concat(content.Nodes().Select(n => n.ToString()))
            : (string?)content.Attribute("type") is "text" or null ? System.Net.WebUtility.HtmlEncode(content.Value)
            : content.Value;
        var author = Clean(entry.Elements().FirstOrDefault(e => e.Name.LocalName == "author")?.Elements().FirstOrDefault(e => e.Name.LocalName == "name")?.Value);
        var published = Date(Child(entry, "published") ?? Child(entry, "issued") ?? Child(entry, "updated") ?? Child(entry, "modified"));
        var id = Clean(Child(entry, "id")) ?? link?.ToString();
        return Item(id, title, link, author, published, html);
    }

    private static FeedItem? Item(string? id, string? title, Uri? link, string? author, DateTimeOffset? published, string? html)
    {
        var text = string.IsNullOrWhiteSpace(html) ? "" : HtmlCleaner.ToText(html).Trim();
        if (title is null && link is null && text.Length == 0) return null;
        // Without a guid or link, the item is known by what it says.
        id ??= "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{title}\n{text}")));
        return new FeedItem(TextLimits.Cut(id, 500), title is null ? null : TextLimits.Cut(title, 500), link?.ToString(), author, published,
            text.Length > 0 ? text : title ?? "", string.IsNullOrWhiteSpace(html) ? null : html);
    }

    private static string? Child(XElement parent, string localName) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == localName)?.Value;

    private static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var plain = text.Contains('<') || text.Contains('&') ? HtmlCleaner.ToText(text) : text;
        return string.Join(' ', plain.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static Uri? Url(string? text, Uri? baseUrl)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text.Trim();
        // Never javascript: or data: links. ("/posts/2" parses as an absolute file: URI on Linux; it is relative here.)
        if (!text.StartsWith('/') && Uri.TryCreate(text, UriKind.Absolute, out var absolute))
            return absolute.Scheme is "http" or "https" ? absolute : null;
        return baseUrl is not null && Uri.TryCreate(baseUrl, text, out var relative) && relative.Scheme is "http" or "https" ? relative : null;
    }

    private static readonly string[] RfcDateFormats =
    [
        "ddd, d MMM yyyy HH:mm:ss zzz", "ddd, d MMM yyyy HH:mm zzz", "d MMM yyyy HH:mm:ss zzz", "ddd, d MMM yy HH:mm:ss zzz",
        "ddd, d MMM yyyy HH:mm:ss", "d MMM yyyy HH:mm:ss",
    ];

    /// RFC 822 dates (RSS; with named zones such as GMT, EST) and ISO 8601 (Atom, Dublin Core); null when unreadable.
    public static DateTimeOffset? Date(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var s = text.Trim();
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var iso)
            && (s.Contains('T') || s.Contains('-'))) return iso.ToUniversalTime();
        var zone = s.LastIndexOf(' ');
        if (zone > 0 && Zones.TryGetValue(s[(zone + 1)..], out var offset)) s = s[..zone] + " " + offset;
        if (DateTimeOffset.TryParseExact(s, RfcDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var rfc))
            return rfc.ToUniversalTime();
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var any) ? any.ToUniversalTime() : null;
    }

    private static readonly Dictionary<string, string> Zones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GMT"] = "+00:00", ["UT"] = "+00:00", ["UTC"] = "+00:00", ["Z"] = "+00:00",
        ["EST"] = "-05:00", ["EDT"] = "-04:00", ["CST"] = "-06:00", ["CDT"] = "-05:00",
        ["MST"] = "-07:00", ["MDT"] = "-06:00", ["PST"] = "-08:00", ["PDT"] = "-07:00",
        ["+0000"] = "+00:00",
    };
}
