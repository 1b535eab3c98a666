using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// The Problems card follows the problem itself: when a colleague renames it or marks it a known error, the
/// card on every open linked conversation shows the new title and status without a reload.
public class ProblemCardFollowsProblemBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Every_open_linked_conversation_shows_a_new_title_and_status_live()
    {
        var dana = await InboxTestData.StaffAsync(fx, "agent", "Support");
        var eli = await InboxTestData.StaffAsync(fx, "agent", "Support");
        var first = await InboxTestData.InboundAsync(dana, "Export to CSV is empty", "The CSV export of my invoices is an empty file.", name: "Ada Export");
        var second = await InboxTestData.InboundAsync(dana, "CSV export gives a blank file", "Exporting my invoices gives a blank CSV.", name: "Ben Blank");
        var created = await eli.PostAsync("/api/v1/problems", new { title = "CSV export empty", description = "Invoice exports come out empty." });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var problem = await created.Content.ReadFromJsonAsync<JsonElement>();
        var number = problem.GetProperty("number").GetInt64();
        foreach (var c in new[] { first, second })
            await InboxTestData.PostAsync(eli, $"/api/v1/problems/{number}/conversations", new { conversationNumber = c.Number });

        var pages = new[] { await InboxTestData.OpenAsync(fx, dana.Email, $"/conversations/{first.Number}"), await InboxTestData.OpenAsync(fx, dana.Email, $"/conversations/{second.Number}") };
        foreach (var page in pages)
        {
            var card = page.Locator($"[data-test=conversation-problem][data-number='{number}']");
            await Expect(card).ToContainTextAsync($"P-{number} CSV export empty");
            await Expect(card).ToContainTextAsync("open");
        }

        // Eli finds the cause: a better title, and it is a known error now.
        var updated = await eli.Http.PutAsJsonAsync($"/api/v1/problems/{number}", new
        {
            title = "CSV export empty for invoices over 1,000 rows", description = "Invoice exports come out empty.", status = "knownError",
            version = problem.GetProperty("version").GetInt32(),
        });
        Assert.True(updated.IsSuccessStatusCode, await updated.Content.ReadAsStringAsync());

        foreach (var page in pages)
        {
            var card = page.Locator($"[data-test=conversation-problem][data-number='{number}']");
            await Expect(card).ToContainTextAsync($"P-{number} CSV export empty for invoices over 1,000 rows");
            await Expect(card).ToContainTextAsync("known error");
        }
        await BrowserFixture.ScreenshotAsync(pages[1], "problem-card-follows-problem");
    }
}
