using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Email;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MimeKit.Utils;

namespace Chorus.Tests.Email;

/// Files that come with e-mail and go out with replies: stored within limits (a dropped file leaves a
/// note saying which and why), served only as downloads with harmless types, inline images shown
/// from our own address, and an agent's files leaving as MIME attachments through the outbox.
public class EmailAttachmentTests
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    // A 1×1 PNG.
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    /// A customer's mail as Gmail would send it: text + HTML with an inline image, a PDF, an HTML
    /// page, an SVG and a file bigger than the per-file limit.
    private static MimeMessage CustomerMail(string from, string to, int bigBytes)
    {
        var m = new MimeMessage { Subject = "Invoice and screenshot", MessageId = MimeUtils.GenerateMessageId("customer." + Mail.Domain) };
        m.From.Add(new MailboxAddress("Ann Customer", from));
        m.To.Add(MailboxAddress.Parse(to));
        var body = new BodyBuilder { TextBody = "Here is the invoice and a screenshot." };
        var image = body.LinkedResources.Add("screen.png", Png, new ContentType("image", "png"));
        image.ContentId = "screen@customer";
        body.HtmlBody = "<p>Here is the invoice and a screenshot:</p><img src=\"cid:screen@customer\" alt=\"screenshot\"><img src=\"https://tracker.example/p.gif\">";
        body.Attachments.Add("invoice.pdf", Pdf, new ContentType("application", "pdf"));
        body.Attachments.Add("page.html", Encoding.UTF8.GetBytes("<script>alert(document.cookie)</script>"), new ContentType("text", "html"));
        body.Attachments.Add("logo.svg", Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"), new ContentType("image", "svg+xml"));
        body.Attachments.Add("dump.bin", new byte[bigBytes], new ContentType("application", "octet-stream"));
        m.Body = body.ToMessageBody();
        return m;
    }

    private static JsonElement[] Attachments(JsonElement message) =>
        message.TryGetProperty("attachments", out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().ToArray() : [];

    [MailTheory, Providers]
    public async Task Inbound_files_are_stored_within_limits_and_served_only_as_safe_downloads(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        app.Settings["Chorus:Attachments:MaxFileBytes"] = "100000";
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        var channel = await MailApp.AddMailboxAsync(admin, support);
        await Mail.SendAsync(CustomerMail(Mail.NewAddress("ann"), support, bigBytes: 150_000));

        var number = (long)(await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(admin, channel) is [var n] ? (object)n : null, "the mail filed"));
        var message = (await MailApp.ConversationAsync(admin, number)).GetProperty("messages")[0];
        var files = Attachments(message).ToDictionary(a => a.GetProperty("fileName").GetString()!);
        Assert.Equal(["dump.bin", "invoice.pdf", "logo.svg", "page.html", "screen.png"], files.Keys.Order());

        // Over the limit: not stored, but named, sized and explained; the message itself is filed.
        var dump = files["dump.bin"];
        Assert.False(dump.GetProperty("stored").GetBoolean());
        Assert.Equal(150_000, dump.GetProperty("size").GetInt64());
        Assert.Contains("over the limit", dump.GetProperty("droppedReason").GetString());
        Assert.Equal(JsonValueKind.Null, dump.GetProperty("downloadUrl").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/attachments/{dump.GetProperty("id").GetGuid()}")).StatusCode);

        // Served as downloads, never sniffed; only harmless types keep theirs.
        async Task<HttpResponseMessage> DownloadAsync(string name)
        {
            var response = await admin.GetAsync(files[name].GetProperty("downloadUrl").GetString()!);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal(name, response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            return response;
        }
        var pdf = await DownloadAsync("invoice.pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Pdf, await pdf.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/octet-stream", (await DownloadAsync("page.html")).Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/octet-stream", (await DownloadAsync("logo.svg")).Content.Headers.ContentType?.MediaType);
        var png = await DownloadAsync("screen.png");
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Png, await png.Content.ReadAsByteArrayAsync());

        // The inline image points at its attachment; the remote one is gone.
        var html = message.GetProperty("html").GetString()!;
        Assert.Contains($"src=\"/attachments/{files["screen.png"].GetProperty("id").GetGuid()}\"", html);
        Assert.DoesNotContain("cid:", html);
        Assert.DoesNotContain("tracker", html);
        // The stored text is the customer's, whole.
        Assert.Equal("Here is the invoice and a screenshot.", message.GetProperty("text").GetString());

        // The per-message list answers the same.
        var listed = await (await admin.GetAsync($"/api/v1/conversations/{number}/messages/{message.GetProperty("id").GetGuid()}/attachments")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(5, listed.GetArrayLength());
    }

    [MailTheory, Providers]
    public async Task The_per_message_limit_drops_the_files_that_would_exceed_it_and_says_so(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        app.Settings["Chorus:Attachments:MaxTotalBytes"] = "100000";
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        var channel = await MailApp.AddMailboxAsync(admin, support);
        var m = Mail.Compose(Mail.NewAddress("ann"), support, "Three logs", "Logs attached.");
        var body = new BodyBuilder { TextBody = "Logs attached." };
        for (var i = 1; i <= 3; i++) body.Attachments.Add($"log{i}.txt", Encoding.ASCII.GetBytes(new string((char)('a' + i), 40_000)), new ContentType("text", "plain"));
        m.Body = body.ToMessageBody();
        await Mail.SendAsync(m);

        var number = (long)(await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(admin, channel) is [var n] ? (object)n : null, "the mail filed"));
        var files = Attachments((await MailApp.ConversationAsync(admin, number)).GetProperty("messages")[0]);
        Assert.Equal([true, true, false], files.Select(f => f.GetProperty("stored").GetBoolean()));
        Assert.Equal("log3.txt", files[2].GetProperty("fileName").GetString());
        Assert.Contains("per message", files[2].GetProperty("droppedReason").GetString());
        var log1 = await admin.GetAsync(files[0].GetProperty("downloadUrl").GetString()!);
        Assert.Equal("text/plain", log1.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new string('b', 40_000), await log1.Content.ReadAsStringAsync());
    }

    [MailTheory, Providers]
    public async Task An_agent_attaches_files_to_a_reply_and_the_customer_receives_them(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        app.Settings["Chorus:Attachments:MaxFileBytes"] = "100000";
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var customer = Mail.NewAddress("ann");
        var channel = await MailApp.AddMailboxAsync(admin, support);
        await Mail.SendAsync(Mail.Compose(customer, support, "Need the manual", "Could you send me the manual?"));
        var number = (long)(await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(admin, channel) is [var n] ? (object)n : null, "the mail filed"));

        static MultipartFormDataContent Form(string text, params (string Name, string Type, byte[] Bytes)[] files)
        {
            var form = new MultipartFormDataContent { { new StringContent(text), "text" } };
            foreach (var (name, type, bytes) in files)
            {
                var part = new ByteArrayContent(bytes);
                part.Headers.ContentType = new MediaTypeHeaderValue(type);
                form.Add(part, "files", name);
            }
            return form;
        }

        // Too big: a clear error, and nothing was posted.
        var refused = await agent.Http.PostAsync($"/api/v1/conversations/{number}/replies", Form("Here it is.", ("huge.zip", "application/zip", new byte[150_000])));
        var problem = await refused.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("huge.zip", problem.GetProperty("detail").GetString());
        Assert.Single((await MailApp.ConversationAsync(agent, number)).GetProperty("messages").EnumerateArray());

        var posted = await agent.Http.PostAsync($"/api/v1/conversations/{number}/replies",
            Form("Here is the manual.", ("manual.pdf", "application/pdf", Pdf), ("wiring.png", "image/png", Png)));
        var replyId = (await posted.JsonAsync(HttpStatusCode.Created)).GetProperty("messageId").GetGuid();
        var reply = (await MailApp.ConversationAsync(agent, number)).GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == replyId);
        Assert.Equal(["manual.pdf", "wiring.png"], Attachments(reply).Select(a => a.GetProperty("fileName").GetString()));

        var received = await Eventually.GetAsync(async () => (await Mail.ReadAsync(customer, SearchQuery.SubjectContains("Need the manual"))).Select(r => r.Message).FirstOrDefault(),
            "the reply in the customer's mailbox", seconds: 45);
        Assert.Contains("Here is the manual.", received.TextBody);
        var got = received.Attachments.OfType<MimePart>().ToDictionary(p => p.FileName ?? "");
        Assert.Equal(["manual.pdf", "wiring.png"], got.Keys.Order());
        Assert.Equal("application/pdf", got["manual.pdf"].ContentType.MimeType);
        using var pdf = new MemoryStream();
        await got["manual.pdf"].Content!.DecodeToAsync(pdf);
        Assert.Equal(Pdf, pdf.ToArray());
    }

    [Theory, Providers]
    public async Task The_requester_link_lists_and_serves_the_files_of_replies_but_never_of_notes(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var d = await agent.DeliverAsync("rq-files", handle: "rae@requester.test", name: "Rae", text: "Can I have the form?");
        async Task<Guid> PostWithFileAsync(string kind, string text, string fileName, string content)
        {
            var form = new MultipartFormDataContent { { new StringContent(text), "text" }, { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "files", fileName } };
            var id = (await (await agent.Http.PostAsync($"/api/v1/conversations/{d.Number}/{kind}", form)).JsonAsync(HttpStatusCode.Created)).GetProperty("messageId").GetGuid();
            var message = (await agent.ConversationAsync(d.Number)).GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == id);
            return message.GetProperty("attachments")[0].GetProperty("id").GetGuid();
        }
        var formFile = await PostWithFileAsync("replies", "Here is the form.", "claim-form.txt", "Name: ____");
        var secretFile = await PostWithFileAsync("notes", "Internal: risk assessment attached.", "risk-assessment.txt", "HIGH RISK");

        var link = app.Services.GetRequiredService<Chorus.Features.Channels.WebForm.RequesterLinks>().PathFor(d.ConversationId);
        var client = app.CreateClient();
        var html = await (await client.GetAsync(link)).Content.ReadAsStringAsync();
        Assert.Contains($"href=\"{link}/attachments/{formFile}\"", html);
        Assert.Contains("claim-form.txt", html);
        Assert.DoesNotContain("risk-assessment", html);
        Assert.DoesNotContain(secretFile.ToString(), html);

        var download = await client.GetAsync($"{link}/attachments/{formFile}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("no-store", download.Headers.CacheControl?.ToString());
        Assert.Equal("Name: ____", await download.Content.ReadAsStringAsync());
        var refused = await client.GetAsync($"{link}/attachments/{secretFile}");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.DoesNotContain("HIGH RISK", await refused.Content.ReadAsStringAsync());
    }

    [Theory, Providers]
    public async Task An_imported_archive_keeps_its_attachments(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            db.Channels.Add(new Channel { Kind = ChannelKind.Email, Name = "archive" });
            await db.SaveChangesAsync();
        }
        var m = Mail.Compose("ann@list.test", "list@list.test", "Patch for the build", "Patch attached.");
        var body = new BodyBuilder { TextBody = "Patch attached." };
        body.Attachments.Add("fix.patch", Encoding.ASCII.GetBytes("--- a/x\n+++ b/x\n"), new ContentType("text", "x-diff"));
        m.Body = body.ToMessageBody();
        var path = Path.Combine(Path.GetTempPath(), $"chorus-{Guid.NewGuid():N}.mbox");
        await File.WriteAllTextAsync(path, "From ann@list.test Mon Jul  6 10:00:00 2020\n" + m.ToString().Replace("\r\n", "\n") + "\n");
        try
        {
            using var scope = app.Services.CreateScope();
            var result = Assert.IsType<Outcome<MboxImportResult>.Ok>(await scope.ServiceProvider.GetRequiredService<ImportMbox>().RunAsync(path, "archive")).Value;
            Assert.Equal(1, result.Filed);
        }
        finally { File.Delete(path); }

        var admin = await app.StaffAsync("admin");
        var number = (await admin.ListAsync("status=New")).Numbers().Single();
        var file = Assert.Single(Attachments((await admin.ConversationAsync(number)).GetProperty("messages")[0]));
        Assert.Equal("fix.patch", file.GetProperty("fileName").GetString());
        var download = await admin.GetAsync(file.GetProperty("downloadUrl").GetString()!);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("--- a/x\n+++ b/x\n", await download.Content.ReadAsStringAsync());
    }
}

public class AttachmentSafetyTests
{
    [Theory]
    [InlineData("image/png", "image/png")]
    [InlineData("IMAGE/JPG; name=x.jpg", "image/jpeg")]
    [InlineData("application/pdf", "application/pdf")]
    [InlineData("text/plain; charset=utf-8", "text/plain")]
    [InlineData("text/html", "application/octet-stream")]
    [InlineData("image/svg+xml", "application/octet-stream")]
    [InlineData("application/javascript", "application/octet-stream")]
    [InlineData("text/xml", "application/octet-stream")]
    [InlineData(null, "application/octet-stream")]
    public void Only_harmless_types_are_served_as_themselves(string? declared, string served) =>
        Assert.Equal(served, Chorus.Features.Inbox.Attachments.AttachmentTypes.Safe(declared));

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\ann\\report.pdf", "report.pdf")]
    [InlineData("evil\r\nX-Injected: yes.txt", "evilX-Injected yes.txt")]
    [InlineData("   ", "attachment-1")]
    [InlineData("\"quoted\".pdf", "quoted.pdf")]
    public void File_names_lose_paths_and_control_characters(string name, string clean) =>
        Assert.Equal(clean, Chorus.Features.Inbox.Attachments.AttachmentTypes.CleanFileName(name, "attachment-1"));

    [Fact]
    public void Html_keeps_only_images_of_its_own_attachments()
    {
        var id = Guid.NewGuid();
        var html = new HtmlCleaner().Sanitize(
            $"<p>Hi</p><img src=\"/attachments/{id}\" onerror=\"alert(1)\" srcset=\"https://t.example/x.gif 2x\" alt=\"shot\">"
            + "<img src=\"https://tracker.example/p.gif\"><img src=\"cid:unknown@x\"><img src=\"/attachments/not-a-guid\"><img src=\"//evil.example/attachments/" + id + "\">");
        Assert.Equal($"<p>Hi</p><img src=\"/attachments/{id}\" alt=\"shot\">", html);
    }
}

/// What counts as a file in the odd shapes real mail takes.
public class StoreInboundAttachmentsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "chorus-att-" + Guid.NewGuid().ToString("N"));
    private readonly Chorus.Features.Inbox.Attachments.AttachmentStore _store;

    public StoreInboundAttachmentsTests() =>
        _store = new(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Chorus:DataDirectory"] = _dir }).Build(),
            new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>());

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Zero_byte_nameless_nested_and_forwarded_parts_are_all_kept_and_the_body_is_not()
    {
        var forwarded = Mail.Compose("bob@x.test", "ann@x.test", "The original", "Forwarded text.");
        var nested = new Multipart("mixed")
        {
            new Multipart("alternative") { new TextPart("plain") { Text = "Body text." }, new TextPart("html") { Text = "<p>Body text.</p>" } },
            new MimePart("application", "octet-stream") { Content = new MimeContent(new MemoryStream()), ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = "empty.dat" } },
            new Multipart("mixed") { new MimePart("image", "jpeg") { Content = new MimeContent(new MemoryStream([0xFF, 0xD8, 0xFF, 0xD9])) } },
            new MessagePart { Message = forwarded },
            new TextPart("calendar") { Text = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" },
        };
        var mime = new MimeMessage { Body = nested };
        mime.From.Add(MailboxAddress.Parse("ann@x.test"));

        var result = await new StoreInboundAttachments(_store).RunAsync(mime, "<p>Body text.</p>");
        var files = result.Attachments;
        Assert.Equal(["empty.dat", "attachment-2.jpg", "forwarded-message-3.eml", "attachment-4.ics"], files.Select(f => f.FileName));
        Assert.All(files, f => Assert.NotNull(f.ContentHash));
        Assert.Equal(0, files[0].Size);
        Assert.Equal(4, files[1].Size);
        Assert.Equal("message/rfc822", files[2].ContentType);
        await using var eml = _store.OpenRead(files[2].ContentHash!)!;
        Assert.Equal("The original", (await MimeMessage.LoadAsync(eml)).Subject);
        Assert.Equal("<p>Body text.</p>", result.Html);
    }
}
