using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// The mailbox admin pages against the real Postfix + Dovecot of the test servers.
public class MailboxBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH", "TEST_IMAP", "TEST_SMTP")]
    public async Task An_admin_adds_a_mailbox_tests_the_connection_and_sees_a_wrong_password_named()
    {
        var admin = await fx.StaffAsync("admin");
        var address = Mail.NewAddress("help");
        await Mail.SendAsync(Mail.Compose(Mail.NewAddress("ann"), address, "first", "Dovecot creates the mailbox on delivery"));

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, admin.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync("/admin/mailboxes");
        await Expect(page.Locator("#nav-admin-mailboxes")).ToBeVisibleAsync();
        // The only test of this class (and of its app) that adds a mailbox: the page starts empty.
        await Expect(page.Locator("#mailboxes-empty")).ToContainTextAsync("Connect the address customers write to");
        await BrowserFixture.ScreenshotAsync(page, "mailboxes-empty");
        await page.Locator("#mailbox-new").ClickAsync();
        // Saving an empty form points at what is missing, field by field.
        await page.Locator("#mailbox-save").ClickAsync();
        await Expect(page.Locator("#mailbox-dialog")).ToContainTextAsync("Give the mailbox a name.");
        await Expect(page.Locator("#mailbox-dialog")).ToContainTextAsync("The IMAP server is required.");

        await page.FillAsync("#mailbox-name", "Help desk");
        await page.FillAsync("#mailbox-address", address);
        await page.FillAsync("#mailbox-imap-host", Mail.Imap.Host);
        await InboxTestData.PickAsync(page, "#mailbox-imap-security", "No encryption");
        await Expect(page.Locator("#mailbox-imap-port")).ToHaveValueAsync("143"); // the standard port follows the encryption mode
        await page.FillAsync("#mailbox-imap-port", Mail.Imap.Port.ToString());
        await Expect(page.Locator("#mailbox-imap-user")).ToHaveValueAsync(address); // follows the address
        await page.FillAsync("#mailbox-imap-password", Mail.Password);
        await page.FillAsync("#mailbox-smtp-host", Mail.Smtp.Host);
        await InboxTestData.PickAsync(page, "#mailbox-smtp-security", "No encryption");
        await Expect(page.Locator("#mailbox-smtp-port")).ToHaveValueAsync("587");
        await page.FillAsync("#mailbox-smtp-port", Mail.Smtp.Port.ToString());
        await page.FillAsync("#mailbox-smtp-user", ""); // the local Postfix relays without sign-in

        // Tested before it is saved: both servers answer.
        await page.Locator("#mailbox-test").ClickAsync();
        var check = page.Locator("#mailbox-dialog-check");
        await Expect(check).ToHaveAttributeAsync("data-state", "ok", new() { Timeout = 30_000 });
        await Expect(check.Locator("[data-protocol=IMAP]")).ToContainTextAsync("signed in to");
        await Expect(check.Locator("[data-protocol=SMTP]")).ToContainTextAsync("connected to");
        await BrowserFixture.ScreenshotAsync(page, "mailbox-dialog-test-ok");

        await page.Locator("#mailbox-save").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/mailboxes/[0-9a-f-]{36}$"));
        await Expect(page.Locator("#mailbox-title")).ToHaveTextAsync("Help desk");
        // The poller reads the message that was waiting.
        await Expect(page.Locator("#mailbox-ingested")).ToHaveTextAsync("1", new() { Timeout = 30_000 });
        await Expect(page.Locator("#mailbox-state")).ToHaveAttributeAsync("data-state", "ok");

        // A wrong password, typed in the edit dialog and tested before saving: the sign-in stage is named.
        await page.Locator("#mailbox-edit").ClickAsync();
        await Expect(page.Locator("#mailbox-dialog")).ToContainTextAsync("Set — leave empty to keep");
        await Expect(page.Locator("#mailbox-imap-password")).ToHaveValueAsync("");
        await page.FillAsync("#mailbox-imap-password", "wrong-password");
        await page.Locator("#mailbox-test").ClickAsync();
        await Expect(check).ToHaveAttributeAsync("data-state", "failed", new() { Timeout = 30_000 });
        var imap = check.Locator("[data-protocol=IMAP]");
        await Expect(imap).ToHaveAttributeAsync("data-stage", "auth");
        await Expect(imap).ToContainTextAsync("Sign-in failed");
        await Expect(imap).ToContainTextAsync($"rejected the user name or password for '{address}'");
        await Expect(check.Locator("[data-protocol=SMTP]")).ToHaveAttributeAsync("data-ok", "true");
        await BrowserFixture.ScreenshotAsync(page, "mailbox-dialog-test-auth");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();

        // Cancelled: nothing was stored; the saved settings still test fine from the page.
        await page.Locator("#mailbox-page-test").ClickAsync();
        await Expect(page.Locator("#mailbox-page-check")).ToHaveAttributeAsync("data-state", "ok", new() { Timeout = 30_000 });

        // A password that stops working: the next poll fails and the page says why (the list too).
        await page.Locator("#mailbox-edit").ClickAsync();
        await page.FillAsync("#mailbox-imap-password", "changed-on-the-server");
        await page.Locator("#mailbox-save").ClickAsync();
        await Expect(page.Locator("#mailbox-state")).ToHaveAttributeAsync("data-state", "failing", new() { Timeout = 60_000 }); // the next poll, on a busy machine
        await Expect(page.Locator("#mailbox-last-error")).ToContainTextAsync("rejected the user name or password");
        await BrowserFixture.ScreenshotAsync(page, "mailbox-failing");

        // Disabled from the page, and audited.
        await page.Locator("#mailbox-enabled").UncheckAsync();
        await Expect(page.Locator("#mailbox-state")).ToHaveAttributeAsync("data-state", "disabled");
        await BrowserFixture.ScreenshotAsync(page, "mailbox-page");
        var audit = await admin.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=mailbox.");
        Assert.Equal(["mailbox.disabled", "mailbox.updated", "mailbox.created"], audit.EnumerateArray().Select(a => a.GetProperty("action").GetString()!).ToArray());

        await page.GotoInteractiveAsync("/admin/mailboxes");
        var row = page.Locator($"[data-test=mailbox-row][data-address='{address}']");
        await Expect(row).ToHaveAttributeAsync("data-state", "disabled");
        await BrowserFixture.ScreenshotAsync(page, "mailboxes");
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Agents_are_denied_the_mailbox_pages()
    {
        var agent = await fx.StaffAsync("agent", "Support");
        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, agent.Email, ChorusFactory.Password);
        await Expect(page.Locator("#nav-admin-mailboxes")).ToHaveCountAsync(0);
        await page.GotoAsync("/admin/mailboxes");
        await Expect(page).ToHaveURLAsync(new Regex("/account/denied"));
        await page.GotoAsync($"/admin/mailboxes/{Guid.NewGuid()}");
        await Expect(page).ToHaveURLAsync(new Regex("/account/denied"));
    }
}
