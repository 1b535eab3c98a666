using System.Text.RegularExpressions;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

public class ConversationTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Agent_opens_replies_adds_a_note_assigns_and_solves()
    {
        var agent = await StaffAsync(fx, "agent", "Support");
        var colleague = await StaffAsync(fx, "agent", "Support");
        var c = await InboundAsync(agent, "Refund for a double charge", "I was charged twice for Starfall. <b>Please</b> refund one.", "Lena Fischer");

        var page = await OpenAsync(fx, agent.Email, "/inbox?view=all");
        await Row(page, c.Number).Locator("[data-test=row-subject]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/conversations/{c.Number}$"));
        await Expect(page.Locator("#conversation-subject")).ToHaveTextAsync("Refund for a double charge");
        await Expect(Messages(page, "inbound")).ToContainTextAsync("I was charged twice");
        await Expect(page.Locator("#requester-link")).ToHaveAttributeAsync("href", $"/people/{c.PersonId}");

        await page.Locator("#composer-text").FillAsync("Sorry about that, Lena. The second charge is **refunded**.");
        await page.Locator("#send").ClickAsync();
        await Expect(Messages(page, "reply")).ToContainTextAsync("The second charge is refunded.");
        await Expect(Messages(page, "reply").Locator("strong")).ToHaveTextAsync("refunded");
        await Expect(page.Locator("#conversation-status")).ToHaveTextAsync("pending");
        await Expect(page.Locator("#composer-text")).ToHaveValueAsync("");

        await page.Locator("#tab-note").ClickAsync();
        await page.Locator("#composer-text").FillAsync("Refund issued in the payment console.");
        await page.Locator("#composer-text").PressAsync("Control+Enter");
        var note = Messages(page, "note");
        await Expect(note).ToContainTextAsync("Refund issued in the payment console.");
        await Expect(note.Locator("[data-test=note-label]")).ToHaveTextAsync("Internal note");
        await Expect(page.Locator("#composer-text")).ToHaveValueAsync("");

        var colleagueName = $"agent {colleague.Email[..12]}";
        await PickAsync(page, "#prop-assignee", colleagueName);
        await Expect(page.Locator("#thread [data-kind=event]").Last).ToContainTextAsync($"assigned the conversation to {colleagueName}");
        await Expect(page.Locator("#prop-assignee")).ToHaveValueAsync(colleagueName);

        await page.Locator("#conversation-subject").ClickAsync(); // keyboard focus on the page, not in a field
        await page.Keyboard.PressAsync("e");
        await Expect(page.Locator("#conversation-status")).ToHaveTextAsync("solved");
        var stored = await GetConversationAsync(agent, c.Number);
        Assert.Equal("Solved", stored.GetProperty("summary").GetProperty("status").GetString());
        Assert.Equal(colleague.UserId, stored.GetProperty("summary").GetProperty("assigneeId").GetString());
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_viewer_reads_the_conversation_but_cannot_reply_or_change_it()
    {
        var agent = await StaffAsync(fx, "agent", "Support");
        var viewer = await StaffAsync(fx, "viewer", "Support");
        var c = await InboundAsync(agent, "Viewer: crash on launch", "The game crashes when I press Play.");
        await PostAsync(agent, $"/api/v1/conversations/{c.Number}/notes", new { text = "Known issue, fix in 1.4.3." });

        var page = await OpenAsync(fx, viewer.Email, $"/conversations/{c.Number}");
        await Expect(Messages(page, "inbound")).ToContainTextAsync("crashes when I press Play");
        await Expect(Messages(page, "note")).ToContainTextAsync("Known issue");
        await Expect(page.Locator("#read-only")).ToBeVisibleAsync();
        await Expect(page.Locator("#composer-text")).ToHaveCountAsync(0);
        await Expect(page.Locator("#solve")).ToBeDisabledAsync();
        await Expect(page.Locator("#merge")).ToBeDisabledAsync();
        await Expect(page.Locator("#prop-status")).ToBeDisabledAsync();
        await Expect(page.Locator("#tag-input")).ToHaveCountAsync(0);
        await Expect(page.Locator("#take-it")).ToHaveCountAsync(0);
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task The_second_of_two_concurrent_status_changes_gets_the_conflict_message_and_keeps_the_draft()
    {
        var first = await StaffAsync(fx, "agent", "Support");
        var second = await StaffAsync(fx, "agent", "Support");
        var c = await InboundAsync(first, "Conflict: account locked", "I cannot sign in since yesterday.");
        var pageA = await OpenAsync(fx, first.Email, $"/conversations/{c.Number}");
        var pageB = await OpenAsync(fx, second.Email, $"/conversations/{c.Number}");
        await Expect(pageA.Locator("#conversation-status")).ToHaveTextAsync("new");
        await Expect(pageB.Locator("#conversation-status")).ToHaveTextAsync("new");
        await pageB.Locator("#composer-text").FillAsync("Half-written answer about the lock");

        await PickAsync(pageA, "#prop-status", "on hold");
        await Expect(pageA.Locator("#conversation-status")).ToHaveTextAsync("on hold");

        // B still sees "new" (and says so when the change reaches it): its change carries the old version.
        await PickAsync(pageB, "#prop-status", "solved");
        await Expect(pageB.Locator("#conflict-message")).ToContainTextAsync("Someone else changed");
        await Expect(pageB.Locator("#conversation-status")).ToHaveTextAsync("on hold");
        await Expect(pageB.Locator("#composer-text")).ToHaveValueAsync("Half-written answer about the lock");
        Assert.Equal("OnHold", (await GetConversationAsync(first, c.Number)).GetProperty("summary").GetProperty("status").GetString());

        // Even a reload of the whole page keeps what B typed.
        await pageB.ReloadAsync();
        await Expect(pageB.Locator("#composer-text")).ToHaveValueAsync("Half-written answer about the lock");

        // After the reload B works on the latest version, so the same change now goes through.
        await PickAsync(pageB, "#prop-status", "solved");
        await Expect(pageB.Locator("#conversation-status")).ToHaveTextAsync("solved");
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Colleagues_see_who_is_viewing_and_typing_and_the_thread_updates_live()
    {
        var maya = await StaffAsync(fx, "agent", "Support");
        var tom = await StaffAsync(fx, "agent", "Support");
        var c = await InboundAsync(maya, "Presence: stuck at 99%", "The download is stuck at 99%.");
        var pageMaya = await OpenAsync(fx, maya.Email, $"/conversations/{c.Number}");
        var pageTom = await OpenAsync(fx, tom.Email, $"/conversations/{c.Number}");

        var tomChip = pageMaya.Locator("#presence [data-test=presence]");
        await Expect(tomChip).ToHaveTextAsync(new Regex("is viewing"));
        await pageTom.Locator("#composer-text").PressSequentiallyAsync("Try clearing");
        await Expect(tomChip).ToHaveTextAsync(new Regex("is typing"));

        await pageTom.Locator("#tab-note").ClickAsync();
        await pageTom.Locator("#send").ClickAsync();
        await Expect(Messages(pageMaya, "note")).ToContainTextAsync("Try clearing");

        await pageTom.CloseAsync();
        await Expect(tomChip).ToHaveCountAsync(0);
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Merging_moves_the_thread_into_the_named_conversation()
    {
        var agent = await StaffAsync(fx, "agent", "Support");
        var target = await InboundAsync(agent, "Merge: missing pre-order bonus", "Where is my bonus skin?", "Noor Aziz", "noor@example.test");
        var source = await InboundAsync(agent, "Merge: bonus skin again", "Still no skin, please help.", "Noor Aziz", "noor@example.test");
        var page = await OpenAsync(fx, agent.Email, $"/conversations/{source.Number}");

        await page.Locator("#merge").ClickAsync();
        await page.Locator("#merge-target").FillAsync(target.Number.ToString());
        await Expect(page.Locator("#merge-preview")).ToContainTextAsync("Merge: missing pre-order bonus");
        await page.Locator("#merge-confirm").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/conversations/{target.Number}$"));
        await Expect(Messages(page, "inbound")).ToHaveCountAsync(2);
        await Expect(page.Locator("#thread")).ToContainTextAsync("Still no skin");
    }
}
