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

    [Theory, Providers]
    public async Task Every_change_to_a_mailbox_is_audited_by_name_and_never_with_a_password(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Email:Poll"] = "false";
        var admin = await app.StaffAsync("admin");
        var id = (await (await admin.PostAsync("/api/v1/channels/mailboxes", NewMailbox("audit@acme.test"))).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        async Task<List<JsonElement>> Audit() => (await admin.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=mailbox.")).EnumerateArray().ToList();

        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsync($"/api/v1/channels/mailboxes/{id}", new { enabled = false })).StatusCode);
        Assert.Equal("mailbox.disabled", (await Audit())[0].GetProperty("action").GetString());
        Assert.False((await MailApp.MailboxAsync(admin, id)).GetProperty("enabled").GetBoolean());

        await admin.PatchAsync($"/api/v1/channels/mailboxes/{id}", new { imapHost = "imap2.example.test", imapPassword = "new-secret-3", smtpHost = "smtp.example.test" });
        var updated = (await Audit())[0];
        Assert.Equal("mailbox.updated", updated.GetProperty("action").GetString());
        // Only what changed (the SMTP host was sent unchanged), passwords by name only.
        Assert.Equal("audit@acme.test: imapHost, imapPassword", updated.GetProperty("details").GetString());

        // The same values again change nothing, and add nothing to the log.
        var before = (await Audit()).Count;
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsync($"/api/v1/channels/mailboxes/{id}", new { imapHost = "imap2.example.test", enabled = false })).StatusCode);
        Assert.Equal(before, (await Audit()).Count);

        await admin.PatchAsync($"/api/v1/channels/mailboxes/{id}", new { enabled = true });
        Assert.Equal("mailbox.enabled", (await Audit())[0].GetProperty("action").GetString());
        Assert.DoesNotContain("secret", await admin.Http.GetStringAsync("/api/v1/audit"));
    }

    [Theory, Providers]
    public async Task The_mailbox_list_counts_what_each_mailbox_filed_and_did_not_file(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Email:Poll"] = "false";
        var admin = await app.StaffAsync("admin");
        var id = (await (await admin.PostAsync("/api/v1/channels/mailboxes", NewMailbox("count@acme.test"))).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var other = (await (await admin.PostAsync("/api/v1/channels/mailboxes", NewMailbox("other@acme.test"))).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var mailbox = await MailApp.MailboxAsync(admin, id);
        Assert.Equal(0, mailbox.GetProperty("messagesIngested").GetInt32());

        using (var scope = app.Services.CreateScope())
        {
            var pipeline = scope.ServiceProvider.GetRequiredService<Chorus.Features.Inbox.Ingest.IngestPipeline>();
            foreach (var n in new[] { 1, 2 })
                await pipeline.IngestAsync(new Chorus.Features.Inbox.Ingest.InboundEnvelope(id, $"<m{n}@customer.test>", $"<m{n}@customer.test>",
                    new Chorus.Features.Inbox.Ingest.InboundAuthor(Chorus.Features.People.IdentityKind.Email, "ann@customer.test", "Ann"), DateTimeOffset.UtcNow, "Hello", "text", null));
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            db.InboundEmailRejections.Add(new Chorus.Features.Channels.Email.InboundEmailRejection { ChannelId = id, Reason = "Too big", Subject = "Huge" });
            await db.SaveChangesAsync();
        }
        var list = (await admin.Http.GetFromJsonAsync<JsonElement>("/api/v1/channels/mailboxes")).EnumerateArray().ToDictionary(m => m.GetProperty("id").GetGuid());
        Assert.Equal(2, list[id].GetProperty("messagesIngested").GetInt32());
        Assert.Equal(1, list[id].GetProperty("rejections").GetInt32());
        Assert.Equal(0, list[other].GetProperty("messagesIngested").GetInt32());
        var rejections = await MailApp.RejectionsAsync(admin, id);
        Assert.Equal("Too big", Assert.Single(rejections).GetProperty("reason").GetString());
        Assert.Empty(await MailApp.RejectionsAsync(admin, other));
    }

    [NeedsEnvFact("TEST_SMTP", "TEST_IMAP")]
    public async Task Unsaved_settings_are_tested_without_being_stored()
    {
        await using var app = MailApp.Create(Provider.Sqlite);
        app.Settings["Chorus:Email:Poll"] = "false";
        var admin = await app.StaffAsync("admin");
        var address = Mail.NewAddress("support");
        await Mail.SendAsync(Mail.Compose(Mail.NewAddress("ann"), address, "hello", "creates the mailbox"));
        var settings = new Dictionary<string, object?>
        {
            ["address"] = address, ["imapHost"] = Mail.Imap.Host, ["imapPort"] = Mail.Imap.Port, ["imapSecurity"] = "None", ["imapUser"] = address,
            ["imapPassword"] = Mail.Password, ["smtpHost"] = Mail.Smtp.Host, ["smtpPort"] = Mail.Smtp.Port, ["smtpSecurity"] = "None",
        };
        static JsonElement Step(JsonElement check, string protocol) => check.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("protocol").GetString() == protocol);

        // A mailbox not added yet (no name needed for a test).
        var fresh = await (await admin.PostAsync("/api/v1/channels/mailboxes/test", settings)).JsonAsync(HttpStatusCode.OK);
        Assert.True(fresh.GetProperty("ok").GetBoolean(), fresh.ToString());
        settings["imapPassword"] = "wrong";
        Assert.Equal("auth", Step(await (await admin.PostAsync("/api/v1/channels/mailboxes/test", settings)).JsonAsync(HttpStatusCode.OK), "IMAP").GetProperty("stage").GetString());
        var missing = await admin.PostAsync("/api/v1/channels/mailboxes/test", new { imapHost = Mail.Imap.Host });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("imapUser", await missing.Content.ReadAsStringAsync());
        Assert.Empty((await admin.Http.GetFromJsonAsync<JsonElement>("/api/v1/channels/mailboxes")).EnumerateArray());

        // An existing mailbox with a changed password: the change is tested, the stored settings are kept.
        var id = await MailApp.AddMailboxAsync(admin, address);
        var changed = await (await admin.PostAsync($"/api/v1/channels/mailboxes/{id}/test", new { imapPassword = "wrong" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("auth", Step(changed, "IMAP").GetProperty("stage").GetString());
        var stored = await (await admin.PostAsync($"/api/v1/channels/mailboxes/{id}/test", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.True(stored.GetProperty("ok").GetBoolean(), stored.ToString());
        // Without a body at all: the stored settings.
        var bare = await (await admin.Http.PostAsync($"/api/v1/channels/mailboxes/{id}/test", null)).JsonAsync(HttpStatusCode.OK);
        Assert.True(bare.GetProperty("ok").GetBoolean(), bare.ToString());
        Assert.Empty((await admin.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=mailbox.updated")).EnumerateArray());
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
