using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Data;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Email;

public class MailboxAdminTests
{
    private static object NewMailbox(string address, string imapHost = "imap.example.test") => new
    {
        name = "Support", address, imapHost, imapPort = 993, imapSecurity = "SslOnConnect", imapUser = address, imapPassword = "imap-secret-1",
        smtpHost = "smtp.example.test", smtpPort = 587, smtpSecurity = "StartTls", smtpUser = address, smtpPassword = "smtp-secret-2",
    };

    [Theory, Providers]
    public async Task Admins_add_and_change_mailboxes_and_passwords_never_come_back(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync("/api/v1/channels/mailboxes", NewMailbox("help@acme.test"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync("/api/v1/channels/mailboxes")).StatusCode);

        var created = await admin.PostAsync("/api/v1/channels/mailboxes", NewMailbox("Help@Acme.test"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret", body);
        var view = JsonDocument.Parse(body).RootElement;
        var id = view.GetProperty("id").GetGuid();
        Assert.Equal("help@acme.test", view.GetProperty("address").GetString());
        Assert.True(view.GetProperty("hasImapPassword").GetBoolean());
        Assert.True(view.GetProperty("hasSmtpPassword").GetBoolean());

        // The channel exists as an e-mail channel, and the stored passwords are not the plain text.
        var channels = await admin.Http.GetFromJsonAsync<JsonElement>("/api/v1/channels");
        Assert.Contains(channels.EnumerateArray(), c => c.GetProperty("id").GetGuid() == id && c.GetProperty("kind").GetString() == "Email");
        using (var scope = app.Services.CreateScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<ChorusDb>().Mailboxes.AsNoTracking().SingleAsync(m => m.ChannelId == id);
            Assert.DoesNotContain("imap-secret-1", stored.ImapPasswordProtected);
            Assert.DoesNotContain("smtp-secret-2", stored.SmtpPasswordProtected);
        }

        // An update without passwords keeps them; a changed folder starts reading it from the beginning.
        var patched = await admin.PatchAsync($"/api/v1/channels/mailboxes/{id}", new { imapFolder = "Support", pollIntervalSeconds = 30 });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = await patched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Support", after.GetProperty("imapFolder").GetString());
        Assert.True(after.GetProperty("hasImapPassword").GetBoolean());
        Assert.Equal(30, after.GetProperty("pollIntervalSeconds").GetInt32());

        var list = await admin.Http.GetStringAsync("/api/v1/channels/mailboxes");
        Assert.DoesNotContain("secret", list);
        Assert.DoesNotContain("Protected", list);
    }

    [Theory, Providers]
    public async Task Invalid_mailbox_settings_are_refused_field_by_field(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");

        var empty = await admin.PostAsync("/api/v1/channels/mailboxes", new { name = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var errors = (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "address", "imapHost", "imapUser", "imapPassword", "smtpHost" })
            Assert.True(errors.TryGetProperty(field, out _), field);

        var bad = await admin.PostAsync("/api/v1/channels/mailboxes", new
        {
            name = "x", address = "support+sales@acme.test", imapHost = "h", imapUser = "u", imapPassword = "p", imapPort = 70000,
            smtpHost = "h", smtpUser = "u", processedAction = "Move",
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "address", "imapPort", "smtpPassword", "processedFolder" })
            Assert.True(errors.TryGetProperty(field, out _), field);

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/channels/mailboxes", NewMailbox("one@acme.test"))).StatusCode);
        var twice = await admin.PostAsync("/api/v1/channels/mailboxes", NewMailbox("one@acme.test"));
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Contains("Another mailbox", await twice.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PatchAsync($"/api/v1/channels/mailboxes/{Guid.NewGuid()}", new { name = "y" })).StatusCode);
    }

    [NeedsEnvFact("TEST_SMTP", "TEST_IMAP")]
    public async Task Test_connection_says_which_stage_failed()
    {
        await using var app = MailApp.Create(Provider.Sqlite);
        app.Settings["Chorus:Email:Poll"] = "false";
        var admin = await app.StaffAsync("admin");
        var address = Mail.NewAddress("support");
        await Mail.SendAsync(Mail.Compose(Mail.NewAddress("ann"), address, "hello", "creates the mailbox")); // Dovecot creates it on delivery
        var id = await MailApp.AddMailboxAsync(admin, address);

        async Task<JsonElement> Test() => await (await admin.PostAsync($"/api/v1/channels/mailboxes/{id}/test", new { })).Content.ReadFromJsonAsync<JsonElement>();
        static JsonElement Step(JsonElement check, string protocol) => check.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("protocol").GetString() == protocol);

        var ok = await Test();
        Assert.True(ok.GetProperty("ok").GetBoolean(), ok.ToString());

        await admin.PatchAsync($"/api/v1/channels/mailboxes/{id}", new { imapPassword = "wrong" });
        var auth = Step(await Test(), "IMAP");
        Assert.Equal("auth", auth.GetProperty("stage").GetString());

        await admin.PatchAsync($"/api/v1/channels/mailboxes/{id}", new { imapPassword = Mail.Password, imapFolder = "NoSuchFolder" });
        Assert.Equal("folder", Step(await Test(), "IMAP").GetProperty("stage").GetString());

        await admin.PatchAsync($"/api/v1/channels/mailboxes/{id}", new { imapFolder = "INBOX", imapHost = "no-such-host.invalid", smtpSecurity = "SslOnConnect", smtpPort = Mail.Smtp.Port });
        var check = await Test();
        Assert.False(check.GetProperty("ok").GetBoolean());
        Assert.Equal("dns", Step(check, "IMAP").GetProperty("stage").GetString());
        Assert.Contains("no-such-host.invalid", Step(check, "IMAP").GetProperty("message").GetString());
        // TLS on connect against a plaintext server: the handshake fails.
        Assert.Equal("tls", Step(check, "SMTP").GetProperty("stage").GetString());

        var closed = new FlakyPort().Port;
        await admin.PatchAsync($"/api/v1/channels/mailboxes/{id}", new { smtpSecurity = "None", smtpPort = closed });
        Assert.Equal("connect", Step(await Test(), "SMTP").GetProperty("stage").GetString());
    }
}
