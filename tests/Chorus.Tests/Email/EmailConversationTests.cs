using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Chorus.Tests.Email;

/// Real mail end to end: Postfix (SMTP) → Dovecot → Chorus over IMAP → agent reply → outbox → Postfix
/// → the customer's Dovecot mailbox, read back over IMAP.
public class EmailConversationTests
{
    private static async Task<long> SingleConversationAsync(StaffClient staff, Guid channel) =>
        (await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(staff, channel) is [var n] ? (object)n : null, "one conversation on the mailbox") as long?)!.Value;

    private static IEnumerable<JsonElement> Messages(JsonElement detail, string kind) =>
        detail.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("kind").GetString() == kind);

    private static async Task<JsonElement> ReplyAsync(StaffClient agent, long number, string text)
    {
        var posted = await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text });
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var id = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetGuid();
        return Messages(await MailApp.ConversationAsync(agent, number), "Reply").Single(m => m.GetProperty("id").GetGuid() == id);
    }

    private static Task<JsonElement> DeliveredAsync(StaffClient agent, long number, Guid replyId, string status = "Sent") =>
        Eventually.GetAsync<object>(async () =>
        {
            var reply = Messages(await MailApp.ConversationAsync(agent, number), "Reply").Single(m => m.GetProperty("id").GetGuid() == replyId);
            return reply.GetProperty("delivery").ValueKind == JsonValueKind.Object && reply.GetProperty("delivery").GetProperty("status").GetString() == status ? reply : null;
        }, $"reply delivery status {status}").ContinueWith(t => (JsonElement)t.Result);

    [MailTheory, Providers]
    public async Task A_customer_mail_becomes_a_conversation_the_reply_arrives_threaded_and_the_answer_joins_it(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var customer = Mail.NewAddress("ann");
        var channel = await MailApp.AddMailboxAsync(admin, support);

        var first = Mail.Compose(customer, support, "Printer on fire", "Hello, my printer is on fire. What now?");
        await Mail.SendAsync(first);
        var number = await SingleConversationAsync(agent, channel);
        var detail = await MailApp.ConversationAsync(agent, number);
        Assert.Equal("Printer on fire", detail.GetProperty("summary").GetProperty("subject").GetString());
        Assert.Equal(customer, detail.GetProperty("requesterHandle").GetString());
        var inbound = Assert.Single(Messages(detail, "Inbound"));
        Assert.Equal(first.MessageId, inbound.GetProperty("externalId").GetString());
        Assert.Contains("printer is on fire", inbound.GetProperty("text").GetString());

        // The agent's reply: written with its outbox item, then sent over SMTP.
        var reply = await ReplyAsync(agent, number, "Please **unplug it** first.");
        var messageId = reply.GetProperty("externalId").GetString()!;
        Assert.EndsWith("@" + Mail.Domain, messageId);
        var sent = await DeliveredAsync(agent, number, reply.GetProperty("id").GetGuid());
        Assert.Equal(1, sent.GetProperty("delivery").GetProperty("attempts").GetInt32());

        var received = (await Eventually.GetAsync(async () =>
            await Mail.ReadAsync(customer, SearchQuery.HeaderContains("Message-ID", messageId)) is [var one] ? one.Message : null, "the reply in the customer's mailbox"));
        Assert.Equal(messageId, received.MessageId);
        Assert.Equal(first.MessageId, received.InReplyTo);
        Assert.Contains(first.MessageId, received.References);
        Assert.Equal("Re: Printer on fire", received.Subject);
        Assert.Equal(support, received.From.Mailboxes.Single().Address);
        Assert.StartsWith(support.Split('@')[0] + $"+c{number}-", received.ReplyTo.Mailboxes.Single().Address);
        Assert.Equal(customer, received.To.Mailboxes.Single().Address);
        Assert.Contains("Please **unplug it** first.", received.TextBody);
        Assert.Contains("<strong>unplug it</strong>", received.HtmlBody);

        // The customer answers (their client keeps In-Reply-To; the subject is new): same conversation.
        var answer = Mail.Compose(customer, support, "Done, thanks", "It is unplugged now.", inReplyTo: messageId);
        await Mail.SendAsync(answer);
        await Eventually.TrueAsync(async () => Messages(await MailApp.ConversationAsync(agent, number), "Inbound").Count() == 2, "the answer in the conversation");
        Assert.Equal([number], await MailApp.ConversationNumbersAsync(agent, channel));

        // Both messages were flagged \Seen in the mailbox once filed.
        var inMailbox = await Mail.ReadAsync(support, SearchQuery.All);
        Assert.Equal(2, inMailbox.Count);
        Assert.All(inMailbox, m => Assert.True(m.Flags!.Value.HasFlag(MailKit.MessageFlags.Seen)));
    }

    [MailTheory, Providers]
    public async Task The_same_message_delivered_twice_is_filed_once(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        var channel = await MailApp.AddMailboxAsync(admin, support);

        var message = Mail.Compose(Mail.NewAddress("ann"), support, "Twice", "Sent twice by a retrying server.");
        await Mail.SendAsync(message);
        await Mail.SendAsync(message);
        await Eventually.TrueAsync(async () => (await MailApp.MailboxAsync(admin, channel)).GetProperty("lastUid").GetInt64() == 2, "both copies read");

        var number = Assert.Single(await MailApp.ConversationNumbersAsync(admin, channel));
        Assert.Single(Messages(await MailApp.ConversationAsync(admin, number), "Inbound"));
    }

    [MailTheory, Providers]
    public async Task Replies_without_threading_headers_thread_by_reply_token_or_by_subject_and_requester(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var ann = Mail.NewAddress("ann");
        var channel = await MailApp.AddMailboxAsync(admin, support);

        await Mail.SendAsync(Mail.Compose(ann, support, "Invoice question", "Why was I charged twice?"));
        var number = await SingleConversationAsync(agent, channel);
        var reply = await ReplyAsync(agent, number, "Looking into it.");
        var messageId = reply.GetProperty("externalId").GetString()!;
        var received = await Eventually.GetAsync(async () =>
            await Mail.ReadAsync(ann, SearchQuery.HeaderContains("Message-ID", messageId)) is [var one] ? one.Message : null, "the reply");
        var token = received.ReplyTo.Mailboxes.Single().Address;

        // A client that dropped In-Reply-To/References: the plus-address still names the conversation.
        await Mail.SendAsync(Mail.Compose(ann, token, "something else entirely", "Replying to the token address."));
        // Headers dropped and sent to the plain address: same subject (prefixes aside), same requester.
        await Mail.SendAsync(Mail.Compose(ann, support, "RE: AW: invoice  question", "Still waiting."));
        // The same subject from someone else, and a forged token: new conversations.
        await Mail.SendAsync(Mail.Compose(Mail.NewAddress("bob"), support, "Re: Invoice question", "Me too!"));
        var forged = token[..(token.IndexOf('-', token.IndexOf('+')) + 1)] + "aaaaaaaa@" + Mail.Domain;
        await Mail.SendAsync(Mail.Compose(Mail.NewAddress("eve"), forged, "hi", "Let me into #" + number));
        await Eventually.TrueAsync(async () => (await MailApp.MailboxAsync(admin, channel)).GetProperty("lastUid").GetInt64() == 5, "all five messages read");

        Assert.Equal(3, Messages(await MailApp.ConversationAsync(agent, number), "Inbound").Count());
        Assert.Equal(3, (await MailApp.ConversationNumbersAsync(agent, channel)).Count);
    }

    [MailTheory, Providers]
    public async Task Messages_read_in_one_poll_thread_as_if_filed_one_by_one(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var ann = Mail.NewAddress("ann");
        // All five wait in the mailbox before Chorus reads it, so one poll files them together. Each is in the mailbox
        // before the next is sent: Postfix delivers concurrently under load, and Ann's header-less follow-up filed
        // before her first message is a new conversation by rights, which is not what this test is about.
        var first = Mail.Compose(ann, support, "Broken controller", "The left stick drifts.");
        MimeKit.MimeMessage[] mails =
        [
            first,
            Mail.Compose(Mail.NewAddress("bob"), support, "Hello", "Unrelated question."),
            Mail.Compose(Mail.NewAddress("carol"), support, "Re: Broken controller", "Mine too (Ann's colleague).", inReplyTo: first.MessageId),
            Mail.Compose(ann, support, "RE: broken controller", "Any news?"),
            Mail.Compose(Mail.NewAddress("dave"), support, "Refund", "Please refund order 77."),
        ];
        for (var i = 0; i < mails.Length; i++)
        {
            await Mail.SendAsync(mails[i]);
            var delivered = i + 1;
            await Eventually.TrueAsync(async () => (await Mail.ReadAsync(support, SearchQuery.All)).Count == delivered, $"message {delivered} in the mailbox");
        }

        var channel = await MailApp.AddMailboxAsync(admin, support);
        await Eventually.TrueAsync(async () => (await MailApp.MailboxAsync(admin, channel)).GetProperty("lastUid").GetInt64() == 5, "all five read");

        var numbers = await MailApp.ConversationNumbersAsync(agent, channel);
        Assert.Equal(3, numbers.Count); // Ann's thread (with Carol's answer and Ann's follow-up), Bob's, Dave's
        var thread = numbers.Select(async n => await MailApp.ConversationAsync(agent, n)).Select(t => t.Result)
            .Single(d => d.GetProperty("summary").GetProperty("subject").GetString()!.Contains("broken controller", StringComparison.OrdinalIgnoreCase));
        // (Their Date headers can share a second, so the thread may show them in any order: compare as sets.)
        Assert.Equal(new[] { "Any news?", "Mine too (Ann's colleague).", "The left stick drifts." },
            Messages(thread, "Inbound").Select(m => m.GetProperty("text").GetString()!.Trim()).Order(StringComparer.Ordinal).ToArray());
        Assert.All(await Mail.ReadAsync(support, SearchQuery.All), m => Assert.True(m.Flags!.Value.HasFlag(MailKit.MessageFlags.Seen)));
    }

    [MailTheory, Providers]
    public async Task When_smtp_is_down_the_reply_waits_in_the_outbox_and_goes_out_once_when_it_is_back(Provider provider)
    {
        await using var flaky = new FlakyPort();
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var customer = Mail.NewAddress("ann");
        var channel = await MailApp.AddMailboxAsync(admin, support, new { smtpPort = flaky.Port });

        await Mail.SendAsync(Mail.Compose(customer, support, "Outage", "Is the service down?"));
        var number = await SingleConversationAsync(agent, channel);
        var reply = await ReplyAsync(agent, number, "We are on it.");
        var replyId = reply.GetProperty("id").GetGuid();

        var waiting = await Eventually.GetAsync<object>(async () =>
        {
            var m = Messages(await MailApp.ConversationAsync(agent, number), "Reply").Single(x => x.GetProperty("id").GetGuid() == replyId);
            var d = m.GetProperty("delivery");
            return d.GetProperty("status").GetString() == "Queued" && d.GetProperty("attempts").GetInt32() >= 2 ? d : null;
        }, "two failed attempts");
        var delivery = (JsonElement)waiting;
        Assert.Contains("could not connect", delivery.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.String, delivery.GetProperty("nextAttemptAt").ValueKind);

        flaky.StartForwardingTo(Mail.Smtp.Host, Mail.Smtp.Port);
        var sent = await DeliveredAsync(agent, number, replyId);
        Assert.True(sent.GetProperty("delivery").GetProperty("attempts").GetInt32() >= 3);

        var messageId = reply.GetProperty("externalId").GetString()!;
        await Eventually.TrueAsync(async () => (await Mail.ReadAsync(customer, SearchQuery.HeaderContains("Message-ID", messageId))).Count > 0, "the reply arrives");
        // Give a duplicate the time to show up (the dispatcher polls every 200 ms), then count.
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        Assert.Single(await Mail.ReadAsync(customer, SearchQuery.HeaderContains("Message-ID", messageId)));
    }

    [NeedsEnvFact("TEST_SMTP", "TEST_IMAP")]
    public async Task After_a_crash_mid_send_the_outbox_resumes_and_sends_once()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "chorus-crash-" + Guid.NewGuid().ToString("N"));
        var support = Mail.NewAddress("support");
        var customer = Mail.NewAddress("ann");
        string messageId;
        long number;
        try
        {
            await using (var before = MailApp.Create(Provider.Sqlite))
            {
                before.Settings["Chorus:DataDirectory"] = dataDir;
                before.Settings["Chorus:Outbox:Dispatch"] = "false";
                var admin = await before.StaffAsync("admin");
                var agent = await before.StaffAsync("agent", "Support");
                var channel = await MailApp.AddMailboxAsync(admin, support);
                await Mail.SendAsync(Mail.Compose(customer, support, "Crash", "Before the crash."));
                number = await SingleConversationAsync(agent, channel);
                messageId = (await ReplyAsync(agent, number, "Sent across a crash.")).GetProperty("externalId").GetString()!;
                // The node claimed the item and died before it could record the result.
                using var scope = before.Services.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
                await db.Outbox.Where(o => o.IdempotencyKey == messageId).ExecuteUpdateAsync(s => s
                    .SetProperty(o => o.Status, DeliveryStatus.Sending).SetProperty(o => o.Attempts, 1)
                    .SetProperty(o => o.LockedUntil, DateTimeOffset.UtcNow.AddSeconds(-1)));
            }

            await using var after = MailApp.Create(Provider.Sqlite);
            after.Settings["Chorus:DataDirectory"] = dataDir;
            await after.PrepareAsync();
            await Eventually.TrueAsync(async () =>
            {
                using var scope = after.Services.CreateScope();
                var item = await scope.ServiceProvider.GetRequiredService<ChorusDb>().Outbox.AsNoTracking().SingleAsync(o => o.IdempotencyKey == messageId);
                return item.Status == DeliveryStatus.Sent && item.Attempts == 2;
            }, "the resumed item is sent");
            var copies = await Eventually.GetAsync(async () =>
                await Mail.ReadAsync(customer, SearchQuery.HeaderContains("Message-ID", messageId)) is { Count: > 0 } found ? found : null, "the reply arrives");
            Assert.Single(copies);
        }
        finally
        {
            try { Directory.Delete(dataDir, true); } catch (IOException) { }
        }
    }
}
