using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// The public contact form as an anonymous visitor uses it: without JavaScript, in a browser that never signed in.
public class WebFormBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private async Task<IPage> AnonymousPageWithoutJavaScriptAsync()
    {
        var context = await fx.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            JavaScriptEnabled = false, BaseURL = fx.BaseAddress.ToString(), ViewportSize = new() { Width = 1000, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_visitor_writes_in_gets_a_private_link_replies_there_and_staff_see_both_messages()
    {
        var agent = await fx.StaffAsync("agent", "Support");
        var page = await AnonymousPageWithoutJavaScriptAsync();

        await page.GotoAsync("/contact");
        await page.FillAsync("#name", "Wes Visitor");
        await page.FillAsync("#email", PeopleTestData.Email("wes"));
        await page.FillAsync("#subject", "Save files vanished");
        await page.FillAsync("#message", "After the update my save files are gone.");
        await page.ClickAsync("#send");

        await Expect(page).ToHaveURLAsync(new Regex(@"/requests/[^/?]+\?sent=\d+$"));
        var confirmation = page.Locator("#confirmation");
        await Expect(confirmation).ToContainTextAsync("Thanks, we got your message.");
        var number = long.Parse(Regex.Match(await confirmation.InnerTextAsync(), @"#(\d+)").Groups[1].Value);
        Assert.EndsWith($"sent={number}", page.Url);
        await Expect(page.Locator("#subject")).ToHaveTextAsync("Save files vanished");
        await BrowserFixture.ScreenshotAsync(page, "webform-confirmation");

        await page.FillAsync("#reply", "They were in the cloud folder, if that helps.");
        await page.ClickAsync("#send-reply");
        await Expect(page.Locator(".thread li")).ToHaveCountAsync(2);
        await Expect(page.Locator(".thread li.from-you .body")).ToHaveTextAsync(["After the update my save files are gone.", "They were in the cloud folder, if that helps."]);

        var detail = await agent.Http.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{number}");
        Assert.Equal("Save files vanished", detail.GetProperty("summary").GetProperty("subject").GetString());
        Assert.Equal("Web form", detail.GetProperty("summary").GetProperty("channelName").GetString());
        Assert.Equal(
            ["After the update my save files are gone.", "They were in the cloud folder, if that helps."],
            detail.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("kind").GetString() == "Inbound").Select(m => m.GetProperty("text").GetString()!).ToArray());
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_address_the_form_cannot_answer_gets_a_clear_error_and_creates_nothing()
    {
        var agent = await fx.StaffAsync("agent", "Support");
        var page = await AnonymousPageWithoutJavaScriptAsync();
        var marker = "nobody" + Guid.NewGuid().ToString("N")[..8];

        await page.GotoAsync("/contact");
        await page.FillAsync("#name", "Ida Invalid");
        // The browser accepts this address (no JavaScript runs here); the server knows it has no domain to answer.
        await page.FillAsync("#email", marker + "@localhost");
        await page.FillAsync("#subject", "Hello");
        await page.FillAsync("#message", "Is anyone there?");
        await page.ClickAsync("#send");

        await Expect(page.Locator("#form-error")).ToHaveTextAsync("That e-mail address does not look right.");
        await Expect(page).ToHaveURLAsync(new Regex("/contact$"));
        await Expect(page.Locator("#subject")).ToHaveValueAsync("Hello"); // what they typed is kept

        var people = await agent.Http.GetFromJsonAsync<JsonElement>($"/api/v1/people?q={marker}");
        Assert.Equal(0, people.GetArrayLength());
        var conversations = await agent.Http.GetFromJsonAsync<JsonElement>($"/api/v1/conversations?q={marker}");
        Assert.Equal(0, conversations.GetProperty("items").GetArrayLength());
    }
}
