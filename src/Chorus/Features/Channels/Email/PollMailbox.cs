using Chorus.Data;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Chorus.Features.Channels.Email;

/// How one poll went: how many messages were filed, skipped (with a recorded reason) or taken as
/// delivery reports, and whether more are waiting. Failed carries why the server could not be read;
/// HeldElsewhere says another node holds the mailbox's lease (nothing was read, nothing is wrong).
public sealed record PollResult(int Filed, int Skipped, int Bounces, bool MoreWaiting, string? Failed = null, bool HeldElsewhere = false);

/// This process's name in poll leases.
public sealed class PollerNode
{
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
}

/// Reads new messages from one mailbox's IMAP folder and files each exactly once: UIDs above the
/// stored checkpoint (reset when UIDVALIDITY changes) are read in order, up to 100 a poll; they are filed
/// through the ingest pipeline (keyed by Message-ID), then flagged \Seen or moved, then the checkpoint
/// advances. A crash between those steps repeats messages, and the pipeline recognises them by Message-ID.
public class PollMailbox(ChorusDb db, MailboxSecrets secrets, IngestPipeline pipeline, ThreadInboundEmail threads,
    RouteEmailAnswer answers, RecordBounce bounces, StoreInboundAttachments attachments,
    Community.Blocking.KeepBlockedFilesOut blocked, PollerNode node, IConfiguration config, ILogger<PollMailbox> log)
{
    public const int BatchSize = 100;
    /// How long a node that dies mid-poll keeps others off the mailbox (renewed with every batch filed).
    private TimeSpan Lease => TimeSpan.FromSeconds(config.GetValue("Chorus:Email:LeaseSeconds", 120.0));

    private long MaxMessageBytes => config.GetValue("Chorus:Email:MaxMessageBytes", 25L * 1024 * 1024);

    public async Task<PollResult> RunAsync(Guid channelId, CancellationToken ct = default)
    {
        if (!await ClaimLeaseAsync(channelId, ct))
            return await db.Mailboxes.AnyAsync(m => m.ChannelId == channelId, ct)
                ? new PollResult(0, 0, 0, false, HeldElsewhere: true)
                : new PollResult(0, 0, 0, false, "The mailbox no longer exists.");
        try
        {
            // Read after the lease is ours: the read position is what the previous holder left.
            var mailbox = await db.Mailboxes.AsNoTracking().SingleAsync(m => m.ChannelId == channelId, ct);
            return await ReadNewAsync(mailbox, ct);
        }
        finally
        {
            await db.Mailboxes.Where(m => m.ChannelId == channelId && m.PollLeaseOwner == node.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.PollLeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
        }
    }

    /// Takes (or renews) this node's lease on the mailbox; false while another node's lease runs.
    private async Task<bool> ClaimLeaseAsync(Guid channelId, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        return await db.Mailboxes
            .Where(m => m.ChannelId == channelId && (m.PollLeaseUntil == null || m.PollLeaseUntil < now || m.PollLeaseOwner == node.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.PollLeaseOwner, node.Id).SetProperty(m => m.PollLeaseUntil, now + Lease), ct) == 1;
    }

    private async Task<PollResult> ReadNewAsync(Mailbox mailbox, CancellationToken ct)
    {
        var channelId = mailbox.ChannelId;
        var server = MailServers.Imap(mailbox, secrets);
        var tokens = secrets.Unprotect(mailbox.ReplyTokenKeyProtected) is { } key ? new ReplyTokenKey(mailbox.Address, Convert.FromBase64String(key)) : null;
        if (server.Password is null) return await FailedAsync(mailbox, "IMAP: the stored password cannot be read with this server's keys; enter it again.", ct);

        try
        {
            using var client = await MailServers.ConnectImapAsync(server, ct);
            var folder = await client.GetFolderAsync(mailbox.ImapFolder, ct);
            await folder.OpenAsync(FolderAccess.ReadWrite, ct);
            var processed = mailbox.ProcessedAction == ProcessedAction.Move ? await client.GetFolderAsync(mailbox.ProcessedFolder!, ct) : null;

            var lastUid = mailbox.LastUid;
            if (mailbox.UidValidity != folder.UidValidity)
            {
                // UIDs of the old folder mean nothing now: read everything again; Message-IDs keep it from duplicating.
                if (mailbox.UidValidity is not null)
                    log.LogWarning("Mailbox {Address}: UIDVALIDITY changed from {Old} to {New}; reading the folder again", mailbox.Address, mailbox.UidValidity, folder.UidValidity);
                lastUid = 0;
                await db.Mailboxes.Where(m => m.ChannelId == channelId && m.UidValidity == mailbox.UidValidity)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.UidValidity, (long?)folder.UidValidity).SetProperty(m => m.LastUid, 0L), ct);
            }

            var uids = (await folder.SearchAsync(SearchQuery.Uids(new UniqueIdRange(new UniqueId((uint)lastUid + 1), UniqueId.MaxValue)), ct))
                .Where(u => u.Id > lastUid).OrderBy(u => u.Id).ToList();
            var batch = uids.Take(BatchSize).ToList();
            var summaries = batch.Count == 0 ? [] : (await folder.FetchAsync(batch,
                new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.InternalDate), ct))
                .ToDictionary(s => s.UniqueId);

            // Messages are filed through the pipeline in batches (one transaction each) rather than one by one.
            // A message that could thread into one still waiting in the batch (it answers it, or comes from
            // the same sender, whom subject threading matches) first sends the batch on, so every threading
            // decision sees what came before it, exactly as if the messages were filed one at a time.
            var counts = new Counts();
            var waiting = new PendingBatch();
            foreach (var uid in batch)
            {
                summaries.TryGetValue(uid, out var summary);
                var outcome = await ProcessAsync(mailbox, tokens, folder, uid, summary, waiting, counts, ct);
                if (outcome is Processed.Filed) continue; // counted when its batch is stored
                if (outcome is Processed.Bounce) counts.Bounced++; else counts.Skipped++;
            }
            await FileWaitingAsync(mailbox, waiting, counts, ct);

            // Every message of the batch is now filed or recorded: mark them read (or move them), then
            // advance the checkpoint once. A crash before that reads them again, and the pipeline knows
            // each by its Message-ID, so nothing is filed twice.
            if (batch.Count > 0)
            {
                if (processed is not null) await folder.MoveToAsync(batch, processed, ct);
                else await folder.StoreAsync(batch, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Seen) { Silent = true }, ct);
                // Only while the folder is still the one we read (an admin may have reset the checkpoint
                // meanwhile) and the lease is still ours.
                await db.Mailboxes.Where(m => m.ChannelId == channelId && m.UidValidity == (long?)folder.UidValidity && m.PollLeaseOwner == node.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.LastUid, (long)batch[^1].Id).SetProperty(m => m.PollLeaseUntil, DateTimeOffset.UtcNow + Lease), ct);
            }
            var (filed, skipped, bounced) = (counts.Filed, counts.Skipped, counts.Bounced);
            await client.DisconnectAsync(true, ct);
            await db.Mailboxes.Where(m => m.ChannelId == channelId).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.LastPolledAt, DateTimeOffset.UtcNow).SetProperty(m => m.LastError, (string?)null)
                .SetProperty(m => m.ConsecutiveFailures, 0), ct);
            return new PollResult(filed, skipped, bounced, uids.Count > batch.Count);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is not DbUpdateException)
        {
            var problem = MailServers.Describe(e, "IMAP", server);
            log.LogWarning(e, "Mailbox {Address}: polling failed: {Problem}", mailbox.Address, problem.Message);
            return await FailedAsync(mailbox, problem.Message, ct);
        }
    }

    private enum Processed { Filed, Bounce, Skipped }

    private sealed class Counts { public int Filed, Skipped, Bounced; }

    /// Messages read and threaded, waiting to be stored together.
    private sealed class PendingBatch
    {
        public readonly List<(UniqueId Uid, MimeMessage Mime, InboundEnvelope Envelope, bool AutoReply)> Items = [];
        public readonly HashSet<string> MessageIds = new(StringComparer.Ordinal);
        public readonly HashSet<string> Senders = new(StringComparer.Ordinal);

        public bool MightThread(MimeMessage mime, InboundEmail.File email) =>
            Senders.Contains(Identity.Normalize(IdentityKind.Email, email.From)) || ThreadInboundEmail.ReferencedIds(mime).Any(MessageIds.Contains);
    }

    private async Task FileWaitingAsync(Mailbox mailbox, PendingBatch waiting, Counts counts, CancellationToken ct)
    {
        if (waiting.Items.Count == 0) return;
        List<InboundEnvelope> envelopes = [.. waiting.Items.Select(i => i.Envelope)];
        var results = await pipeline.IngestManyAsync(envelopes, ct);
        await blocked.DiscardAsync(envelopes, results, ct); // a sender blocked while the files were being stored
        for (var i = 0; i < results.Count; i++)
        {
            var (uid, mime, _, autoReply) = waiting.Items[i];
            var result = results[i];
            if (result.Status == IngestStatus.Rejected)
            {
                await SkipAsync(mailbox, uid, mime, result.Error ?? "Rejected by the ingest pipeline.", ct);
                counts.Skipped++;
                continue;
            }
            if (autoReply && result.Status is IngestStatus.Created or IngestStatus.Appended) await TagAutoReplyAsync(result.ConversationId, ct);
            counts.Filed++;
        }
        waiting.Items.Clear();
        waiting.MessageIds.Clear();
        waiting.Senders.Clear();
    }

    private async Task<Processed> ProcessAsync(Mailbox mailbox, ReplyTokenKey? tokens, IMailFolder folder, UniqueId uid, IMessageSummary? summary,
        PendingBatch waiting, Counts counts, CancellationToken ct)
    {
        if (summary?.Size is { } size && size > MaxMessageBytes)
            return await SkipAsync(mailbox, uid, null, $"The message is {size / 1048576.0:N1} MB and the limit is {MaxMessageBytes / 1048576.0:N1} MB: not filed (it stays on the mail server).", ct);

        MimeMessage mime;
        try
        {
            mime = await folder.GetMessageAsync(uid, ct);
        }
        catch (Exception e) when (e is FormatException or ParseException)
        {
            log.LogWarning(e, "Mailbox {Address}: message UID {Uid} is not valid MIME", mailbox.Address, uid.Id);
            return await SkipAsync(mailbox, uid, null, "The message could not be parsed as MIME: " + e.Message, ct);
        }

        InboundEmail read;
        try
        {
            read = ReadInboundEmail.Read(mime, mailbox.Address, summary?.InternalDate);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever in this message trips us up, it must not hold back the ones after it.
            log.LogError(e, "Mailbox {Address}: message UID {Uid} could not be read", mailbox.Address, uid.Id);
            return await SkipAsync(mailbox, uid, mime, $"The message could not be read ({e.GetType().Name}: {e.Message}).", ct);
        }
        switch (read)
        {
            case InboundEmail.Skip skip:
                log.LogInformation("Mailbox {Address}: skipped UID {Uid}: {Reason}", mailbox.Address, uid.Id, skip.Reason);
                return await SkipAsync(mailbox, uid, mime, skip.Reason, ct);
            case InboundEmail.Bounce bounce:
                if (await bounces.RunAsync(mailbox.ChannelId, bounce, ct)) return Processed.Bounce;
                return await SkipAsync(mailbox, uid, mime,
                    $"A delivery report{(bounce.Failed ? "" : $" ({bounce.Action})")} about a message Chorus did not send: {bounce.Reason}", ct);
            case InboundEmail.File email:
                if (waiting.MightThread(mime, email)) await FileWaitingAsync(mailbox, waiting, counts, ct);
                var route = await answers.RunAsync(mailbox.ChannelId, tokens, mime, ct);
                var thread = route?.ThreadId ?? await threads.RunAsync(mailbox.ChannelId, tokens, mime, email, ct);
                var files = await attachments.RunAsync(mime, email.Html, await blocked.SenderBlockedAsync(IdentityKind.Email, email.From, ct), ct);
                var envelope = new InboundEnvelope(route?.ChannelId ?? mailbox.ChannelId, email.ExternalId, thread,
                    new InboundAuthor(IdentityKind.Email, email.From, email.FromName), email.At, email.Subject, email.Text, files.Html, files.Attachments,
                    TeamId: route?.TeamId);
                waiting.Items.Add((uid, mime, envelope, email.AutoReply));
                waiting.MessageIds.Add(email.ExternalId);
                waiting.Senders.Add(Identity.Normalize(IdentityKind.Email, email.From));
                return Processed.Filed;
            default:
                throw new InvalidOperationException("Unknown kind of inbound e-mail.");
        }
    }

    /// Marks the conversation as holding automatic mail, so no rule answers it automatically and agents see why.
    private async Task TagAutoReplyAsync(Guid conversationId, CancellationToken ct)
    {
        if (await db.ConversationTags.AnyAsync(t => t.ConversationId == conversationId && t.Tag == ReadInboundEmail.AutoReplyTag, ct)) return;
        db.ConversationTags.Add(new ConversationTag { ConversationId = conversationId, Tag = ReadInboundEmail.AutoReplyTag });
        await db.SaveChangesAsync(ct);
    }

    private async Task<Processed> SkipAsync(Mailbox mailbox, UniqueId uid, MimeMessage? mime, string reason, CancellationToken ct)
    {
        static string? Cap(string? s, int max) => s is { Length: > 0 } ? s.Length > max ? s[..max] : s : null;
        db.InboundEmailRejections.Add(new InboundEmailRejection
        {
            ChannelId = mailbox.ChannelId, Uid = uid.Id, MessageId = Cap(mime?.MessageId, 500),
            From = Cap(mime?.From.Mailboxes.FirstOrDefault()?.Address, 320), Subject = Cap(mime?.Subject, 500), Reason = Cap(reason, 1000)!,
        });
        await db.SaveChangesAsync(ct);
        return Processed.Skipped;
    }

    private async Task<PollResult> FailedAsync(Mailbox mailbox, string error, CancellationToken ct)
    {
        var message = error.Length > 1000 ? error[..1000] : error;
        await db.Mailboxes.Where(m => m.ChannelId == mailbox.ChannelId).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.LastError, message).SetProperty(m => m.LastErrorAt, DateTimeOffset.UtcNow)
            .SetProperty(m => m.ConsecutiveFailures, m => m.ConsecutiveFailures + 1), ct);
        return new PollResult(0, 0, 0, false, message);
    }
}
