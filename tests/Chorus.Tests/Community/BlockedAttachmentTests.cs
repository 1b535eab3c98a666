using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Chorus.Features.Community.Blocking;
using Chorus.Features.Inbox.Attachments;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MimeKit.Utils;

namespace Chorus.Tests.Community;

/// A blocked person's e-mail is kept as a blocked message, which has no attachments: its files must not be
/// left in the attachment store with nothing pointing at them, yet a file a filed message shares stays.
public class BlockedAttachmentTests
{
    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static MimeMessage WithFiles(string from, string to, string subject, params (string Name, byte[] Bytes)[] files)
    {
        var m = new MimeMessage { Subject = subject, MessageId = MimeUtils.GenerateMessageId("sender." + Mail.Domain) };
        m.From.Add(MailboxAddress.Parse(from));
        m.To.Add(MailboxAddress.Parse(to));
        var body = new BodyBuilder { TextBody = $"{subject}: files attached." };
        foreach (var (name, bytes) in files) body.Attachments.Add(name, bytes, new ContentType("application", "octet-stream"));
        m.Body = body.ToMessageBody();
        return m;
    }

    private static bool Stored(ChorusFactory app, string hash)
    {
        using var file = app.Services.GetRequiredService<AttachmentStore>().OpenRead(hash);
        return file is not null;
    }

    [MailTheory, Providers]
    public async Task A_blocked_senders_email_attachments_are_never_stored_and_a_file_shared_with_a_filed_message_stays(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        var mallory = Mail.NewAddress("mallory");
        var rita = Mail.NewAddress("rita");
        var run = Guid.NewGuid().ToString("N"); // bytes of this run only: the store is content-addressed
        var logo = Bytes($"company logo {run}");
        var payload = Bytes($"mallory's payload {run}");
        var invoice = Bytes($"mallory's fake invoice {run}");

        // Rita's message with the logo is filed; Mallory wrote earlier, and is blocked.
        await Mail.SendAsync(WithFiles(rita, support, "Order 1234", ("logo.png", logo)));
        await Mail.SendAsync(Mail.Compose(mallory, support, "First contact", "Hello."));
        var channel = await MailApp.AddMailboxAsync(admin, support);
        var numbers = await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(admin, channel) is { Count: 2 } n ? n : null, "both e-mails filed");
        Guid? malloryId = null;
        foreach (var number in numbers)
        {
            var summary = (await MailApp.ConversationAsync(admin, number)).Summary();
            if (summary.Str("subject") == "First contact") malloryId = summary.GetProperty("requesterId").GetGuid();
        }
        await (await admin.Http.PutAsJsonAsync($"/api/v1/people/{malloryId}/block", new { reason = "Sends malware" })).JsonAsync(HttpStatusCode.OK);
        Assert.True(Stored(app, Hash(logo)));

        // Mallory sends the same logo, a payload and an invoice: kept as a blocked message, none of the files stored.
        await Mail.SendAsync(WithFiles(mallory, support, "Urgent invoice", ("logo.png", logo), ("payload.exe", payload), ("invoice.pdf", invoice)));
        await Eventually.TrueAsync(async () => await app.DbAsync(db => db.BlockedMessages.AnyAsync(m => m.Subject == "Urgent invoice")), "the blocked e-mail kept");
        Assert.False(Stored(app, Hash(payload)));
        Assert.False(Stored(app, Hash(invoice)));
        Assert.True(Stored(app, Hash(logo))); // still Rita's
        Assert.Equal(1, await app.DbAsync(db => db.MessageAttachments.CountAsync(a => a.ContentHash == Hash(logo))));
        Assert.Equal(0, await app.DbAsync(db => db.MessageAttachments.CountAsync(a => a.ContentHash == Hash(payload) || a.ContentHash == Hash(invoice))));
        Assert.Equal(2, (await MailApp.ConversationNumbersAsync(admin, channel)).Count);
        var download = await admin.GetAsync($"/api/v1/attachments/{await app.DbAsync(db => db.MessageAttachments.Where(a => a.ContentHash == Hash(logo)).Select(a => a.Id).SingleAsync())}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(logo, await download.Content.ReadAsByteArrayAsync());
    }

    /// The block lands after the poller stored the files and before the message is written: the files the
    /// pipeline's blocked envelopes brought are deleted, except one a stored message uses.
    [Theory, Providers]
    public async Task Files_of_an_email_whose_sender_was_blocked_while_it_was_read_are_deleted_after_ingest(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var run = Guid.NewGuid().ToString("N");
        var shared = Bytes($"shared logo {run}");
        var own = Bytes($"blocked sender's file {run}");
        await using var scope = app.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var store = sp.GetRequiredService<AttachmentStore>();
        var pipeline = sp.GetRequiredService<IngestPipeline>();
        var channel = await app.DbAsync(db => db.Channels.Where(c => c.Kind == Chorus.Features.Channels.ChannelKind.Api).Select(c => c.Id).SingleAsync());

        async Task<InboundAttachment> StoreAsync(string name, byte[] bytes)
        {
            var saved = Assert.IsType<AttachmentStore.SaveResult.Stored>(await store.SaveAsync(new MemoryStream(bytes), store.MaxFileBytes));
            return new InboundAttachment(Guid.CreateVersion7(), name, "application/octet-stream", bytes.Length, saved.Hash, null, null);
        }
        InboundEnvelope Envelope(string from, string id, params InboundAttachment[] files) =>
            new(channel, id, null, new InboundAuthor(IdentityKind.Email, from, null), DateTimeOffset.UtcNow, "Files", "Files attached.", null, files);

        var filed = await pipeline.IngestManyAsync([Envelope("rita@customer.test", $"rita-{run}", await StoreAsync("logo.png", shared))]);
        Assert.Equal(IngestStatus.Created, filed[0].Status);
        var first = await pipeline.IngestManyAsync([Envelope("mallory@spam.test", $"mallory-1-{run}")]);
        await (await admin.Http.PutAsJsonAsync($"/api/v1/people/{first[0].PersonId}/block", new { reason = "Spam" })).JsonAsync(HttpStatusCode.OK);

        var keepOut = sp.GetRequiredService<KeepBlockedFilesOut>();
        Assert.True(await keepOut.SenderBlockedAsync(IdentityKind.Email, "Mallory@Spam.test"));
        Assert.False(await keepOut.SenderBlockedAsync(IdentityKind.Email, "rita@customer.test"));
        Assert.False(await keepOut.SenderBlockedAsync(IdentityKind.Email, "nobody@new.test"));

        // Stored before the block was known (the poller's window), then filed as blocked.
        List<InboundEnvelope> batch = [Envelope("mallory@spam.test", $"mallory-2-{run}", await StoreAsync("logo.png", shared), await StoreAsync("own.bin", own))];
        var results = await pipeline.IngestManyAsync(batch);
        Assert.Equal(IngestStatus.Blocked, results[0].Status);
        await using (var before = store.OpenRead(Hash(own))) Assert.NotNull(before);

        Assert.Equal(1, await keepOut.DiscardAsync(batch, results));
        Assert.Null(store.OpenRead(Hash(own)));
        await using (var logo = store.OpenRead(Hash(shared))) Assert.NotNull(logo); // Rita's message uses it
        // A redelivery (the same e-mail read again) finds it blocked again and has nothing more to delete.
        Assert.Equal(IngestStatus.Blocked, (await pipeline.IngestManyAsync(batch))[0].Status);
        Assert.Equal(0, await keepOut.DiscardAsync(batch, await pipeline.IngestManyAsync(batch)));
        Assert.Equal(1, await app.DbAsync(db => db.BlockedMessages.CountAsync(m => m.ExternalId == $"mallory-2-{run}")));
    }
}
