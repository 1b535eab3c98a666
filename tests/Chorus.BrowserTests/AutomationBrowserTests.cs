using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Rules and macros in the staff app: an admin builds a rule, tries it, saves it and sees it act on a
/// new conversation; an agent applies a macro from the composer with the keyboard.
public class AutomationBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_admin_builds_a_rule_runs_its_dry_run_saves_it_and_it_acts_on_a_new_conversation()
    {
        var admin = await InboxTestData.StaffAsync(fx, "admin");
        var word = "zorb" + Guid.NewGuid().ToString("N")[..6];
        var matching = await InboxTestData.InboundAsync(admin, "Refund please", $"My {word} arrived broken, I want a refund");
        await InboxTestData.InboundAsync(admin, "Hello", "Just saying hi");

        var page = await InboxTestData.OpenAsync(fx, admin.Email, "/admin/rules");
        await page.Locator("#nav-admin-rules").WaitForAsync();
        await page.Locator("#rule-new").ClickAsync();
        await Expect(page.Locator("#rule-editor-title")).ToHaveTextAsync("New rule");
        await page.FillAsync("#rule-name", $"Broken {word}");

        // If: the text contains the word (the first condition row starts as a text condition).
        await page.Locator("[data-test=condition-row] input").Last.FillAsync(word);
        // Then: tag it, and raise the priority (a second action, switched to "Set priority": high by default).
        await page.Locator("[data-test=action-row] input").Last.FillAsync("broken-item");
        await page.Locator("[data-test=action-add]").ClickAsync();
        await page.Locator("[data-test=action-row]").Nth(1).Locator(".mud-input-control").First.ClickAsync();
        await page.Locator(".mud-popover-open [role=option]").Filter(new() { HasTextRegex = new Regex("^\\s*Set priority\\s*$") }).ClickAsync();

        // A bad pattern is caught by the dry run, with the reason.
        await page.Locator("#condition-add").ClickAsync();
        await page.Locator("[data-test=condition-row]").Nth(1).Locator(".mud-input-control").Nth(1).ClickAsync();
        await page.Locator(".mud-popover-open [role=option]").Filter(new() { HasTextRegex = new Regex("^\\s*Matches pattern\\s*$") }).ClickAsync();
        await page.Locator("[data-test=condition-row]").Nth(1).Locator("input").Last.FillAsync("broken (");
        await page.Locator("#dry-run-start").ClickAsync();
        await Expect(page.Locator("#dry-run-error")).ToContainTextAsync("'broken (' is not a valid regular expression");
        await page.Locator("[data-test=condition-remove]").Nth(1).ClickAsync();

        await page.Locator("#dry-run-start").ClickAsync();
        await Expect(page.Locator("#dry-run-result")).ToContainTextAsync(new Regex(@"would have matched 1 of the last \d+ conversations"));
        await Expect(page.Locator("[data-test=dry-run-example]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-test=dry-run-example] a")).ToHaveAttributeAsync("href", $"/conversations/{matching.Number}");
        await BrowserFixture.ScreenshotAsync(page, "rule-editor");

        await page.Locator("#rule-save").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/rules$"));
        var row = page.Locator($"[data-test=rule-row][data-rule='Broken {word}']");
        await Expect(row.Locator("[data-test=rule-summary]")).ToContainTextAsync($"When a conversation is created, if subject or message contains any of “{word}”: add tags broken-item, set priority high.");
        await page.Locator("#webhook-secret-show").ClickAsync();
        await Expect(page.Locator("#webhook-secret")).ToHaveTextAsync(new Regex("^whsec_"));
        await BrowserFixture.ScreenshotAsync(page, "rules");

        // A new conversation through the inbound API: the rule acts, and the thread says so.
        var fresh = await InboxTestData.InboundAsync(admin, "Again", $"Another {word} is broken");
        await InboxTestData.GoAsync(page, $"/conversations/{fresh.Number}");
        await Expect(page.Locator("#thread [data-kind=event]").Filter(new() { HasText = $"Rule 'Broken {word}' set the priority to high." })).ToBeVisibleAsync();
        await Expect(page.Locator("#thread [data-kind=event]").Filter(new() { HasText = $"Rule 'Broken {word}' added tag broken-item." })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "rule-acted");
        var detail = await InboxTestData.GetConversationAsync(admin, fresh.Number);
        Assert.Equal("High", detail.GetProperty("summary").GetProperty("priority").GetString());
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_agent_applies_a_macro_with_ctrl_m_and_sends_its_filled_in_reply()
    {
        var admin = await InboxTestData.StaffAsync(fx, "admin");
        var agent = await InboxTestData.StaffAsync(fx, "agent", "Support");
        var name = "Return label " + Guid.NewGuid().ToString("N")[..6];
        var created = await admin.PostAsync("/api/v1/macros", new
        {
            name, body = "Hi {{person.first_name}}, here is the return label for {{conversation.reference}}.",
            actions = new[] { new { kind = "AddTags", value = "returns" } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var c = await InboxTestData.InboundAsync(admin, "Return", "How do I send it back?", name: "Robin Requester");

        var page = await InboxTestData.OpenAsync(fx, agent.Email, $"/conversations/{c.Number}");
        await page.Locator("#composer-text").ClickAsync();
        await page.Keyboard.PressAsync("Control+m");
        await Expect(page.Locator("#macro-picker")).ToBeVisibleAsync();
        // The search box takes the focus once the dialog rendered: type only then, or the keys land in the composer.
        await Expect(page.Locator("#macro-picker input")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(name[..10]);
        await Expect(page.Locator("[data-test=macro-option]")).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(page, "macro-picker");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#composer-text")).ToHaveValueAsync($"Hi Robin, here is the return label for #{c.Number}.");
        await Expect(page.Locator("#thread [data-kind=event]").Filter(new() { HasText = $"(macro '{name}') added tag returns." })).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Control+Enter");
        await Expect(InboxTestData.Messages(page, "reply")).ToContainTextAsync($"Hi Robin, here is the return label for #{c.Number}.");
        await BrowserFixture.ScreenshotAsync(page, "macro-applied");

        // The admin's macro page counts the use.
        var adminPage = await InboxTestData.OpenAsync(fx, admin.Email, "/admin/macros");
        await Expect(adminPage.Locator($"[data-test=macro-row][data-macro='{name}'] [data-test=macro-usage]")).ToContainTextAsync("1 time");
        await BrowserFixture.ScreenshotAsync(adminPage, "macros");

        var macros = await admin.Http.GetFromJsonAsync<JsonElement>("/api/v1/macros");
        Assert.Equal(1, macros.EnumerateArray().Single(m => m.GetProperty("name").GetString() == name).GetProperty("usageCount").GetInt32());
    }
}
