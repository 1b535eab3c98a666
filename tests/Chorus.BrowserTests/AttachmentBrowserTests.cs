using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Inbox.Attachments;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

public class AttachmentBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    // A 1×1 PNG.
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    /// Files on the customer's message, as the IMAP poller leaves them: one stored, one dropped for its size.
    private async Task AttachToFirstMessageAsync(long number)
    {
        using var scope = fx.App.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<AttachmentStore>();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var message = await db.Messages.Where(m => db.Conversations.Any(c => c.Id == m.ConversationId && c.Number == number)).OrderBy(m => m.CreatedAt).FirstAsync();
        var stored = (AttachmentStore.SaveResult.Stored)await store.SaveAsync(new MemoryStream(Png), store.MaxFileBytes);
        db.MessageAttachments.Add(new MessageAttachment { MessageId = message.Id, FileName = "error-screen.png", ContentType = "image/png", Size = stored.Size, ContentHash = stored.Hash });
        db.MessageAttachments.Add(new MessageAttachment
        {
            MessageId = message.Id, Position = 1, FileName = "crash-dump.zip", ContentType = "application/zip", Size = 31_457_280,
            DroppedReason = "Not stored: 30 MB is over the limit of 10 MB per file.",
        });
        await db.SaveChangesAsync();
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_agent_sees_the_customers_files_downloads_one_and_attaches_files_to_a_reply()
    {
        var agent = await StaffAsync(fx, "agent", "Support");
        var c = await InboundAsync(agent, "Attachments: the game crashes", "The game crashes on start. Screenshot attached; the dump was too big.", "Mia Okafor");
        await AttachToFirstMessageAsync(c.Number);

        var page = await OpenAsync(fx, agent.Email, $"/conversations/{c.Number}");
        var inbound = Messages(page, "inbound");
        var link = inbound.Locator("[data-test=attachment-link]");
        await Expect(link).ToContainTextAsync("error-screen.png");
        await Expect(link).ToContainTextAsync($"{Png.Length} B");
        await Expect(link.Locator("img.attachment-thumb")).ToBeVisibleAsync();
        var dropped = inbound.Locator("[data-test=attachment-dropped]");
        await Expect(dropped).ToContainTextAsync("crash-dump.zip");
        await Expect(dropped).ToContainTextAsync("over the limit of 10 MB per file");

        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        Assert.Equal("error-screen.png", download.SuggestedFilename);
        Assert.Equal(Png, await File.ReadAllBytesAsync((await download.PathAsync())!));

        // Too big: refused at once with the reason; nothing is added.
        var chooser = await page.RunAndWaitForFileChooserAsync(() => page.Locator("#attach").ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "huge.iso", MimeType = "application/octet-stream", Buffer = new byte[11 * 1024 * 1024] });
        await Expect(page.Locator("#composer-files-error")).ToContainTextAsync("huge.iso is 11 MB; a file can be at most 10 MB.");
        await Expect(page.Locator("[data-test=composer-file]")).ToHaveCountAsync(0);

        chooser = await page.RunAndWaitForFileChooserAsync(() => page.Locator("#attach").ClickAsync());
        await chooser.SetFilesAsync(new[]
        {
            new FilePayload { Name = "fix-steps.txt", MimeType = "text/plain", Buffer = "1. Update the driver.\n2. Restart."u8.ToArray() },
            new FilePayload { Name = "patch-notes.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4\n%%EOF\n"u8.ToArray() },
        });
        await Expect(page.Locator("[data-test=composer-file]")).ToHaveCountAsync(2);
        await Expect(page.Locator("#composer-files-error")).ToHaveCountAsync(0);
        await page.Locator("#composer-text").FillAsync("Thanks, Mia. The steps and the patch notes are attached.");
        await BrowserFixture.ScreenshotAsync(page, "attachments-composer");
        await page.Locator("#send").ClickAsync();

        var reply = Messages(page, "reply");
        await Expect(reply.Locator("[data-test=attachment-link]")).ToHaveCountAsync(2);
        await Expect(reply.Locator("[data-test=attachment-link]").First).ToContainTextAsync("fix-steps.txt");
        await Expect(page.Locator("[data-test=composer-file]")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "attachments-thread");

        var stored = await GetConversationAsync(agent, c.Number);
        var files = stored.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("kind").GetString() == "Reply").GetProperty("attachments");
        Assert.Equal(["fix-steps.txt", "patch-notes.pdf"], files.EnumerateArray().Select(f => f.GetProperty("fileName").GetString()));
        Assert.All(files.EnumerateArray(), f => Assert.Equal(JsonValueKind.String, f.GetProperty("downloadUrl").ValueKind));
    }
}
