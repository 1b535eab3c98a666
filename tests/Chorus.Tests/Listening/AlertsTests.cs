using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Listening.Alerts;
using Chorus.Features.Listening.Sources;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Listening;

/// A day and a half of Hacker News mentions replayed through a fake Algolia server, with one burst of praise:
/// the spike detector raises exactly one alert, an opportunity, with the burst's mentions, and the Slack-compatible
/// receiver on loopback gets it once through the outbox.
public class AlertsTests
{
    internal sealed record Hit(string Id, long CreatedAt, string Text);

    /// Mentions every 5 minutes for 36 hours (0 to 5 a bucket, a fixed pseudo-random draw), and 40 in one bucket 3 hours ago.
    internal static (List<Hit> All, HashSet<string> Burst) Series(DateTimeOffset now)
    {
        var random = new Random(20261130);
        string[] ordinary = ["Trying acme for our support team", "Does acme work with postgres?", "acme sync was slow today, annoying",
            "Comparing acme and globex for a small shop", "acme docs are ok", "Upgraded acme on the weekend", "acme release notes are out"];
        var hits = new List<Hit>();
        // On the 5-minute grid, so the burst falls in one bucket.
        var start = Chorus.Features.Listening.Mentions.ReadMentions.Floor(now - TimeSpan.FromHours(36), TimeSpan.FromMinutes(5));
        var burstAt = now - TimeSpan.FromHours(3);
        var burst = new HashSet<string>();
        var n = 0;
        for (var at = start; at < now - TimeSpan.FromMinutes(20); at += TimeSpan.FromMinutes(5))
        {
            var count = random.Next(0, 10) switch { < 2 => 0, < 5 => 1, < 8 => 2, 8 => 3, _ => 5 };
            var isBurst = at <= burstAt && burstAt < at + TimeSpan.FromMinutes(5);
            for (var i = 0; i < count && !isBurst; i++) hits.Add(new Hit($"{++n}", (at + TimeSpan.FromSeconds(random.Next(0, 299))).ToUnixTimeSeconds(), ordinary[random.Next(ordinary.Length)]));
            if (isBurst)
                for (var i = 0; i < 40; i++)
                {
                    hits.Add(new Hit($"{++n}", (at + TimeSpan.FromSeconds(i * 7)).ToUnixTimeSeconds(), $"I love the acme collector's edition box, my dog is so happy! Great job acme #{i}"));
                    burst.Add($"{n}");
                }
        }
        return (hits.OrderByDescending(h => h.CreatedAt).ToList(), burst);
    }

    /// Answers Algolia's search_by_date with the hits, newest first, a page at a time.
    internal static void ServeAlgolia(FakeListeningServer hn, List<Hit> hits) =>
        hn.Answer("/api/v1/search_by_date", context =>
        {
            // Algolia's paging: newest first, hitsPerPage a page.
            var page = int.Parse(context.Request.Query["page"]!);
            var per = int.Parse(context.Request.Query["hitsPerPage"]!);
            var slice = hits.Skip(page * per).Take(per).Select(h => new
            {
                _tags = new[] { "comment" }, author = "user" + h.Id, comment_text = h.Text, created_at_i = h.CreatedAt, objectID = h.Id, story_title = "Ask HN: support tools?",
            });
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(JsonSerializer.Serialize(new { hits = slice, nbHits = hits.Count, page, nbPages = (hits.Count + per - 1) / per, hitsPerPage = per }));
        });

    [Theory, Providers]
    public async Task A_replayed_burst_of_praise_raises_one_opportunity_alert_with_its_mentions_posted_once_to_the_Slack_webhook(Provider provider)
    {
        var (hits, burst) = Series(DateTimeOffset.UtcNow);
        await using var hn = new FakeListeningServer();
        ServeAlgolia(hn, hits);
        await using var slack = new FakeListeningServer();
        slack.Answer("/services/T0001/B0001/secret", c => c.Response.WriteAsync("ok"));

        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Listening:Poll"] = "false";
        app.Settings["Chorus:Listening:WatchSpikes"] = "false";
        var admin = await app.StaffAsync("admin");
        var monitor = (await (await admin.PostAsync("/api/v1/listening/monitors", new { name = "Acme", query = "acme" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await (await admin.Http.PutAsJsonAsync("/api/v1/listening/alert-webhook", new { webhookUrl = slack.BaseUrl + "/services/T0001/B0001/secret" })).JsonAsync(HttpStatusCode.OK);
        var source = (await (await admin.PostAsync("/api/v1/listening/sources", new { name = "HN", kind = "hackernews", baseUrl = hn.BaseUrl, query = "acme" }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("source").GetProperty("id").GetGuid();

        using (var scope = app.Services.CreateScope())
            Assert.Equal(hits.Count, (await scope.ServiceProvider.GetRequiredService<PollSource>().RunAsync(source)).Added);
        var watch = app.Services.GetRequiredService<WatchForSpikes>();
        var raised = await watch.RunOnceAsync();
        var alert = Assert.Single(raised);
        Assert.Equal((AlertKind.Volume, 40.0, true), (alert.Kind, alert.Value, alert.Opportunity));
        Assert.Empty(await watch.RunOnceAsync()); // judged once

        var detail = await (await admin.GetAsync($"/api/v1/listening/alerts/{alert.Id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(burst.Order(), detail.GetProperty("mentions").EnumerateArray().Select(m => m.GetProperty("externalId").GetString()!).Order());
        Assert.Contains("Outreach & Advocacy", detail.GetProperty("alert").GetProperty("nextStep").GetString());
        var listed = await (await admin.GetAsync($"/api/v1/listening/alerts?monitor={monitor}&unacknowledged=true")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(alert.Id, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetGuid());

        // The outbox delivers the Slack call; once sent, the receiver has exactly one request with the alert's text.
        await WaitForAsync(app, async db => await db.Outbox.AnyAsync(o => o.IdempotencyKey == $"listening-alert:{alert.Id}" && o.Status == DeliveryStatus.Sent));
        var call = Assert.Single(slack.Take());
        Assert.Equal("POST", call.Method);
        var text = JsonDocument.Parse(call.Body).RootElement.GetProperty("text").GetString();
        Assert.StartsWith("*Opportunity on Acme*", text);
        Assert.Contains("40 mentions in 5 minutes", text);

        await (await admin.PostAsync($"/api/v1/listening/alerts/{alert.Id}/acknowledge", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Empty((await (await admin.GetAsync("/api/v1/listening/alerts?unacknowledged=true")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());

        // The source goes with its mentions, the alert's delivery record included, and the alert keeps its summary.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/v1/listening/sources/{source}")).StatusCode);
        var after = await (await admin.GetAsync($"/api/v1/listening/alerts/{alert.Id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Empty(after.GetProperty("mentions").EnumerateArray());
    }

    private static async Task WaitForAsync(ChorusFactory app, Func<ChorusDb, Task<bool>> done)
    {
        for (var i = 0; i < 600; i++)
        {
            using (var scope = app.Services.CreateScope())
                if (await done(scope.ServiceProvider.GetRequiredService<ChorusDb>())) return;
            await Task.Delay(100);
        }
        Assert.Fail("The outbox did not send the alert's webhook call.");
    }
}
