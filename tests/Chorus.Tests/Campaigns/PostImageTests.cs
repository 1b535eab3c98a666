using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chorus.Features.Campaigns;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Campaigns;

/// Small images for the specs, made by hand: a real 96×64 PNG (sky, sun, hills), and the first bytes of
/// JPEG, GIF and WebP files (Chorus tells a format by its bytes; it never decodes the picture).
public static class TestImages
{
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAGAAAABACAIAAABqVuVZAAAAwUlEQVR42u3YWxHCMBRF0cipEjQhAjmIwEtFUAEMgSZ9HMKaOQL2rK/klut9tsoKAkCAAAECBAgQoF/e8zG9G6CaTr9RGZumnwnQuECrdJqNyv/otBkBAgQIECBAgAAB8pL2F/NZBeQe5KLoJg0IkAECBAgQIECAABmgj0DT7bLtOoPSerYH6ixL69kRqK0srecIoFVlaT2HAn1TltZzDlClLK3nZKDXsrSeFKDYAQIECBAgQIAAATJAgAABAgRosC18oBuo2cmgpgAAAABJRU5ErkJggg==");
    public static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9];
    public static readonly byte[] Gif = [.. "GIF89a"u8, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x3B];
    public static readonly byte[] Webp = [.. "RIFF"u8, 0x1A, 0x00, 0x00, 0x00, .. "WEBPVP8L"u8, 0x0D, 0x00, 0x00, 0x00, 0x2F, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xFE, 0x07, 0x00];

    /// POST /api/v1/posts/{id}/images as multipart/form-data, the way an API client attaches an image.
    public static Task<HttpResponseMessage> AttachAsync(StaffClient client, Guid post, byte[] bytes, string fileName, string? altText = null, string contentType = "application/octet-stream")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        form.Add(file, "file", fileName);
        if (altText is not null) form.Add(new StringContent(altText), "altText");
        return client.Http.PostAsync($"/api/v1/posts/{post}/images", form);
    }
}

/// Images on posts: attached with alt text (checked by their bytes, within limits), then published on
/// every channel — uploaded to Mastodon as media with its description and named by the status, sent to
/// Discord as files with their descriptions, linked from Slack, shown on the newsroom (the first as the
/// list's thumbnail) and in its feed — and served publicly only once the post is approved.
public class PostImageTests
{
    private static Guid Id(JsonElement e) => e.GetProperty("id").GetGuid();

    private static List<JsonElement> Images(JsonElement post) => post.GetProperty("images").EnumerateArray().ToList();

    [Theory, Providers]
    public async Task Images_are_uploaded_to_Mastodon_with_their_descriptions_and_linked_from_webhooks_and_the_newsroom(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:MediaPollMilliseconds"] = "50");
        kit.Server.MediaProcessingPolls = 2; // Mastodon answers 202 and is still processing on the first poll
        var draft = await kit.DraftAsync("Winter in pictures", "The **winter edition**, in pictures.");
        var id = Id(draft);
        await (await TestImages.AttachAsync(kit.Author, id, TestImages.Jpeg, "slope.jpeg", "A snowy slope at dawn")).JsonAsync(HttpStatusCode.Created);
        var withTwo = await (await TestImages.AttachAsync(kit.Author, id, TestImages.Png, "hills.png", "Green hills under a yellow sun")).JsonAsync(HttpStatusCode.Created);
        var (slope, hills) = (Images(withTwo)[0], Images(withTwo)[1]);
        Assert.Equal(("slope.jpg", "image/jpeg", "A snowy slope at dawn"), (slope.Str("fileName"), slope.Str("contentType"), slope.Str("altText")));
        Assert.Equal(("hills.png", "image/png", TestImages.Png.Length), (hills.Str("fileName"), hills.Str("contentType"), hills.GetProperty("size").GetInt32()));
        // The hills go first.
        var moved = await (await kit.Author.PatchAsync($"/api/v1/posts/{id}/images/{Id(hills)}", new { position = 0 })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["hills.png", "slope.jpg"], Images(moved).Select(i => i.Str("fileName")));

        await kit.ApprovedAndScheduledNowAsync(draft);
        var post = await kit.SettledAsync(id);
        Assert.Equal("Published", post.Str("status"));

        // Mastodon: each image uploaded once, as a multipart file with its description, in order; then polled until processed; then the status names both.
        var uploads = kit.Server.On("/api/v2/media");
        Assert.Equal(2, uploads.Length);
        Assert.All(uploads, u => Assert.Equal(("POST", "Bearer " + FakeChannelServer.Token), (u.Method, u.Authorization)));
        Assert.All(uploads, u => Assert.StartsWith("multipart/form-data", u.ContentType));
        Assert.Equal(("file", "hills.png", "image/png"), (uploads[0].Files![0].Field, uploads[0].Files![0].FileName, uploads[0].Files![0].ContentType));
        Assert.Equal(TestImages.Png, uploads[0].Files![0].Content);
        Assert.Equal([("description", "Green hills under a yellow sun")], uploads[0].Parts!);
        Assert.Equal(("slope.jpg", "image/jpeg"), (uploads[1].Files![0].FileName, uploads[1].Files![0].ContentType));
        Assert.Equal(TestImages.Jpeg, uploads[1].Files![0].Content);
        Assert.Equal([("description", "A snowy slope at dawn")], uploads[1].Parts!);
        var media = kit.Server.MediaCreated.ToArray();
        Assert.Equal(2, media.Length);
        Assert.Equal(2, kit.Server.On($"/api/v1/media/{media[0]}").Length); // 206 processing, then 200 ready
        Assert.All(kit.Server.Requests.Where(r => r.Path.StartsWith("/api/v1/media/")), r => Assert.Equal("GET", r.Method));
        var toot = Assert.Single(kit.Server.On("/api/v1/statuses"));
        Assert.Equal([("status", "The **winter edition**, in pictures."), ("visibility", "public"), ("media_ids[]", media[0]), ("media_ids[]", media[1])], toot.Fields);
        Assert.True(kit.Server.Requests.ToList().FindIndex(r => r.Path == "/api/v1/statuses") > kit.Server.Requests.ToList().FindLastIndex(r => r.Path.StartsWith("/api/v1/media/")));

        // Discord: one multipart request, the message as payload_json, each image a file with its alt text as the attachment's description.
        var discord = Assert.Single(kit.Server.On("/discord"));
        Assert.StartsWith("multipart/form-data", discord.ContentType);
        var (field, payloadJson) = Assert.Single(discord.Parts!);
        Assert.Equal("payload_json", field);
        var payload = JsonDocument.Parse(payloadJson).RootElement;
        Assert.Equal("The **winter edition**, in pictures.", payload.Str("content"));
        Assert.Equal([(0, "hills.png", "Green hills under a yellow sun"), (1, "slope.jpg", "A snowy slope at dawn")],
            payload.GetProperty("attachments").EnumerateArray().Select(a => (a.GetProperty("id").GetInt32(), a.Str("filename"), a.Str("description"))));
        Assert.Equal([("files[0]", "hills.png", "image/png"), ("files[1]", "slope.jpg", "image/jpeg")], discord.Files!.Select(f => (f.Field, f.FileName, f.ContentType)));
        Assert.Equal(TestImages.Png, discord.Files![0].Content);
        Assert.Equal(TestImages.Jpeg, discord.Files![1].Content);
        Assert.NotNull(discord.IdempotencyKey);

        // Slack: the images' public addresses with the alt text.
        var hillsUrl = $"https://chorus.example.test/media/posts/{Id(hills)}";
        var slopeUrl = $"https://chorus.example.test/media/posts/{Id(slope)}";
        var slack = Assert.Single(kit.Server.On("/slack")).Json;
        Assert.Equal("The **winter edition**, in pictures.", slack.Str("text"));
        var blocks = slack.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(("section", "The **winter edition**, in pictures."), (blocks[0].Str("type"), blocks[0].GetProperty("text").Str("text")));
        Assert.Equal([("image", hillsUrl, "Green hills under a yellow sun"), ("image", slopeUrl, "A snowy slope at dawn")],
            blocks.Skip(1).Select(b => (b.Str("type"), b.Str("image_url"), b.Str("alt_text"))));

        // Those addresses serve the image to anyone, as what it is.
        var anonymous = kit.App.CreateClient();
        var served = await anonymous.GetAsync(new Uri(hillsUrl).AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(TestImages.Png, await served.Content.ReadAsByteArrayAsync());

        // The newsroom shows them with their alt text; the feed carries them in the text and the first as its enclosure.
        var slug = CampaignKit.Delivery(post, "Newsroom").Str("externalId");
        var page = await anonymous.GetStringAsync("/newsroom/" + slug);
        Assert.Contains($"<img src=\"{hillsUrl}\" alt=\"Green hills under a yellow sun\"", page);
        Assert.Contains($"<img src=\"{slopeUrl}\" alt=\"A snowy slope at dawn\"", page);
        // The newsroom's list shows the first image as the entry's thumbnail, with its alt text, and only the first.
        var list = await anonymous.GetStringAsync("/newsroom");
        var thumbnail = System.Text.RegularExpressions.Regex.Match(list, "<a href=\"/newsroom/([^\"]+)\" class=\"newsroom-thumb\"[^>]*><img ([^>]*)>");
        Assert.True(thumbnail.Success, list);
        Assert.Equal(slug, thumbnail.Groups[1].Value);
        Assert.StartsWith($"src=\"{hillsUrl}\" alt=\"Green hills under a yellow sun\"", thumbnail.Groups[2].Value);
        Assert.DoesNotContain(slopeUrl, list);
        var feed = await NewsroomFeedTests.ParseAsync(await anonymous.GetStringAsync("/newsroom/rss.xml"));
        var item = Assert.Single(feed.GetProperty("items").EnumerateArray());
        Assert.Equal((hillsUrl, "image/png", TestImages.Png.Length.ToString()), (item.GetProperty("enclosure").Str("url"), item.GetProperty("enclosure").Str("type"), item.GetProperty("enclosure").Str("length")));
        Assert.Contains($"alt=\"A snowy slope at dawn\"", item.Str("content"));
    }

    [Theory, Providers]
    public async Task A_retry_after_Mastodon_failed_posts_the_status_without_uploading_the_images_again(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider);
        kit.Server.FailNext("/api/v1/statuses", 3, 503, "Service Unavailable");
        var draft = await kit.DraftAsync("Retry with images", "Pictures, eventually", (kit.Mastodon, null));
        var id = Id(draft);
        await (await TestImages.AttachAsync(kit.Author, id, TestImages.Png, "hills.png", "Hills")).JsonAsync(HttpStatusCode.Created);
        await (await TestImages.AttachAsync(kit.Author, id, TestImages.Gif, "dot.gif", "A dot")).JsonAsync(HttpStatusCode.Created);
        await kit.ApprovedAndScheduledNowAsync(draft);

        var post = await kit.SettledAsync(id);
        Assert.Equal("Failed", post.Str("status"));
        Assert.Equal(2, kit.Server.On("/api/v2/media").Length); // uploaded on the first attempt only
        var media = kit.Server.MediaCreated.ToArray();
        Assert.Equal(3, kit.Server.On("/api/v1/statuses").Length);
        Assert.All(kit.Server.On("/api/v1/statuses"), s => Assert.Equal(media, s.Fields.Where(f => f.Name == "media_ids[]").Select(f => f.Value)));

        await (await kit.Author.PostAsync($"/api/v1/posts/{id}/retry", new { })).JsonAsync(HttpStatusCode.OK);
        post = await kit.SettledAsync(id);
        Assert.Equal("Published", post.Str("status"));
        Assert.Equal(2, kit.Server.On("/api/v2/media").Length);
        Assert.Equal(media, kit.Server.On("/api/v1/statuses").Last().Fields.Where(f => f.Name == "media_ids[]").Select(f => f.Value));
        Assert.Single(kit.Server.StatusesCreated);
        var remembered = await kit.App.DbAsync(db => db.Set<PostImageUpload>().CountAsync());
        Assert.Equal(2, remembered);
    }

    [Theory, Providers]
    public async Task Discord_gets_the_same_files_again_when_it_was_down_and_links_images_too_large_to_upload(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:DiscordMaxUploadBytes"] = "100");
        kit.Server.FailNext("/discord", 1, 503, "Service Unavailable");
        var small = await kit.DraftAsync("Small picture", "A dot", (kit.Discord, null));
        await (await TestImages.AttachAsync(kit.Author, Id(small), TestImages.Gif, "dot.gif", "A single dot")).JsonAsync(HttpStatusCode.Created);
        await (await TestImages.AttachAsync(kit.Author, Id(small), TestImages.Jpeg, "tiny.jpg")).JsonAsync(HttpStatusCode.Created); // no alt text
        await kit.ApprovedAndScheduledNowAsync(small);
        Assert.Equal("Published", (await kit.SettledAsync(Id(small))).Str("status"));

        // Down once, then the same request again: the same files, descriptions and idempotency key; nothing sent ahead of it.
        var tries = kit.Server.On("/discord");
        Assert.Equal(2, tries.Length);
        Assert.Equal(tries[0].IdempotencyKey, tries[1].IdempotencyKey);
        Assert.All(tries, t =>
        {
            Assert.Equal([("files[0]", "dot.gif"), ("files[1]", "tiny.jpg")], t.Files!.Select(f => (f.Field, f.FileName)));
            Assert.Equal(TestImages.Gif, t.Files![0].Content);
            var attachments = JsonDocument.Parse(t.Parts!.Single(p => p.Name == "payload_json").Value).RootElement.GetProperty("attachments").EnumerateArray().ToList();
            Assert.Equal("A single dot", attachments[0].Str("description"));
            Assert.False(attachments[1].TryGetProperty("description", out _)); // no alt text: no empty description
        });

        // Images together larger than Discord takes: linked by their public address instead, in one JSON request.
        var large = await kit.DraftAsync("Large picture", "Hills", (kit.Discord, null));
        var hills = Id(Images(await (await TestImages.AttachAsync(kit.Author, Id(large), TestImages.Png, "hills.png", "Green hills")).JsonAsync(HttpStatusCode.Created))[0]);
        await kit.ApprovedAndScheduledNowAsync(large);
        Assert.Equal("Published", (await kit.SettledAsync(Id(large))).Str("status"));
        var linked = kit.Server.On("/discord")[^1];
        Assert.StartsWith("application/json", linked.ContentType);
        Assert.Equal("Hills", linked.Json.Str("content"));
        Assert.Equal([$"https://chorus.example.test/media/posts/{hills}"], linked.Json.GetProperty("embeds").EnumerateArray().Select(e => e.GetProperty("image").Str("url")));
    }

    [Theory, Providers]
    public async Task A_drafts_image_is_not_public_until_the_post_is_approved(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var draft = await kit.DraftAsync("Secret picture", "Not yet", (kit.Discord, null));
        var id = Id(draft);
        var image = Id(Images(await (await TestImages.AttachAsync(kit.Author, id, TestImages.Png, "secret.png", "Unannounced product")).JsonAsync(HttpStatusCode.Created))[0]);
        var anonymous = kit.App.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/media/posts/{image}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/media/posts/{Guid.NewGuid()}")).StatusCode);
        // Staff see it while they write (the API, with a token).
        var staff = await kit.Author.GetAsync($"/api/v1/posts/{id}/images/{image}");
        Assert.Equal(HttpStatusCode.OK, staff.StatusCode);
        Assert.Equal(TestImages.Png, await staff.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/posts/{id}/images/{image}")).StatusCode);

        await (await kit.Author.PostAsync($"/api/v1/posts/{id}/submit", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/media/posts/{image}")).StatusCode); // in review: still private
        await (await kit.Reviewer.PostAsync($"/api/v1/posts/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/media/posts/{image}")).StatusCode);
        await (await kit.Author.PostAsync($"/api/v1/posts/{id}/withdraw", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/media/posts/{image}")).StatusCode); // back to a draft
    }

    [Theory, Providers]
    public async Task Images_that_are_not_images_too_big_too_many_or_on_an_approved_post_are_refused_and_nothing_is_kept(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app =>
        {
            app.Settings["Chorus:Publishing:Dispatch"] = "false";
            app.Settings["Chorus:Campaigns:MaxImageBytes"] = "2000";
        });
        var draft = await kit.DraftAsync("Limits", "Testing limits", (kit.Mastodon, null));
        var id = Id(draft);

        // A text file named .png is told by its bytes.
        var notImage = await (await TestImages.AttachAsync(kit.Author, id, "just some text, not a picture"u8.ToArray(), "photo.png", contentType: "image/png")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("\"photo.png\" is not an image Chorus can publish; attach a PNG, JPEG, GIF or WebP file.", notImage.GetProperty("errors").GetProperty("file")[0].GetString());
        var svg = await (await TestImages.AttachAsync(kit.Author, id, "<svg xmlns='http://www.w3.org/2000/svg'/>"u8.ToArray(), "logo.svg")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("is not an image Chorus can publish", svg.Str("detail"));
        var big = await (await TestImages.AttachAsync(kit.Author, id, [.. TestImages.Png, .. new byte[2000]], "huge.png")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("\"huge.png\" is larger than 2 KB; attach a smaller image.", big.GetProperty("errors").GetProperty("file")[0].GetString());
        var empty = await (await TestImages.AttachAsync(kit.Author, id, [], "nothing.png")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("\"nothing.png\" is empty.", empty.GetProperty("errors").GetProperty("file")[0].GetString());
        var longAlt = await (await TestImages.AttachAsync(kit.Author, id, TestImages.Png, "hills.png", new string('a', 1501))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Alt text is at most 1,500 characters.", longAlt.GetProperty("errors").GetProperty("altText")[0].GetString());
        var json = await (await kit.Author.PostAsync($"/api/v1/posts/{id}/images", new { file = "hills.png" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("multipart/form-data", json.Str("detail"));
        Assert.Empty(Images(await kit.PostAsync(id)));

        // Four formats, four images; a fifth is one too many.
        foreach (var (bytes, name) in new[] { (TestImages.Png, "a.png"), (TestImages.Jpeg, "b.jpg"), (TestImages.Gif, "c.gif"), (TestImages.Webp, "d.webp") })
            await (await TestImages.AttachAsync(kit.Author, id, bytes, name, "alt " + name)).JsonAsync(HttpStatusCode.Created);
        var post = await kit.PostAsync(id);
        Assert.Equal(["image/png", "image/jpeg", "image/gif", "image/webp"], Images(post).Select(i => i.Str("contentType")));
        var fifth = await (await TestImages.AttachAsync(kit.Author, id, TestImages.Png, "e.png")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("A post has at most 4 images; remove one to attach \"e.png\".", fifth.GetProperty("errors").GetProperty("file")[0].GetString());
        Assert.Equal(4, Images(await kit.PostAsync(id)).Count);

        // Removing renumbers; a bad position is refused; a viewer of another team cannot touch them.
        var removed = await (await kit.Author.Http.DeleteAsync($"/api/v1/posts/{id}/images/{Id(Images(post)[1])}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal([(0, "a.png"), (1, "c.gif"), (2, "d.webp")], Images(removed).Select(i => (i.GetProperty("position").GetInt32(), i.Str("fileName"))));
        await (await kit.Author.PatchAsync($"/api/v1/posts/{id}/images/{Id(Images(post)[0])}", new { position = 3 })).ProblemAsync(HttpStatusCode.BadRequest);
        var outsider = await kit.App.StaffAsync("agent", "Support");
        await (await TestImages.AttachAsync(outsider, id, TestImages.Png, "x.png")).ProblemAsync(HttpStatusCode.Forbidden);

        // Once approved, images are as fixed as the text.
        await kit.ApprovedAndScheduledNowAsync(draft);
        var locked = await (await TestImages.AttachAsync(kit.Author, id, TestImages.Png, "late.png")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("The post is scheduled: withdraw it to a draft before changing its images.", locked.Str("detail"));
        await (await kit.Author.Http.DeleteAsync($"/api/v1/posts/{id}/images/{Id(Images(post)[0])}")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(3, Images(await kit.PostAsync(id)).Count);
    }
}
