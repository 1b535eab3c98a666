using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chorus.Features.Channels.Outbox;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Email;

/// A web-form requester is answered by e-mail too: a confirmation with their reference and private
/// link, then every public reply; answering either e-mail threads back into the same conversation.
/// Through the real Postfix/Dovecot, read back with MailKit from the requester's mailbox.
public class WebFormEmailTests
{
    private const string PublicUrl = "https://help.example.test";
    private const int Arrival = StaffEmailNotificationTests.Arrival;

    private static async Task<string> Page(HttpClient browser, string path)
    {
        var response = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static HttpClient Browser(ChorusFactory app) => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static IEnumerable<JsonElement> Messages(JsonElement detail, string kind) =>
        detail.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("kind").GetString() == kind);

    [MailTheory, Providers]
    public async Task The_requester_gets_a_confirmation_and_the_replies_by_email_and_their_answers_join_the_conversation(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        app.Settings["Chorus:PublicUrl"] = PublicUrl;
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var mailboxChannel = await MailApp.AddMailboxAsync(admin, support);
        var rita = Mail.NewAddress("rita");

        // The form, as a browser without JavaScript sends it; then the same form again (a double click).
        var browser = Browser(app);
        var fields = Forms.Contact(await Forms.OpenAsync(browser, "/contact"), email: rita, subject: "Cannot sign in");
        var posted = await Forms.PostAsync(browser, "/contact", fields);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var location = posted.Headers.Location!.ToString();
        Assert.Contains("emailed=1", location);
        var number = long.Parse(Regex.Match(location, @"sent=(\d+)").Groups[1].Value);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(browser, "/contact", fields)).StatusCode);

        var confirmation = await Eventually.GetAsync(async () =>
            await Mail.ReadAsync(rita, SearchQuery.All) is [var one] ? one.Message : null, "the confirmation e-mail", Arrival);
        Assert.Contains($"#{number}", confirmation.Subject);
        Assert.Contains("Cannot sign in", confirmation.Subject);
        Assert.Equal(support, confirmation.From.Mailboxes.Single().Address);
        // The private link in the e-mail (a fresh encryption of the same conversation) opens Rita's page.
        var emailedPath = Regex.Match(confirmation.TextBody ?? "", Regex.Escape(PublicUrl) + @"(/requests/[A-Za-z0-9_-]+)").Groups[1].Value;
        Assert.NotEmpty(emailedPath);
        Assert.Contains($"href=\"{PublicUrl}{emailedPath}\"", confirmation.HtmlBody);
        var page = await Page(browser, emailedPath);
        Assert.Contains($"#{number}", page);
        Assert.Contains("I cannot sign in since yesterday.", page);
        var token = confirmation.ReplyTo.Mailboxes.Single().Address;
        Assert.StartsWith(support.Split('@')[0] + $"+c{number}-", token);
        Assert.Equal(1, await app.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.Confirmation)));

        // The agent's reply leaves by e-mail, threaded under the confirmation, with the private link; the note does not.
        const string secret = "possible account takeover";
        await (await agent.PostAsync($"/api/v1/conversations/{number}/notes", new { text = $"Checked the logs: {secret}." })).JsonAsync(HttpStatusCode.Created);
        var posted2 = await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "Please reset your password with the link on the sign-in page." }))
            .JsonAsync(HttpStatusCode.Created);
        var replyId = posted2.GetProperty("messageId").GetGuid();
        var reply = await Eventually.GetAsync(async () =>
            (await Mail.ReadAsync(rita, SearchQuery.All)).Select(m => m.Message).FirstOrDefault(m => m.MessageId != confirmation.MessageId), "the reply e-mail", Arrival);
        Assert.Equal(confirmation.MessageId, reply.InReplyTo);
        Assert.Equal("Re: Cannot sign in", reply.Subject);
        Assert.Contains("reset your password", reply.TextBody);
        Assert.Matches(Regex.Escape(PublicUrl) + @"/requests/[A-Za-z0-9_-]+", reply.TextBody);
        Assert.StartsWith(support.Split('@')[0] + $"+c{number}-", reply.ReplyTo.Mailboxes.Single().Address);
        var detail = await agent.ConversationAsync(number);
        var stored = Messages(detail, "Reply").Single(m => m.GetProperty("id").GetGuid() == replyId);
        Assert.Equal(reply.MessageId, stored.Str("externalId"));
        await Eventually.TrueAsync(async () => Messages(await agent.ConversationAsync(number), "Reply").Single().GetProperty("delivery").Str("status") == "Sent", "the reply marked sent");

        // Rita answers the reply (her client keeps In-Reply-To), then the confirmation from a client that drops the headers.
        await Mail.SendAsync(Mail.Compose(rita, support, "Re: Cannot sign in", "The reset worked, thank you!", inReplyTo: reply.MessageId));
        await Mail.SendAsync(Mail.Compose(rita, token, "something else", "One more question about two-factor sign-in."));
        await Eventually.TrueAsync(async () => Messages(await agent.ConversationAsync(number), "Inbound").Count() == 3, "both answers in the web-form conversation", Arrival);
        var after = await agent.ConversationAsync(number);
        Assert.Equal("WebForm", after.Summary().Str("channelKind"));
        Assert.Contains(Messages(after, "Inbound"), m => m.Str("text").Contains("The reset worked"));
        Assert.Empty(await MailApp.ConversationNumbersAsync(agent, mailboxChannel));

        // Nothing of the note ever left, and Rita got exactly two e-mails.
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        var inbox = await Mail.ReadAsync(rita, SearchQuery.All);
        Assert.Equal(2, inbox.Count);
        Assert.All(inbox, m => Assert.DoesNotContain(secret, m.Message.TextBody + m.Message.HtmlBody));
        Assert.False(await app.DbAsync(db => db.Outbox.AnyAsync(o => o.Payload.Contains("account takeover"))));
    }

    [Theory, Providers]
    public async Task Without_a_notification_mailbox_the_form_and_replies_work_and_nothing_is_queued(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var browser = Browser(app);
        var posted = await Forms.PostAsync(browser, "/contact", Forms.Contact(await Forms.OpenAsync(browser, "/contact")));
        var location = posted.Headers.Location!.ToString();
        Assert.DoesNotContain("emailed", location);
        var number = long.Parse(Regex.Match(location, @"sent=(\d+)").Groups[1].Value);

        var page = await (await browser.GetAsync(location)).Content.ReadAsStringAsync();
        Assert.Contains("Your reference is", page);
        Assert.DoesNotContain("confirmation-emailed", page);

        await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "Answer on the page only." })).JsonAsync(HttpStatusCode.Created);
        var reply = Messages(await agent.ConversationAsync(number), "Reply").Single();
        Assert.Equal(JsonValueKind.Null, reply.GetProperty("delivery").ValueKind);
        Assert.False(await app.DbAsync(db => db.Outbox.AnyAsync()));
        Assert.Contains("Answer on the page only.", await (await browser.GetAsync(location)).Content.ReadAsStringAsync());
    }
}
