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

/// A campaign's report in the browser: opened from the campaign, its tiles say what the posts reached,
/// earned and converted, with follower growth, coverage and share of voice charted, and CSV downloads.
public class CampaignReportBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_campaign_report_shows_reach_engagement_clicks_conversions_and_followers()
    {
        await using var server = await FakeChannelServer.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var admin = await fx.StaffAsync("admin");
        var author = await fx.StaffAsync("agent", "Marketing");
        var mastodon = (await (await admin.PostAsync("/api/v1/publishing-channels", new { name = $"Mastodon {tag}", kind = "Mastodon", baseUrl = server.Address.ToString().TrimEnd('/'), secret = FakeChannelServer.Token }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var campaign = (await (await author.PostAsync("/api/v1/campaigns", new
        {
            name = $"Winter {tag}", objective = "Engagement", startsOn = today.AddDays(-6).ToString("yyyy-MM-dd"), endsOn = today.AddDays(7).ToString("yyyy-MM-dd"),
            ownerTeamId = await fx.App.TeamIdAsync("Marketing"), channelIds = new[] { mastodon },
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        // The account's followers on the days before (earlier readings).
        await fx.App.DbAsync(async db =>
        {
            foreach (var (daysAgo, followers) in new[] { (6, 1702L), (5, 1715L), (4, 1741L), (3, 1760L), (2, 1788L), (1, 1806L) })
                db.Add(new FollowerCount { ChannelId = mastodon, Day = today.AddDays(-daysAgo), Followers = followers, RecordedAt = DateTimeOffset.UtcNow.AddDays(-daysAgo) });
            return await db.SaveChangesAsync();
        });

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
        _ = new FakeMastodonStatus(server, (status!, post)) { Replies = 2, Boosts = 4, Favourites = 7, Followers = 1843 };
        await fx.App.Services.GetRequiredService<PollPostEngagement>().PollDueAsync(CancellationToken.None);
        await Eventually.TrueAsync(async () => (await (await author.GetAsync($"/api/v1/posts/{post}/engagement")).JsonAsync(HttpStatusCode.OK))
            .GetProperty("conversations").GetInt32() == 2, "the replies filed", 60);

        var code = (await (await author.PostAsync($"/api/v1/campaigns/{campaign}/links", new { targetUrl = "https://shop.example.test/winter", postId = post }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("link").Str("code");
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fx.BaseAddress };
        foreach (var agent in new[] { "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Slackbot-LinkExpanding 1.0" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/l/{code}");
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
            Assert.Equal(HttpStatusCode.Redirect, (await anonymous.SendAsync(request)).StatusCode);
        }
        await (await author.PostAsync("/api/v1/coverage", new { url = $"https://news.example.test/{tag}", headline = "A lovely winter edition", reach = 12000, publishedOn = today.AddDays(-1).ToString("yyyy-MM-dd") }))
            .JsonAsync(HttpStatusCode.Created);

        var page = await OpenAsync(fx, author.Email, $"/marketing/campaigns/{campaign}");
        await page.SetViewportSizeAsync(1400, 1500);
        await page.Locator("#campaign-report").ClickAsync();
        await Expect(page.Locator("#campaign-report-title")).ToHaveTextAsync("Campaign reports");
        await Expect(page.Locator("[data-test=tile-reach] [data-test=tile-value]")).ToHaveTextAsync("1,843");
        await Expect(page.Locator("[data-test=tile-engagement] [data-test=tile-value]")).ToHaveTextAsync("13");
        await Expect(page.Locator("[data-test=tile-engagement]")).ToContainTextAsync("0.71 % of Mastodon reach");
        await Expect(page.Locator("[data-test=tile-clicks] [data-test=tile-value]")).ToHaveTextAsync("2");
        await Expect(page.Locator("[data-test=tile-clicks]")).ToContainTextAsync("1 by robots not counted");
        await Expect(page.Locator("[data-test=tile-conversions] [data-test=tile-value]")).ToHaveTextAsync("2");
        await Expect(page.Locator("[data-test=follower-change]")).ToHaveTextAsync($"Mastodon {tag}: 1,843 followers (+141 in the period)");
        await Expect(page.Locator("#chart-campaign-followers svg")).ToBeVisibleAsync();
        // Clicks over time: today's two people, from the links' per-day counts.
        await Expect(page.Locator("#chart-campaign-clicks svg")).ToBeVisibleAsync();
        await Expect(page.Locator("#campaign-report-clicks-total")).ToContainTextAsync("2 clicks in this period; busiest day:");
        await Expect(page.Locator("#chart-campaign-coverage [data-test=coverage-chart]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-test=campaign-report-post]")).ToContainTextAsync("Winter edition");
        await Expect(page.Locator("[data-test=campaign-report-link]")).ToContainTextAsync($"/l/{code}");
        await BrowserFixture.ScreenshotAsync(page, "campaign-report");

        // The CSV behind the button is the signed-in staff member's download.
        var href = await page.Locator("#campaign-report-csv-posts").GetAttributeAsync("href");
        var csv = await page.APIRequest.GetAsync(href!);
        Assert.Equal(200, csv.Status);
        Assert.StartsWith("post,published_at,channels,reach", await csv.TextAsync());
    }
}
