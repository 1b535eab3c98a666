using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// The help center in a real browser: deflection on the contact form as a visitor types, and the staff
/// editor from a conversation's reply to a published article.
public class HelpCenterBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<Guid> ArticleAsync(StaffClient agent, Guid categoryId, string title, string body)
    {
        var article = await JsonAsync(await agent.PostAsync("/api/v1/help/articles", new { title, body, categoryId }));
        var id = article.GetProperty("id").GetGuid();
        await JsonAsync(await agent.Http.PutAsJsonAsync($"/api/v1/help/articles/{id}/published", new { published = true }));
        return id;
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_visitor_typing_on_the_contact_form_reads_a_suggested_article_and_it_counts_as_a_deflection()
    {
        var agent = await InboxTestData.StaffAsync(fx, "agent", "Support");
        var category = (await JsonAsync(await agent.PostAsync("/api/v1/help/categories", new { name = "Orders and refunds", slug = "orders-" + Guid.NewGuid().ToString("N")[..6] }))).GetProperty("id").GetGuid();
        var refunds = await ArticleAsync(agent, category, "How refunds work",
            "Return the game within **14 days** of purchase and we refund it.\n\n- Refunds reach your card within 5 working days.\n- Gift cards are refunded as store credit.");
        await ArticleAsync(agent, category, "Track your order", "Every order has a tracking link in the shipping e-mail.");

        var context = await fx.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fx.BaseAddress.ToString(), ViewportSize = new() { Width = 1000, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/contact");
        await Expect(page.Locator("#help-suggestions")).ToBeHiddenAsync();
        await page.FillAsync("#name", "Vic Visitor");
        await page.FillAsync("#email", PeopleTestData.Email("vic"));
        await page.Locator("#subject").PressSequentiallyAsync("Refund for a game", new() { Delay = 30 });

        var suggestion = page.Locator("#help-suggestion-list a.help-suggestion").First;
        await Expect(suggestion).ToHaveTextAsync("How refunds work");
        await BrowserFixture.ScreenshotAsync(page, "help-deflection-1-suggested");

        await suggestion.ClickAsync();
        var reading = page.Locator("#help-suggestion-article");
        await Expect(reading).ToContainTextAsync("Refunds reach your card within 5 working days.");
        await Expect(reading.Locator("strong")).ToHaveTextAsync("14 days");
        await Expect(page).ToHaveURLAsync(new Regex("/contact$")); // read in place: what they typed is still there
        await Expect(page.Locator("#subject")).ToHaveValueAsync("Refund for a game");
        await BrowserFixture.ScreenshotAsync(page, "help-deflection-2-reading");

        await page.ClickAsync("#help-answered");
        await Expect(page.Locator("#help-deflected")).ToContainTextAsync("Glad that answered your question!");
        await BrowserFixture.ScreenshotAsync(page, "help-deflection-3-answered");

        var report = await JsonAsync(await agent.GetAsync("/api/v1/help/deflections"));
        var row = report.GetProperty("articles").EnumerateArray().Single(a => a.GetProperty("articleId").GetGuid() == refunds);
        Assert.Equal(1, row.GetProperty("deflections").GetInt32());
        var article = await JsonAsync(await agent.GetAsync($"/api/v1/help/articles/{refunds}"));
        Assert.Equal(1, article.GetProperty("deflections").GetInt32());
        await context.CloseAsync();
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_agent_turns_a_reply_into_an_article_previews_it_and_publishes_it()
    {
        var agent = await InboxTestData.StaffAsync(fx, "agent", "Support");
        await JsonAsync(await agent.PostAsync("/api/v1/help/categories", new { name = "Saves and sync", slug = "saves-" + Guid.NewGuid().ToString("N")[..6] }));
        var created = await InboxTestData.InboundAsync(agent, "Where are my save files?", "I cannot find my saves after the update.");
        await JsonAsync(await agent.PostAsync($"/api/v1/conversations/{created.Number}/replies",
            new { text = "Your saves are in **Documents/Lumen/Saves**. Turn on cloud sync under Settings to keep them safe." }));

        var page = await InboxTestData.OpenAsync(fx, agent.Email, $"/conversations/{created.Number}");
        var turn = page.Locator("[data-test=to-article]").First;
        await Expect(turn).ToBeVisibleAsync();
        await turn.ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"/help-center/articles/new\?from="));
        await Expect(page.Locator("#article-from-reply")).ToBeVisibleAsync();
        await Expect(page.Locator("#article-title")).ToHaveValueAsync("Where are my save files?");
        await Expect(page.Locator("#article-preview strong")).ToHaveTextAsync("Documents/Lumen/Saves");
        await page.Locator("#article-title").FillAsync("Where your save files are");
        await page.Locator("#article-body").FillAsync("Your saves are in **Documents/Lumen/Saves**.\n\n## Keep them safe\n\nTurn on *cloud sync* under Settings.");
        await Expect(page.Locator("#article-preview h2")).ToHaveTextAsync("Keep them safe");
        await BrowserFixture.ScreenshotAsync(page, "help-editor");

        await page.ClickAsync("#article-publish");
        await Expect(page.Locator("#article-status")).ToHaveTextAsync("Published");
        await Expect(page).ToHaveURLAsync(new Regex(@"/help-center/articles/[0-9a-f-]{36}$"));
        await Expect(page.Locator("#article-public-link")).ToHaveTextAsync("/help/articles/where-your-save-files-are");

        var reader = await (await fx.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fx.BaseAddress.ToString(), JavaScriptEnabled = false })).NewPageAsync();
        await reader.GotoAsync("/help/articles/where-your-save-files-are");
        await Expect(reader.Locator("#help-article-title")).ToHaveTextAsync("Where your save files are");
        await Expect(reader.Locator(".help-article-body h2")).ToHaveTextAsync("Keep them safe");
        await reader.ClickAsync("#helpful-yes");
        await Expect(reader.Locator("#help-voted")).ToContainTextAsync("Glad it helped");
        await BrowserFixture.ScreenshotAsync(reader, "help-public-article");

        await page.GotoAsync("/help-center");
        await Expect(page.Locator("[data-test=article-row][data-article='Where your save files are'] [data-test=article-status]")).ToHaveTextAsync("Published");
        await BrowserFixture.ScreenshotAsync(page, "help-center-list");
    }
}
