using Chorus.Features.Csat;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// The satisfaction survey as the customer and the team see it: the customer opens the survey link (no
/// sign-in), rates, adds a comment and sends; the agent sees the rating in the conversation's thread and
/// the comment on Reports → Satisfaction.
public class CsatBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_customer_rates_and_comments_and_the_agent_sees_it_on_the_conversation_and_the_report()
    {
        var agent = await InboxTestData.StaffAsync(fx, "agent", "Support");
        var c = await InboxTestData.InboundAsync(agent, "Refund for a double charge", "I was charged twice for order 1182.", name: "Casey Customer");
        await InboxTestData.PatchAsync(agent, $"/api/v1/conversations/{c.Number}", new { assigneeId = agent.UserId, status = "Solved" });

        // The survey of this solve (the sweep runs every 30 s; here it runs now).
        string path;
        using (var scope = fx.App.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<SendSurveys>().RunAsync();
            var db = scope.ServiceProvider.GetRequiredService<Chorus.Data.ChorusDb>();
            var id = await db.Set<CsatSurvey>().Where(s => db.Conversations.Any(x => x.Id == s.ConversationId && x.Number == c.Number)).Select(s => s.Id).SingleAsync();
            path = scope.ServiceProvider.GetRequiredService<SurveyLinks>().PathFor(id);
        }

        // The customer: a browser that never signed in.
        var customer = await fx.NewPageAsync();
        await customer.GotoAsync(path);
        await Expect(customer.Locator("h1")).ToHaveTextAsync("How did we do?");
        await Expect(customer.Locator(".csat-card")).ToContainTextAsync($"Request #{c.Number} · Refund for a double charge");
        await customer.Locator("label:has(#csat-rating-2)").ClickAsync();
        await customer.Locator("#csat-comment").FillAsync("The refund took three e-mails to get.");
        await customer.Locator("#csat-send").ClickAsync();
        await Expect(customer.Locator("#csat-thanks")).ToContainTextAsync("You rated us 2/5 (unhappy)");
        await Expect(customer.Locator("#csat-comment")).ToHaveValueAsync("The refund took three e-mails to get.");
        await Expect(customer.Locator("#csat-send")).ToHaveTextAsync("Update");
        await BrowserFixture.ScreenshotAsync(customer, "csat-survey-rated");

        // The agent: the rating in the thread, the comment on the report.
        var page = await InboxTestData.OpenAsync(fx, agent.Email, $"/conversations/{c.Number}");
        await Expect(page.Locator("#thread .thread-event").Filter(new() { HasText = "The requester rated 2/5 (unhappy): “The refund took three e-mails to get.”" })).ToBeVisibleAsync();
        await InboxTestData.GoAsync(page, "/reports/satisfaction");
        await Expect(page.Locator("#csat-comments")).ToContainTextAsync("The refund took three e-mails to get.");
        await Expect(page.Locator("#csat-comments")).ToContainTextAsync($"#{c.Number}");
        await Expect(page.Locator("#csat-agents")).ToContainTextAsync(agent.Email[..12]);
        await BrowserFixture.ScreenshotAsync(page, "csat-report");
    }
}
