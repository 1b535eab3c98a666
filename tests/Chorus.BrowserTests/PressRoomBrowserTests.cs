using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// The press room in the browser: a release is written, approved by a colleague, published and read
/// on the public newsroom; journalists are imported from a CSV after a preview of its problems.
public class PressRoomBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_release_is_written_approved_by_a_colleague_published_and_read_on_the_newsroom()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var author = await fx.StaffAsync("agent", "PR");
        var reviewer = await fx.StaffAsync("agent", "PR");
        var headline = $"Starfall 2.0 ships with co-op {tag}";

        var page = await OpenAsync(fx, author.Email, "/pr/releases");
        await page.ClickAsync("#release-new");
        await page.FillAsync("#release-headline", headline);
        await page.FillAsync("textarea#release-summary", "The space sim's biggest free update: co-op for four and forty new systems.");
        await page.FillAsync("textarea#release-body", "**Berlin**: Lumen Games today released Starfall 2.0.\n\n- Co-op for four\n- Forty new star systems\n\n> \"Fly together,\" said the director.");
        await Expect(page.Locator("#release-preview strong")).ToHaveTextAsync("Berlin");
        await Expect(page.Locator("#release-preview li")).ToHaveCountAsync(2);
        await BrowserFixture.ScreenshotAsync(page, "press-release-editor");
        await page.ClickAsync("#release-save");
        await Expect(page.Locator("#release-state")).ToHaveTextAsync("Draft");
        await Expect(page.Locator("#release-approval-note")).ToContainTextAsync("you cannot approve your own release");
        await Expect(page.Locator("#release-approve")).ToHaveCountAsync(0);
        var releaseUrl = new Uri(page.Url).AbsolutePath;
        Assert.Matches("^/pr/releases/[0-9a-f-]{36}$", releaseUrl);

        var review = await OpenAsync(fx, reviewer.Email, releaseUrl);
        await review.ClickAsync("#release-approve");
        await Expect(review.Locator("#release-state")).ToHaveTextAsync("Approved");

        await GoAsync(page, releaseUrl);
        await Expect(page.Locator("#release-workflow")).ToContainTextAsync("approved by");
        await page.ClickAsync("#release-publish-now");
        await Expect(page.Locator("#release-state")).ToHaveTextAsync("Published");
        await Expect(page.Locator("#pitches-empty")).ToBeVisibleAsync();

        // An article it earned, logged by hand: scored, counted, charted.
        await page.ClickAsync("#coverage-new");
        await page.FillAsync("#coverage-url", $"https://pixelpost.example.test/starfall-{tag}");
        await page.FillAsync("#coverage-headline", "Starfall 2.0 is a brilliant, generous update");
        await page.FillAsync("#coverage-outlet", "Pixel Post");
        await page.FillAsync("#coverage-reach", "85000");
        await page.ClickAsync("#coverage-save");
        var article = page.Locator("[data-test=coverage-row]");
        await Expect(article).ToContainTextAsync("Starfall 2.0 is a brilliant, generous update");
        await Expect(article).ToContainTextAsync("positive");
        await Expect(page.Locator("[data-test=coverage-chart]")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "press-release-published");

        await GoAsync(page, "/pr");
        await page.FillAsync("#competitor-name", $"Nebula Forge {tag}");
        await page.ClickAsync("#competitor-add");
        await Expect(page.Locator("[data-test=voice-row]").Filter(new() { HasText = $"Nebula Forge {tag}" })).ToContainTextAsync("0%");
        await Expect(page.Locator("#pr-coverage [data-test=coverage-row]").Filter(new() { HasText = "brilliant, generous" })).ToContainTextAsync(headline);
        await BrowserFixture.ScreenshotAsync(page, "pr-overview");

        // The public newsroom, read without signing in.
        var reader = await fx.NewPageAsync();
        await reader.GotoAsync("/newsroom");
        var entry = reader.Locator("[data-test=newsroom-entry]").Filter(new() { HasText = headline });
        await Expect(entry.Locator("[data-test=press-release-label]")).ToBeVisibleAsync();
        await Expect(entry).ToContainTextAsync("co-op for four and forty new systems");
        await BrowserFixture.ScreenshotAsync(reader, "newsroom-with-release");
        await entry.Locator("h2 a").ClickAsync();
        await Expect(reader.Locator("#newsroom-entry h1")).ToHaveTextAsync(headline);
        await Expect(reader.Locator("#newsroom-entry blockquote")).ToContainTextAsync("Fly together");
        await BrowserFixture.ScreenshotAsync(reader, "newsroom-release-page");
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Journalists_are_imported_from_a_csv_after_a_preview_that_names_each_bad_row()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var agent = await fx.StaffAsync("agent", "PR");
        var csv = $"""
            name,email,outlet,beats,twitter
            Hana Sato {tag},hana-{tag}@pixelpost.test,Pixel Post,games; indie studios,@hana
            Ravi Menon {tag},ravi-{tag}@arcadeweekly.test,Arcade Weekly,hardware,
            No Address {tag},,Spielzeit,games,
            Hana Again {tag},HANA-{tag}@pixelpost.test,Pixel Post,games,
            """;
        var page = await OpenAsync(fx, agent.Email, "/pr/contacts/import");
        await page.FillAsync("textarea#import-csv", csv);
        await page.Locator("textarea#import-csv").BlurAsync();
        await page.ClickAsync("#import-preview");
        await Expect(page.Locator("#import-preview-counts")).ToHaveTextAsync("2 rows can be imported, 2 have problems");
        await Expect(page.Locator("[data-test=file-problem]")).ToContainTextAsync("Unknown column \"twitter\"");
        await Expect(page.Locator("[data-test=row-error]").Nth(0)).ToHaveTextAsync("Skipped: No e-mail address.");
        await Expect(page.Locator("[data-test=row-error]").Nth(1)).ToHaveTextAsync("Skipped: Duplicate in the file: the same e-mail address as line 2.");
        await BrowserFixture.ScreenshotAsync(page, "media-contacts-import-preview");
        await page.ClickAsync("#import-run");
        await Expect(page.Locator("#import-counts")).ToContainTextAsync("2 journalists added");
        await Expect(page.Locator("[data-test=skipped-row]")).ToHaveCountAsync(2);
        await BrowserFixture.ScreenshotAsync(page, "media-contacts-import-summary");

        await page.ClickAsync("#import-done");
        await page.FillAsync("#contacts-search", tag);
        await Expect(page.Locator("[data-test=contact-row]")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-test=contact-row]").First).ToContainTextAsync("Pixel Post");
        await BrowserFixture.ScreenshotAsync(page, "media-contacts");
        await page.FillAsync("#contacts-search", "nobody-" + tag);
        await Expect(page.Locator("#contacts-empty")).ToContainTextAsync("Nobody matches");
    }
}
