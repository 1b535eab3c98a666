using System.Text.RegularExpressions;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Problems in the staff app: an agent starts a problem from a conversation, links a suggested look-alike
/// from the problem page, solves it and answers everyone, and the reply is in each conversation's thread.
public class ProblemsBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_agent_links_a_conversation_to_a_new_problem_links_a_suggestion_and_answers_everyone()
    {
        var agent = await InboxTestData.StaffAsync(fx, "agent", "Support");
        var first = await InboxTestData.InboundAsync(agent, "Invoices download as empty PDF", "Every invoice I download is an empty PDF file since yesterday.", name: "Robin Requester");
        var alike = await InboxTestData.InboundAsync(agent, "Empty PDF when downloading invoice", "The invoice PDF download gives an empty file.", name: "Sam Sender");
        await InboxTestData.InboundAsync(agent, "Change my delivery address", "Please ship to my new address.", name: "Ola Other");

        // From the conversation: Link to problem… → New problem from this conversation.
        var page = await InboxTestData.OpenAsync(fx, agent.Email, $"/conversations/{first.Number}");
        await Expect(page.Locator("#problems-none")).ToBeVisibleAsync();
        await page.Locator("#link-problem").ClickAsync();
        await page.Locator("#problem-from-conversation").ClickAsync();
        await Expect(page.Locator("#problem-title")).ToHaveValueAsync("Invoices download as empty PDF");
        await page.Locator("#problem-title").FillAsync("Invoice PDFs are empty");
        await page.Locator("#problem-description").FillAsync("Invoice PDF downloads are empty since the 4.2 release.");
        await page.Locator("#problem-url").FillAsync("not a link");
        await page.Locator("#problem-save").ClickAsync();
        await Expect(page.GetByText("The engineering issue must be an http(s) address")).ToBeVisibleAsync(); // refused, nothing saved
        await page.Locator("#problem-url").FillAsync("https://github.com/acme/billing/issues/42");
        await page.Locator("#problem-save").ClickAsync();
        var card = page.Locator("[data-test=conversation-problem]");
        await Expect(card).ToContainTextAsync("Invoice PDFs are empty");
        await Expect(page.Locator("#thread .thread-event").Filter(new() { HasText = "linked this conversation to problem" })).ToBeVisibleAsync();

        // The problem page: the conversation is listed; the look-alike is suggested first and linked with one click.
        await card.Locator("a").ClickAsync();
        await Expect(page.Locator("#problem-heading")).ToContainTextAsync("Invoice PDFs are empty");
        await Expect(page.Locator("[data-test=linked-row]")).ToHaveCountAsync(1);
        await Expect(page.Locator($"[data-test=linked-row][data-number='{first.Number}']")).ToContainTextAsync("Robin Requester");
        var best = page.Locator("[data-test=candidate-row]").First;
        await Expect(best).ToHaveAttributeAsync("data-number", alike.Number.ToString());
        await Expect(best.Locator("[data-test=score]")).ToHaveTextAsync(new Regex(@"^\d+%$"));
        await BrowserFixture.ScreenshotAsync(page, "problem");
        await best.Locator("[data-test=link-candidate]").ClickAsync();
        await Expect(page.Locator("[data-test=linked-row]")).ToHaveCountAsync(2);
        await Expect(page.Locator($"[data-test=candidate-row][data-number='{alike.Number}']")).ToHaveCountAsync(0);

        // Solve and answer everyone: each requester gets the reply with their own name, once.
        await page.Locator("#answer-run").ClickAsync();
        await Expect(page.Locator("#answer-summary")).ToContainTextAsync("Answered 2 · already answered 0 · failed 0");
        await Expect(page.Locator("#problem-status-chip")).ToHaveTextAsync("solved");
        await Expect(page.Locator("[data-test=linked-row] [data-test=answered]").Filter(new() { HasText = "—" })).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "problem-answered");
        await page.Locator("#answer-run").ClickAsync();
        await Expect(page.Locator("#answer-summary")).ToContainTextAsync("Answered 0 · already answered 2");

        await InboxTestData.GoAsync(page, $"/conversations/{alike.Number}");
        var reply = InboxTestData.Messages(page, "reply");
        await Expect(reply).ToHaveCountAsync(1);
        await Expect(reply).ToContainTextAsync("Hi Sam,");
        await Expect(reply).ToContainTextAsync("Good news about \"Empty PDF when downloading invoice\"");
        await Expect(page.Locator("#conversation-status")).ToHaveTextAsync("solved");
        await Expect(page.Locator("[data-test=conversation-problem]")).ToContainTextAsync("solved");
        await BrowserFixture.ScreenshotAsync(page, "conversation-problem");
    }
}
