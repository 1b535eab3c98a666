using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Channels.Outbox;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Email;

/// Proactive outreach: an agent writes first, to a person or to each person of a saved list.
public class OutreachTests
{
    private static IEnumerable<JsonElement> Messages(JsonElement detail, string kind) =>
        detail.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("kind").GetString() == kind);

    [MailTheory, Providers]
    public async Task An_agent_writes_first_the_person_receives_it_and_their_answer_joins_the_conversation(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var channel = await MailApp.AddMailboxAsync(admin, support);
        var jo = Mail.NewAddress("jo");
        var person = (await admin.DeliverAsync("jo-1", handle: jo, name: "Jo Journalist", subject: "Hello")).PersonId;

        var response = await agent.PostAsync("/api/v1/conversations", new
        {
            personId = person, mailboxId = channel, subject = "Your review copy", text = "Hi Jo, **your copy** ships on Monday.",
        });
        var result = await response.JsonAsync(HttpStatusCode.Created);
        var number = result.GetProperty("started")[0].GetProperty("number").GetInt64();
        Assert.Equal($"/api/v1/conversations/{number}", response.Headers.Location!.ToString());

        var detail = await agent.ConversationAsync(number);
        Assert.Equal("Pending", detail.Summary().Str("status"));
        Assert.Equal(agent.UserId, detail.Summary().Str("assigneeId"));
        Assert.Equal("Your review copy", detail.Summary().Str("subject"));
        var first = Assert.Single(Messages(detail, "Reply"));
        var messageId = first.Str("externalId");

        var mail = await Eventually.GetAsync(async () =>
            await Mail.ReadAsync(jo, SearchQuery.HeaderContains("Message-ID", messageId)) is [var one] ? one.Message : null, "the outreach e-mail", StaffEmailNotificationTests.Arrival);
        Assert.Equal("Your review copy", mail.Subject); // the first message of a thread: no "Re:"
        Assert.Null(mail.InReplyTo);
        Assert.Equal(support, mail.From.Mailboxes.Single().Address);
        Assert.StartsWith(support.Split('@')[0] + $"+c{number}-", mail.ReplyTo.Mailboxes.Single().Address);
        Assert.Contains("<strong>your copy</strong>", mail.HtmlBody);
        await Eventually.TrueAsync(async () => Messages(await agent.ConversationAsync(number), "Reply").Single().GetProperty("delivery").Str("status") == "Sent", "marked sent");

        await Mail.SendAsync(Mail.Compose(jo, support, "Re: Your review copy", "Great, thanks!", inReplyTo: messageId));
        await Eventually.TrueAsync(async () => Messages(await agent.ConversationAsync(number), "Inbound").Any(), "Jo's answer in the conversation", StaffEmailNotificationTests.Arrival);
        var after = await agent.ConversationAsync(number);
        Assert.Equal("Open", after.Summary().Str("status"));
        Assert.Equal([number], await MailApp.ConversationNumbersAsync(agent, channel));
    }
}
