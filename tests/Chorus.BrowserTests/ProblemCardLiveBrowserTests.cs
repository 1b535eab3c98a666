using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// The Problems card on a conversation is live: while one agent has the conversation open, a colleague
/// links it from the problem page and later unlinks it, and the card follows without a reload.
public class ProblemCardLiveBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task The_problem_card_follows_a_colleague_linking_and_unlinking_on_the_problem_page()
    {
        var dana = await InboxTestData.StaffAsync(fx, "agent", "Support");
        var eli = await InboxTestData.StaffAsync(fx, "agent", "Support");
        var c = await InboxTestData.InboundAsync(dana, "Password reset mail never arrives", "I asked for a password reset mail three times and no mail arrives.", name: "Pat Patient");
        var created = await eli.PostAsync("/api/v1/problems", new { title = "Password reset mail never arrives", description = "Customers ask for a password reset and the mail never arrives." });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var problem = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt64();

        var conversation = await InboxTestData.OpenAsync(fx, dana.Email, $"/conversations/{c.Number}");
        await Expect(conversation.Locator("#problems-none")).ToBeVisibleAsync();

        // Eli links it from the problem page's suggestions.
        var problemPage = await InboxTestData.OpenAsync(fx, eli.Email, $"/problems/{problem}");
        await problemPage.Locator($"[data-test=candidate-row][data-number='{c.Number}'] [data-test=link-candidate]").ClickAsync();
        await Expect(problemPage.Locator($"[data-test=linked-row][data-number='{c.Number}']")).ToBeVisibleAsync();

        // Dana's card shows it, without a reload (the page is the same one: its circuit never restarted).
        var card = conversation.Locator($"[data-test=conversation-problem][data-number='{problem}']");
        await Expect(card).ToContainTextAsync($"P-{problem} Password reset mail never arrives");
        await Expect(conversation.Locator("#problems-none")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(conversation, "problem-card-live");

        // Eli unlinks it: Dana's card empties again.
        await problemPage.Locator($"[data-test=linked-row][data-number='{c.Number}'] [data-test=unlink]").ClickAsync();
        await Expect(problemPage.Locator("#linked-empty")).ToBeVisibleAsync();
        await Expect(conversation.Locator("#problems-none")).ToBeVisibleAsync();
        await Expect(card).ToHaveCountAsync(0);
        await Expect(conversation.Locator("#thread .thread-event").Filter(new() { HasText = "unlinked this conversation from problem" })).ToBeVisibleAsync();
    }
}
