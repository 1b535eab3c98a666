using System.Net;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Listening.Alerts;
using Chorus.Features.Listening.Sources;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Listening;

/// A monitor's alert reaches the people who act on it by e-mail, through the outbox, the real Postfix and into their
/// Dovecot mailboxes: the teams the alert concerns get it once each (a member of two of them too), nobody else does,
/// and neither a second detector pass nor a restarted detector sends it again.
public class AlertEmailTests
{
    private const string PublicUrl = "https://chorus.example.test";

    [MailTheory, Providers]
    public async Task An_opportunity_alert_is_emailed_once_to_Outreach_and_Marketing_with_a_link_to_its_monitor(Provider provider)
    {
        var (hits, _) = AlertsTests.Series(DateTimeOffset.UtcNow);
        await using var hn = new FakeListeningServer();
        AlertsTests.ServeAlgolia(hn, hits);

        await using var app = MailApp.Create(provider);
        app.Settings["Chorus:PublicUrl"] = PublicUrl + "/";
        app.Settings["Chorus:Listening:Poll"] = "false";
        app.Settings["Chorus:Listening:WatchSpikes"] = "false";
        var admin = await app.StaffAsync("admin");
        var sender = Mail.NewAddress("notify");
        await MailApp.AddMailboxAsync(admin, sender);
        var sam = await app.StaffWithEmailAsync(Mail.NewAddress("sam"), "agent", "Outreach & Advocacy", "Marketing");
        var maya = await app.StaffWithEmailAsync(Mail.NewAddress("maya"), "agent", "Marketing");
        var nina = await app.StaffWithEmailAsync(Mail.NewAddress("nina"), "agent", "PR");
        var alex = await app.StaffWithEmailAsync(Mail.NewAddress("alex"), "agent", "Support");
        var monitor = (await (await admin.PostAsync("/api/v1/listening/monitors", new { name = "Acme box", query = "acme" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var source = (await (await admin.PostAsync("/api/v1/listening/sources", new { name = "HN", kind = "hackernews", baseUrl = hn.BaseUrl, query = "acme" }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("source").GetProperty("id").GetGuid();
        using (var scope = app.Services.CreateScope())
            Assert.Equal(hits.Count, (await scope.ServiceProvider.GetRequiredService<PollSource>().RunAsync(source)).Added);

        var alert = Assert.Single(await app.Services.GetRequiredService<WatchForSpikes>().RunOnceAsync());
        Assert.True(alert.Opportunity);

        foreach (var who in new[] { sam, maya })
        {
            var mail = await Eventually.GetAsync(async () =>
                await Mail.ReadAsync(who.Email, SearchQuery.All) is [var one] ? one.Message : null, $"the alert e-mail in {who.Email}'s mailbox", StaffEmailNotificationTests.Arrival);
            Assert.Equal("[Chorus] Opportunity on Acme box", mail.Subject);
            Assert.Equal(sender, mail.From.Mailboxes.Single().Address);
            Assert.Equal(who.Email, mail.To.Mailboxes.Single().Address);
            Assert.Equal("auto-generated", mail.Headers["Auto-Submitted"]);
            Assert.Contains("40 mentions in 5 minutes", mail.TextBody);
            Assert.Contains("I love the acme collector's edition box", mail.TextBody);
            Assert.Contains($"{PublicUrl}/listening/monitors/{monitor}?alert={alert.Id}", mail.TextBody);
            Assert.Contains($"href=\"{PublicUrl}/listening/monitors/{monitor}?alert={alert.Id}\"", mail.HtmlBody);
            Assert.Contains("thank the authors", mail.TextBody);
        }

        // A second pass judges nothing new, and a restarted detector (its memory lost) rebuilds from what was judged:
        // no alert, no mail again.
        Assert.Empty(await app.Services.GetRequiredService<WatchForSpikes>().RunOnceAsync());
        Assert.Empty(await ActivatorUtilities.CreateInstance<WatchForSpikes>(app.Services).RunOnceAsync());
        await Eventually.TrueAsync(async () => await app.DbAsync(db => db.Outbox.AllAsync(o => o.Status == DeliveryStatus.Sent)), "every alert e-mail sent");
        var staffMail = await app.DbAsync(db => db.Outbox.Where(o => o.Purpose == OutboxPurpose.StaffNotification).Select(o => o.Payload).ToListAsync());
        Assert.Equal(2, staffMail.Count);
        Assert.Single(await Mail.ReadAsync(sam.Email, SearchQuery.All)); // in two of the teams, one e-mail
        Assert.Single(await Mail.ReadAsync(maya.Email, SearchQuery.All));
        // PR hears about problems, Support about neither: their mailboxes stay empty.
        Assert.Empty(await Mail.ReadAsync(nina.Email, SearchQuery.All));
        Assert.Empty(await Mail.ReadAsync(alex.Email, SearchQuery.All));
    }
}
