using System.Text.RegularExpressions;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

public class InboxTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Inbox_lists_a_conversation_from_the_API_and_search_finds_it_by_a_word_of_its_text()
    {
        var agent = await StaffAsync(fx, "agent", "Support");
        var word = "quokka" + Guid.NewGuid().ToString("N")[..6];
        var wanted = await InboundAsync(agent, "Gift card code rejected", $"The code on my {word} gift card is rejected at checkout.", "Ines Duarte");
        var other = await InboundAsync(agent, "Where is my order?", "It has been two weeks.", "Omar Haddad");

        var page = await OpenAsync(fx, agent.Email, "/inbox?view=all");
        var row = Row(page, wanted.Number);
        await Expect(row.Locator("[data-test=row-subject]")).ToHaveTextAsync("Gift card code rejected");
        await Expect(row.Locator("[data-test=row-requester]")).ToHaveTextAsync("Ines Duarte");
        await Expect(row.Locator("[data-test=row-status]")).ToHaveTextAsync("new");
        await Expect(row.Locator("[data-test=waiting]")).ToContainTextAsync("waiting");
        await Expect(Row(page, other.Number)).ToBeVisibleAsync();

        await page.Locator("#inbox-search").FillAsync(word);
        await Expect(page).ToHaveURLAsync(new Regex("q=" + word));
        await Expect(Row(page, other.Number)).ToHaveCountAsync(0);
        await Expect(Row(page, wanted.Number)).ToBeVisibleAsync();
        await Expect(page.Locator("[data-test=inbox-row]")).ToHaveCountAsync(1);
        // The search's total follows its rows.
        await Expect(page.Locator("#inbox-range")).ToHaveTextAsync("1–1 of 1");

        await page.Locator("#inbox-search").FillAsync("Where is my order");
        await Expect(Row(page, other.Number)).ToBeVisibleAsync();
        await Expect(page.Locator("#inbox-range")).ToHaveTextAsync(new Regex(@"^1–\d+ of \d+$"));
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_conversation_created_through_the_API_appears_in_every_open_inbox_without_a_reload()
    {
        var agentA = await StaffAsync(fx, "agent", "Support");
        var agentB = await StaffAsync(fx, "agent", "Support");
        var pageA = await OpenAsync(fx, agentA.Email, "/inbox?view=unassigned");
        var pageB = await OpenAsync(fx, agentB.Email, "/inbox?view=all");
        await Expect(pageA.Locator("#inbox-range")).Not.ToHaveTextAsync("Loading…");
        await Expect(pageB.Locator("#inbox-range")).Not.ToHaveTextAsync("Loading…");
        var unassignedBefore = int.Parse(await pageA.Locator("#view-unassigned [data-test=view-count]").TextContentAsync() ?? "");
        // A full page load would drop this marker; a live update keeps it.
        await pageB.EvaluateAsync("() => window.__sameDocument = true");

        var created = await InboundAsync(agentA, "Live: controller not detected", "My controller stopped working after the update.", "Kai Nakamura");

        await Expect(Row(pageB, created.Number).Locator("[data-test=row-subject]")).ToHaveTextAsync("Live: controller not detected");
        await Expect(Row(pageA, created.Number)).ToBeVisibleAsync();
        Assert.True(await pageB.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        await Expect(pageA.Locator("#view-unassigned [data-test=view-count]")).ToHaveTextAsync((unassignedBefore + 1).ToString("N0"));
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Filters_and_sorts_narrow_and_order_the_list_and_live_in_the_address()
    {
        var agent = await StaffAsync(fx, "agent", "Support");
        var urgent = await InboundAsync(agent, "Filter: server down", "Nobody can log in.", at: DateTimeOffset.UtcNow.AddMinutes(-5));
        var vip = await InboundAsync(agent, "Filter: collector's edition", "Is it shipping?", "Alex Rivera", at: DateTimeOffset.UtcNow.AddHours(-3));
        var solved = await InboundAsync(agent, "Filter: thanks!", "All good now.", at: DateTimeOffset.UtcNow.AddMinutes(-1));
        await PatchAsync(agent, $"/api/v1/conversations/{urgent.Number}", new { priority = "Urgent" });
        await PatchAsync(agent, $"/api/v1/conversations/{solved.Number}", new { status = "Solved" });
        await PatchAsync(agent, $"/api/v1/people/{vip.PersonId}", new { kind = "Vip" });

        var page = await OpenAsync(fx, agent.Email, "/inbox?view=all&q=Filter");
        var rows = page.Locator("[data-test=inbox-row]");
        await Expect(rows).ToHaveCountAsync(3); // a search looks at every status

        await PickAsync(page, "#filter-priority", "urgent");
        await Expect(page).ToHaveURLAsync(new Regex("priority=urgent"));
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(Row(page, urgent.Number)).ToBeVisibleAsync();

        await GoAsync(page, "/inbox?view=all&q=Filter&kind=vip");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(Row(page, vip.Number).Locator("[data-test=row-kind]")).ToHaveTextAsync("VIP");

        await page.Locator("#clear-filters").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/inbox\\?view=all$"));
        await Expect(Row(page, solved.Number)).ToHaveCountAsync(0); // without a search, solved ones are not in the active views
        await Expect(Row(page, vip.Number)).ToBeVisibleAsync();

        await PickAsync(page, "#inbox-sort", "Longest waiting");
        await Expect(page).ToHaveURLAsync(new Regex("sort=waiting"));
        await Expect(rows.First).ToHaveAttributeAsync("data-number", vip.Number.ToString());
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Keyboard_moves_the_cursor_selects_and_opens_but_not_while_typing()
    {
        var agent = await StaffAsync(fx, "agent", "Support");
        var older = await InboundAsync(agent, "Keyboard: older one", "first", at: DateTimeOffset.UtcNow.AddMinutes(-20));
        var newer = await InboundAsync(agent, "Keyboard: newer one", "second");
        var page = await OpenAsync(fx, agent.Email, "/inbox?view=all&q=Keyboard");
        await Expect(page.Locator("[data-test=inbox-row]")).ToHaveCountAsync(2);

        await page.Keyboard.PressAsync("j");
        await Expect(Row(page, newer.Number)).ToHaveAttributeAsync("data-cursor", "true");
        await page.Keyboard.PressAsync("j");
        await Expect(Row(page, older.Number)).ToHaveAttributeAsync("data-cursor", "true");
        await page.Keyboard.PressAsync("k");
        await Expect(Row(page, newer.Number)).ToHaveAttributeAsync("data-cursor", "true");

        await page.Keyboard.PressAsync("x");
        await Expect(Row(page, newer.Number).Locator("[data-test=row-select]")).ToBeCheckedAsync();
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("1 selected");

        // Typed into a field, j is a letter, not a shortcut.
        await page.Locator("#bulk-tag").PressSequentiallyAsync("jj");
        await Expect(page.Locator("#bulk-tag")).ToHaveValueAsync("jj");
        await Expect(Row(page, newer.Number)).ToHaveAttributeAsync("data-cursor", "true");

        await page.Locator("#inbox-list .inbox-head").ClickAsync(); // focus back on the page
        await page.Keyboard.PressAsync("o");
        await Expect(page).ToHaveURLAsync(new Regex($"/conversations/{newer.Number}$"));
        await Expect(page.Locator("#conversation-subject")).ToHaveTextAsync("Keyboard: newer one");
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Bulk_actions_change_every_selected_conversation()
    {
        var agent = await StaffAsync(fx, "agent", "Support");
        var a = await InboundAsync(agent, "Bulk: first", "one");
        var b = await InboundAsync(agent, "Bulk: second", "two");
        var untouched = await InboundAsync(agent, "Bulk: third", "three");
        var page = await OpenAsync(fx, agent.Email, "/inbox?view=all&q=Bulk");
        await Expect(page.Locator("[data-test=inbox-row]")).ToHaveCountAsync(3);

        await Row(page, a.Number).Locator("[data-test=row-select]").CheckAsync();
        await Row(page, b.Number).Locator("[data-test=row-select]").CheckAsync();
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("2 selected");

        await page.Locator("#bulk-status").ClickAsync();
        await page.Locator(".mud-popover-open [data-status=pending]").ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Set to pending: 2 conversations");
        await Expect(Row(page, a.Number).Locator("[data-test=row-status]")).ToHaveTextAsync("pending");
        await Expect(Row(page, b.Number).Locator("[data-test=row-status]")).ToHaveTextAsync("pending");
        await Expect(Row(page, untouched.Number).Locator("[data-test=row-status]")).ToHaveTextAsync("new");

        await page.Locator("#select-all").CheckAsync();
        await page.Locator("#bulk-tag").FillAsync("Launch Day");
        await page.Locator("#bulk-add-tag").ClickAsync();
        foreach (var n in new[] { a.Number, b.Number, untouched.Number })
            await Expect(Row(page, n).Locator("[data-test=row-tag]")).ToHaveTextAsync("launch-day");

        var stored = await GetConversationAsync(agent, untouched.Number);
        Assert.Equal("launch-day", stored.GetProperty("summary").GetProperty("tags")[0].GetString());
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_mention_lights_the_bell_and_opening_the_conversation_reads_it()
    {
        var writer = await StaffAsync(fx, "agent", "Support");
        var reader = await StaffAsync(fx, "agent", "Support");
        var c = await InboundAsync(writer, "Mention: refund over limit", "Please refund my two copies.");
        var page = await OpenAsync(fx, reader.Email, "/inbox?view=mentions");
        await Expect(page.Locator("#notifications-count")).ToHaveCountAsync(0);

        await PostAsync(writer, $"/api/v1/conversations/{c.Number}/notes", new { text = $"@{Handle(reader)} can you approve this refund?" });

        await Expect(page.Locator("#notifications-count")).ToHaveTextAsync("1");
        await Expect(Row(page, c.Number)).ToBeVisibleAsync();
        await page.Locator("#notifications-bell").ClickAsync();
        await page.Locator("[data-test=notification]").Filter(new() { HasText = $"#{c.Number}" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/conversations/{c.Number}$"));
        await Expect(Messages(page, "note")).ToContainTextAsync("can you approve this refund?");
        await Expect(page.Locator("#notifications-count")).ToHaveCountAsync(0);
    }
}
