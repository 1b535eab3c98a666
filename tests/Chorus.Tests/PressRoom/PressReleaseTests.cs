using System.Globalization;
using System.Net;
using System.Text.Json;
using Chorus.Tests.Campaigns;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests.PressRoom;

/// Press releases: draft → approved by a colleague → published, at once or under embargo; the public
/// newsroom (pages and RSS, read by the npm rss-parser) shows a release from its moment, never before.
public class PressReleaseTests
{
    [Theory, Providers]
    public async Task A_release_is_approved_by_a_colleague_never_its_author_and_only_then_published(Provider provider)
    {
        await using var kit = await PressKit.StartAsync(provider);
        var draft = await kit.DraftAsync();
        var id = draft.GetProperty("id").GetGuid();
        Assert.Equal("draft", draft.Str("state"));
        Assert.Contains("<strong>Starfall</strong>", draft.Str("html"));
        Assert.Equal(await kit.App.TeamIdAsync("PR"), draft.GetProperty("ownerTeamId").GetGuid());

        await (await kit.Author.PostAsync($"/api/v1/press-releases/{id}/publish", new { })).ProblemAsync(HttpStatusCode.Conflict);
        var own = await (await kit.Author.PostAsync($"/api/v1/press-releases/{id}/approve", new { })).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("A colleague approves your release: you cannot approve your own.", own.Str("detail"));
        var outsider = await kit.App.StaffAsync("agent", "Support");
        await (await outsider.PostAsync($"/api/v1/press-releases/{id}/approve", new { })).ProblemAsync(HttpStatusCode.Forbidden);
        var invalid = await (await kit.Author.PatchAsync($"/api/v1/press-releases/{id}", new { title = "", body = "" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("title", out _));

        var approved = await (await kit.Reviewer.PostAsync($"/api/v1/press-releases/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("approved", approved.Str("state"));
        // An approved release is not edited behind its reviewer's back.
        await (await kit.Author.PatchAsync($"/api/v1/press-releases/{id}", new { title = "Changed" })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.DoesNotContain("Starfall", await kit.App.CreateClient().GetStringAsync("/newsroom"));

        var published = await kit.PublishAsync(id);
        Assert.Equal("published", published.Str("state"));
        var page = await kit.App.CreateClient().GetStringAsync("/newsroom");
        Assert.Contains("Starfall ships on 1 December", page);
        Assert.Contains("Lumen Games&#x27; space sim leaves early access.", page);
        var entry = await kit.App.CreateClient().GetStringAsync(published.Str("newsroomPath"));
        Assert.Contains("<strong>Starfall</strong> ships worldwide", entry);
        await (await kit.Author.PostAsync($"/api/v1/press-releases/{id}/withdraw", new { })).ProblemAsync(HttpStatusCode.Conflict); // public already
    }

    [Theory, Providers]
    public async Task An_embargoed_release_is_nowhere_public_before_its_time_and_everywhere_after_it(Provider provider)
    {
        await using var kit = await PressKit.StartAsync(provider);
        kit.Clock.Now = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
        var id = await kit.ApprovedAsync();
        var passed = await (await kit.Author.PostAsync($"/api/v1/press-releases/{id}/publish", new { embargoUntil = "2026-11-30T08:30", timeZone = "Europe/Paris" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("has passed", passed.Str("detail")); // 08:30 in Paris is 07:30 UTC

        // 1 December 2026, 09:00 in Paris (UTC+1) is 08:00 UTC.
        var embargoed = await kit.PublishAsync(id, "2026-12-01T09:00", "Europe/Paris");
        Assert.Equal("embargoed", embargoed.Str("state"));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero), embargoed.GetProperty("publicAt").GetDateTimeOffset());
        Assert.Equal("Tue 1 Dec 2026, 09:00 Europe/Paris", embargoed.Str("embargoDisplay"));
        var path = embargoed.Str("newsroomPath");
        var anonymous = kit.App.CreateClient();

        async Task AssertHiddenAsync()
        {
            Assert.DoesNotContain("Starfall", await anonymous.GetStringAsync("/newsroom"));
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(path)).StatusCode);
            var feed = await NewsroomFeedTests.ParseAsync(await anonymous.GetStringAsync("/newsroom/rss.xml"));
            Assert.Empty(feed.GetProperty("items").EnumerateArray());
        }
        await AssertHiddenAsync();
        kit.Clock.Now = new DateTimeOffset(2026, 12, 1, 7, 59, 59, TimeSpan.Zero); // one second before
        await AssertHiddenAsync();

        kit.Clock.Now = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        Assert.Contains("Starfall ships on 1 December", await anonymous.GetStringAsync("/newsroom"));
        Assert.Contains("ships worldwide", await anonymous.GetStringAsync(path));
        var items = (await NewsroomFeedTests.ParseAsync(await anonymous.GetStringAsync("/newsroom/rss.xml"))).GetProperty("items").EnumerateArray().ToList();
        var item = Assert.Single(items);
        Assert.Equal("Starfall ships on 1 December", item.GetProperty("title").GetString());
        Assert.Equal("https://chorus.example.test" + path, item.GetProperty("link").GetString());
        Assert.Equal("2026-12-01T08:00:00.000Z", item.GetProperty("isoDate").GetString());
        Assert.Equal("Press release", item.GetProperty("categories")[0].GetString());
        Assert.Contains("<li>co-op for four</li>", item.GetProperty("content").GetString());
        var detail = await (await kit.Author.GetAsync($"/api/v1/press-releases/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("published", detail.Str("state"));
    }

    [Theory, Providers]
    public async Task A_release_still_under_embargo_can_be_withdrawn_and_never_appears(Provider provider)
    {
        await using var kit = await PressKit.StartAsync(provider);
        var id = await kit.ApprovedAsync();
        var at = kit.Clock.Now.AddDays(1).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
        await kit.PublishAsync(id, at, "UTC");
        var withdrawn = await (await kit.Author.PostAsync($"/api/v1/press-releases/{id}/withdraw", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("draft", withdrawn.Str("state"));
        Assert.Equal(JsonValueKind.Null, withdrawn.GetProperty("publicAt").ValueKind);
        kit.Clock.Now = kit.Clock.Now.AddDays(2);
        Assert.DoesNotContain("Starfall", await kit.App.CreateClient().GetStringAsync("/newsroom"));
    }
}
