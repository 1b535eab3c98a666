using System.Net;
using Chorus.Tests.Campaigns;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// The public newsroom's list shows a post's first image as its thumbnail, with its alt text, linking to the post;
/// a post without images shows none.
public class NewsroomThumbnailBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_posts_first_image_is_its_thumbnail_on_the_newsroom_list()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var admin = await fx.StaffAsync("admin");
        var author = await fx.StaffAsync("agent", "Marketing");
        var newsroom = (await (await admin.PostAsync("/api/v1/publishing-channels", new { name = $"Newsroom {tag}", kind = "Newsroom" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var campaign = (await (await author.PostAsync("/api/v1/campaigns", new
        {
            name = $"Spring {tag}", objective = "Awareness", startsOn = "2026-03-01", endsOn = "2026-12-31", ownerTeamId = await fx.App.TeamIdAsync("Marketing"),
            channelIds = new[] { newsroom },
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();

        async Task<Guid> PublishAsync(string title, string body, params (byte[] Bytes, string Name, string Alt)[] images)
        {
            var id = (await (await author.PostAsync($"/api/v1/campaigns/{campaign}/posts", new { title, body })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
            foreach (var (bytes, name, alt) in images) await (await TestImages.AttachAsync(author, id, bytes, name, alt)).JsonAsync(HttpStatusCode.Created);
            await (await author.PostAsync($"/api/v1/posts/{id}/submit", new { })).JsonAsync(HttpStatusCode.OK);
            await (await admin.PostAsync($"/api/v1/posts/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);
            await (await author.PostAsync($"/api/v1/posts/{id}/schedule", new { })).JsonAsync(HttpStatusCode.OK);
            await Eventually.TrueAsync(async () => (await (await author.GetAsync($"/api/v1/posts/{id}")).JsonAsync(HttpStatusCode.OK)).Str("status") == "Published", $"{title} published", 60);
            return id;
        }
        await PublishAsync($"Opening hours {tag}", "The shop opens at nine from Monday.");
        await PublishAsync($"Hills in spring {tag}", "Spring has reached the hills. **Come and see!**",
            (TestImages.Png, "hills.png", "Green hills under a yellow sun"), (TestImages.Gif, "dot.gif", "A dot"));

        var reader = await fx.NewPageAsync(); // not signed in
        await reader.GotoAsync("/newsroom");
        var pictured = reader.Locator("[data-test=newsroom-entry]").Filter(new() { HasText = $"Hills in spring {tag}" });
        var thumb = pictured.Locator("[data-test=newsroom-thumb] img");
        await Expect(thumb).ToHaveCountAsync(1); // the first image only
        await Expect(thumb).ToHaveAttributeAsync("alt", "Green hills under a yellow sun");
        // The picture itself, served to a reader who is not signed in, not a broken image.
        Assert.Equal(96, await thumb.EvaluateAsync<int>("async img => { if (!img.complete) await new Promise(r => img.addEventListener('load', r, { once: true })); return img.naturalWidth; }"));
        var plain = reader.Locator("[data-test=newsroom-entry]").Filter(new() { HasText = $"Opening hours {tag}" });
        await Expect(plain).ToBeVisibleAsync();
        await Expect(plain.Locator("[data-test=newsroom-thumb]")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(reader, "newsroom-thumbnails");

        await pictured.Locator("[data-test=newsroom-thumb]").ClickAsync();
        await Expect(reader.Locator("#newsroom-entry h1")).ToHaveTextAsync($"Hills in spring {tag}");
        await Expect(reader.Locator("#newsroom-entry figure img")).ToHaveCountAsync(2);
    }
}
