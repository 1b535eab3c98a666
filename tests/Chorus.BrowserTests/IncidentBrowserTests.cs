using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Listening.Alerts;
using Chorus.Features.Listening.Mentions;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using Chorus.Tests.Listening;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// The incident room in the browser: a spike of angry reddit mentions raises an alert that appears live on Listening,
/// an incident is opened from it, a colleague's statement is approved and posted in one action, and the replies reach
/// (a local server that answers like) reddit's API.
public class IncidentBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_alert_becomes_an_incident_whose_approved_statement_is_posted_to_reddit()
    {
        await using var reddit = new FakeListeningServer();
        reddit.Json("/api/v1/access_token", """{"access_token": "tok-browser", "token_type": "bearer"}""");
        reddit.Json("/api/comment", """{"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": {"name": "t1_statement"}}]}}}""");
        var admin = await fx.StaffAsync("admin");
        var writer = await fx.StaffAsync("agent", "Support");
        var monitorId = (await (await admin.Http.PostAsJsonAsync("/api/v1/listening/monitors", new { name = "Acme support", query = "acme" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var created = await (await admin.Http.PostAsJsonAsync("/api/v1/listening/sources", new { name = "reddit: acme", kind = "reddit", baseUrl = reddit.BaseUrl, query = "acme", intervalSeconds = 86400 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var sourceId = created.GetProperty("source").GetProperty("id").GetGuid();
        (await admin.Http.PutAsJsonAsync($"/api/v1/listening/sources/{sourceId}/reply-account", new { clientId = "app", clientSecret = "secret", username = "acme_support", password = "pw" })).EnsureSuccessStatusCode();

        // A day and a half of ordinary mentions, then 30 angry ones within five minutes, 40 minutes ago.
        var now = DateTimeOffset.UtcNow;
        var random = new Random(11);
        var start = ReadMentions.Floor(now - TimeSpan.FromHours(36), TimeSpan.FromMinutes(5));
        var burst = ReadMentions.Floor(now - TimeSpan.FromMinutes(40), TimeSpan.FromMinutes(5));
        string[] ordinary = ["Trying acme for our help desk", "acme release notes are out", "Does acme work with postgres?", "acme sync was a bit slow today"];
        var candidates = new List<MentionCandidate>();
        var n = 0;
        for (var at = start; at < now - TimeSpan.FromMinutes(15); at += TimeSpan.FromMinutes(5))
        {
            if (at == burst)
            {
                for (var i = 0; i < 30; i++)
                    candidates.Add(new MentionCandidate("reddit", $"t1_burst{i:00}", $"https://www.reddit.com/r/selfhosted/comments/1h2wxyz/x/burst{i:00}/", $"u/angry{i:00}", $"angry{i:00}", null,
                        "acme support told me to delete my database. Terrible, I lost everything!", 10 + i, null, "en", at + TimeSpan.FromSeconds(i * 9)));
                continue;
            }
            for (var i = random.Next(0, 3); i > 0; i--)
                candidates.Add(new MentionCandidate("reddit", $"t3_hist{n++}", null, $"u/user{random.Next(999)}", null, null, ordinary[random.Next(ordinary.Length)], 3, null, "en", at + TimeSpan.FromSeconds(random.Next(299))));
        }
        using (var scope = fx.App.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<RecordMentions>().RunAsync(sourceId, candidates);

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, admin.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync("/listening");
        // The watcher judges the buckets (here at once rather than on its 30-second tick): the alert appears without a reload.
        await fx.App.Services.GetRequiredService<WatchForSpikes>().RunOnceAsync();
        var alert = page.Locator("[data-test=alert]").Filter(new() { HasText = "negative" }).First;
        await Expect(alert).ToBeVisibleAsync();
        await alert.Locator("[data-test=alert-open-incident]").ClickAsync();

        await Expect(page.Locator("#incident-title")).ToContainTextAsync("Acme support: spike in");
        await Expect(page.Locator("[data-test=incident-status]")).ToHaveTextAsync("investigating");
        await Expect(page.Locator("#incident-volume-chart svg")).ToBeVisibleAsync();
        var threads = page.Locator("[data-test=incident-thread][data-kind=mention]");
        await Expect(threads).ToHaveCountAsync(30);
        var incidentId = Guid.Parse(page.Url.Split('/').Last());

        // A colleague drafts the statement; it shows up here live, waiting for approval.
        const string statement = "We got this wrong: deleting your database is never the fix. Reply here and we'll restore your data first.";
        (await writer.Http.PutAsJsonAsync($"/api/v1/incidents/{incidentId}/statement", new { text = statement })).EnsureSuccessStatusCode();
        await Expect(page.Locator("[data-test=statement-status]")).ToHaveTextAsync("drafted");
        await Expect(page.Locator("#statement-input")).ToHaveValueAsync(statement);
        await Expect(page.Locator("#statement-post")).ToHaveCountAsync(0); // nothing can be posted before approval
        await page.Locator("#statement-approve").ClickAsync();
        await Expect(page.Locator("[data-test=statement-status]")).ToHaveTextAsync("approved");
        await Expect(page.Locator("#statement-approved-by")).ToContainTextAsync("approved by");

        await page.Locator("#statement-post").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Post", Exact = true }).ClickAsync();
        await Expect(page.Locator("[data-test=statement-status]")).ToHaveTextAsync("posted", new() { Timeout = 120_000 });
        await Expect(page.Locator("[data-test=incident-status]")).ToHaveTextAsync("responding");
        await Expect(page.Locator("#incident-responded")).ToBeVisibleAsync();

        // The outbox delivers every reply to reddit: one comment per angry thread, the statement's words, the app's token.
        var comments = await Eventually.GetAsync(async () =>
        {
            await Task.Yield();
            var seen = reddit.Requests.Where(r => r.Path == "/api/comment").ToList();
            return seen.Count >= 30 ? seen : null;
        }, "30 comments posted to reddit", 120);
        Assert.Equal(30, comments.Select(c => c.Form()["thing_id"]).Distinct().Count());
        Assert.All(comments, c =>
        {
            Assert.Equal("Bearer tok-browser", c.Authorization);
            Assert.Equal(statement, c.Form()["text"]);
            Assert.StartsWith("t1_burst", c.Form()["thing_id"]);
        });
        await Expect(page.Locator("[data-test=thread-answered]").First).ToContainTextAsync("answered");
        await Expect(page.Locator("[data-test=timeline-entry][data-kind=reply]")).ToHaveCountAsync(30);
        await BrowserFixture.ScreenshotAsync(page, "incident");
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestEnv.Get("SCREENSHOT_DIR") ?? Path.Combine(Path.GetTempPath(), "chorus-screenshots"), "incident-full.png"), FullPage = true });

        // On the monitor, the answered mentions link to their conversations; another one is turned into a conversation by hand.
        await page.GotoInteractiveAsync($"/listening/monitors/{monitorId}");
        await Expect(page.Locator("[data-test=mention-conversation]").First).ToBeVisibleAsync();
        var unanswered = page.Locator("[data-test=mention]").Filter(new() { Has = page.Locator("[data-test=mention-engage]") }).First;
        await unanswered.Locator("[data-test=mention-engage]").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/conversations/\\d+$"));
        await Expect(page.GetByText("turned a mention on reddit: acme into this conversation")).ToBeVisibleAsync();

        await page.GotoInteractiveAsync("/incidents");
        await Expect(page.Locator("[data-test=incident-row]")).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(page, "incidents");
    }
}
