using Chorus.Common;
using Chorus.Features.Inbox;

namespace Chorus.Tests;

/// Where a customer's new words end, on mail as the common clients write it. HTML samples go through
/// the sanitizer first, as they are stored.
public class QuotedTextTests
{
    private static readonly HtmlCleaner Cleaner = new();

    private static string? Html(string raw) => QuotedText.NewPartOfHtml(Cleaner.Sanitize(raw));

    private static string TextOf(string html) => HtmlCleaner.ToText(html);

    [Fact]
    public void Gmail_html_hides_the_gmail_quote_with_its_attribution()
    {
        var visible = Html("""
            <div dir="ltr">Thanks, that fixed it!<br><br>Best,<br>Ann</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Sat, Nov 28, 2026 at 10:02 AM Chorus Support &lt;<a href="mailto:support@chorus.test">support@chorus.test</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">Please restart the router.</div></blockquote></div>
            """);
        Assert.NotNull(visible);
        Assert.Equal("Thanks, that fixed it!\n\nBest,\nAnn", TextOf(visible));
    }

    [Fact]
    public void Gmail_signature_is_hidden_too()
    {
        var visible = Html("""
            <div dir="ltr">The export is empty again.<br clear="all"><div><br></div><span class="gmail_signature_prefix">-- </span><br><div dir="ltr" class="gmail_signature"><div dir="ltr">Dana Lee | Head of Ops | Acme</div></div></div>
            """);
        Assert.NotNull(visible);
        Assert.DoesNotContain("Head of Ops", visible);
        Assert.StartsWith("The export is empty again.", TextOf(visible));
    }

    [Fact]
    public void Gmail_plain_text_with_a_wrapped_attribution_line()
    {
        const string text = "Thanks, that fixed it!\n\nBest,\nAnn\n\nOn Sat, Nov 28, 2026 at 10:02 AM Chorus Support <support@chorus.test>\nwrote:\n\n> Please restart the router.\n>\n> Chorus Support\n";
        Assert.Equal("Thanks, that fixed it!\n\nBest,\nAnn", QuotedText.NewPartOfText(text));
    }

    [Fact]
    public void Outlook_desktop_html_hides_the_from_sent_header_and_what_follows()
    {
        var visible = Html("""
            <div class="WordSection1"><p class="MsoNormal">Hi team, the invoice is still wrong.<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>From:</b> Chorus Support &lt;support@chorus.test&gt; <br><b>Sent:</b> Friday, November 27, 2026 4:12 PM<br><b>To:</b> Bob &lt;bob@corp.test&gt;<br><b>Subject:</b> RE: Invoice</p></div></div><p class="MsoNormal">We corrected the invoice.<o:p></o:p></p></div>
            """);
        Assert.NotNull(visible);
        Assert.Equal("Hi team, the invoice is still wrong.", TextOf(visible));
    }

    [Fact]
    public void Outlook_web_html_hides_the_reply_header()
    {
        var visible = Html("""
            <div style="font-family:Aptos,sans-serif">Still failing after the update.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Chorus Support<br><b>Sent:</b> Friday, 27 November 2026 16:12<br><b>Subject:</b> Re: Sync</div><div>Please update to 4.2.</div>
            """);
        Assert.NotNull(visible);
        Assert.Equal("Still failing after the update.", TextOf(visible));
    }

    [Theory]
    [InlineData("Hi team, the invoice is still wrong.\r\n\r\n-----Original Message-----\r\nFrom: Chorus Support <support@chorus.test>\r\nSent: Friday, November 27, 2026 4:12 PM\r\nTo: Bob <bob@corp.test>\r\nSubject: RE: Invoice\r\n\r\nWe corrected the invoice.\r\n")]
    [InlineData("Hi team, the invoice is still wrong.\n\n________________________________\nFrom: Chorus Support <support@chorus.test>\nSent: Friday, November 27, 2026 4:12 PM\nTo: Bob\nSubject: RE: Invoice\n\nWe corrected the invoice.\n")]
    [InlineData("Hi team, the invoice is still wrong.\n\nFrom: Chorus Support <support@chorus.test>\nSent: Friday, November 27, 2026 4:12 PM\nTo: Bob\nSubject: RE: Invoice\n\nWe corrected the invoice.\n")]
    public void Outlook_plain_text_headers(string text) =>
        Assert.Equal("Hi team, the invoice is still wrong.", QuotedText.NewPartOfText(text));

    [Fact]
    public void Apple_mail_html_hides_the_cited_blockquote_and_its_attribution()
    {
        var visible = Html("""
            <div>Yes, Tuesday works for me.</div><div><br></div><div><br><blockquote type="cite"><div>On 28 Nov 2026, at 09:15, Chorus Support &lt;support@chorus.test&gt; wrote:</div><br class="Apple-interchange-newline"><div><div>Can we call on Tuesday?</div></div></blockquote></div><br>
            """);
        Assert.NotNull(visible);
        Assert.Equal("Yes, Tuesday works for me.", TextOf(visible));
    }

    [Fact]
    public void Apple_mail_on_iphone_with_the_attribution_before_the_quote()
    {
        var visible = Html("""
            Yes, Tuesday works.<br><br><div dir="ltr">Sent from my iPhone</div><div dir="ltr"><br><div>On 28 Nov 2026, at 09:15, Chorus Support &lt;support@chorus.test&gt; wrote:</div><blockquote type="cite"><div dir="ltr">Can we call on Tuesday?</div></blockquote></div>
            """);
        Assert.NotNull(visible);
        Assert.DoesNotContain("Can we call", visible);
        Assert.DoesNotContain("wrote:", visible);
        Assert.Contains("Sent from my iPhone", visible);
    }

    [Fact]
    public void Thunderbird_plain_text_cuts_at_the_signature_before_a_german_attribution()
    {
        const string text = "I attached the log you asked for.\n\nRegards,\nCarl\n\n-- \nCarl Meyer\nMeyer Tools GmbH\n\nAm 27.11.26 um 14:03 schrieb Chorus Support:\n> Could you send the log?\n";
        Assert.Equal("I attached the log you asked for.\n\nRegards,\nCarl", QuotedText.NewPartOfText(text));
    }

    [Fact]
    public void Thunderbird_plain_text_quote_without_signature()
    {
        const string text = "Done, thanks.\n\nOn 27/11/2026 14:03, Chorus Support wrote:\n> Could you send the log?\n>\n> -- \n> Chorus Support\n";
        Assert.Equal("Done, thanks.", QuotedText.NewPartOfText(text));
    }

    [Fact]
    public void Thunderbird_html_hides_the_cite_prefix_quote_and_signature()
    {
        var visible = Html("""
            <p>Done, thanks.</p><pre class="moz-signature" cols="72">-- 
            Carl Meyer</pre><div class="moz-cite-prefix">On 27/11/2026 14:03, Chorus Support wrote:<br></div><blockquote type="cite" cite="mid:abc@chorus.test"><p>Could you send the log?</p></blockquote>
            """);
        Assert.NotNull(visible);
        Assert.Equal("Done, thanks.", TextOf(visible));
    }

    [Fact]
    public void Thunderbird_bottom_posted_reply_shows_the_answer_below_the_quote()
    {
        const string text = "On 27/11/2026 14:03, Chorus Support wrote:\n> Could you send the log?\n>\n> Chorus Support\n\nHere it is, attached.\n\n-- \nCarl Meyer\n";
        Assert.Equal("Here it is, attached.", QuotedText.NewPartOfText(text));
    }

    [Theory]
    [InlineData("> Which version are you on?\n4.2.1\n\n> Did you restart?\nYes, twice.\n")] // answered inline: every line matters
    [InlineData("On Monday I tried again and it wrote: nothing.\nStill broken.")] // "wrote:" mid-sentence
    [InlineData("Hello, my order is late.")]
    [InlineData("---------- Forwarded message ---------\nFrom: Ann <ann@x.test>\nDate: Fri, 27 Nov 2026\nSubject: Late\n\nMy order is late.")] // a bare forward: nothing new to show instead
    [InlineData("> only a quote\n> nothing else\n")]
    public void Nothing_is_hidden_when_nothing_is_quoted_after_the_new_part(string text) =>
        Assert.Null(QuotedText.NewPartOfText(text));

    [Fact]
    public void Html_without_a_quote_is_left_alone()
    {
        Assert.Null(Html("<p>My order is late.</p><blockquote>As your site says: ships in 2 days.</blockquote><p>It has been a week.</p>"));
        Assert.Null(Html("<div class=\"gmail_quote\">On Fri, Ann wrote:<blockquote>Only a forward</blockquote></div>"));
    }
}
