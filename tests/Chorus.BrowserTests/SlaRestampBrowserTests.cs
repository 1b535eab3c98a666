using Chorus.Features.Channels;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Saving a policy on a workspace with a large open backlog: the save returns at once and the SLA page follows the
/// background re-stamp of due times until it says how many it worked out again.
public class SlaRestampBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task The_SLA_page_follows_the_re_stamp_of_a_large_backlog_after_a_save()
    {
        const int open = 620; // more than one chunk: a background job
        var page = await SavePolicyOverBacklogAsync(fx, "restamp", open);

        var finished = page.Locator("#sla-restamp-finished");
        await Expect(finished).ToContainTextAsync($"{open} open conversations, {open} with new due times");
        await BrowserFixture.ScreenshotAsync(page, "sla-restamp-finished");
    }

    /// A backlog of <paramref name="open"/> open conversations (two hours old), then an admin saves a policy that
    /// covers them all on the SLA page: the save that starts a re-stamp. Returns the admin's page.
    internal static async Task<Microsoft.Playwright.IPage> SavePolicyOverBacklogAsync(BrowserFixture fx, string prefix, int open)
    {
        var admin = await InboxTestData.StaffAsync(fx, "admin");
        var channel = await fx.App.ChannelIdAsync(ChannelKind.Api);
        var envelopes = Enumerable.Range(0, open).Select(i => new InboundEnvelope(channel, $"{prefix}-{i}", null,
            new InboundAuthor(IdentityKind.Email, $"{prefix}{i}@customer.test", null), DateTimeOffset.UtcNow.AddHours(-2), "Backlog", $"Request {i}", null)).ToList();
        Assert.All(await fx.App.Services.GetRequiredService<IngestPipeline>().IngestManyAsync(envelopes), r => Assert.Equal(IngestStatus.Created, r.Status));

        var page = await InboxTestData.OpenAsync(fx, admin.Email, "/admin/sla-policies");
        await page.Locator("#sla-new").ClickAsync();
        await page.Locator("#sla-name").FillAsync("Everyone");
        await page.Locator("#sla-save").ClickAsync();
        await Expect(page.Locator("[data-test=sla-row][data-policy='Everyone']")).ToBeVisibleAsync();
        return page;
    }
}
