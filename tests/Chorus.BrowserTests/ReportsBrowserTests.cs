using System.Net;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// A team lead opens Reports: the figures and charts of the period, narrowed by team, and the CSV behind them.
public class ReportsBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task The_reports_page_shows_the_backlog_story_in_figures_and_charts_and_downloads_it()
    {
        var admin = await fx.StaffAsync("admin");
        var agent = await fx.StaffAsync("agent", "Support");
        var start = DateTimeOffset.UtcNow.Date.AddDays(-20);
        var first = await admin.DeliverAsync("rep-1", thread: "rep-1", at: new DateTimeOffset(start, TimeSpan.Zero));
        await admin.DeliverAsync("rep-2", thread: "rep-2", handle: "bo@customer.test", name: "Bo", at: new DateTimeOffset(start.AddDays(6), TimeSpan.Zero));
        await admin.DeliverAsync("rep-3", thread: "rep-3", handle: "cy@customer.test", name: "Cy", at: new DateTimeOffset(start.AddDays(13), TimeSpan.Zero));
        await (await agent.PostAsync($"/api/v1/conversations/{first.Number}/replies", new { text = "Sorted." })).JsonAsync(HttpStatusCode.Created);
        await agent.PatchConversationAsync(first.Number, new { assigneeId = agent.UserId, status = "Solved", addTags = new[] { "refund" } });

        var from = start.AddDays(-1).ToString("yyyy-MM-dd");
        var to = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var page = await OpenAsync(fx, admin.Email, $"/reports?from={from}&to={to}&by=week");
        await Expect(page.Locator("[data-test=tile-created] [data-test=tile-value]")).ToHaveTextAsync("3");
        await Expect(page.Locator("[data-test=tile-solved] [data-test=tile-value]")).ToHaveTextAsync("1");
        await Expect(page.Locator("[data-test=tile-backlog] [data-test=tile-value]")).ToHaveTextAsync("2");
        await Expect(page.Locator("[data-test=tile-first-reply] [data-test=tile-value]")).ToContainTextAsync("days");
        await Expect(page.Locator("#chart-backlog svg path").First).ToBeAttachedAsync();
        await Expect(page.Locator("#chart-channels svg path").First).ToBeAttachedAsync();
        await Expect(page.Locator("[data-test=reports-tag]")).ToContainTextAsync("refund");
        await Expect(page.Locator("[data-test=reports-agent]").Filter(new() { HasText = $"agent {agent.Email[..12]}" })).ToContainTextAsync("1");
        await BrowserFixture.ScreenshotAsync(page, "reports");

        // The CSV link downloads the same periods for the signed-in browser.
        var href = await page.Locator("#reports-csv").GetAttributeAsync("href");
        Assert.Contains($"from={from}", href);
        var csv = await page.Context.APIRequest.GetAsync(href!);
        Assert.Equal(200, csv.Status);
        Assert.StartsWith("start,end,created,solved", await csv.TextAsync());

        // Narrowed to a team: the figures follow, and tags say why they are not shown.
        await PickAsync(page, "#reports-team", "Marketing");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("team="));
        await Expect(page.Locator("#reports-empty")).ToBeVisibleAsync();
        await PickAsync(page, "#reports-team", "All teams");
        await Expect(page.Locator("[data-test=tile-created] [data-test=tile-value]")).ToHaveTextAsync("3");

        // A period with nothing in it says so.
        await GoAsync(page, "/reports?from=2020-01-01&to=2020-01-31&by=day");
        await Expect(page.Locator("#reports-empty")).ToContainTextAsync("No conversations in this period");
    }
}
