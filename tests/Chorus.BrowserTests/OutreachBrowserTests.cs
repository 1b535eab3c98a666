using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.Playwright;
using static Chorus.BrowserTests.PeopleTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Outreach in the browser: an agent writes first from a person's page; the e-mail reaches the
/// person's real mailbox (Postfix → Dovecot) and the new conversation is theirs, pending.
public class OutreachBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH", "TEST_SMTP", "TEST_IMAP")]
    public async Task An_agent_starts_a_conversation_by_email_from_the_person_page()
    {
        var admin = await fx.StaffAsync("admin");
        var agent = await fx.StaffAsync("agent", "Support");
        await MailApp.AddMailboxAsync(admin, Mail.NewAddress("press"), new { name = "Press desk" });
        var jo = Mail.NewAddress("jo");
        var person = await InboundAsync(agent, jo, "Jo Journalist", "Review copy?", "Could I get a review copy?");

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, agent.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync($"/people/{person.PersonId}");
        await page.ClickAsync("#outreach-open");
        var dialog = page.Locator(".mud-dialog");
        await Expect(dialog.Locator("#outreach-to")).ToContainTextAsync(jo);
        await page.ClickAsync("#outreach-send"); // nothing written yet: each field says what it needs, nothing is sent
        await Expect(dialog).ToContainTextAsync("Give the e-mail a subject.");
        await Expect(dialog).ToContainTextAsync("Write the message first.");
        await page.FillAsync("#outreach-subject", "Your review copy of the collector's edition");
        await page.FillAsync("#outreach-text", "Hi Jo,\n\nYour **review copy** ships on Monday. Reply here with any questions.");
        await BrowserFixture.ScreenshotAsync(page, "outreach-dialog");
        await page.ClickAsync("#outreach-send");

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/conversations/\d+$"));
        var number = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..]);
        await Expect(page.Locator("body")).ToContainTextAsync("started this conversation by e-mail");
        await Expect(page.Locator("body")).ToContainTextAsync("ships on Monday");
        var detail = await agent.ConversationAsync(number);
        Assert.Equal("Pending", detail.Summary().Str("status"));
        Assert.Equal(agent.UserId, detail.Summary().Str("assigneeId"));
        await BrowserFixture.ScreenshotAsync(page, "outreach-conversation");

        var mail = await Eventually.GetAsync(async () =>
            await Mail.ReadAsync(jo, SearchQuery.SubjectContains("review copy of the collector")) is [var one] ? one.Message : null, "the e-mail in Jo's mailbox", 90);
        Assert.Contains("<strong>review copy</strong>", mail.HtmlBody);
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task People_ticked_on_the_people_page_become_a_list_and_outreach_to_it_says_who_was_skipped()
    {
        var admin = await fx.StaffAsync("admin");
        var agent = await fx.StaffAsync("agent", "Support");
        await MailApp.AddMailboxAsync(admin, Mail.NewAddress("launch"), new { name = "Launch desk" });
        var tag = Guid.NewGuid().ToString("N")[..6];
        var withMail = await InboundAsync(agent, Email("ana"), $"Ana Launch{tag}", "Hi", "Hello");
        var redditor = await agent.PostAsync("/api/v1/inbound", new { externalId = "r-" + tag, author = new { kind = "Reddit", handle = "u_launch" + tag, name = $"Reddit Launch{tag}" }, text = "hype" });
        Assert.Equal(System.Net.HttpStatusCode.Created, redditor.StatusCode);

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, agent.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync($"/people?q=launch{tag}");
        await Expect(page.Locator("[data-test=person-row]")).ToHaveCountAsync(2);
        foreach (var box in await page.Locator("[data-test=person-select]").AllAsync()) await box.CheckAsync();
        await Expect(page.Locator("#people-selection")).ToContainTextAsync("2 selected");
        await page.ClickAsync("#add-to-list");
        await page.FillAsync("#add-to-list-new", $"Launch press {tag}");
        await page.ClickAsync("#add-to-list-confirm");
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync($"Added 2 to Launch press {tag}");

        var lists = await (await agent.GetAsync("/api/v1/people/lists")).JsonAsync(System.Net.HttpStatusCode.OK);
        var listId = lists.EnumerateArray().Single(l => l.Str("name") == $"Launch press {tag}").GetProperty("id").GetGuid();
        await page.GotoInteractiveAsync($"/people?list={listId}");
        await Expect(page.Locator("[data-test=list-member]")).ToHaveCountAsync(2);
        await Expect(page.Locator("#list-members")).ToContainTextAsync("no e-mail address");
        await BrowserFixture.ScreenshotAsync(page, "people-list");

        await page.ClickAsync("#list-outreach");
        await page.FillAsync("#outreach-subject", "Launch day");
        await page.FillAsync("#outreach-text", "We launch on Friday. Want an early look?");
        await page.ClickAsync("#outreach-send");
        var summary = page.Locator("#outreach-summary");
        await Expect(summary).ToContainTextAsync("Started 1 conversation · skipped 1");
        await Expect(page.Locator("[data-test=outreach-skipped-row]")).ToContainTextAsync($"Reddit Launch{tag}No e-mail address.");
        await BrowserFixture.ScreenshotAsync(page, "outreach-list-summary");
        await page.ClickAsync("#outreach-done");

        var started = await agent.ListAsync($"requester={withMail.PersonId}&status=Pending&view=Mine");
        Assert.Contains(started.GetProperty("items").EnumerateArray(), c => c.Str("subject") == "Launch day");
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Each_colleague_sets_their_own_email_notifications()
    {
        var agent = await fx.StaffAsync("agent", "Support");
        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, agent.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync("/me/notifications");
        await Expect(page.Locator("#pref-mentions")).ToBeCheckedAsync();
        await Expect(page.Locator("#pref-assignments")).Not.ToBeCheckedAsync();
        await Expect(page.Locator("#pref-alerts")).ToBeCheckedAsync();
        await page.Locator("#pref-assignments").CheckAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Saved.");
        await page.Locator("#pref-alerts").UncheckAsync();
        await Expect(page.Locator("#pref-alerts")).Not.ToBeCheckedAsync();
        await page.GotoInteractiveAsync("/me/notifications"); // saved, not just toggled
        await Expect(page.Locator("#pref-assignments")).ToBeCheckedAsync();
        await Expect(page.Locator("#pref-mentions")).ToBeCheckedAsync();
        await Expect(page.Locator("#pref-alerts")).Not.ToBeCheckedAsync();
        await BrowserFixture.ScreenshotAsync(page, "my-notifications");
        var prefs = await (await agent.GetAsync("/api/v1/me/notification-preferences")).JsonAsync(System.Net.HttpStatusCode.OK);
        Assert.True(prefs.GetProperty("assignmentEmails").GetBoolean());
        Assert.False(prefs.GetProperty("alertEmails").GetBoolean());
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task New_conversation_in_the_inbox_finds_the_person_by_name()
    {
        var admin = await fx.StaffAsync("admin");
        var agent = await fx.StaffAsync("agent", "Support");
        await MailApp.AddMailboxAsync(admin, Mail.NewAddress("inbox-desk"), new { name = "Inbox desk" });
        var tag = Guid.NewGuid().ToString("N")[..6];
        var person = await InboundAsync(agent, Email("vip"), $"Valerie Vip{tag}", "Hello", "Hello there");

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, agent.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync("/inbox");
        await page.ClickAsync("#new-conversation");
        // The dialog opens with the cursor in the person search; typed key by key at once, as a person does. On a busy
        // machine the first key used to be lost (the focus selected the text a round trip later), or all of it (the
        // dialog took the focus afterwards and the search cleared its unpicked text on blur).
        var search = page.Locator("#outreach-person");
        await Expect(search).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Vip" + tag, new() { Delay = 40 });
        await Expect(search).ToHaveValueAsync("Vip" + tag);
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = $"Valerie Vip{tag}" }).ClickAsync();
        // The pick is settled once the field shows it: typed into before that round trip ended, the subject was now and
        // then lost to the render that closed the list (the full run of 30 November, at load ~2).
        await Expect(search).ToHaveValueAsync(new System.Text.RegularExpressions.Regex($"^Valerie Vip{tag} · "));
        await page.FillAsync("#outreach-subject", "Your partner pack");
        await page.FillAsync("#outreach-text", "Valerie, your partner pack is ready.");
        await Expect(page.Locator("#outreach-subject")).ToHaveValueAsync("Your partner pack");
        await BrowserFixture.ScreenshotAsync(page, "outreach-inbox-dialog");
        await page.ClickAsync("#outreach-send");

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/conversations/\d+$"), new() { Timeout = 30_000 }); // the send, then the page
        await Expect(page.Locator("body")).ToContainTextAsync("partner pack is ready", new() { Timeout = 30_000 });
        var number = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..]);
        Assert.Equal(person.PersonId, (await agent.ConversationAsync(number)).Summary().GetProperty("requesterId").GetGuid());
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task New_conversation_sends_what_was_typed_with_the_cursor_still_in_the_message()
    {
        var admin = await fx.StaffAsync("admin");
        var agent = await fx.StaffAsync("agent", "Support");
        await MailApp.AddMailboxAsync(admin, Mail.NewAddress("typing-desk"), new { name = "Typing desk" });
        var tag = Guid.NewGuid().ToString("N")[..6];
        var person = await InboundAsync(agent, Email("tess"), $"Tess Typist{tag}", "Hello", "Hello there");

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, agent.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync("/inbox");
        await page.ClickAsync("#new-conversation");
        await Expect(page.Locator("#outreach-person")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Typist" + tag, new() { Delay = 20 });
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = $"Tess Typist{tag}" }).ClickAsync();

        // Typed key by key, as a person does, and never leaving a field by Tab or a click elsewhere before Send: each
        // field's value must reach the server as it is typed, or the last field's text is lost or Send stays grey.
        var send = page.Locator("#outreach-send");
        await page.ClickAsync("#outreach-subject");
        await page.Keyboard.TypeAsync("Typed, not pasted", new() { Delay = 20 });
        await Expect(send).ToBeEnabledAsync();
        await page.ClickAsync("#outreach-text");
        await page.Keyboard.TypeAsync("Tess, this message was typed and sent without leaving the field.", new() { Delay = 20 });
        var message = page.Locator("#outreach-text");
        await Expect(message).ToBeFocusedAsync();
        await Expect(send).ToBeEnabledAsync();
        await Expect(message).ToBeFocusedAsync(); // still typing: nothing blurred the field
        await BrowserFixture.ScreenshotAsync(page, "outreach-typed");
        await send.ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/conversations/\d+$"), new() { Timeout = 30_000 });
        await Expect(page.Locator("body")).ToContainTextAsync("sent without leaving the field", new() { Timeout = 30_000 });
        var number = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..]);
        var detail = await agent.ConversationAsync(number);
        Assert.Equal(person.PersonId, detail.Summary().GetProperty("requesterId").GetGuid());
        Assert.Equal("Typed, not pasted", detail.Summary().Str("subject"));
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_admin_switches_notification_email_off_and_the_page_says_what_that_means()
    {
        var admin = await fx.StaffAsync("admin");
        await MailApp.AddMailboxAsync(admin, Mail.NewAddress("notify"), new { name = "Notify desk" });
        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, admin.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync("/admin/email-notifications");
        await Expect(page.Locator("#email-notifications-sending")).ToContainTextAsync("Notification e-mail leaves from");
        await BrowserFixture.ScreenshotAsync(page, "email-notifications-admin");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Off: send no notification e-mail" }).CheckAsync();
        await Expect(page.Locator("#email-notifications-problem")).ToContainTextAsync("switched off");
        var settings = await (await admin.GetAsync("/api/v1/settings/email-notifications")).JsonAsync(System.Net.HttpStatusCode.OK);
        Assert.Equal("Off", settings.Str("mode"));
        await page.GetByRole(AriaRole.Radio, new() { Name = "Automatic: the first enabled mailbox channel" }).CheckAsync();
        await Expect(page.Locator("#email-notifications-sending")).ToBeVisibleAsync();
    }
}
