using System.Net;
using Chorus.Tests.Campaigns;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Marketing in the browser: a campaign is started, a post composed once and adapted per channel,
/// reviewed by a colleague, approved and scheduled in a time zone; the calendar moves posts by drag.
public class CampaignBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_post_is_composed_reviewed_approved_and_scheduled()
    {
        await using var server = await FakeChannelServer.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var admin = await fx.StaffAsync("admin");
        var author = await fx.StaffAsync("agent", "Marketing");
        var reviewer = await fx.StaffAsync("agent", "Marketing");
        await (await admin.PostAsync("/api/v1/publishing-channels", new { name = $"Mastodon {tag}", kind = "Mastodon", baseUrl = server.Address.ToString().TrimEnd('/'), secret = FakeChannelServer.Token }))
            .JsonAsync(HttpStatusCode.Created);
        await (await admin.PostAsync("/api/v1/publishing-channels", new { name = $"Newsroom {tag}", kind = "Newsroom" })).JsonAsync(HttpStatusCode.Created);

        var page = await OpenAsync(fx, author.Email, "/marketing/campaigns");
        await page.ClickAsync("#campaign-new");
        await page.FillAsync("#campaign-name", $"Spring launch {tag}");
        await PickAsync(page, "#campaign-objective", "Engagement");
        await page.FillAsync("#campaign-budget", "€500 for boosts");
        foreach (var box in await page.Locator("[data-test=campaign-channel]").AllAsync())
            if (!(await box.InnerTextAsync()).Contains(tag)) await box.Locator("input").UncheckAsync(); // only this test's channels
        await BrowserFixture.ScreenshotAsync(page, "campaign-new");
        await page.ClickAsync("#campaign-save");
        await Expect(page.Locator("#campaign-title")).ToHaveTextAsync($"Spring launch {tag}");
        await Expect(page.Locator("#campaign-facts")).ToContainTextAsync("€500 for boosts");
        await Expect(page.Locator("#posts-empty")).ToBeVisibleAsync();

        await page.ClickAsync("#post-new");
        await page.FillAsync("#post-title", "Spring is here");
        var longBody = "Spring edition: " + string.Join(' ', Enumerable.Repeat("fresh colours and new trails", 20));
        await page.FillAsync("#post-body", longBody);
        var mastodonPreview = page.Locator($"[data-test=preview][data-channel='Mastodon {tag}']");
        await Expect(mastodonPreview.Locator("[data-test=preview-problem]")).ToContainTextAsync($"Mastodon {tag} takes at most 500");
        await Expect(page.Locator($"[data-test=preview][data-channel='Newsroom {tag}'] [data-test=preview-problem]")).ToHaveCountAsync(0);
        await page.ClickAsync("#post-submit"); // refused before review: the reason says which channel and by how much
        await Expect(page.Locator("#post-channel-errors")).ToContainTextAsync($"The text for Mastodon {tag} is");

        await page.Locator($"[data-test=channel-choice][data-channel='Mastodon {tag}'] [data-test=channel-adapt] input").CheckAsync();
        await page.Locator($"[data-test=channel-choice][data-channel='Mastodon {tag}'] textarea").FillAsync("Spring edition is out: fresh colours, new trails.");
        await page.ClickAsync("#link-open");
        await page.FillAsync("#link-target", "https://shop.example.test/spring");
        await page.ClickAsync("#link-create");
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Tracked link /l/");
        await Expect(mastodonPreview.Locator("[data-test=preview-problem]")).ToHaveCountAsync(0);
        await Expect(mastodonPreview.Locator("[data-test=preview-count]")).ToHaveTextAsync("49 / 500");
        await BrowserFixture.ScreenshotAsync(page, "post-composer");
        await page.ClickAsync("#post-submit");
        await Expect(page.Locator("[data-test=post-status]").First).ToHaveTextAsync("In review");
        await Expect(page.Locator("#post-review-note")).ToContainTextAsync("Waiting for a colleague");
        await Expect(page.Locator("#post-approve")).ToHaveCountAsync(0);
        var postUrl = new Uri(page.Url).AbsolutePath;
        Assert.Matches("^/marketing/posts/[0-9a-f-]{36}$", postUrl);

        var review = await OpenAsync(fx, reviewer.Email, postUrl);
        await Expect(review.Locator("#post-body textarea, textarea#post-body").First).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/l/[A-Za-z0-9]{7}$"));
        await review.FillAsync("#post-comment", "Lovely. Ship it in the morning, Paris time.");
        await review.ClickAsync("#post-comment-send");
        await Expect(review.Locator("[data-test=post-comment]")).ToContainTextAsync("Ship it in the morning");
        await BrowserFixture.ScreenshotAsync(review, "post-review");
        await review.ClickAsync("#post-approve");
        await Expect(review.Locator("[data-test=post-status]").First).ToHaveTextAsync("Approved");

        await GoAsync(page, postUrl);
        await Expect(page.Locator("#post-comments")).ToContainTextAsync("approved the post.");
        await page.FillAsync("#schedule-at", "2031-04-01T09:30");
        await page.Locator("#schedule-zone").FillAsync("Paris");
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Europe/Paris" }).ClickAsync();
        // The pick is the server's once the list has closed with it in the field; a click before that would schedule in the old zone.
        await Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
        await Expect(page.Locator("#schedule-zone")).ToHaveValueAsync("Europe/Paris");
        await page.ClickAsync("#post-schedule");
        await Expect(page.Locator("[data-test=post-status]").First).ToHaveTextAsync("Scheduled");
        await Expect(page.Locator("#post-when")).ToHaveTextAsync("Goes out Tue 1 Apr 2031, 09:30 Europe/Paris");
        await BrowserFixture.ScreenshotAsync(page, "post-scheduled");

        var id = Guid.Parse(postUrl[(postUrl.LastIndexOf('/') + 1)..]);
        var post = await (await author.GetAsync($"/api/v1/posts/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(new DateTimeOffset(2031, 4, 1, 7, 30, 0, TimeSpan.Zero), post.GetProperty("scheduledAt").GetDateTimeOffset()); // CEST is UTC+2
        Assert.Single(post.GetProperty("links").EnumerateArray());
        Assert.Empty(server.Requests); // not before its time
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Posts_are_moved_on_the_calendar_by_drag()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var admin = await fx.StaffAsync("admin");
        var author = await fx.StaffAsync("agent", "Marketing");
        var slack = await (await admin.PostAsync("/api/v1/publishing-channels", new { name = $"Slack {tag}", kind = "Slack", secret = "http://127.0.0.1:1/hook" })).JsonAsync(HttpStatusCode.Created);
        var campaign = await (await author.PostAsync("/api/v1/campaigns", new
        {
            name = $"Summer {tag}", objective = "Awareness", startsOn = "2030-06-01", endsOn = "2030-06-30",
            ownerTeamId = await fx.App.TeamIdAsync("Marketing"), channelIds = new[] { slack.GetProperty("id").GetGuid() },
        })).JsonAsync(HttpStatusCode.Created);
        var campaignId = campaign.GetProperty("id").GetGuid();
        async Task<Guid> Draft(string title) =>
            (await (await author.PostAsync($"/api/v1/campaigns/{campaignId}/posts", new { title, body = title })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var scheduled = await Draft($"Heatwave tips {tag}");
        await (await author.PostAsync($"/api/v1/posts/{scheduled}/submit", new { })).JsonAsync(HttpStatusCode.OK);
        await (await admin.PostAsync($"/api/v1/posts/{scheduled}/approve", new { })).JsonAsync(HttpStatusCode.OK);
        await (await author.PostAsync($"/api/v1/posts/{scheduled}/schedule", new { at = "2030-06-10T10:00", timeZone = "UTC" })).JsonAsync(HttpStatusCode.OK);
        var draft = await Draft($"Beach photos {tag}");

        var page = await OpenAsync(fx, author.Email, "/marketing/calendar?view=month&date=2030-06-01");
        await Expect(page.Locator("#calendar-range")).ToHaveTextAsync("June 2030");
        var post = page.Locator($"[data-test=calendar-post][data-post='{scheduled}']");
        await Expect(page.Locator("[data-test=calendar-day][data-date='2030-06-10']")).ToContainTextAsync($"10:00 Heatwave tips {tag}");
        await post.DragToAsync(page.Locator("[data-test=calendar-day][data-date='2030-06-14']"));
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync($"Heatwave tips {tag} moved to Fri 14 Jun, 10:00.");
        await Expect(page.Locator("[data-test=calendar-day][data-date='2030-06-14']")).ToContainTextAsync($"Heatwave tips {tag}");
        var moved = await (await author.GetAsync($"/api/v1/posts/{scheduled}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(new DateTimeOffset(2030, 6, 14, 10, 0, 0, TimeSpan.Zero), moved.GetProperty("scheduledAt").GetDateTimeOffset());
        Assert.Equal("Scheduled", moved.Str("status"));

        // A draft with no day yet is dragged from the side onto the calendar: planned at 09:00, still a draft.
        await page.Locator($"[data-test=unplanned-post][data-post='{draft}']").DragToAsync(page.Locator("[data-test=calendar-day][data-date='2030-06-20']"));
        await Expect(page.Locator("[data-test=calendar-day][data-date='2030-06-20']")).ToContainTextAsync($"09:00 Beach photos {tag}");
        await BrowserFixture.ScreenshotAsync(page, "content-calendar");
        var planned = await (await author.GetAsync($"/api/v1/posts/{draft}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(new DateTimeOffset(2030, 6, 20, 9, 0, 0, TimeSpan.Zero), planned.GetProperty("scheduledAt").GetDateTimeOffset());
        Assert.Equal("Draft", planned.Str("status"));

        await page.ClickAsync("#calendar-view >> text=Week");
        await Expect(page.Locator("#calendar-range")).ToContainTextAsync("2030");
        await Expect(page.Locator("[data-test=calendar-day]")).ToHaveCountAsync(7);
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_post_published_now_shows_on_each_channel_and_on_the_public_newsroom()
    {
        await using var server = await FakeChannelServer.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var admin = await fx.StaffAsync("admin");
        var author = await fx.StaffAsync("agent", "Marketing");
        var mastodon = await (await admin.PostAsync("/api/v1/publishing-channels", new { name = $"Mastodon {tag}", kind = "Mastodon", baseUrl = server.Address.ToString().TrimEnd('/'), secret = FakeChannelServer.Token }))
            .JsonAsync(HttpStatusCode.Created);
        var newsroom = await (await admin.PostAsync("/api/v1/publishing-channels", new { name = $"Newsroom {tag}", kind = "Newsroom" })).JsonAsync(HttpStatusCode.Created);
        var campaign = await (await author.PostAsync("/api/v1/campaigns", new
        {
            name = $"Autumn {tag}", objective = "Advocacy", startsOn = "2026-09-01", endsOn = "2026-12-31", ownerTeamId = await fx.App.TeamIdAsync("Marketing"),
            budgetNote = "No paid reach", channelIds = new[] { mastodon.GetProperty("id").GetGuid(), newsroom.GetProperty("id").GetGuid() },
        })).JsonAsync(HttpStatusCode.Created);
        var post = await (await author.PostAsync($"/api/v1/campaigns/{campaign.GetProperty("id")}/posts", new { title = $"Community awards {tag}", body = "The **community awards** are open: nominate your favourite contributor." }))
            .JsonAsync(HttpStatusCode.Created);
        var id = post.GetProperty("id").GetGuid();
        await (await author.PostAsync($"/api/v1/posts/{id}/submit", new { })).JsonAsync(HttpStatusCode.OK);
        await (await admin.PostAsync($"/api/v1/posts/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);

        var page = await OpenAsync(fx, author.Email, $"/marketing/posts/{id}");
        await page.ClickAsync("#post-publish-now");
        await Expect(page.Locator("[data-test=post-status]").First).ToHaveTextAsync("Scheduled");
        await Eventually.TrueAsync(async () => (await (await author.GetAsync($"/api/v1/posts/{id}")).JsonAsync(HttpStatusCode.OK)).Str("status") == "Published", "the post published", 60);
        await GoAsync(page, $"/marketing/posts/{id}");
        await Expect(page.Locator("[data-test=post-status]").First).ToHaveTextAsync("Published");
        await Expect(page.Locator($"[data-test=preview][data-channel='Mastodon {tag}'] [data-test=delivery-state]")).ToContainTextAsync("Published");
        await Expect(page.Locator("#post-comments")).ToContainTextAsync("Published on every channel.");
        await Expect(page.Locator("#post-title")).ToHaveAttributeAsync("readonly", "");
        await BrowserFixture.ScreenshotAsync(page, "post-published");
        Assert.Single(server.StatusesCreated);

        await GoAsync(page, $"/marketing/campaigns/{campaign.GetProperty("id")}");
        await Expect(page.Locator("[data-test=post-row]")).ToContainTextAsync("Published");
        await BrowserFixture.ScreenshotAsync(page, "campaign-page");

        var reader = await fx.NewPageAsync(); // not signed in
        await reader.GotoAsync("/newsroom");
        var entry = reader.Locator("[data-test=newsroom-entry]").Filter(new() { HasText = $"Community awards {tag}" });
        await Expect(entry.Locator("strong")).ToHaveTextAsync("community awards");
        await entry.Locator("h2 a").ClickAsync();
        await Expect(reader.Locator("#newsroom-entry h1")).ToHaveTextAsync($"Community awards {tag}");
        await BrowserFixture.ScreenshotAsync(reader, "newsroom");
        Assert.Equal(1, await reader.Locator("link[rel=alternate][type='application/rss+xml']").CountAsync());
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_admin_adds_a_webhook_channel_and_its_address_is_never_shown_again()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var admin = await fx.StaffAsync("admin");
        var agent = await fx.StaffAsync("agent", "Marketing");
        const string hook = "https://discord.example.test/api/webhooks/123/very-secret-token";

        var page = await OpenAsync(fx, admin.Email, "/marketing/channels");
        await page.ClickAsync("#channel-new");
        await PickAsync(page, "#channel-kind", "Discord webhook");
        await page.ClickAsync("#channel-save"); // nothing filled in: each field says what it needs
        await Expect(page.Locator("#channel-form")).ToContainTextAsync("A channel's name is 1 to 100 characters.");
        await Expect(page.Locator("#channel-form")).ToContainTextAsync("Give the incoming webhook's address (https://...).");
        await page.FillAsync("#channel-name", $"Discord {tag}");
        await page.FillAsync("#channel-secret", hook);
        await Expect(page.Locator("#channel-max")).ToHaveValueAsync("2000");
        await page.ClickAsync("#channel-save");
        var row = page.Locator("[data-test=channel-row]").Filter(new() { HasText = $"Discord {tag}" });
        await Expect(row).ToContainTextAsync("Discord webhook");
        await Expect(row).ToContainTextAsync("Set");
        await BrowserFixture.ScreenshotAsync(page, "publishing-channels");
        Assert.DoesNotContain("very-secret-token", await page.ContentAsync());

        // Colleagues see the channels, not the button to change them.
        var colleague = await OpenAsync(fx, agent.Email, "/marketing/channels");
        await Expect(colleague.Locator("[data-test=channel-row]").Filter(new() { HasText = $"Discord {tag}" })).ToBeVisibleAsync();
        await Expect(colleague.Locator("#channel-new")).ToHaveCountAsync(0);
        var audit = await (await admin.GetAsync("/api/v1/audit?action=publishing-channel.")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), a => a.Str("details") == $"Discord {tag} (Discord)");
    }
}
