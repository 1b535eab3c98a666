using System.Net;
using Chorus.Tests.Campaigns;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Images in the post composer: a new post's images are attached (the draft saved first), refused
/// files say why, each image gets its alt text and shows in every channel's preview, and images are
/// reordered and removed.
public class PostImageBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Images_are_attached_described_previewed_per_channel_reordered_and_removed()
    {
        await using var server = await FakeChannelServer.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var admin = await fx.StaffAsync("admin");
        var author = await fx.StaffAsync("agent", "Marketing");
        async Task<Guid> Channel(object body) => (await (await admin.PostAsync("/api/v1/publishing-channels", body)).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var mastodon = await Channel(new { name = $"Mastodon {tag}", kind = "Mastodon", baseUrl = server.Address.ToString().TrimEnd('/'), secret = FakeChannelServer.Token });
        var discord = await Channel(new { name = $"Discord {tag}", kind = "Discord", secret = server.Url("discord") });
        var campaign = (await (await author.PostAsync("/api/v1/campaigns", new
        {
            name = $"Pictures {tag}", objective = "Awareness", startsOn = "2026-12-01", endsOn = "2026-12-31", ownerTeamId = await fx.App.TeamIdAsync("Marketing"),
            channelIds = new[] { mastodon, discord },
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();

        var page = await OpenAsync(fx, author.Email, $"/marketing/campaigns/{campaign}/posts/new");
        await page.FillAsync("#post-title", "Hills in spring");
        await page.FillAsync("#post-body", "Spring has reached the hills. Come and see!");
        await Expect(page.Locator($"[data-test=preview][data-channel='Discord {tag}']")).ToContainTextAsync("Come and see!");
        // A text file dressed up as a PNG is refused by its bytes; the real picture is attached.
        await page.Locator("#post-image-file").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = "hills.png", MimeType = "image/png", Buffer = TestImages.Png },
            new FilePayload { Name = "notes.png", MimeType = "image/png", Buffer = "not a picture at all"u8.ToArray() },
        });
        await Expect(page.Locator("#image-error")).ToContainTextAsync("\"notes.png\" is not an image Chorus can publish; attach a PNG, JPEG, GIF or WebP file.");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/marketing/posts/[0-9a-f-]{36}$")); // saved as a draft with its image
        await GoAsync(page, new Uri(page.Url).AbsolutePath);
        var card = page.Locator("[data-test=post-image]");
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card.First).ToHaveAttributeAsync("data-name", "hills.png");

        // Every channel's preview shows the picture; until it has alt text, the preview says so.
        var mastodonPreview = page.Locator($"[data-test=preview][data-channel='Mastodon {tag}']");
        var discordPreview = page.Locator($"[data-test=preview][data-channel='Discord {tag}']");
        await Expect(mastodonPreview.Locator("[data-test=preview-images] img")).ToHaveCountAsync(1);
        await Expect(discordPreview.Locator("[data-test=preview-images] img")).ToHaveCountAsync(1);
        await Expect(mastodonPreview).ToContainTextAsync("One image has no alt text.");
        await card.First.Locator("textarea").FillAsync("Green hills under a yellow sun");
        await card.First.Locator("textarea").PressAsync("Tab");
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Alt text saved.");
        await Expect(mastodonPreview.Locator("[data-test=preview-images] img")).ToHaveAttributeAsync("alt", "Green hills under a yellow sun");
        await Expect(mastodonPreview).Not.ToContainTextAsync("no alt text");
        // The preview really shows the picture (the staff address serves it), not a broken image.
        var width = await mastodonPreview.Locator("[data-test=preview-images] img").EvaluateAsync<int>("img => img.complete ? img.naturalWidth : -1");
        Assert.Equal(96, width);

        // A second picture, moved before the first, then removed.
        await page.Locator("#post-image-file").SetInputFilesAsync(new FilePayload { Name = "dot.gif", MimeType = "image/gif", Buffer = TestImages.Gif });
        await Expect(card).ToHaveCountAsync(2);
        await Expect(discordPreview.Locator("[data-test=preview-images] img")).ToHaveCountAsync(2);
        await card.Nth(1).Locator("[data-test=image-earlier]").ClickAsync();
        await Expect(card.First).ToHaveAttributeAsync("data-name", "dot.gif");
        await card.First.Locator("[data-test=image-later]").ClickAsync();
        await Expect(card.First).ToHaveAttributeAsync("data-name", "hills.png");
        await BrowserFixture.ScreenshotAsync(page, "post-composer-images");
        await card.Nth(1).Locator("[data-test=image-remove]").ClickAsync();
        await Expect(card).ToHaveCountAsync(1);
        await Expect(discordPreview.Locator("[data-test=preview-images] img")).ToHaveCountAsync(1);

        var post = await (await author.GetAsync($"/api/v1/posts/{new Uri(page.Url).AbsolutePath.Split('/').Last()}")).JsonAsync(HttpStatusCode.OK);
        var image = Assert.Single(post.GetProperty("images").EnumerateArray());
        Assert.Equal(("hills.png", "Green hills under a yellow sun", 0), (image.Str("fileName"), image.Str("altText"), image.GetProperty("position").GetInt32()));
    }
}
