using System.Net;
using System.Net.Http.Json;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Listening.Alerts;
using Chorus.Features.Listening.Sources;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Listening;

/// A staff member in a team that alerts concern can turn alert e-mails off for themselves: the colleague who kept
/// them gets the e-mail through the real Postfix into Dovecot, the one who turned them off gets none, and still sees
/// the alert in the app.
public class AlertEmailOptOutTests
{
    [MailTheory, Providers]
    public async Task A_colleague_who_turned_alert_emails_off_gets_none_and_still_sees_the_alert_in_the_app(Provider provider)
    {
        var (hits, _) = AlertsTests.Series(DateTimeOffset.UtcNow);
        await using var hn = new FakeListeningServer();
        AlertsTests.ServeAlgolia(hn, hits);

        await using var app = MailApp.Create(provider);
        app.Settings["Chorus:PublicUrl"] = "https://chorus.example.test/";
        app.Settings["Chorus:Listening:Poll"] = "false";
        app.Settings["Chorus:Listening:WatchSpikes"] = "false";
        var admin = await app.StaffAsync("admin");
        await MailApp.AddMailboxAsync(admin, Mail.NewAddress("notify"));
        var sam = await app.StaffWithEmailAsync(Mail.NewAddress("sam"), "agent", "Outreach & Advocacy");
        var maya = await app.StaffWithEmailAsync(Mail.NewAddress("maya"), "agent", "Marketing");

        // On by default; Maya turns it off (her other preferences stay as they were).
        var before = await (await maya.GetAsync("/api/v1/me/notification-preferences")).JsonAsync(HttpStatusCode.OK);
        Assert.True(before.GetProperty("alertEmails").GetBoolean());
        var after = await (await maya.Http.PutAsJsonAsync("/api/v1/me/notification-preferences", new { alertEmails = false })).JsonAsync(HttpStatusCode.OK);
        Assert.False(after.GetProperty("alertEmails").GetBoolean());
        Assert.True(after.GetProperty("mentionEmails").GetBoolean());

        await (await admin.PostAsync("/api/v1/listening/monitors", new { name = "Acme box", query = "acme" })).JsonAsync(HttpStatusCode.Created);
        var source = (await (await admin.PostAsync("/api/v1/listening/sources", new { name = "HN", kind = "hackernews", baseUrl = hn.BaseUrl, query = "acme" }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("source").GetProperty("id").GetGuid();
        using (var scope = app.Services.CreateScope())
            Assert.Equal(hits.Count, (await scope.ServiceProvider.GetRequiredService<PollSource>().RunAsync(source)).Added);
        var alert = Assert.Single(await app.Services.GetRequiredService<WatchForSpikes>().RunOnceAsync());
        Assert.True(alert.Opportunity); // Outreach & Advocacy and Marketing: both would get it

        var mail = await Eventually.GetAsync(async () =>
            await Mail.ReadAsync(sam.Email, SearchQuery.All) is [var one] ? one.Message : null, "the alert e-mail in Sam's mailbox", StaffEmailNotificationTests.Arrival);
        Assert.Equal("[Chorus] Opportunity on Acme box", mail.Subject);
        Assert.Contains("https://chorus.example.test/me/notifications", mail.TextBody); // where to turn them off
        await Eventually.TrueAsync(async () => await app.DbAsync(db => db.Outbox.AllAsync(o => o.Status == DeliveryStatus.Sent)), "every alert e-mail sent");
        Assert.Equal(1, await app.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.StaffNotification)));
        Assert.Empty(await Mail.ReadAsync(maya.Email, SearchQuery.All));

        // In the app she sees it like everyone else.
        var seen = await (await maya.GetAsync("/api/v1/listening/alerts")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(seen.EnumerateArray(), a => a.GetProperty("id").GetGuid() == alert.Id);
    }
}
