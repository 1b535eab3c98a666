using System.Text;
using Chorus.Common;
using Chorus.Features.Listening.Feeds;

namespace Chorus.Tests.Listening;

/// Reading RSS and Atom feeds: real publishers' feeds, ill-formed ones, and documents that are not feeds.
public class FeedReadingTests
{
    private static readonly Uri Base = new("https://blog.example.test/");

    private static byte[] Bytes(string relative) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", "feeds", relative));

    private static ParsedFeed Read(byte[] body) => ReadFeed.Parse(body, Base) switch
    {
        Outcome<ParsedFeed>.Ok ok => ok.Value,
        var other => throw new Xunit.Sdk.XunitException($"Refused: {other.Error}"),
    };

    private static string Refusal(byte[] body)
    {
        var outcome = ReadFeed.Parse(body, Base);
        Assert.IsType<Outcome<ParsedFeed>.Invalid>(outcome);
        return outcome.Error!;
    }

    [Theory]
    [InlineData("real/AtomTheVerge.xml", "Atom 1.0", 10)]
    [InlineData("real/AtomSpecialCharacters.xml", "Atom 1.0", 1)]
    [InlineData("real/Rss091Stadtfeuerwehr.xml", "RSS 0.91", 15)]
    [InlineData("real/Rss10OrfAt.xml", "RSS 1.0", 50)]
    [InlineData("real/Rss20ISO88591Intranet30.xml", "RSS 2.0", 30)]
    [InlineData("real/Rss20LeMonde.xml", "RSS 2.0", 18)]
    public void Reads_every_item_of_real_feeds_with_an_id_a_link_and_text(string file, string format, int items)
    {
        var feed = Read(Bytes(file));
        Assert.Equal(format, feed.Format);
        Assert.Equal(items, feed.Items.Count);
        Assert.Empty(feed.Problems);
        Assert.All(feed.Items, i =>
        {
            Assert.False(string.IsNullOrWhiteSpace(i.Id));
            Assert.StartsWith("http", i.Link);
            Assert.False(string.IsNullOrWhiteSpace(i.Text));
        });
        Assert.Equal(feed.Items.Count, feed.Items.Select(i => i.Id).Distinct().Count());
    }

    [Fact]
    public void Reads_an_atom_entry_whole()
    {
        var feed = Read(Bytes("real/AtomTheVerge.xml"));
        Assert.Equal("The Verge - Front Pages", feed.Title);
        var first = feed.Items[0];
        Assert.Equal("This is the new Hulu experience with live TV", first.Title);
        Assert.Equal("http://www.theverge.com/ces/2017/1/7/14195588/hulu-live-tv-streaming-internet-ces-2017", first.Link);
        Assert.Equal("Chris Welch", first.Author);
        Assert.Equal(new DateTimeOffset(2017, 1, 7, 14, 0, 1, TimeSpan.Zero), first.Published);
        Assert.StartsWith("Hulu is giving closed-door demonstrations", first.Text);
        Assert.Contains("<", first.Html); // the publisher's markup, for the sanitizer
    }

    [Fact]
    public void Decodes_a_feed_in_its_declared_encoding()
    {
        var feed = Read(Bytes("real/Rss20ISO88591Intranet30.xml"));
        Assert.Equal("SVART MÅNAD - DÖDSOLYCKA i Vetlanda", feed.Items[0].Title);
        Assert.Equal("Höglandsnytt", feed.Items[0].Author);
        Assert.Equal(new DateTimeOffset(2018, 8, 19, 7, 14, 0, TimeSpan.Zero), feed.Items[0].Published);
    }

    [Theory]
    [InlineData("universal/atom03_feed.xml", "Atom 0.3")]
    [InlineData("universal/atom10_feed.xml", "Atom 1.0")]
    [InlineData("universal/rdf_feed.xml", "RSS 1.0")]
    [InlineData("universal/rss_feed_bom.xml", "RSS 2.0")]
    [InlineData("universal/rss_feed_leading_spaces.xml", "RSS 2.0")]
    public void Recognizes_each_format_also_behind_a_byte_order_mark_or_leading_space(string file, string format)
    {
        var feed = Read(Bytes(file));
        Assert.Equal(format, feed.Format);
        Assert.Equal("Feed Title", feed.Title);
    }

    [Fact]
    public void An_ill_formed_feed_gives_the_items_before_the_damage_and_says_where_it_is()
    {
        var feed = Read(Bytes("illformed/rss_item_link_corrupted_ampersands.xml"));
        Assert.Equal("http://link/get?a=1&b=2", Assert.Single(feed.Items).Link);
        Assert.Contains("not well-formed XML at line 13", Assert.Single(feed.Problems));
    }

    [Theory]
    [InlineData("illformed/rss_empty_document.xml", "The document is empty")]
    [InlineData("illformed/aaa_illformed.xml", "not well-formed XML at line 6")]
    [InlineData("illformed/rss_incomplete_cdata.xml", "not well-formed XML at line 9")]
    [InlineData("illformed/undeclared_namespace.xml", "'itunes' is an undeclared prefix")]
    [InlineData("universal/unknown_feed.xml", "its root element is <note>")]
    public void A_broken_document_without_readable_items_is_refused_with_the_reason(string file, string reason) =>
        Assert.Contains(reason, Refusal(Bytes(file)));

    [Fact]
    public void An_html_page_plain_text_or_nothing_is_not_a_feed()
    {
        Assert.Contains("HTML page, not a feed", Refusal(Encoding.UTF8.GetBytes("<!DOCTYPE html><html><head><title>Blog</title></head><body><p>Hi</p></body></html>")));
        Assert.Contains("not well-formed XML", Refusal(Encoding.UTF8.GetBytes("Service Unavailable")));
        Assert.Contains("The document is empty", Refusal([]));
    }

    [Fact]
    public void Entities_are_not_expanded_and_links_are_only_web_links()
    {
        var feed = Read(Encoding.UTF8.GetBytes("""
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY boom SYSTEM "file:///etc/passwd">]>
            <rss version="2.0"><channel><title>T</title><link>https://blog.example.test/</link>
            <item><title>One &amp; two</title><link>javascript:alert(1)</link><guid isPermaLink="false">a1</guid><description>&lt;b&gt;bold&lt;/b&gt; text</description></item>
            <item><title>Relative</title><link>/posts/2</link><pubDate>Tue, 03 Jun 2025 09:39:21 GMT</pubDate></item>
            </channel></rss>
            """));
        Assert.Equal(2, feed.Items.Count);
        Assert.Equal("One & two", feed.Items[0].Title);
        Assert.Null(feed.Items[0].Link);
        Assert.Equal("a1", feed.Items[0].Id);
        Assert.Equal("bold text", feed.Items[0].Text);
        Assert.Equal("https://blog.example.test/posts/2", feed.Items[1].Link);
        Assert.Equal("https://blog.example.test/posts/2", feed.Items[1].Id);
        Assert.Equal(new DateTimeOffset(2025, 6, 3, 9, 39, 21, TimeSpan.Zero), feed.Items[1].Published);
    }
}
