using System.Net.Http.Json;
using Chorus.Tests.Infrastructure;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

public class QuotedTextBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Quoted_history_and_signatures_collapse_behind_a_toggle_and_the_original_stays_whole()
    {
        var agent = await StaffAsync(fx, "agent", "Support");
        var thread = Guid.NewGuid().ToString("N");
        const string gmail = """<div dir="ltr">Thanks, that fixed it!<br><br>Best,<br>Ann</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Sat, Nov 28, 2026 at 10:02 AM Chorus Support &lt;support@chorus.test&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">Please restart the router and tell us if the light turns green.</div></blockquote></div>""";
        var first = await agent.PostAsync("/api/v1/inbound", new
        {
            externalId = thread, threadId = thread, author = new { kind = "Email", handle = $"{thread[..10]}@example.test", name = "Ann Quinn" },
            subject = "Quoted: router light", text = "Thanks, that fixed it!", html = gmail,
        });
        var number = (await first.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("conversationNumber").GetInt64();
        await agent.PostAsync("/api/v1/inbound", new
        {
            externalId = thread + "-2", threadId = thread, author = new { kind = "Email", handle = $"{thread[..10]}@example.test", name = "Ann Quinn" },
            text = "One more thing: it blinks at night.\n\n-- \nAnn Quinn\nQuinn Bakery, 12 Mill Lane\n\nOn Sat, Nov 28, 2026 at 10:02 AM Chorus Support <support@chorus.test> wrote:\n> Please restart the router.\n",
        });

        var page = await OpenAsync(fx, agent.Email, $"/conversations/{number}");
        var html = Messages(page, "inbound").Nth(0);
        var plain = Messages(page, "inbound").Nth(1);
        await Expect(html.Locator("[data-test=message-body]")).ToContainTextAsync("Thanks, that fixed it!");
        await Expect(html.Locator("[data-test=message-body]")).Not.ToContainTextAsync("restart the router");
        await Expect(plain.Locator("[data-test=message-body]")).ToHaveTextAsync("One more thing: it blinks at night.");
        await BrowserFixture.ScreenshotAsync(page, "quoted-collapsed");

        await html.Locator("[data-test=quote-toggle]").ClickAsync();
        await Expect(html.Locator("[data-test=message-body]")).ToContainTextAsync("Please restart the router and tell us if the light turns green.");
        await Expect(html.Locator("[data-test=quote-toggle]")).ToHaveAttributeAsync("aria-expanded", "true");
        await plain.Locator("[data-test=quote-toggle]").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(plain.Locator("[data-test=message-body]")).ToContainTextAsync("Quinn Bakery, 12 Mill Lane");
        await Expect(plain.Locator("[data-test=message-body]")).ToContainTextAsync("> Please restart the router.");
        await BrowserFixture.ScreenshotAsync(page, "quoted-expanded");

        await html.Locator("[data-test=quote-toggle]").ClickAsync();
        await Expect(html.Locator("[data-test=message-body]")).Not.ToContainTextAsync("restart the router");

        // What is stored (and what the API returns) is the original, whole.
        var detail = await GetConversationAsync(agent, number);
        Assert.Contains("gmail_quote", detail.GetProperty("messages")[0].GetProperty("html").GetString());
        Assert.Contains("> Please restart the router.", detail.GetProperty("messages")[1].GetProperty("text").GetString());
    }
}
