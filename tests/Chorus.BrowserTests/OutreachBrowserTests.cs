using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.Playwright;
using static Chorus.BrowserTests.PeopleTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Outreach in the browser: an agent writes first from a person's page; the e-mail reaches the
/// person's real mailbox (Postfix → Dovecot) and the new conversation is theirs, pending.
public class OutreachBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH", "TEST_SMTP", "TEST_IMAP")]
    public async Task An_agent_starts_a_conversation_by_email_from_the_person_page()
    {
        var admin = await fx.StaffAsync("admin");
        var agent = await fx.StaffAsync("agent", "Support");
        await MailApp.AddMailboxAsync(admin, Mail.NewAddress("press"), new { name = "Press desk" });
        var jo = Mail.NewAddress("jo");
        var person = await InboundAsync(agent, jo, "Jo Journalist", "Review copy?", "Could I get a review copy?");

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, agent.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync($"/people/{person.PersonId}");
        await page.ClickAsync("#outreach-open");
        var dialog = page.Locator(".mud-dialog");
        await Expect(dialog.Locator("#outreach-to")).ToContainTextAsync(jo);
        await page.ClickAsync("#outreach-send"); // nothing written yet: each field says what it needs, nothing is sent
        await Expect(dialog).ToContainTextAsync("Give the e-mail a subject.");
        await Expect(dialog).ToContainTextAsync("Write the message first.");
        await page.FillAsync("#outreach-subject", "Your review copy of the collector's edition");
        await page.FillAsync("#outreach-text", "Hi Jo,\n\nYour **review copy** ships on Monday. Reply here with any questions.");
        await BrowserFixture.ScreenshotAsync(page, "outreach-dialog");
        await page.ClickAsync("#outreach-send");

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/conversations/\d+$"));
        var number = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..]);
        await Expect(page.Locator("body")).ToContainTextAsync("started this conversation by e-mail");
        await Expect(page.Locator("body")).ToContainTextAsync("ships on Monday");
        var detail = await agent.ConversationAsync(number);
        Assert.Equal("Pending", detail.Summary().Str("status"));
        Assert.Equal(agent.UserId, detail.Summary().Str("assigneeId"));
        await BrowserFixture.ScreenshotAsync(page, "outreach-conversation");

        var mail = await Eventually.GetAsync(async () =>
            await Mail.ReadAsync(jo, SearchQuery.SubjectContains("review copy of the collector")) is [var one] ? one.Message : null, "the e-mail in Jo's mailbox", 90);
        Assert.Contains("<strong>review copy</strong>", mail.HtmlBody);
    }
}
