using System.Net;
using System.Net.Http.Json;
using Chorus.Features.Channels.Outbox;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests;

/// The notification mailbox setting and each colleague's e-mail preferences, through the API. Without
/// a mailbox nothing is sent and both say why; nothing else breaks.
public class NotificationSettingsTests
{
    private static object Mailbox(string address) => new
    {
        name = "Mail " + address, address, imapHost = "imap.invalid", imapUser = address, imapPassword = "x", smtpHost = "smtp.invalid", pollIntervalSeconds = 3600,
    };

    [Theory, Providers]
    public async Task Without_a_mailbox_a_mention_notifies_in_app_only_and_the_settings_say_why(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var maya = await app.StaffAsync("agent", "Support");

        var settings = await (await admin.GetAsync("/api/v1/settings/email-notifications")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Automatic", settings.Str("mode"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, settings.GetProperty("sendingMailbox").ValueKind);
        Assert.Contains("No mailbox channel is enabled", settings.Str("problem"));
        var mine = await (await maya.GetAsync("/api/v1/me/notification-preferences")).JsonAsync(HttpStatusCode.OK);
        Assert.True(mine.GetProperty("mentionEmails").GetBoolean());
        Assert.False(mine.GetProperty("assignmentEmails").GetBoolean());
        Assert.Equal(maya.Email, mine.Str("emailAddress"));
        Assert.Contains("No mailbox channel is enabled", mine.Str("problem"));

        var c = await agent.DeliverAsync("n-1");
        await (await agent.PostAsync($"/api/v1/conversations/{c.Number}/notes", new { text = $"@{maya.Handle()} look" })).JsonAsync(HttpStatusCode.Created);
        Assert.Single((await (await maya.GetAsync("/api/v1/notifications")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        Assert.False(await app.DbAsync(db => db.Outbox.AnyAsync()));
    }

    [Theory, Providers]
    public async Task Admins_choose_the_notification_mailbox_or_switch_it_off(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Outbox:Dispatch"] = "false";
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var maya = await app.StaffAsync("agent", "Support");
        var first = (await (await admin.PostAsync("/api/v1/channels/mailboxes", Mailbox("first@chorus-mail.test"))).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var second = (await (await admin.PostAsync("/api/v1/channels/mailboxes", Mailbox("second@chorus-mail.test"))).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();

        // Automatic: the first enabled mailbox.
        var auto = await (await admin.GetAsync("/api/v1/settings/email-notifications")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(first, auto.GetProperty("sendingMailbox").GetProperty("id").GetGuid());

        var chosen = await (await admin.Http.PutAsJsonAsync("/api/v1/settings/email-notifications", new { mode = "Mailbox", mailboxId = second })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(second, chosen.GetProperty("sendingMailbox").GetProperty("id").GetGuid());
        var c = await agent.DeliverAsync("n-2");
        await (await agent.PostAsync($"/api/v1/conversations/{c.Number}/notes", new { text = $"@{maya.Handle()} look" })).JsonAsync(HttpStatusCode.Created);
        var item = await app.DbAsync(db => db.Outbox.AsNoTracking().SingleAsync());
        Assert.Equal(second, item.ChannelId);
        Assert.Equal(OutboxPurpose.StaffNotification, item.Purpose);
        Assert.Equal(c.ConversationId, item.ConversationId);

        // A disabled chosen mailbox sends nothing, and says so.
        await (await admin.PatchAsync($"/api/v1/channels/mailboxes/{second}", new { enabled = false })).JsonAsync(HttpStatusCode.OK);
        var disabled = await (await maya.GetAsync("/api/v1/me/notification-preferences")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains("switched off", disabled.Str("problem"));

        var off = await (await admin.Http.PutAsJsonAsync("/api/v1/settings/email-notifications", new { mode = "Off" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Off", off.Str("mode"));
        await (await agent.PostAsync($"/api/v1/conversations/{c.Number}/notes", new { text = $"@{maya.Handle()} again" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(1, await app.DbAsync(db => db.Outbox.CountAsync()));

        var bad = await admin.Http.PutAsJsonAsync("/api/v1/settings/email-notifications", new { mode = "Mailbox", mailboxId = Guid.NewGuid() });
        Assert.Contains("no such mailbox", (await bad.ProblemAsync(HttpStatusCode.BadRequest)).GetRawText());
        var audit = await (await admin.GetAsync("/api/v1/audit?action=settings.email-notifications")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, audit.GetArrayLength());
    }
}
