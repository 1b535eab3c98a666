using System.Text.RegularExpressions;
using Chorus.Features.Channels;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// A search's total is counted up to a cap (`Chorus:Search:CountCap`, 10,000; 60 here) and shown as "60+" past it,
/// "many" on a page beyond the cap, and exactly on the last page and under the cap.
public class InboxSearchTotalBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_search_matching_more_than_the_cap_shows_the_cap_with_a_plus_and_exact_totals_under_it()
    {
        fx.App.Services.GetRequiredService<IConfiguration>()["Chorus:Search:CountCap"] = "60";
        var agent = await StaffAsync(fx, "agent", "Support");
        var word = "capped" + Guid.NewGuid().ToString("N")[..6];
        var rare = "rare" + Guid.NewGuid().ToString("N")[..6];
        var channel = await fx.App.ChannelIdAsync(ChannelKind.Api);
        const int count = 101; // two full pages and one row on a third
        var envelopes = Enumerable.Range(0, count).Select(i => new InboundEnvelope(channel, $"{word}-{i}", null,
            new InboundAuthor(IdentityKind.Email, $"{word}{i}@customer.test", null), DateTimeOffset.UtcNow.AddMinutes(-i),
            $"Renewal {i}", i % 15 == 0 ? $"Please look at {word} and {rare}" : $"About {word}", null)).ToList();
        Assert.All(await fx.App.Services.GetRequiredService<IngestPipeline>().IngestManyAsync(envelopes), r => Assert.Equal(IngestStatus.Created, r.Status));

        var page = await OpenAsync(fx, agent.Email, $"/inbox?view=all&q={word}");
        var range = page.Locator("#inbox-range");
        await Expect(page.Locator("[data-test=inbox-row]")).ToHaveCountAsync(50);
        await Expect(range).ToHaveTextAsync("1–50 of 60+");
        await Expect(range).ToHaveAttributeAsync("title", new Regex("More than 60 conversations match"));
        await BrowserFixture.ScreenshotAsync(page, "inbox-search-total-capped");

        await page.Locator("#pager-next").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("page=2"));
        await Expect(range).ToHaveTextAsync("51–100 of many"); // past the cap, not yet at the end
        await page.Locator("#pager-next").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("page=3"));
        await Expect(range).ToHaveTextAsync("101–101 of 101"); // the last page tells the exact number

        // Under the cap the total is exact, with no hint.
        await page.Locator("#inbox-search").FillAsync(rare);
        await Expect(page).ToHaveURLAsync(new Regex("q=" + rare));
        await Expect(page.Locator("[data-test=inbox-row]")).ToHaveCountAsync(7);
        await Expect(range).ToHaveTextAsync("1–7 of 7");
        await Expect(range).Not.ToHaveAttributeAsync("title", new Regex("."));
    }
}
