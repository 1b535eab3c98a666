using System.Net;
using System.Text.Json;
using Chorus.Features.Engagement;
using Chorus.Tests.Campaigns;
using Chorus.Tests.Engagement;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.CampaignReports;

/// A campaign's report: reach from the Mastodon account's followers on the day of the post, engagement
/// read back from the (fake) Mastodon, people's clicks on its tracked links, the people who answered
/// as conversions, follower growth recorded on each read, coverage and share of voice from the press
/// room; as JSON and CSV, with clear errors for a bad period.
public class CampaignReportTests
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    [Theory, Providers]
    public async Task A_campaign_report_counts_reach_engagement_clicks_conversions_followers_and_coverage(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Engagement:Poll"] = "false");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var yesterday = today.AddDays(-1);

        // A campaign that starts in two weeks, whatever day the test runs (a running campaign's report ends today).
        var startsOn = today.AddDays(14);
        var endsOn = today.AddDays(44);
        await DatesAsync(kit, startsOn, endsOn);

        // Before anything is published: zeros, and the campaign's own dates.
        var empty = await ReportAsync(kit, "");
        Assert.Equal(($"{startsOn:yyyy-MM-dd}", $"{endsOn:yyyy-MM-dd}"), (empty.Str("from"), empty.Str("to")));
        Assert.Equal(0, Totals(empty).GetProperty("postsPublished").GetInt32());
        Assert.Equal(0, Totals(empty).GetProperty("reach").GetInt64());
        Assert.Equal(JsonValueKind.Null, Totals(empty).GetProperty("engagementRate").ValueKind);

        // Yesterday the account had 1,800 followers (an earlier reading).
        await kit.App.DbAsync(async db =>
        {
            db.Add(new FollowerCount { ChannelId = kit.Mastodon, Day = yesterday, Followers = 1800, RecordedAt = DateTimeOffset.UtcNow.AddDays(-1) });
            return await db.SaveChangesAsync();
        });

        // A post on Mastodon and the newsroom (which has no known audience); Mastodon reports 2 replies, 4 boosts, 7 favourites, 1,843 followers.
        var postId = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("Winter edition", "Winter edition is out!", (kit.Mastodon, null), (kit.Newsroom, null)));
        var post = await kit.SettledAsync(postId);
        Assert.Equal("Published", post.Str("status"));
        var fake = new FakeMastodonStatus(kit.Server, (CampaignKit.Delivery(post, "Mastodon").Str("externalId"), postId)) { Replies = 2, Boosts = 4, Favourites = 7 };
        var poller = kit.App.Services.GetRequiredService<PollPostEngagement>();
        Assert.Equal(1, await poller.PollDueAsync(CancellationToken.None));
        Assert.Equal(1843, (await FollowersAsync(kit)).Single(f => f.Day == today).Followers);

        // Read again later the same day: the day's count is replaced, not added.
        fake.Followers = 1850;
        await kit.App.DbAsync(db => db.Set<PostEngagement>().ExecuteUpdateAsync(s => s.SetProperty(e => e.NextPollAt, DateTimeOffset.UtcNow.AddSeconds(-1))));
        Assert.Equal(1, await poller.PollDueAsync(CancellationToken.None));
        Assert.Equal([(yesterday, 1800L), (today, 1850L)], (await FollowersAsync(kit)).Select(f => (f.Day, f.Followers)).ToArray());

        // Three people and two robots follow the post's tracked link.
        var code = (await (await kit.Author.PostAsync($"/api/v1/campaigns/{kit.Campaign}/links", new { targetUrl = "https://shop.example.test/winter", postId }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("link").Str("code");
        var browser = kit.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var agent in new[] { Firefox, Firefox, Firefox, "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "curl/8.5.0" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/l/{code}");
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.SendAsync(request)).StatusCode);
        }

        // The press room logged an article about us and one about a competitor today.
        await (await kit.Author.PostAsync("/api/v1/coverage/competitors", new { name = "Rival Games" })).JsonAsync(HttpStatusCode.Created);
        await (await kit.Author.PostAsync("/api/v1/coverage", new { url = "https://news.example.test/winter", headline = "Chorus Games ships a lovely winter edition", reach = 12000, publishedOn = today.ToString("yyyy-MM-dd") }))
            .JsonAsync(HttpStatusCode.Created);
        await (await kit.Author.PostAsync("/api/v1/coverage", new { url = "https://news.example.test/rival", headline = "Rival Games announces a sequel", reach = 5000, publishedOn = today.ToString("yyyy-MM-dd") }))
            .JsonAsync(HttpStatusCode.Created);

        var period = $"?from={yesterday:yyyy-MM-dd}&to={today:yyyy-MM-dd}";
        var report = await ReportAsync(kit, period);
        var totals = Totals(report);
        Assert.Equal(1, totals.GetProperty("postsPublished").GetInt32());
        Assert.Equal(1850, totals.GetProperty("reach").GetInt64()); // the followers on the day it went out; the newsroom adds nothing
        Assert.Equal((2, 4, 7, 13), (totals.GetProperty("replies").GetInt32(), totals.GetProperty("boosts").GetInt32(), totals.GetProperty("favourites").GetInt32(),
            totals.GetProperty("engagement").GetInt32()));
        Assert.Equal(Math.Round(13.0 / 1850, 4), totals.GetProperty("engagementRate").GetDouble());
        Assert.Equal((3, 2), (totals.GetProperty("clicks").GetInt64(), totals.GetProperty("robotClicks").GetInt64()));
        // Alice and Bruno replied: two conversations, two people who answered, both new to us.
        Assert.Equal((2, 2, 2), (totals.GetProperty("conversations").GetInt32(), totals.GetProperty("conversions").GetInt32(), totals.GetProperty("newPeople").GetInt32()));

        var row = Assert.Single(report.GetProperty("posts").EnumerateArray());
        Assert.Equal(("Winter edition", 1850L, 3L, 2, 2), (row.Str("title"), row.GetProperty("reach").GetInt64(), row.GetProperty("clicks").GetInt64(),
            row.GetProperty("conversations").GetInt32(), row.GetProperty("people").GetInt32()));
        Assert.Equal(["Mastodon", "Newsroom"], row.GetProperty("channels").EnumerateArray().Select(c => c.GetString()!).ToArray());

        Assert.Equal("day", report.Str("bucket"));
        var periods = report.GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal([yesterday.ToString("yyyy-MM-dd"), today.ToString("yyyy-MM-dd")], periods.Select(p => p.Str("start")).ToArray());
        Assert.Equal((0, 0L, 0, 0), Period(periods[0]));
        Assert.Equal((1, 1850L, 13, 2), Period(periods[1]));

        var followers = Assert.Single(report.GetProperty("followers").EnumerateArray());
        Assert.Equal(("Mastodon", 1800L, 1850L, 50L), (followers.Str("channelName"), followers.GetProperty("first").GetInt64(), followers.GetProperty("last").GetInt64(),
            followers.GetProperty("change").GetInt64()));
        Assert.Equal([1800L, 1850L], followers.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("followers").GetInt64()).ToArray());

        Assert.Equal((2, 17000L), (report.GetProperty("coverage").GetProperty("articles").GetInt32(), report.GetProperty("coverage").GetProperty("reach").GetInt64()));
        var voices = report.GetProperty("shareOfVoice").GetProperty("voices").EnumerateArray().Select(v => (v.Str("name"), v.GetProperty("articles").GetInt32())).ToArray();
        Assert.Equal([("Us", 1), ("Rival Games", 1)], voices);

        // CSV: one row per post, or per day, with the followers at the end of each day.
        var posts = await CsvAsync(kit, $"/api/v1/reports/campaigns/{kit.Campaign}/csv{period}");
        Assert.Equal("post,published_at,channels,reach,replies,boosts,favourites,engagement,clicks,robot_clicks,conversations,people", posts[0]);
        Assert.Matches(@"^Winter edition,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,Mastodon; Newsroom,1850,2,4,7,13,3,2,2,2$", posts[1]);
        Assert.Equal(2, posts.Length);
        var days = await CsvAsync(kit, $"/api/v1/reports/campaigns/{kit.Campaign}/csv{period}&table=periods");
        Assert.Equal("start,end,posts_published,reach,engagement,conversations,clicks,robot_clicks,coverage_articles,coverage_reach,followers Mastodon", days[0]);
        Assert.Equal($"{yesterday:yyyy-MM-dd},{yesterday:yyyy-MM-dd},0,0,0,0,0,0,0,0,1800", days[1]);
        Assert.Equal($"{today:yyyy-MM-dd},{today:yyyy-MM-dd},1,1850,13,2,3,2,2,17000,1850", days[2]);

        // Without a period: the campaign's dates, widened to today's post.
        var widened = await ReportAsync(kit, "");
        Assert.Equal(($"{today:yyyy-MM-dd}", $"{endsOn:yyyy-MM-dd}"), (widened.Str("from"), widened.Str("to")));

        // A campaign under way: from its start to today, not to its end.
        await DatesAsync(kit, yesterday, endsOn);
        var running = await ReportAsync(kit, "");
        Assert.Equal(($"{yesterday:yyyy-MM-dd}", $"{today:yyyy-MM-dd}"), (running.Str("from"), running.Str("to")));
    }

    private static async Task DatesAsync(CampaignKit kit, DateOnly startsOn, DateOnly endsOn) =>
        await (await kit.Author.PatchAsync($"/api/v1/campaigns/{kit.Campaign}", new { startsOn = $"{startsOn:yyyy-MM-dd}", endsOn = $"{endsOn:yyyy-MM-dd}" }))
            .JsonAsync(HttpStatusCode.OK);

    [Theory, Providers]
    public async Task A_bad_period_or_table_is_refused_with_the_reason_and_an_unknown_campaign_is_not_found(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var bad = await (await kit.Author.GetAsync($"/api/v1/reports/campaigns/{kit.Campaign}?from=1.12.2026")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("from: a date as yyyy-MM-dd.", bad.GetProperty("errors").GetProperty("from")[0].GetString());
        var backwards = await (await kit.Author.GetAsync($"/api/v1/reports/campaigns/{kit.Campaign}?from=2026-12-10&to=2026-12-01")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The period ends before it starts.", backwards.GetProperty("errors").GetProperty("to")[0].GetString());
        var tooLong = await (await kit.Author.GetAsync($"/api/v1/reports/campaigns/{kit.Campaign}?from=2025-01-01&to=2026-12-01")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Ask for at most 366 days.", tooLong.GetProperty("errors").GetProperty("to")[0].GetString());
        var table = await (await kit.Author.GetAsync($"/api/v1/reports/campaigns/{kit.Campaign}/csv?table=links")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("table: posts or periods.", table.GetProperty("errors").GetProperty("table")[0].GetString());
        await (await kit.Author.GetAsync($"/api/v1/reports/campaigns/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);

        // Over 62 days the charts go by week (from Monday).
        var weekly = await ReportAsync(kit, "?from=2026-09-01&to=2026-12-31");
        Assert.Equal("week", weekly.Str("bucket"));
        Assert.Equal("2026-08-31", weekly.GetProperty("periods")[0].Str("start"));
        Assert.Equal(18, weekly.GetProperty("periods").GetArrayLength());
    }

    private static async Task<JsonElement> ReportAsync(CampaignKit kit, string query) =>
        await (await kit.Author.GetAsync($"/api/v1/reports/campaigns/{kit.Campaign}{query}")).JsonAsync(HttpStatusCode.OK);

    private static JsonElement Totals(JsonElement report) => report.GetProperty("totals");

    private static (int, long, int, int) Period(JsonElement p) =>
        (p.GetProperty("postsPublished").GetInt32(), p.GetProperty("reach").GetInt64(), p.GetProperty("engagement").GetInt32(), p.GetProperty("conversations").GetInt32());

    private static Task<List<FollowerCount>> FollowersAsync(CampaignKit kit) =>
        kit.App.DbAsync(db => db.Set<FollowerCount>().AsNoTracking().Where(f => f.ChannelId == kit.Mastodon).OrderBy(f => f.Day).ToListAsync());

    private static async Task<string[]> CsvAsync(CampaignKit kit, string url)
    {
        var response = await kit.Author.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
    }
}
