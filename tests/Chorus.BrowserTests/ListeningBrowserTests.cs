using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Listening.Alerts;
using Chorus.Features.Listening.Mentions;
using Chorus.Features.Listening.Sources;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Listening in the browser: a monitor written with the query parser's help, sources with their status, and an
/// alert that appears on the open Listening page the moment the spike detector raises it.
public class ListeningBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_monitor_is_created_with_the_parsers_errors_and_its_spike_alert_appears_live()
    {
        var admin = await fx.StaffAsync("admin");
        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, admin.Email, ChorusFactory.Password);

        await page.GotoInteractiveAsync("/listening");
        await Expect(page.Locator("#monitors-empty")).ToContainTextAsync("No monitors yet");
        await page.Locator("#monitor-new").ClickAsync();
        await page.FillAsync("#monitor-name", "Acme");
        await page.FillAsync("#monitor-query", "(acme OR \"acme corp\"");
        await Expect(page.Locator("#monitor-dialog")).ToContainTextAsync("The '(' at character 1 is not closed.");
        await page.FillAsync("#monitor-query", "(acme OR \"acme corp\") NOT hiring");
        await Expect(page.Locator("#monitor-dialog")).Not.ToContainTextAsync("is not closed");
        await page.Locator("#monitor-save").ClickAsync();
        var row = page.Locator("[data-test=monitor-row][data-monitor='Acme']");
        await Expect(row).ToContainTextAsync("(acme OR \"acme corp\") NOT hiring");

        // A source that cannot be reached shows why on Admin → Sources; a webhook source carries the mentions.
        var down = await (await admin.Http.PostAsJsonAsync("/api/v1/listening/sources", new { name = "HN: acme", kind = "hackernews", baseUrl = "http://127.0.0.1:9", query = "acme" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var hook = await (await admin.Http.PostAsJsonAsync("/api/v1/listening/sources", new { name = "Scraper", kind = "webhook" })).Content.ReadFromJsonAsync<JsonElement>();
        var hookId = hook.GetProperty("source").GetProperty("id").GetGuid();
        using (var scope = fx.App.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<PollSource>().RunAsync(down.GetProperty("source").GetProperty("id").GetGuid());
        await page.GotoInteractiveAsync("/admin/sources");
        var failing = page.Locator("[data-test=source-row][data-source='HN: acme']");
        await Expect(failing.Locator("[data-test=source-state]")).ToHaveTextAsync("failing");
        await Expect(failing.Locator("[data-test=source-error]")).ToContainTextAsync("Could not reach 127.0.0.1");
        await BrowserFixture.ScreenshotAsync(page, "listening-sources");

        // A day and a half of mentions with a burst of praise 40 minutes ago.
        var now = DateTimeOffset.UtcNow;
        var random = new Random(7);
        var start = ReadMentions.Floor(now - TimeSpan.FromHours(36), TimeSpan.FromMinutes(5));
        var burstBucket = ReadMentions.Floor(now - TimeSpan.FromMinutes(40), TimeSpan.FromMinutes(5));
        string[] ordinary = ["Trying acme for our support team", "acme sync was slow today, annoying", "Does acme work with postgres?", "acme release notes are out", "acme support never answered me, terrible"];
        var candidates = new List<MentionCandidate>();
        for (var at = start; at < now - TimeSpan.FromMinutes(15); at += TimeSpan.FromMinutes(5))
        {
            var count = at == burstBucket ? 0 : random.Next(0, 4);
            for (var i = 0; i < count; i++)
                candidates.Add(new MentionCandidate($"webhook:{hookId}", Guid.NewGuid().ToString("N"), null, $"user{random.Next(999)}", null, null,
                    ordinary[random.Next(ordinary.Length)], random.Next(1, 50), random.Next(10, 5000), "en", at + TimeSpan.FromSeconds(random.Next(299))));
            if (at == burstBucket)
                for (var i = 0; i < 40; i++)
                    candidates.Add(new MentionCandidate($"webhook:{hookId}", $"burst-{i}", $"https://social.example/@fan{i}/1", $"@fan{i}", $"Fan {i}", null,
                        "I love the acme collector's edition box, my dog is so happy!", 100 + i, 2000 + i * 10, "en", at + TimeSpan.FromSeconds(i * 7)));
        }
        using (var scope = fx.App.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<RecordMentions>().RunAsync(hookId, candidates);

        await page.GotoInteractiveAsync("/listening");
        await Expect(page.Locator("[data-test=alert]")).ToHaveCountAsync(0);
        await fx.App.Services.GetRequiredService<WatchForSpikes>().RunOnceAsync();
        var alert = page.Locator("[data-test=alert]");
        await Expect(alert).ToHaveCountAsync(1); // live: the page was not reloaded
        await Expect(alert).ToContainTextAsync("Opportunity");
        await Expect(alert.Locator("[data-test=alert-summary]")).ToContainTextAsync("40 mentions in 5 minutes");
        await BrowserFixture.ScreenshotAsync(page, "listening");

        await row.Locator("[data-test=monitor-name]").ClickAsync();
        await Expect(page.Locator("#monitor-title")).ToHaveTextAsync("Acme");
        await Expect(page.Locator("[data-test=monitor-alert]")).ToContainTextAsync("Opportunity");
        await Expect(page.Locator("#monitor-volume-chart svg")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-test=mention]").First).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "listening-monitor");

        // Filters: only negative mentions, each marked so.
        await InboxTestData.PickAsync(page, "#mention-sentiment", "Negative");
        await Expect(page.Locator("[data-test=mention-sentiment]").First).ToHaveTextAsync("negative");
        await Expect(page.Locator("[data-test=mention-sentiment]").Filter(new() { HasText = "positive" })).ToHaveCountAsync(0);
        await page.Locator("#monitor-range").GetByText("3 days · hourly").ClickAsync();
        await BrowserFixture.ScreenshotAsync(page, "listening-monitor-negative");

        // Once a colleague acknowledged it, the alert e-mail's link (…?alert=id) still shows it, outlined and marked.
        var alertId = await fx.App.DbAsync(db => db.Alerts.Select(a => new { a.Id, a.MonitorId }).SingleAsync());
        await fx.App.DbAsync(db => db.Alerts.ExecuteUpdateAsync(s => s.SetProperty(a => a.AcknowledgedAt, DateTimeOffset.UtcNow)));
        await page.GotoInteractiveAsync($"/listening/monitors/{alertId.MonitorId}");
        await Expect(page.Locator("[data-test=monitor-alert]")).ToHaveCountAsync(0);
        await page.GotoInteractiveAsync($"/listening/monitors/{alertId.MonitorId}?alert={alertId.Id}");
        await Expect(page.Locator($"#alert-{alertId.Id}")).ToContainTextAsync("Opportunity");
        await Expect(page.Locator($"#alert-{alertId.Id} [data-test=alert-acknowledged]")).ToContainTextAsync("Acknowledged");
        await BrowserFixture.ScreenshotAsync(page, "listening-monitor-linked-alert");
    }
}
