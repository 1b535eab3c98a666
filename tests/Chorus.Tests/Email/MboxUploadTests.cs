using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels.Email;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Email;

/// Importing an mbox archive from the admin UI and API: upload, background import with progress,
/// a summary of what was skipped and why; resumable and idempotent like `chorus import mbox`.
/// The archive is users@httpd.apache.org, July 2020 (108 messages; see Data/email/PROVENANCE.md).
public class MboxUploadTests
{
    private static string Archive => Path.Combine(AppContext.BaseDirectory, "Data", "email", "httpd-users-2020-07.mbox");

    private static object Settings(string address) => new
    {
        name = "httpd users", address, imapHost = "imap.acme.test", imapUser = address, imapPassword = "p", smtpHost = "smtp.acme.test",
    };

    /// The archive with a delivery report appended (a mailer's DSN, from MimeKit's test data): one message the import must skip, and say why.
    public static byte[] ArchiveWithBounce() =>
        [.. File.ReadAllBytes(Archive), .. "From MAILER-DAEMON Mon Jul  6 10:00:00 2020\n"u8, .. Mail.Corpus("delivery-status.txt"), .. "\n"u8];

    private static async Task<Guid> AddMailboxAsync(StaffClient admin, string address) =>
        (await (await admin.PostAsync("/api/v1/channels/mailboxes", Settings(address))).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private static async Task<HttpResponseMessage> UploadAsync(StaffClient staff, Guid mailbox, byte[] content, string fileName = "httpd-users.mbox")
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/mbox");
        return await staff.Http.PostAsync($"/api/v1/channels/mailboxes/{mailbox}/imports?fileName={Uri.EscapeDataString(fileName)}", body);
    }

    private static async Task<JsonElement> FinishedAsync(StaffClient admin, Guid mailbox, Guid import) =>
        (JsonElement)(await Eventually.GetAsync<object>(async () =>
        {
            var row = (await admin.Http.GetFromJsonAsync<JsonElement>($"/api/v1/channels/mailboxes/{mailbox}/imports")).EnumerateArray()
                .Single(i => i.GetProperty("id").GetGuid() == import);
            return row.GetProperty("status").GetString() is "Finished" or "Failed" ? row : null;
        }, "the import to end", 60));

    private static ChorusFactory NewApp(Provider provider)
    {
        var app = new ChorusFactory(provider);
        app.Settings["Chorus:Email:Poll"] = "false"; // the mailboxes here name servers that do not exist
        return app;
    }

    [Theory, Providers]
    public async Task An_uploaded_archive_is_imported_in_the_background_and_the_same_file_again_adds_nothing(Provider provider)
    {
        await using var app = NewApp(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var mailbox = await AddMailboxAsync(admin, "httpd@acme.test");
        var bytes = ArchiveWithBounce();

        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(agent, mailbox, bytes)).StatusCode);
        var accepted = await (await UploadAsync(admin, mailbox, bytes)).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("httpd-users.mbox", accepted.GetProperty("fileName").GetString());
        Assert.Equal(bytes.Length, accepted.GetProperty("bytes").GetInt64());

        var done = await FinishedAsync(admin, mailbox, accepted.GetProperty("id").GetGuid());
        Assert.Equal("Finished", done.GetProperty("status").GetString());
        Assert.Equal(109, done.GetProperty("read").GetInt32());
        var filed = done.GetProperty("filed").GetInt32();
        Assert.True(filed > 90, $"only {filed} filed");
        Assert.Equal(109, filed + done.GetProperty("skipped").GetInt32());
        Assert.Contains(done.GetProperty("skipReasons").EnumerateArray(), r => r.GetProperty("reason").GetString() == "A delivery report, not a conversation.");
        Assert.Equal(bytes.Length, done.GetProperty("position").GetInt64());
        // Each skip reason is counted, with examples; together they account for every skipped message.
        Assert.Equal(done.GetProperty("skipped").GetInt32(), done.GetProperty("skipReasons").EnumerateArray().Sum(r => r.GetProperty("count").GetInt32()));
        Assert.All(done.GetProperty("skipReasons").EnumerateArray(), r => Assert.NotEmpty(r.GetProperty("examples").EnumerateArray()));
        Assert.Equal(filed, (await MailApp.MailboxAsync(admin, mailbox)).GetProperty("messagesIngested").GetInt32());
        // The upload has served its purpose: nothing is left in the data directory.
        Assert.Empty(Directory.GetFiles(MboxImports.Directory(app.Services.GetRequiredService<IConfiguration>())));

        var again = await FinishedAsync(admin, mailbox, (await (await UploadAsync(admin, mailbox, bytes, "again.mbox")).JsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid());
        Assert.Equal("Finished", again.GetProperty("status").GetString());
        Assert.True(again.GetProperty("alreadyImported").GetBoolean());
        Assert.Equal(0, again.GetProperty("filed").GetInt32());
        Assert.Equal(filed, (await MailApp.MailboxAsync(admin, mailbox)).GetProperty("messagesIngested").GetInt32());

        var audit = (await admin.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=mailbox.import")).EnumerateArray().ToList();
        Assert.Equal(2, audit.Count);
        Assert.Contains("again.mbox", audit[0].GetProperty("details").GetString());
    }

    [Theory, Providers]
    public async Task An_archive_imported_halfway_carries_on_where_it_stopped(Provider provider)
    {
        await using var app = NewApp(provider);
        var admin = await app.StaffAsync("admin");
        var mailbox = await AddMailboxAsync(admin, "half@acme.test");
        using (var scope = app.Services.CreateScope())
        {
            // The first 50 messages, as an import stopped by a restart (or `chorus import mbox --max 50`) leaves it.
            var first = await scope.ServiceProvider.GetRequiredService<ImportMbox>().RunAsync(Archive, "httpd users", maxMessages: 50);
            Assert.Equal(50, Assert.IsType<Outcome<MboxImportResult>.Ok>(first).Value.Read);
        }
        var before = (await MailApp.MailboxAsync(admin, mailbox)).GetProperty("messagesIngested").GetInt32();

        var rest = await FinishedAsync(admin, mailbox,
            (await (await UploadAsync(admin, mailbox, await File.ReadAllBytesAsync(Archive))).JsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid());
        Assert.Equal(58, rest.GetProperty("read").GetInt32());
        Assert.Equal(0, rest.GetProperty("duplicates").GetInt32());
        Assert.False(rest.GetProperty("alreadyImported").GetBoolean());
        Assert.Equal(before + rest.GetProperty("filed").GetInt32(), (await MailApp.MailboxAsync(admin, mailbox)).GetProperty("messagesIngested").GetInt32());
    }

    [Theory, Providers]
    public async Task An_import_a_stopped_node_left_running_is_taken_over_and_finished(Provider provider)
    {
        await using var app = NewApp(provider);
        var admin = await app.StaffAsync("admin");
        var mailbox = await AddMailboxAsync(admin, "orphan@acme.test");
        var config = app.Services.GetRequiredService<IConfiguration>();
        var import = new MboxImport
        {
            ChannelId = mailbox, FileName = "orphan.mbox", Bytes = new FileInfo(Archive).Length, Status = MboxImportStatus.Running,
            LockedUntil = DateTimeOffset.UtcNow.AddMinutes(-1), StartedByName = "admin",
        };
        Directory.CreateDirectory(MboxImports.Directory(config));
        File.Copy(Archive, MboxImports.PathOf(config, import.Id));
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            db.MboxImports.Add(import);
            await db.SaveChangesAsync();
        }
        app.Services.GetRequiredService<MboxImports>().Wake();
        var done = await FinishedAsync(admin, mailbox, import.Id);
        Assert.Equal("Finished", done.GetProperty("status").GetString());
        Assert.Equal(108, done.GetProperty("read").GetInt32());

        // Left by a node whose data directory this one cannot see: stopped, with what to do about it.
        var elsewhere = new MboxImport
        {
            ChannelId = mailbox, FileName = "elsewhere.mbox", Bytes = 1000, Status = MboxImportStatus.Running,
            LockedUntil = DateTimeOffset.UtcNow.AddMinutes(-1), StartedByName = "admin",
        };
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            db.MboxImports.Add(elsewhere);
            await db.SaveChangesAsync();
        }
        app.Services.GetRequiredService<MboxImports>().Wake();
        var failed = await FinishedAsync(admin, mailbox, elsewhere.Id);
        Assert.Equal("Failed", failed.GetProperty("status").GetString());
        Assert.Contains("not on this server any more. Upload the same file again", failed.GetProperty("error").GetString());
    }

    [Theory, Providers]
    public async Task A_file_that_is_not_mbox_or_too_big_is_refused_and_leaves_nothing_behind(Provider provider)
    {
        await using var app = NewApp(provider);
        app.Settings["Chorus:Email:MaxImportBytes"] = "100000";
        var admin = await app.StaffAsync("admin");
        var mailbox = await AddMailboxAsync(admin, "refuse@acme.test");

        var notMbox = await UploadAsync(admin, mailbox, "%PDF-1.7 not an archive"u8.ToArray(), "report.pdf");
        Assert.Equal(HttpStatusCode.BadRequest, notMbox.StatusCode);
        Assert.Contains("not an mbox archive", await notMbox.Content.ReadAsStringAsync());
        var empty = await UploadAsync(admin, mailbox, [], "empty.mbox");
        Assert.Contains("The file is empty.", await empty.Content.ReadAsStringAsync());
        var big = await UploadAsync(admin, mailbox, await File.ReadAllBytesAsync(Archive));
        Assert.Equal(HttpStatusCode.BadRequest, big.StatusCode);
        Assert.Contains("archives of up to 0.1 MB", await big.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await UploadAsync(admin, Guid.NewGuid(), "From x"u8.ToArray())).StatusCode);
        // Sent without a length (chunked): cut off where it passes the limit, while it streams in.
        var chunked = new StreamContent(File.OpenRead(Archive));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/mbox");
        chunked.Headers.ContentLength = null; // no length announced: the limit is enforced while reading
        var streamed = await admin.Http.PostAsync($"/api/v1/channels/mailboxes/{mailbox}/imports?fileName=big.mbox", chunked);
        Assert.Equal(HttpStatusCode.BadRequest, streamed.StatusCode);
        Assert.Contains("archives of up to 0.1 MB", await streamed.Content.ReadAsStringAsync());

        Assert.Empty((await admin.Http.GetFromJsonAsync<JsonElement>($"/api/v1/channels/mailboxes/{mailbox}/imports")).EnumerateArray());
        var dir = MboxImports.Directory(app.Services.GetRequiredService<IConfiguration>());
        Assert.True(!Directory.Exists(dir) || Directory.GetFiles(dir).Length == 0);
    }
}
