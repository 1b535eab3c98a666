using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Channels.Email;
using Chorus.Tests.Infrastructure;
using MailKit;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Chorus.Tests.Email;

/// What the IMAP poller does with what real mailboxes hold: broken MIME, changed folders, our own
/// mail, automatic replies and bounces.
public class EmailInboundTests
{
    private static async Task<List<JsonElement>> ConversationsAsync(StaffClient staff, Guid channel)
    {
        var result = new List<JsonElement>();
        foreach (var n in await MailApp.ConversationNumbersAsync(staff, channel)) result.Add(await MailApp.ConversationAsync(staff, n));
        return result;
    }

    private static Task WaitForLastUidAsync(StaffClient admin, Guid channel, long uid) =>
        Eventually.TrueAsync(async () => (await MailApp.MailboxAsync(admin, channel)).GetProperty("lastUid").GetInt64() == uid, $"the poller read up to UID {uid}");

    [MailTheory, Providers]
    public async Task Malformed_mime_is_reported_and_never_blocks_the_messages_after_it(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        await Mail.SendAsync(Mail.Compose(Mail.NewAddress("x"), support, "first", "creates the mailbox"));
        string[] corpus = ["malformedHeader-noheader.msg", "missing-boundary.msg", "basic-plain-with-bad-header-separator.msg", "japanese.txt", "stack-overflow.txt"];
        foreach (var file in corpus) await Mail.SaveRawAsync(support, Mail.Corpus(file));
        var good = Mail.Compose(Mail.NewAddress("ann"), support, "=?ISO-8859-1?Q?Caf=E9?= is fine", "ignored");
        good.Subject = "Café is fine";
        await Mail.SaveRawAsync(support, Encoding.ASCII.GetBytes(good.ToString()));
        var hostile = Mail.Compose(Mail.NewAddress("mallory"), support, "HTML only", "ignored");
        hostile.Body = new TextPart("html")
        {
            Text = "<p onclick=\"steal()\">Click <b>here</b></p><script>alert(document.cookie)</script><img src=\"https://tracker.example/pixel.gif\">",
        };
        await Mail.SaveRawAsync(support, Encoding.ASCII.GetBytes(hostile.ToString()));

        var channel = await MailApp.AddMailboxAsync(admin, support);
        await WaitForLastUidAsync(admin, channel, 8);

        var mailbox = await MailApp.MailboxAsync(admin, channel);
        Assert.Equal(JsonValueKind.Null, mailbox.GetProperty("lastError").ValueKind);
        var conversations = await ConversationsAsync(admin, channel);
        var subjects = conversations.Select(c => c.GetProperty("summary").GetProperty("subject").GetString()).ToList();
        Assert.Contains("Café is fine", subjects);
        // ISO-2022-JP, RFC 2047 encoded subject and body: decoded.
        var japanese = conversations.Single(c => c.GetProperty("summary").GetProperty("subject").GetString()!.Contains("testing Japanese emails"));
        Assert.Contains("日本語", japanese.GetProperty("summary").GetProperty("subject").GetString());
        Assert.Contains("日本語", japanese.GetProperty("messages")[0].GetProperty("text").GetString());

        // HTML from outside is sanitized: no script, no event handler, no remote image; its text is kept.
        var html = conversations.Single(c => c.GetProperty("summary").GetProperty("subject").GetString() == "HTML only").GetProperty("messages")[0];
        Assert.Equal("Click here", html.GetProperty("text").GetString());
        Assert.Contains("<b>here</b>", html.GetProperty("html").GetString());
        Assert.DoesNotContain("script", html.GetProperty("html").GetString());
        Assert.DoesNotContain("onclick", html.GetProperty("html").GetString());
        Assert.DoesNotContain("tracker", html.GetProperty("html").GetString());

        // The one without any header (not parseable) and the one without a sender are skipped, each
        // with its reason; everything else was filed.
        var rejections = await MailApp.RejectionsAsync(admin, channel);
        Assert.Equal(2, rejections.Count);
        Assert.Contains(rejections, r => r.GetProperty("reason").GetString()!.Contains("no sender"));
        Assert.All(rejections, r => Assert.Matches("no sender|could not be parsed", r.GetProperty("reason").GetString()!));
        var filed = conversations.Sum(c => c.GetProperty("messages").EnumerateArray().Count(m => m.GetProperty("kind").GetString() == "Inbound"));
        Assert.Equal(8, filed + rejections.Count);
    }

    [MailTheory, Providers]
    public async Task A_changed_uidvalidity_makes_the_poller_read_the_folder_again_without_duplicates(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        var a = Mail.Compose(Mail.NewAddress("ann"), support, "Message A", "The first one.");
        var b = Mail.Compose(Mail.NewAddress("bob"), support, "Message B", "Arrived after the folder was rebuilt.");
        using (var imap = await Mail.ConnectImapAsync(support))
        {
            var folder = (await imap.GetFolder(imap.PersonalNamespaces[0]).CreateAsync("Support", true))!;
            await folder.AppendAsync(new AppendRequest(a));
            await imap.DisconnectAsync(true);
        }
        var channel = await MailApp.AddMailboxAsync(admin, support, new { imapFolder = "Support" });
        await WaitForLastUidAsync(admin, channel, 1);
        var before = (await MailApp.MailboxAsync(admin, channel)).GetProperty("uidValidity").GetInt64();

        // The folder is deleted and created again (a restore, a server migration): new UIDVALIDITY, UIDs from 1.
        using (var imap = await Mail.ConnectImapAsync(support))
        {
            await (await imap.GetFolderAsync("Support")).DeleteAsync();
            var folder = (await imap.GetFolder(imap.PersonalNamespaces[0]).CreateAsync("Support", true))!;
            await folder.AppendAsync(new AppendRequest(a));
            await folder.AppendAsync(new AppendRequest(b));
            await imap.DisconnectAsync(true);
        }
        await Eventually.TrueAsync(async () =>
        {
            var m = await MailApp.MailboxAsync(admin, channel);
            return m.GetProperty("uidValidity").GetInt64() != before && m.GetProperty("lastUid").GetInt64() == 2;
        }, "the rebuilt folder read");

        var conversations = await ConversationsAsync(admin, channel);
        Assert.Equal(["Message A", "Message B"], conversations.Select(c => c.GetProperty("summary").GetProperty("subject").GetString()).Order());
        Assert.All(conversations, c => Assert.Single(c.GetProperty("messages").EnumerateArray()));
    }

    [MailTheory, Providers]
    public async Task Own_mail_is_ignored_auto_replies_are_tagged_and_bounces_fail_the_reply(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var channel = await MailApp.AddMailboxAsync(admin, support);

        await Mail.SendAsync(Mail.Compose(support, support, "Our own mail", "A copy of something we sent."));
        var vacation = Mail.Compose(Mail.NewAddress("ann"), support, "Out of office", "I am away until Monday.");
        vacation.Headers.Add(HeaderId.AutoSubmitted, "auto-replied");
        await Mail.SendAsync(vacation);
        var newsletter = Mail.Compose(Mail.NewAddress("news"), support, "Weekly digest", "Ten things.");
        newsletter.Headers.Add("Precedence", "bulk");
        await Mail.SendAsync(newsletter);
        var human = Mail.Compose(Mail.NewAddress("cat"), support, "A real question", "Not automatic.");
        human.Headers.Add(HeaderId.AutoSubmitted, "no");
        await Mail.SendAsync(human);
        // The customer whose mail will bounce: Postfix answers mail to nosuchuser@ with a DSN.
        await Mail.SendAsync(Mail.Compose("nosuchuser@" + Mail.Domain, support, "Please reply", "My address is gone by the time you answer."));
        await WaitForLastUidAsync(admin, channel, 5);

        var rejection = Assert.Single(await MailApp.RejectionsAsync(admin, channel));
        Assert.Contains("own address", rejection.GetProperty("reason").GetString());
        var bySubject = (await ConversationsAsync(admin, channel)).ToDictionary(c => c.GetProperty("summary").GetProperty("subject").GetString()!);
        Assert.Equal(4, bySubject.Count);
        static string[] Tags(JsonElement c) => c.GetProperty("summary").GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Assert.Equal(["auto-reply"], Tags(bySubject["Out of office"]));
        Assert.Equal(["auto-reply"], Tags(bySubject["Weekly digest"]));
        Assert.Empty(Tags(bySubject["A real question"]));

        // The reply to the vanished address goes out, bounces, and the DSN marks it failed; no new conversation.
        var number = bySubject["Please reply"].GetProperty("summary").GetProperty("number").GetInt64();
        var posted = await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "Here is your answer." });
        var replyId = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetGuid();
        var failed = await Eventually.GetAsync<object>(async () =>
        {
            var detail = await MailApp.ConversationAsync(agent, number);
            var reply = detail.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == replyId);
            return reply.GetProperty("delivery").GetProperty("status").GetString() == "Failed" ? detail : null;
        }, "the bounce marks the reply failed", seconds: 45);
        var detail = (JsonElement)failed;
        var delivery = detail.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == replyId).GetProperty("delivery");
        Assert.Contains("5.1.1", delivery.GetProperty("error").GetString());
        Assert.Contains("nosuchuser@" + Mail.Domain, delivery.GetProperty("error").GetString());
        Assert.Contains(detail.GetProperty("messages").EnumerateArray(), m => m.GetProperty("kind").GetString() == "Event"
            && m.GetProperty("text").GetString()!.Contains("could not be delivered"));
        Assert.Equal(4, (await MailApp.ConversationNumbersAsync(admin, channel)).Count);
    }

    [NeedsEnvFact("TEST_SMTP", "TEST_IMAP")]
    public async Task Processed_messages_can_be_moved_to_another_folder()
    {
        await using var app = MailApp.Create(Provider.Sqlite);
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        await Mail.SendAsync(Mail.Compose(Mail.NewAddress("ann"), support, "Move me", "Please."));
        using (var imap = await Mail.ConnectImapAsync(support))
        {
            await imap.GetFolder(imap.PersonalNamespaces[0]).CreateAsync("Processed", true);
            await imap.DisconnectAsync(true);
        }
        var channel = await MailApp.AddMailboxAsync(admin, support, new { processedAction = "Move", processedFolder = "Processed" });
        await WaitForLastUidAsync(admin, channel, 1);

        Assert.Single(await MailApp.ConversationNumbersAsync(admin, channel));
        Assert.Empty(await Mail.ReadAsync(support, SearchQuery.All));
        Assert.Equal("Move me", Assert.Single(await Mail.ReadAsync(support, SearchQuery.All, "Processed")).Message.Subject);
    }

    [NeedsEnvFact("TEST_SMTP", "TEST_IMAP")]
    public async Task When_imap_is_down_the_mailbox_shows_the_error_and_nothing_is_lost_when_it_is_back()
    {
        await using var imapPort = new FlakyPort();
        await using var app = MailApp.Create(Provider.Sqlite);
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        var channel = await MailApp.AddMailboxAsync(admin, support, new { imapPort = imapPort.Port });
        await Mail.SendAsync(Mail.Compose(Mail.NewAddress("ann"), support, "While you were down", "Arrived during the outage."));

        var down = await Eventually.GetAsync<object>(async () =>
            await MailApp.MailboxAsync(admin, channel) is var m && m.GetProperty("consecutiveFailures").GetInt32() >= 2 ? m : null, "two failed polls");
        Assert.Contains("could not connect", ((JsonElement)down).GetProperty("lastError").GetString());
        Assert.Empty(await MailApp.ConversationNumbersAsync(admin, channel));

        imapPort.StartForwardingTo(Mail.Imap.Host, Mail.Imap.Port);
        await Eventually.TrueAsync(async () => (await MailApp.ConversationNumbersAsync(admin, channel)).Count == 1, "the waiting message filed");
        // The poll that filed it ends by clearing the error.
        await Eventually.TrueAsync(async () => (await MailApp.MailboxAsync(admin, channel)).GetProperty("lastError").ValueKind == JsonValueKind.Null, "the error cleared");
        Assert.Equal(0, (await MailApp.MailboxAsync(admin, channel)).GetProperty("consecutiveFailures").GetInt32());
    }

    [NeedsEnvFact("TEST_SMTP", "TEST_IMAP")]
    public async Task A_message_over_the_size_limit_is_recorded_as_rejected_and_the_next_one_is_filed()
    {
        await using var app = MailApp.Create(Provider.Sqlite);
        app.Settings["Chorus:Email:MaxMessageBytes"] = "20000";
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        var huge = Mail.Compose(Mail.NewAddress("ann"), support, "Huge", new string('x', 50_000));
        await Mail.SendAsync(huge);
        await Mail.SendAsync(Mail.Compose(Mail.NewAddress("bob"), support, "Small", "Fits."));
        var channel = await MailApp.AddMailboxAsync(admin, support);
        await WaitForLastUidAsync(admin, channel, 2);

        var rejection = Assert.Single(await MailApp.RejectionsAsync(admin, channel));
        Assert.Contains("the limit is", rejection.GetProperty("reason").GetString());
        var number = Assert.Single(await MailApp.ConversationNumbersAsync(admin, channel));
        Assert.Equal("Small", (await MailApp.ConversationAsync(admin, number)).GetProperty("summary").GetProperty("subject").GetString());
    }

    [NeedsEnvFact("TEST_SMTP", "TEST_IMAP")]
    public async Task Two_nodes_on_one_database_never_read_the_same_mailbox_at_once()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "chorus-lease-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var one = MailApp.Create(Provider.Sqlite);
            await using var two = MailApp.Create(Provider.Sqlite);
            foreach (var node in new[] { one, two })
            {
                node.Settings["Chorus:DataDirectory"] = dataDir;
                node.Settings["Chorus:Email:Poll"] = "false"; // this test drives the polls itself
            }
            var admin = await one.StaffAsync("admin");
            await two.PrepareAsync();
            var support = Mail.NewAddress("support");
            var channel = await MailApp.AddMailboxAsync(admin, support);
            for (var i = 0; i < 5; i++) await Mail.SendAsync(Mail.Compose(Mail.NewAddress("ann"), support, $"Message {i}", "Hello."));
            await Eventually.TrueAsync(async () => (await Mail.ReadAsync(support, SearchQuery.All)).Count == 5, "five messages in the mailbox");

            async Task<PollResult> PollAsync(ChorusFactory node)
            {
                using var scope = node.Services.CreateScope();
                return await scope.ServiceProvider.GetRequiredService<PollMailbox>().RunAsync(channel);
            }
            async Task SetLeaseAsync(string owner, DateTimeOffset until)
            {
                using var scope = one.Services.CreateScope();
                await scope.ServiceProvider.GetRequiredService<ChorusDb>().Mailboxes.Where(m => m.ChannelId == channel)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.PollLeaseOwner, owner).SetProperty(m => m.PollLeaseUntil, until));
            }

            // Another node holds a running lease: this one reads nothing.
            await SetLeaseAsync("another-node", DateTimeOffset.UtcNow.AddMinutes(1));
            var held = await PollAsync(two);
            Assert.True(held.HeldElsewhere);
            Assert.Equal(0, held.Filed);

            // That node died: once its lease runs out, the mailbox is read again.
            await SetLeaseAsync("another-node", DateTimeOffset.UtcNow.AddSeconds(-1));
            var results = await Task.WhenAll(PollAsync(one), PollAsync(two));
            Assert.Equal(5, results.Sum(r => r.Filed)); // a message read by both would count twice
            Assert.Equal(5, (await MailApp.ConversationNumbersAsync(admin, channel)).Count);
            using var check = one.Services.CreateScope();
            Assert.Null((await check.ServiceProvider.GetRequiredService<ChorusDb>().Mailboxes.AsNoTracking().SingleAsync(m => m.ChannelId == channel)).PollLeaseUntil);
        }
        finally
        {
            try { Directory.Delete(dataDir, true); } catch (IOException) { }
        }
    }
}
