using Chorus.Features.Channels.Email;
using MimeKit;

namespace Chorus.Tests.Email;

/// MIME → what Chorus files, without servers.
public class ReadInboundEmailTests
{
    private static MimeMessage Load(string name) => MimeMessage.Load(new MemoryStream(Mail.Corpus(name)));

    [Fact]
    public void A_delivery_status_report_is_a_bounce_of_the_message_it_returns()
    {
        var bounce = Assert.IsType<InboundEmail.Bounce>(ReadInboundEmail.Read(Load("delivery-status.txt"), "support@acme.test", null));
        Assert.Equal("31FC7EB4.41C6@netscape.com", bounce.OriginalMessageId);
        Assert.True(bounce.Failed);
        Assert.Contains("newsletter-request@imusic.com", bounce.Reason);
        Assert.Contains("500 (err.nosuchuser)", bounce.Reason);
    }

    [Fact]
    public void Messages_without_a_sender_or_from_our_own_address_are_skipped_with_a_reason()
    {
        Assert.Contains("no sender", Assert.IsType<InboundEmail.Skip>(ReadInboundEmail.Read(Load("missing-boundary.msg"), "s@acme.test", null)).Reason);
        var own = new MimeMessage();
        own.From.Add(MailboxAddress.Parse("Support+c12-abcdefgh@Acme.test"));
        own.Body = new TextPart("plain") { Text = "x" };
        Assert.Contains("own address", Assert.IsType<InboundEmail.Skip>(ReadInboundEmail.Read(own, "support@acme.test", null)).Reason);
    }

    [Fact]
    public void Encoded_words_and_charsets_are_decoded_and_a_missing_message_id_gets_a_stable_one()
    {
        var file = Assert.IsType<InboundEmail.File>(ReadInboundEmail.Read(Load("japanese.txt"), "s@acme.test", null));
        Assert.Equal("日本語メールテスト (testing Japanese emails)", file.Subject);
        Assert.Contains("日本語が", file.Text);
        Assert.Equal("55AE6D15.4010805@veritas-vos-liberabit.com", file.ExternalId);

        var noId = Load("basic-plain-with-bad-header-separator.msg");
        var first = Assert.IsType<InboundEmail.File>(ReadInboundEmail.Read(noId, "s@acme.test", null));
        var again = Assert.IsType<InboundEmail.File>(ReadInboundEmail.Read(Load("basic-plain-with-bad-header-separator.msg"), "s@acme.test", null));
        Assert.StartsWith("sha256:", first.ExternalId);
        Assert.Equal(first.ExternalId, again.ExternalId);
    }

    [Theory]
    [InlineData("Auto-Submitted", "auto-replied", true)]
    [InlineData("Auto-Submitted", "no", false)]
    [InlineData("Precedence", "bulk", true)]
    [InlineData("Precedence", "list", true)]
    [InlineData("Precedence", "first-class", false)]
    [InlineData("X-Autoreply", "yes", true)]
    [InlineData("X-Autorespond", "vacation", true)]
    [InlineData("X-Mailer", "Thunderbird", false)]
    public void Automatic_mail_is_recognised_by_its_headers(string header, string value, bool automatic)
    {
        var m = new MimeMessage();
        m.Headers.Add(header, value);
        Assert.Equal(automatic, ReadInboundEmail.IsAutoReply(m));
    }

    [Fact]
    public void Plain_text_is_preferred_unless_it_is_a_stub_of_the_html()
    {
        const string html = "<p>Hello, my order <b>#123</b> arrived broken and I would like a replacement, please.</p><script>alert(1)</script>";
        Assert.Equal("Hello, my order #123 arrived broken.", ReadInboundEmail.PreferredText("Hello, my order #123 arrived broken.", html));
        Assert.StartsWith("Hello, my order #123 arrived broken and I would like", ReadInboundEmail.PreferredText("View in HTML", html));
        Assert.DoesNotContain("alert", ReadInboundEmail.PreferredText(null, html));
    }

    [Theory]
    [InlineData("Re: Invoice question", "invoice question")]
    [InlineData("RE: AW: Fwd:  Invoice   question", "invoice question")]
    [InlineData("Re[2]: Invoice question", "invoice question")]
    [InlineData("Invoice question", "invoice question")]
    [InlineData("Reply needed", "reply needed")]
    [InlineData("Re:", "")]
    public void Subjects_are_compared_without_reply_and_forward_prefixes(string subject, string normalized) =>
        Assert.Equal(normalized, ThreadInboundEmail.NormalizeSubject(subject));

    [Fact]
    public void Reply_tokens_name_a_conversation_and_cannot_be_forged()
    {
        var key = new byte[32];
        Random.Shared.NextBytes(key);
        var address = ReplyTokens.AddressFor("support@acme.test", 42, key);
        Assert.Matches(@"^support\+c42-[a-z2-7]{8}@acme\.test$", address);
        Assert.Equal(42, ReplyTokens.NumberIn("support@acme.test", address.ToUpperInvariant(), key));
        Assert.Null(ReplyTokens.NumberIn("support@acme.test", address.Replace("c42-", "c43-"), key));
        Assert.Null(ReplyTokens.NumberIn("sales@acme.test", address, key));
        Assert.Null(ReplyTokens.NumberIn("support@acme.test", address, new byte[32]));
    }
}
