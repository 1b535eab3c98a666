using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using MailKit.Search;

namespace Chorus.Tests.Email;

/// Where a reply stands on its way out, as the API shows it on the message, and "Retry now".
public class DeliveryStateTests
{
    private static async Task<JsonElement> DeliveryAsync(StaffClient staff, long number, Guid replyId) =>
        (await MailApp.ConversationAsync(staff, number)).GetProperty("messages").EnumerateArray()
        .Single(m => m.GetProperty("id").GetGuid() == replyId).GetProperty("delivery");

    private static Task<JsonElement> StatusAsync(StaffClient staff, long number, Guid replyId, string status) =>
        Eventually.GetAsync<object>(async () => await DeliveryAsync(staff, number, replyId) is var d && d.GetProperty("status").GetString() == status ? d : null,
            "delivery status " + status).ContinueWith(t => (JsonElement)t.Result);

    [MailTheory, Providers]
    public async Task A_failed_reply_says_why_and_an_agent_sends_it_again_once_the_server_is_back(Provider provider)
    {
        await using var flaky = new FlakyPort();
        await using var app = MailApp.Create(provider);
        app.Settings["Chorus:Outbox:MaxAttempts"] = "1"; // the first refusal fails the reply
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer", "Support");
        var support = Mail.NewAddress("support");
        var customer = Mail.NewAddress("ann");
        var channel = await MailApp.AddMailboxAsync(admin, support, new { smtpPort = flaky.Port });
        await Mail.SendAsync(Mail.Compose(customer, support, "Refund", "Where is my refund?"));
        var number = (await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(agent, channel) is [var n] ? (object)n : null, "the conversation") as long?)!.Value;

        var posted = await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "It is on its way." })).JsonAsync(HttpStatusCode.Created);
        var replyId = posted.GetProperty("messageId").GetGuid();
        var failed = await StatusAsync(agent, number, replyId, "Failed");
        Assert.Contains("could not connect", failed.GetProperty("error").GetString());
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("sentAt").ValueKind);
        var retry = $"/api/v1/conversations/{number}/messages/{replyId}/retry-delivery";

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync(retry, new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.PostAsync($"/api/v1/conversations/{number}/messages/{Guid.NewGuid()}/retry-delivery", new { })).StatusCode);
        var inbound = (await MailApp.ConversationAsync(agent, number)).GetProperty("messages").EnumerateArray().First(m => m.GetProperty("kind").GetString() == "Inbound");
        Assert.Equal(HttpStatusCode.NotFound, (await agent.PostAsync($"/api/v1/conversations/{number}/messages/{inbound.GetProperty("id").GetGuid()}/retry-delivery", new { })).StatusCode);

        flaky.StartForwardingTo(Mail.Smtp.Host, Mail.Smtp.Port);
        var queued = await (await agent.PostAsync(retry, new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Queued", queued.GetProperty("status").GetString());
        var sent = await StatusAsync(agent, number, replyId, "Sent");
        Assert.Equal(2, sent.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.String, sent.GetProperty("sentAt").ValueKind);

        // Sent is final: a second retry is refused and nothing goes out twice.
        var again = await agent.PostAsync(retry, new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("sent already", await again.Content.ReadAsStringAsync());
        var messageId = (await MailApp.ConversationAsync(agent, number)).GetProperty("messages")
            .EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == replyId).GetProperty("externalId").GetString()!;
        await Eventually.TrueAsync(async () => (await Mail.ReadAsync(customer, SearchQuery.HeaderContains("Message-ID", messageId))).Count > 0, "the reply arrives");
        Assert.Single(await Mail.ReadAsync(customer, SearchQuery.HeaderContains("Message-ID", messageId)));

        var audit = (await admin.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=delivery.")).EnumerateArray().ToList();
        var entry = Assert.Single(audit);
        Assert.Equal(number.ToString(), entry.GetProperty("targetId").GetString());
        Assert.Contains("could not connect", entry.GetProperty("details").GetString());
        Assert.Contains((await MailApp.ConversationAsync(agent, number)).GetProperty("messages").EnumerateArray(),
            m => m.GetProperty("kind").GetString() == "Event" && m.GetProperty("text").GetString()!.Contains("retried sending a reply"));
    }
}
