using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chorus.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// An admin builds a rule whose action links conversations to a problem, picked from a list in the rule
/// editor; the dry run names the problem and how many of the matches it would link; saved, it links a new one.
public class RuleProblemBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_admin_picks_a_problem_for_a_rule_sees_it_in_the_dry_run_and_the_rule_links_a_new_conversation()
    {
        var admin = await InboxTestData.StaffAsync(fx, "admin");
        var word = "sync" + Guid.NewGuid().ToString("N")[..6];
        await InboxTestData.InboundAsync(admin, "Calendar stopped syncing", $"My calendar {word} stopped since the update.");
        var created = await admin.PostAsync("/api/v1/problems", new { title = $"Calendar {word} broken in 5.1", description = "The 5.1 release broke calendar sync." });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var problem = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt64();

        var page = await InboxTestData.OpenAsync(fx, admin.Email, "/admin/rules/new");
        await Expect(page.Locator("#rule-editor-title")).ToHaveTextAsync("New rule");
        await page.FillAsync("#rule-name", $"Sync {word}");
        await page.Locator("[data-test=condition-row] input").Last.FillAsync(word);
        // The first action row: switch it to "Link to problem", then pick the problem by its reference and title.
        await page.Locator("[data-test=action-row]").First.Locator(".mud-input-control").First.ClickAsync();
        await page.Locator(".mud-popover-open [role=option]").Filter(new() { HasTextRegex = new Regex("^\\s*Link to problem\\s*$") }).ClickAsync();
        var value = page.Locator("[data-test=action-row]").First.Locator(".automation-value .mud-input-control");
        await Expect(value).ToContainTextAsync("Problem");
        await value.ClickAsync();
        var option = page.Locator(".mud-popover-open [role=option]").Filter(new() { HasText = $"P-{problem}" });
        await BrowserFixture.ScreenshotAsync(page, "rule-editor-problem-picker");
        await Expect(option).ToContainTextAsync($"“Calendar {word} broken in 5.1”");
        await option.ClickAsync();
        await Expect(value.Locator("input")).ToHaveValueAsync($"P-{problem} “Calendar {word} broken in 5.1”");

        await page.Locator("#dry-run-start").ClickAsync();
        await Expect(page.Locator("#dry-run-result")).ToContainTextAsync(new Regex(@"would have matched 1 of the last \d+ conversations"));
        await Expect(page.Locator("[data-test=dry-run-link]")).ToContainTextAsync($"It would link 1 of them to problem P-{problem} “Calendar {word} broken in 5.1”.");
        await BrowserFixture.ScreenshotAsync(page, "rule-editor-link-problem");

        await page.Locator("#rule-save").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/rules$"));
        await Expect(page.Locator($"[data-test=rule-row][data-rule='Sync {word}'] [data-test=rule-summary]"))
            .ToContainTextAsync($"link to P-{problem} “Calendar {word} broken in 5.1”");

        var fresh = await InboxTestData.InboundAsync(admin, "Sync broken", $"Calendar {word} does not sync at all");
        await InboxTestData.GoAsync(page, $"/conversations/{fresh.Number}");
        await Expect(page.Locator("#thread [data-kind=event]").Filter(new() { HasText = $"Rule 'Sync {word}' linked this conversation to problem P-{problem}" })).ToBeVisibleAsync();
        await Expect(page.Locator($"[data-test=conversation-problem][data-number='{problem}']")).ToBeVisibleAsync();
    }
}
