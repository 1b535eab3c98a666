using System.Net;
using Chorus.Features.Newsletter;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// An admin sets up an e-mail newsletter channel (its mailbox and list of people); a subscriber opens
/// the unsubscribe link from a newsletter and confirms.
public class NewsletterBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_admin_sets_up_a_newsletter_and_a_subscriber_unsubscribes()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var admin = await fx.StaffAsync("admin");
        var news = Mail.NewAddress("news");
        await MailApp.AddMailboxAsync(admin, news, new { name = $"News {tag}" });
        var eve = await admin.DeliverAsync(Guid.NewGuid().ToString("N"), handle: $"eve-{tag}@example.test", name: "Eve Evans", text: "Hello");
        await (await admin.PostAsync("/api/v1/people/lists", new { name = $"Subscribers {tag}", personIds = new[] { eve.PersonId } })).JsonAsync(HttpStatusCode.Created);

        var page = await OpenAsync(fx, admin.Email, "/marketing/channels");
        await page.ClickAsync("#channel-new");
        await PickAsync(page, "#channel-kind", "E-mail newsletter");
        await page.FillAsync("#channel-name", $"Newsletter {tag}");
        await page.ClickAsync("#channel-save"); // without a mailbox and a list: both are asked for
        await Expect(page.Locator("#channel-form")).ToContainTextAsync("Choose the mailbox the newsletter is sent from");
        await Expect(page.Locator("#channel-form")).ToContainTextAsync("Choose the list of people it goes to");
        await PickAsync(page, "#channel-mailbox", $"News {tag} <{news}>");
        await PickAsync(page, "#channel-list", $"Subscribers {tag} (1)");
        await Expect(page.Locator("#channel-form")).Not.ToContainTextAsync("Choose the mailbox"); // what was fixed no longer shows its error
        await BrowserFixture.ScreenshotAsync(page, "newsletter-channel-form");
        await page.ClickAsync("#channel-save");
        var row = page.Locator("[data-test=channel-row]").Filter(new() { HasText = $"Newsletter {tag}" });
        await Expect(row).ToContainTextAsync($"To Subscribers {tag} from News {tag} <{news}>");
        await Expect(row).ToContainTextAsync("E-mail newsletter");
        await BrowserFixture.ScreenshotAsync(page, "newsletter-channels");

        var channel = await fx.App.DbAsync(db => Task.FromResult(db.Set<Chorus.Features.Campaigns.PublishingChannel>().Single(c => c.Name == $"Newsletter {tag}").Id));
        var token = fx.App.Services.GetRequiredService<UnsubscribeTokens>().For(eve.PersonId, channel);
        var visitor = await fx.NewPageAsync();
        await visitor.GotoAsync($"/newsletter/unsubscribe/{token}");
        await Expect(visitor.Locator("body")).ToContainTextAsync("Stop newsletters to Eve Evans?");
        await BrowserFixture.ScreenshotAsync(visitor, "newsletter-unsubscribe");
        await visitor.ClickAsync("#unsubscribe-confirm");
        await Expect(visitor.Locator("#unsubscribed")).ToHaveTextAsync("Done: Eve Evans gets no more newsletters from us.");
        await BrowserFixture.ScreenshotAsync(visitor, "newsletter-unsubscribed");
    }
}
