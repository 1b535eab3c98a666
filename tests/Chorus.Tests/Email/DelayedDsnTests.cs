using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chorus.Features.Channels.Email;
using Chorus.Tests.Infrastructure;
using MimeKit;

namespace Chorus.Tests.Email;

/// "Still trying" is not "failed": a delay notice leaves the reply sent and notes why it is slow.
public class DelayedDsnTests
{
    /// A delivery status notification as Postfix writes it, about the message <paramref name="messageId"/>.
    public static byte[] Dsn(string to, string messageId, string action, string status, string diagnostic) => Encoding.ASCII.GetBytes($"""
        From: MAILER-DAEMON@mail.example.test (Mail Delivery System)
        To: {to}
        Subject: {(action == "delayed" ? "Delayed Mail (still being retried)" : "Undelivered Mail Returned to Sender")}
        Date: {DateTimeOffset.UtcNow:R}
        Message-ID: <dsn-{Guid.NewGuid():N}@mail.example.test>
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-boundary"

        --dsn-boundary
        Content-Description: Notification
        Content-Type: text/plain; charset=us-ascii

        This is the mail system at host mail.example.test.
        # THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #

        --dsn-boundary
        Content-Description: Delivery report
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mail.example.test
        X-Postfix-Queue-ID: 4F2A1C0123

        Final-Recipient: rfc822; ann@slow.example
        Original-Recipient: rfc822;ann@slow.example
        Action: {action}
        Status: {status}
        Diagnostic-Code: X-Postfix; {diagnostic}
        Will-Retry-Until: Fri, 4 Dec 2026 10:00:00 +0000

        --dsn-boundary
        Content-Description: Undelivered Message Headers
        Content-Type: text/rfc822-headers

        From: Support <{to}>
        To: ann@slow.example
        Subject: Re: Where is my parcel
        Message-ID: <{messageId}>

        --dsn-boundary--

        """.Replace("\r\n", "\n").Replace("\n", "\r\n"));

    [Fact]
    public void A_delay_notice_is_read_as_delayed_not_failed()
    {
        var mime = MimeMessage.Load(new MemoryStream(Dsn("support@acme.test", "reply-1@acme.test", "delayed", "4.4.1",
            "connect to mx.slow.example[203.0.113.5]:25: Connection timed out")));
        var bounce = Assert.IsType<InboundEmail.Bounce>(ReadInboundEmail.Read(mime, "support@acme.test", null));
        Assert.Equal("reply-1@acme.test", bounce.OriginalMessageId);
        Assert.Equal("delayed", bounce.Action);
        Assert.False(bounce.Failed);
        Assert.Equal("ann@slow.example 4.4.1 connect to mx.slow.example[203.0.113.5]:25: Connection timed out (the server keeps trying until Fri, 4 Dec 2026 10:00:00 +0000)",
            bounce.Reason);
    }

    [MailTheory, Providers]
    public async Task A_delay_notice_keeps_the_reply_sent_with_a_note_and_a_later_bounce_still_fails_it(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var channel = await MailApp.AddMailboxAsync(admin, support);
        await Mail.SendAsync(Mail.Compose(Mail.NewAddress("ann"), support, "Where is my parcel", "It has been a week."));
        var number = (long)(await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(admin, channel) is [var n] ? (object)n : null, "the mail filed"));

        var posted = await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "It left our warehouse today." })).JsonAsync(HttpStatusCode.Created);
        var replyId = posted.GetProperty("messageId").GetGuid();
        async Task<JsonElement> ReplyAsync() => (await MailApp.ConversationAsync(agent, number)).GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == replyId);
        var sent = (JsonElement)await Eventually.GetAsync<object>(async () => await ReplyAsync() is var r && r.GetProperty("delivery").GetProperty("status").GetString() == "Sent" ? r : null, "the reply sent");
        var messageId = sent.GetProperty("externalId").GetString()!;

        await Mail.SaveRawAsync(support, Dsn(support, messageId, "delayed", "4.4.1", "connect to mx.slow.example[203.0.113.5]:25: Connection timed out"));
        var delayed = (JsonElement)await Eventually.GetAsync<object>(async () =>
            await ReplyAsync() is var r && r.GetProperty("delivery").GetProperty("note").ValueKind == JsonValueKind.String ? r : null, "the delay noted");
        var delivery = delayed.GetProperty("delivery");
        Assert.Equal("Sent", delivery.GetProperty("status").GetString());
        Assert.StartsWith("delayed: ann@slow.example 4.4.1 connect to mx.slow.example", delivery.GetProperty("note").GetString());
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("error").ValueKind);
        var detail = await MailApp.ConversationAsync(agent, number);
        Assert.DoesNotContain(detail.GetProperty("messages").EnumerateArray(), m => m.GetProperty("text").GetString()!.Contains("could not be delivered"));
        Assert.Single(await MailApp.ConversationNumbersAsync(admin, channel)); // a report files nothing
        Assert.Empty(await MailApp.RejectionsAsync(admin, channel));

        // Days later the server gives up: now the reply has failed.
        await Mail.SaveRawAsync(support, Dsn(support, messageId, "failed", "4.4.7", "delivery temporarily suspended: connect to mx.slow.example: Connection timed out"));
        var failed = (JsonElement)await Eventually.GetAsync<object>(async () =>
            await ReplyAsync() is var r && r.GetProperty("delivery").GetProperty("status").GetString() == "Failed" ? r : null, "the bounce fails the reply");
        Assert.Contains("4.4.7", failed.GetProperty("delivery").GetProperty("error").GetString());
    }
}
