using System.Net;
using System.Text.Json;
using Chorus.Features.Campaigns;
using Chorus.Tests.Campaigns;
using Chorus.Tests.Infrastructure;
using Chorus.Tests.PressRoom;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.CampaignReports;

/// Clicks over time: each tracked link keeps a count per day (UTC) as clicks are counted, robots
/// apart, always adding up to its totals; the campaign report charts them per day or week, in the API
/// and the CSV.
public class ClicksOverTimeTests
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private const string Slackbot = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)";

    [Theory, Providers]
    public async Task Clicks_are_kept_per_link_per_day_and_charted_per_day_and_week_on_the_campaign_report(Provider provider)
    {
        var clock = new TestClock { Now = new DateTimeOffset(2026, 12, 3, 23, 59, 0, TimeSpan.Zero) };
        await using var kit = await CampaignKit.StartAsync(provider, app => app.TestServices = s => s.AddSingleton<TimeProvider>(clock));
        async Task<string> Link(string target) => (await (await kit.Author.PostAsync($"/api/v1/campaigns/{kit.Campaign}/links", new { targetUrl = target }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("link").Str("code");
        var shop = await Link("https://shop.example.test/winter");
        var blog = await Link("https://blog.example.test/winter");
        var browser = kit.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        async Task Click(string code, string agent)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/l/{code}");
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.SendAsync(request)).StatusCode);
        }

        // 3 December, just before midnight: two people and a robot on the shop link, one person on the blog link.
        await Click(shop, Firefox);
        await Click(shop, Firefox);
        await Click(shop, Slackbot);
        await Click(blog, Firefox);
        // A minute later it is 4 December: one more person on the shop link. Nothing was flushed in between.
        clock.Now = clock.Now.AddMinutes(1);
        await Click(shop, Firefox);
        // 9 December (the next week): three people.
        clock.Now = new DateTimeOffset(2026, 12, 9, 12, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 3; i++) await Click(blog, Firefox);

        var report = await ReportAsync(kit, "?from=2026-12-01&to=2026-12-10");
        Assert.Equal("day", report.Str("bucket"));
        var days = report.GetProperty("periods").EnumerateArray().ToDictionary(p => p.Str("start"), p => (p.GetProperty("clicks").GetInt64(), p.GetProperty("robotClicks").GetInt64()));
        Assert.Equal(10, days.Count);
        Assert.Equal((3L, 1L), days["2026-12-03"]);
        Assert.Equal((1L, 0L), days["2026-12-04"]);
        Assert.Equal((3L, 0L), days["2026-12-09"]);
        Assert.All(days.Where(d => d.Key is not ("2026-12-03" or "2026-12-04" or "2026-12-09")), d => Assert.Equal((0L, 0L), d.Value));
        // The days add up to the totals.
        var totals = report.GetProperty("totals");
        Assert.Equal((7L, 1L), (totals.GetProperty("clicks").GetInt64(), totals.GetProperty("robotClicks").GetInt64()));

        // The aggregate is a few rows: one per link per day with clicks.
        var rows = await kit.App.DbAsync(db => (from d in db.Set<TrackedLinkDay>() join l in db.Set<TrackedLink>() on d.LinkId equals l.Id
                                                orderby d.Day, l.Code select new { l.Code, d.Day, d.Clicks, d.BotClicks }).ToListAsync());
        Assert.Equal([(shop, new DateOnly(2026, 12, 3), 2L, 1L), (blog, new DateOnly(2026, 12, 3), 1L, 0L), (shop, new DateOnly(2026, 12, 4), 1L, 0L), (blog, new DateOnly(2026, 12, 9), 3L, 0L)],
            rows.Select(r => (r.Code, r.Day, r.Clicks, r.BotClicks)).OrderBy(r => r.Day).ThenBy(r => r.Code == blog ? 1 : 0).ToArray());

        // A period only counts its own days.
        var one = await ReportAsync(kit, "?from=2026-12-04&to=2026-12-08");
        Assert.Equal(1L, one.GetProperty("periods").EnumerateArray().Sum(p => p.GetProperty("clicks").GetInt64()));

        // Over 62 days the chart goes per week (from Monday): 30 Nov–6 Dec has 4, 7–13 Dec has 3.
        var weekly = await ReportAsync(kit, "?from=2026-12-01&to=2027-02-15");
        Assert.Equal("week", weekly.Str("bucket"));
        var weeks = weekly.GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal(("2026-11-30", 4L, 1L), (weeks[0].Str("start"), weeks[0].GetProperty("clicks").GetInt64(), weeks[0].GetProperty("robotClicks").GetInt64()));
        Assert.Equal(("2026-12-07", 3L), (weeks[1].Str("start"), weeks[1].GetProperty("clicks").GetInt64()));
        Assert.All(weeks.Skip(2), w => Assert.Equal(0L, w.GetProperty("clicks").GetInt64()));

        // The CSV per day carries the same.
        var response = await kit.Author.GetAsync($"/api/v1/reports/campaigns/{kit.Campaign}/csv?from=2026-12-03&to=2026-12-04&table=periods");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csv = (await response.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.StartsWith("start,end,posts_published,reach,engagement,conversations,clicks,robot_clicks,", csv[0]);
        Assert.StartsWith("2026-12-03,2026-12-03,0,0,0,0,3,1,", csv[1]);
        Assert.StartsWith("2026-12-04,2026-12-04,0,0,0,0,1,0,", csv[2]);
    }

    private static async Task<JsonElement> ReportAsync(CampaignKit kit, string query) =>
        await (await kit.Author.GetAsync($"/api/v1/reports/campaigns/{kit.Campaign}{query}")).JsonAsync(HttpStatusCode.OK);
}
