using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Business hours and SLA policies in the staff app: an admin sets them up, and the inbox shows what is
/// due and what breached, sorted by the target due first.
public class SlaBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_admin_sets_business_hours_and_SLA_policies_and_the_inbox_shows_and_sorts_by_what_is_due()
    {
        var admin = await InboxTestData.StaffAsync(fx, "admin");
        var page = await InboxTestData.OpenAsync(fx, admin.Email, "/admin/business-hours");

        // Business hours: switch them on (Monday to Friday 09:00–17:00 offered), in Paris, and open on Saturdays too.
        await page.GetByText("No business hours: SLA targets count every hour of every day").ClickAsync();
        await Expect(page.Locator("[data-test=hours-day]")).ToHaveCountAsync(7);
        await page.Locator("#hours-zone").FillAsync("Paris");
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Europe/Paris" }).First.ClickAsync();
        await page.Locator("[data-test=hours-day][data-day=Saturday] [data-test=hours-add]").ClickAsync();
        await Expect(page.Locator("[data-test=hours-day][data-day=Saturday] [data-test=hours-span]")).ToHaveCountAsync(1);
        // A time that is not one is refused with the reason, and nothing is saved.
        await page.Locator("[data-test=hours-day][data-day=Saturday] [data-test=hours-span] input").Nth(1).FillAsync("5pm");
        await page.Locator("#hours-save").ClickAsync();
        await Expect(page.Locator("[data-test=hours-day][data-day=Saturday] [data-test=hours-day-error]")).ToContainTextAsync("Saturday: give the opening and closing times as HH:mm");
        await page.Locator("[data-test=hours-day][data-day=Saturday] [data-test=hours-span] input").Nth(1).FillAsync("13:00");
        await page.Locator("#hours-save").ClickAsync();
        await Expect(page.Locator("#hours-open-now")).ToBeVisibleAsync();
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await BrowserFixture.ScreenshotAsync(page, "business-hours");
        var hours = await (await admin.GetAsync("/api/v1/business-hours")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("Europe/Paris", hours.GetProperty("timeZone").GetString());
        Assert.Equal(6, hours.GetProperty("hours").GetArrayLength());

        // Two policies: urgent conversations first reply within 1 hour, everyone else within 4.
        await InboxTestData.GoAsync(page, "/admin/sla-policies");
        await Expect(page.Locator("#sla-empty")).ToBeVisibleAsync();
        await page.Locator("#sla-new").ClickAsync();
        await page.Locator("#sla-name").FillAsync("Urgent");
        await page.Locator("[data-priority=Urgent]").ClickAsync();
        await page.Locator("#sla-first-reply-value").FillAsync("1");
        await page.Locator("#sla-resolution-value").FillAsync("8");
        await page.Locator("#sla-save").ClickAsync();
        await Expect(page.Locator("[data-test=sla-row][data-policy=Urgent]")).ToContainTextAsync("All teams · urgent");
        await page.Locator("#sla-new").ClickAsync();
        await page.Locator("#sla-name").FillAsync("Everyone");
        await page.Locator("#sla-first-reply-value").FillAsync("4");
        await page.Locator("#sla-resolution-value").FillAsync("40");
        await page.Locator("#sla-save").ClickAsync();
        await Expect(page.Locator("[data-test=sla-row]")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-test=sla-row][data-policy=Everyone]")).ToContainTextAsync("every priority");
        await BrowserFixture.ScreenshotAsync(page, "sla-policies");

        // Three conversations: one from ten days ago (breached long since), a normal one and an urgent one from now.
        var old = await InboxTestData.InboundAsync(admin, "Still waiting for my refund", "It has been ten days.", at: DateTimeOffset.UtcNow.AddDays(-10));
        var normal = await InboxTestData.InboundAsync(admin, "Question about shipping", "When does my parcel leave?");
        var urgent = await InboxTestData.InboundAsync(admin, "Site is down for our whole team", "Nobody can sign in.");
        await InboxTestData.PatchAsync(admin, $"/api/v1/conversations/{urgent.Number}", new { priority = "Urgent" });

        await InboxTestData.GoAsync(page, "/inbox?view=all");
        await InboxTestData.PickAsync(page, "#inbox-sort", "SLA due soonest");
        await Expect(page).ToHaveURLAsync(new Regex("sort=sla"));
        var numbers = page.Locator("[data-test=inbox-row]");
        await Expect(numbers.First).ToHaveAttributeAsync("data-number", old.Number.ToString());
        await Expect(numbers.Nth(1)).ToHaveAttributeAsync("data-number", urgent.Number.ToString());
        await Expect(numbers.Nth(2)).ToHaveAttributeAsync("data-number", normal.Number.ToString());
        await Expect(InboxTestData.Row(page, old.Number).Locator("[data-test=sla-badge]")).ToHaveTextAsync(new Regex(@"breached \d+ d ago"));
        await Expect(InboxTestData.Row(page, old.Number).Locator("[data-test=sla-badge]")).ToHaveClassAsync(new Regex("sla-breached"));
        await Expect(InboxTestData.Row(page, urgent.Number).Locator("[data-test=sla-badge]")).ToHaveTextAsync(new Regex(@"due in "));
        await Expect(InboxTestData.Row(page, normal.Number).Locator("[data-test=sla-badge]")).ToHaveTextAsync(new Regex(@"due in "));
        await BrowserFixture.ScreenshotAsync(page, "inbox-sla");

        // The Breaching view lists the late one only.
        await page.Locator("#view-breaching").ClickAsync();
        await Expect(page.Locator("#inbox-range")).ToContainTextAsync("of 1");
        await Expect(page.Locator("[data-test=inbox-row]")).ToHaveCountAsync(1);
        await Expect(InboxTestData.Row(page, old.Number)).ToBeVisibleAsync();

        // The conversation page shows the policy and its targets.
        await InboxTestData.GoAsync(page, $"/conversations/{urgent.Number}");
        await Expect(page.Locator("#sla .side-title")).ToHaveTextAsync("SLA · Urgent");
        await Expect(page.Locator("#sla [data-test=sla-target]")).ToHaveCountAsync(2);
        await Expect(page.Locator("#sla [data-target=FirstReply] [data-test=sla-badge]")).ToContainTextAsync("due in");
        await BrowserFixture.ScreenshotAsync(page, "conversation-sla");
    }
}
