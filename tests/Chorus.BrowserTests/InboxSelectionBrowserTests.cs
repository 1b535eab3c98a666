using System.Text.RegularExpressions;
using Chorus.Features.Channels;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Ticks in the inbox survive paging through the same list, as in Zendesk: an agent ticks on page 1, more on page 2,
/// and one bulk action changes all of them; another list (a sort, a filter) starts with none.
public class InboxSelectionBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Ticks_survive_paging_and_one_bulk_action_changes_the_ticked_rows_of_every_page()
    {
        var agent = await StaffAsync(fx, "agent", "Support");
        var word = "paging" + Guid.NewGuid().ToString("N")[..6];
        var channel = await fx.App.ChannelIdAsync(ChannelKind.Api);
        const int count = 53; // a page of 50 and a second of 3
        var envelopes = Enumerable.Range(0, count).Select(i => new InboundEnvelope(channel, $"{word}-{i}", null,
            new InboundAuthor(IdentityKind.Email, $"{word}{i}@customer.test", null), DateTimeOffset.UtcNow.AddMinutes(-i), $"Order {i} {word}", $"Request {i}", null)).ToList();
        var stored = await fx.App.Services.GetRequiredService<IngestPipeline>().IngestManyAsync(envelopes);
        Assert.All(stored, r => Assert.Equal(IngestStatus.Created, r.Status));

        var page = await OpenAsync(fx, agent.Email, $"/inbox?view=all&q={word}");
        var rows = page.Locator("[data-test=inbox-row]");
        await Expect(rows).ToHaveCountAsync(50);
        var first = long.Parse(await rows.Nth(0).GetAttributeAsync("data-number") ?? "");
        var second = long.Parse(await rows.Nth(1).GetAttributeAsync("data-number") ?? "");
        var untouched = long.Parse(await rows.Nth(2).GetAttributeAsync("data-number") ?? "");
        await Row(page, first).Locator("[data-test=row-select]").CheckAsync();
        await Row(page, second).Locator("[data-test=row-select]").CheckAsync();
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("2 selected");
        await Expect(page.Locator("#bulk-elsewhere")).ToHaveCountAsync(0);

        await page.Locator("#pager-next").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("page=2"));
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("2 selected");
        await Expect(page.Locator("#bulk-elsewhere")).ToHaveTextAsync("2 not on this page");
        var third = long.Parse(await rows.Nth(0).GetAttributeAsync("data-number") ?? "");
        await Row(page, third).Locator("[data-test=row-select]").CheckAsync();
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("3 selected");
        await BrowserFixture.ScreenshotAsync(page, "inbox-selection-page-2");

        // Back on page 1 the ticks are where they were; "select all" then unticks only this page's rows when undone.
        await page.Locator("#pager-prev").ClickAsync();
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(Row(page, first).Locator("[data-test=row-select]")).ToBeCheckedAsync();
        await Expect(Row(page, second).Locator("[data-test=row-select]")).ToBeCheckedAsync();
        await Expect(page.Locator("#bulk-elsewhere")).ToHaveTextAsync("1 not on this page");
        await page.Locator("#select-all").CheckAsync();
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("51 selected");
        await page.Locator("#select-all").UncheckAsync();
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("1 selected");
        await Row(page, first).Locator("[data-test=row-select]").CheckAsync();
        await Row(page, second).Locator("[data-test=row-select]").CheckAsync();
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("3 selected");

        await page.Locator("#bulk-status").ClickAsync();
        await page.Locator(".mud-popover-open [data-status=pending]").ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Set to pending: 3 conversations");
        await Expect(page.Locator("#bulk-bar")).ToHaveCountAsync(0);
        foreach (var n in new[] { first, second, third })
            Assert.Equal("pending", (await GetConversationAsync(agent, n)).GetProperty("summary").GetProperty("status").GetString()?.ToLowerInvariant());
        Assert.Equal("new", (await GetConversationAsync(agent, untouched)).GetProperty("summary").GetProperty("status").GetString()?.ToLowerInvariant());

        // Clear forgets the ticks of every page; another sort is another list and starts with none.
        await Row(page, untouched).Locator("[data-test=row-select]").CheckAsync();
        await page.Locator("#pager-next").ClickAsync();
        await Expect(page.Locator("#bulk-elsewhere")).ToHaveTextAsync("1 not on this page");
        await page.Locator("#bulk-clear").ClickAsync();
        await Expect(page.Locator("#bulk-bar")).ToHaveCountAsync(0);
        await page.Locator("#pager-prev").ClickAsync();
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(Row(page, untouched).Locator("[data-test=row-select]")).Not.ToBeCheckedAsync();
        await Row(page, untouched).Locator("[data-test=row-select]").CheckAsync();
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("1 selected");
        await PickAsync(page, "#inbox-sort", "Longest waiting");
        await Expect(page).ToHaveURLAsync(new Regex("sort="));
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(page.Locator("#bulk-bar")).ToHaveCountAsync(0);
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_ticked_conversation_a_colleague_moves_out_of_the_list_is_unticked_and_left_out_of_bulk_actions()
    {
        var agent = await StaffAsync(fx, "agent", "Support");
        var colleague = await StaffAsync(fx, "agent", "Support");
        var tag = "left" + Guid.NewGuid().ToString("N")[..6];
        var solvedElsewhere = await InboundAsync(agent, "Card declined", "My card was declined twice.");
        var stays = await InboundAsync(agent, "Card expired", "My card expired last week.");
        var untouched = await InboundAsync(agent, "Card lost", "I lost my card.");
        foreach (var c in new[] { solvedElsewhere, stays, untouched })
            await PatchAsync(agent, $"/api/v1/conversations/{c.Number}", new { addTags = new[] { tag } });

        var page = await OpenAsync(fx, agent.Email, $"/inbox?view=all&tag={tag}"); // active conversations only
        await Expect(page.Locator("[data-test=inbox-row]")).ToHaveCountAsync(3);
        await Row(page, solvedElsewhere.Number).Locator("[data-test=row-select]").CheckAsync();
        await Row(page, stays.Number).Locator("[data-test=row-select]").CheckAsync();
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("2 selected");

        // A colleague solves one (it leaves the active list) and raises the other's priority (it stays).
        await PatchAsync(colleague, $"/api/v1/conversations/{solvedElsewhere.Number}", new { status = "Solved" });
        await PatchAsync(colleague, $"/api/v1/conversations/{stays.Number}", new { priority = "High" });
        await Expect(Row(page, solvedElsewhere.Number)).ToHaveCountAsync(0);
        await Expect(Row(page, stays.Number).Locator("[data-test=row-priority]")).ToHaveTextAsync("high");
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("1 selected");
        await Expect(page.Locator("#bulk-elsewhere")).ToHaveCountAsync(0); // not counted as ticked on another page
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync($"#{solvedElsewhere.Number} left this list and was unticked.");
        await Expect(Row(page, stays.Number).Locator("[data-test=row-select]")).ToBeCheckedAsync();
        await BrowserFixture.ScreenshotAsync(page, "inbox-selection-left-list");

        // The next bulk action changes only what is ticked in view.
        static string? Status(System.Text.Json.JsonElement c) => c.GetProperty("summary").GetProperty("status").GetString()?.ToLowerInvariant();
        var untouchedBefore = Status(await GetConversationAsync(agent, untouched.Number));
        await page.Locator("#bulk-status").ClickAsync();
        await page.Locator(".mud-popover-open [data-status=pending]").ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Set to pending: 1 conversation");
        Assert.Equal("solved", Status(await GetConversationAsync(agent, solvedElsewhere.Number)));
        Assert.Equal("pending", Status(await GetConversationAsync(agent, stays.Number)));
        Assert.Equal(untouchedBefore, Status(await GetConversationAsync(agent, untouched.Number)));
    }
}
