using System.Net;
using Chorus.Features.Engagement;
using Chorus.Tests.Campaigns;
using Chorus.Tests.Email;
using Chorus.Tests.Engagement;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// What came back from Mastodon, in the browser: the post and campaign pages show replies, boosts,
/// favourites and the conversations the replies started; a reply opens as a conversation.
public class EngagementBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_published_post_shows_its_engagement_and_its_replies_are_conversations()
    {
        await using var server = await FakeChannelServer.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var admin = await fx.StaffAsync("admin");
        var author = await fx.StaffAsync("agent", "Marketing");
        var mastodon = (await (await admin.PostAsync("/api/v1/publishing-channels", new { name = $"Mastodon {tag}", kind = "Mastodon", baseUrl = server.Address.ToString().TrimEnd('/'), secret = FakeChannelServer.Token }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var campaign = (await (await author.PostAsync("/api/v1/campaigns", new
        {
            name = $"Winter {tag}", objective = "Engagement", startsOn = "2026-12-01", endsOn = "2026-12-31",
            ownerTeamId = await fx.App.TeamIdAsync("Marketing"), channelIds = new[] { mastodon },
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var post = (await (await author.PostAsync($"/api/v1/campaigns/{campaign}/posts", new { title = "Winter edition", body = "Winter edition is out!" }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await (await author.PostAsync($"/api/v1/posts/{post}/submit", new { })).JsonAsync(HttpStatusCode.OK);
        await (await admin.PostAsync($"/api/v1/posts/{post}/approve", new { })).JsonAsync(HttpStatusCode.OK);
        await (await author.PostAsync($"/api/v1/posts/{post}/schedule", new { })).JsonAsync(HttpStatusCode.OK);
        string? status = null;
        await Eventually.TrueAsync(async () =>
        {
            var p = await (await author.GetAsync($"/api/v1/posts/{post}")).JsonAsync(HttpStatusCode.OK);
            status = p.GetProperty("deliveries")[0].Str("externalId");
            return p.Str("status") == "Published";
        }, "the post published", 60);
        _ = new FakeMastodonStatus(server, (status!, post)) { Replies = 2, Boosts = 4, Favourites = 7 };
        await fx.App.Services.GetRequiredService<PollPostEngagement>().PollDueAsync(CancellationToken.None);
        await Eventually.TrueAsync(async () => (await (await author.GetAsync($"/api/v1/posts/{post}/engagement")).JsonAsync(HttpStatusCode.OK))
            .GetProperty("conversations").GetInt32() == 2, "the replies filed", 60);

        var page = await OpenAsync(fx, author.Email, $"/marketing/posts/{post}");
        var panel = page.Locator("#post-engagement");
        await Expect(panel.Locator("[data-test=engagement-replies]")).ToHaveTextAsync("2");
        await Expect(panel.Locator("[data-test=engagement-boosts]")).ToHaveTextAsync("4");
        await Expect(panel.Locator("[data-test=engagement-favourites]")).ToHaveTextAsync("7");
        await Expect(panel.Locator("[data-test=engagement-conversations]")).ToHaveTextAsync("2");
        await Expect(page.Locator("#post-engagement-status")).ToContainTextAsync("Each reply is a conversation in the inbox");
        await panel.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "post-engagement");

        await GoAsync(page, $"/marketing/campaigns/{campaign}");
        await Expect(page.Locator("#campaign-engagement [data-test=engagement-row]")).ToContainTextAsync("Winter edition");
        await Expect(page.Locator("#campaign-engagement [data-test=engagement-boosts]")).ToHaveTextAsync("4");
        await page.Locator("#campaign-engagement").ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "campaign-engagement");

        var number = await fx.App.DbAsync(db => Task.FromResult(db.Conversations.Where(c => c.ChannelId == mastodon).OrderBy(c => c.CreatedAt).Select(c => c.Number).First()));
        await GoAsync(page, $"/conversations/{number}");
        await Expect(page.Locator("body")).ToContainTextAsync("Does the winter edition run on the Steam Deck?");
        await Expect(page.Locator("body")).ToContainTextAsync("Alice Moreau");
        await BrowserFixture.ScreenshotAsync(page, "mastodon-reply-conversation");
    }
}
