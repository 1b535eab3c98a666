using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Importing a real mailing-list archive (users@httpd.apache.org, July 2020; Chorus.Tests/Data/email/PROVENANCE.md) from the mailbox page.
public class MboxImportBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private static string Archive => Path.Combine(AppContext.BaseDirectory, "Data", "email", "httpd-users-2020-07.mbox");

    [NeedsEnvFact("CHROMIUM_PATH", "TEST_IMAP", "TEST_SMTP")]
    public async Task An_admin_uploads_an_archive_watches_it_import_and_reads_what_was_skipped()
    {
        var admin = await fx.StaffAsync("admin");
        var mailbox = await MailApp.AddMailboxAsync(admin, Mail.NewAddress("lists"));
        // The archive ten times over: 1,080 messages read in several batches, the repeats recognised as already there.
        var tenfold = Path.Combine(Path.GetTempPath(), $"httpd-users-x10-{Guid.NewGuid():N}.mbox");
        // A delivery report at the end is skipped, with the reason shown.
        var once = await File.ReadAllBytesAsync(Archive);
        await File.WriteAllBytesAsync(tenfold, [.. Enumerable.Repeat(once, 10).SelectMany(b => b), .. "From MAILER-DAEMON Mon Jul  6 10:00:00 2020\n"u8, .. Mail.Corpus("delivery-status.txt")]);
        try
        {
            var page = await fx.NewPageAsync();
            await fx.SignInAsync(page, admin.Email, ChorusFactory.Password);
            await page.GotoInteractiveAsync($"/admin/mailboxes/{mailbox}");

            // Not an archive: refused with the reason, nothing queued.
            var notes = Path.Combine(Path.GetTempPath(), $"notes-{Guid.NewGuid():N}.txt");
            await File.WriteAllTextAsync(notes, "Meeting notes, not mail.");
            await page.Locator("#mbox-file").SetInputFilesAsync(notes);
            await Expect(page.Locator("#mbox-upload-error")).ToContainTextAsync("This is not an mbox archive");
            await Expect(page.Locator("[data-test=import-row]")).ToHaveCountAsync(0);
            File.Delete(notes);

            await page.Locator("#mbox-file").SetInputFilesAsync(tenfold);
            var row = page.Locator("[data-test=import-row]").First;
            await Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await BrowserFixture.ScreenshotAsync(page, "mbox-import-running");
            await Expect(row).ToHaveAttributeAsync("data-status", "finished", new() { Timeout = 120_000 });
            await Expect(row.Locator("[data-test=import-counts]")).ToContainTextAsync("1,081 messages read");
            await Expect(row.Locator("[data-test=import-counts]")).ToContainTextAsync("already there");
            await Expect(row.Locator("[data-test=import-reason]")).ToContainTextAsync("1 × A delivery report, not a conversation.");
            await Expect(page.Locator("#mailbox-ingested")).Not.ToHaveTextAsync("0", new() { Timeout = 15_000 });
            await page.Locator("#mbox-import").ScrollIntoViewIfNeededAsync();
            await BrowserFixture.ScreenshotAsync(page, "mbox-import-finished");

            // The same file again: nothing new, and the page says so.
            await page.Locator("#mbox-file").SetInputFilesAsync(tenfold);
            await Expect(page.Locator("[data-test=import-row]")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
            var second = page.Locator("[data-test=import-row]").First;
            await Expect(second).ToHaveAttributeAsync("data-status", "finished", new() { Timeout = 60_000 });
            await Expect(second.Locator("[data-test=import-counts]")).ToContainTextAsync("Already imported");
        }
        finally
        {
            File.Delete(tenfold);
        }
    }
}
