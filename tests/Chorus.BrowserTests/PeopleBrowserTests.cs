using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Chorus.BrowserTests.PeopleTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

public class PeopleBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private static ILocator Handles(IPage page) => page.Locator("[data-test=identity-handle]");

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_person_found_by_search_shows_identities_and_one_timeline_across_channels()
    {
        var agent = await fx.StaffAsync("agent", "Support");
        var email = Email("rosa");
        var apiMessage = await InboundAsync(agent, email, "Rosa Timeline", "Charged twice", "I was charged twice for order 1182.");
        var formMessage = await InboundAsync(agent, email, "Rosa Timeline", "Love the release", "The new release is great!", channel: "Web form");
        Assert.Equal(apiMessage.PersonId, formMessage.PersonId);

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, agent.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync("/people");
        await page.FillAsync("#people-search", email.Split('@')[0]);
        // The search is applied once it is in the address (the list may show Rosa alone before that).
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/people\?q=rosa\."));
        var row = page.Locator("[data-test=person-row]");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("[data-test=conversation-count]")).ToHaveTextAsync("2");
        await row.Locator("[data-test=person-link]").ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/people/{apiMessage.PersonId}$"));
        await Expect(page.Locator("#person-name")).ToHaveTextAsync("Rosa Timeline");
        // A search whose debounce fires after the click left the list (the server heard of the click late) stays
        // where the person went.
        await page.EvaluateAsync("chorus.searchIfStillOn(location.origin + '/people?q=late')");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/people/{apiMessage.PersonId}$"));
        await Expect(Handles(page)).ToHaveTextAsync([email]);
        await Expect(page.Locator("[data-test=identity]")).ToHaveAttributeAsync("data-kind", "Email");

        var entry = page.Locator("[data-test=timeline-item][data-kind='message.received']").Filter(new() { HasText = "charged twice" });
        await Expect(entry).ToHaveCountAsync(1);
        await Expect(entry.Locator("[data-test=timeline-channel]")).ToHaveTextAsync("API");
        await Expect(entry.Locator("[data-test=timeline-conversation]")).ToHaveAttributeAsync("href", $"/conversations/{apiMessage.ConversationNumber}");
        // Both channels in one timeline, newest first.
        await Expect(page.Locator("[data-test=timeline-item][data-kind='message.received'] [data-test=timeline-text]"))
            .ToHaveTextAsync(["The new release is great!", "I was charged twice for order 1182."]);
        await BrowserFixture.ScreenshotAsync(page, "person-timeline");
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Merging_two_people_combines_their_identities_and_undo_splits_them_again()
    {
        var agent = await fx.StaffAsync("agent", "Support");
        var (emailA, emailB) = (Email("ann"), Email("annie"));
        var a = await InboundAsync(agent, emailA, "Ann Merge", "Where is my order?", "Order 77 has not arrived.");
        var b = await InboundAsync(agent, emailB, "Annie Merge", "Order 77 again", "Writing from my work address about order 77.");

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, agent.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync($"/people/{a.PersonId}");
        await Expect(Handles(page)).ToHaveTextAsync([emailA]);

        await MergeAsync(page, emailB);
        await Expect(Handles(page)).ToHaveTextAsync([emailA, emailB]);
        await BrowserFixture.ScreenshotAsync(page, "person-merged");

        // Undo straight from the success message.
        await page.Locator(".mud-snackbar").Filter(new() { HasText = "Merged Annie Merge into Ann Merge" })
            .GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Expect(Handles(page)).ToHaveTextAsync([emailA]);
        await Expect(page.Locator("[data-test=undo-merge]")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-test=timeline-item][data-kind='person.merge-undone']")).ToHaveCountAsync(1);

        // Merge again; the merged profile now points at the kept one, whose timeline can undo it.
        await MergeAsync(page, emailB);
        await Expect(Handles(page)).ToHaveTextAsync([emailA, emailB]);
        await page.GotoInteractiveAsync($"/people/{b.PersonId}");
        await Expect(page.Locator("#merged-banner")).ToContainTextAsync("merged into Ann Merge");
        await Expect(page.Locator("#merge-open")).ToHaveCountAsync(0);
        await page.Locator("#merged-into-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/people/{a.PersonId}$"));
        await page.Locator("[data-test=undo-merge]").ClickAsync();
        await Expect(Handles(page)).ToHaveTextAsync([emailA]);

        await page.GotoInteractiveAsync($"/people/{b.PersonId}");
        await Expect(Handles(page)).ToHaveTextAsync([emailB]);
        await Expect(page.Locator("#merged-banner")).ToHaveCountAsync(0);
    }

    /// Merges the person found by <paramref name="otherEmail"/> into the profile that is open, through the dialog's preview.
    private static async Task MergeAsync(IPage page, string otherEmail)
    {
        await page.Locator("#merge-open").ClickAsync();
        await page.FillAsync("#merge-search", otherEmail.Split('@')[0]);
        var candidate = page.Locator("[data-test=merge-candidate]");
        await Expect(candidate).ToHaveCountAsync(1);
        await candidate.ClickAsync();
        await Expect(page.Locator("#merge-summary")).ToContainTextAsync("1 identity and 1 conversation move from Annie Merge to Ann Merge");
        await Expect(page.Locator("[data-test=merge-moves-identity]")).ToHaveTextAsync([otherEmail]);
        await page.Locator("#merge-confirm").ClickAsync();
        await Expect(page.Locator(".merge-dialog")).ToHaveCountAsync(0);
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_admin_erases_a_person_from_their_page_after_confirming_and_the_profile_is_anonymous()
    {
        var admin = await fx.StaffAsync("admin");
        var email = Email("quentin");
        var delivered = await InboundAsync(admin, email, "Quentin Erasable", "Delete my data", "Please delete everything about me.");

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, admin.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync($"/people/{delivered.PersonId}");
        await Expect(page.Locator("#person-name")).ToHaveTextAsync("Quentin Erasable");
        await page.Locator("#person-data-menu button").ClickAsync();
        await Expect(page.Locator("#person-export")).ToHaveAttributeAsync("href", $"/people/{delivered.PersonId}/export.json");
        await page.Locator("#person-erase").ClickAsync();
        var confirm = page.Locator(".mud-dialog").Filter(new() { HasText = "Erase Quentin Erasable?" });
        await Expect(confirm).ToContainTextAsync("cannot be undone");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Erase" }).ClickAsync();

        await Expect(page.Locator("#person-name")).ToHaveTextAsync("Erased person");
        await Expect(Handles(page)).ToHaveCountAsync(0);
        await Expect(page.Locator("#outreach-open")).ToHaveCountAsync(0); // nobody left to write to
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Anonymized: 1 conversation(s)");
        await BrowserFixture.ScreenshotAsync(page, "person-erased");
    }
}
