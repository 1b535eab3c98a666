using Chorus.Data;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Email;

/// Between polls: waits on the mailbox's folder with IMAP IDLE (RFC 2177) until the server announces
/// new mail or the poll interval runs out, so mail is filed within seconds of arriving. Servers
/// without IDLE get a plain wait for the interval. This only listens (read-only, nothing fetched or
/// flagged); reading stays with <see cref="PollMailbox"/> and its lease, so two nodes that both
/// wake up still never read the mailbox at once.
public class WaitForNewMail(ChorusDb db, MailboxSecrets secrets, ILogger<WaitForNewMail> log)
{
    /// Servers may drop an IDLE after 30 minutes; it is renewed well before.
    public static readonly TimeSpan IdleRenewal = TimeSpan.FromMinutes(9);

    public enum Woken { NewMail, TimeUp }

    public async Task<Woken> RunAsync(Guid channelId, TimeSpan max, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + max;
        var mailbox = await db.Mailboxes.AsNoTracking().SingleOrDefaultAsync(m => m.ChannelId == channelId, ct);
        var server = mailbox is null ? null : MailServers.Imap(mailbox, secrets);
        if (mailbox is null || server?.Password is null) return await SleepUntilAsync(deadline, ct);

        using var client = await MailServers.ConnectImapAsync(server, ct);
        if (!client.Capabilities.HasFlag(ImapCapabilities.Idle))
        {
            await client.DisconnectAsync(true, ct);
            return await SleepUntilAsync(deadline, ct);
        }
        var folder = await client.GetFolderAsync(mailbox.ImapFolder, ct);
        await folder.OpenAsync(FolderAccess.ReadOnly, ct);
        // Mail that came in between the last poll and now is not announced again: look for it first.
        if (folder.UidValidity != mailbox.UidValidity || await HasUnreadUidsAsync(folder, mailbox.LastUid, ct))
        {
            await client.DisconnectAsync(true, ct);
            return Woken.NewMail;
        }

        using var arrived = new CancellationTokenSource();
        var count = folder.Count;
        // EXISTS with a higher count is new mail; a lower one is mail moved away (by our own poller).
        folder.CountChanged += (_, _) =>
        {
            if (folder.Count > count) arrived.Cancel();
            count = folder.Count;
        };
        while (!arrived.IsCancellationRequested && DateTimeOffset.UtcNow < deadline)
        {
            var slice = deadline - DateTimeOffset.UtcNow;
            using var done = CancellationTokenSource.CreateLinkedTokenSource(arrived.Token);
            done.CancelAfter(slice < IdleRenewal ? slice : IdleRenewal);
            await client.IdleAsync(done.Token, ct);
        }
        try { await client.DisconnectAsync(true, ct); }
        catch (Exception e) when (e is IOException or ImapProtocolException) { log.LogDebug(e, "Mailbox {Address}: IDLE connection closed uncleanly", mailbox.Address); }
        return arrived.IsCancellationRequested ? Woken.NewMail : Woken.TimeUp;
    }

    private static async Task<bool> HasUnreadUidsAsync(IMailFolder folder, long lastUid, CancellationToken ct)
    {
        if (folder.Count == 0) return false;
        var uids = await folder.SearchAsync(SearchQuery.Uids(new UniqueIdRange(new UniqueId((uint)lastUid + 1), UniqueId.MaxValue)), ct);
        return uids.Any(u => u.Id > lastUid);
    }

    private static async Task<Woken> SleepUntilAsync(DateTimeOffset deadline, CancellationToken ct)
    {
        var left = deadline - DateTimeOffset.UtcNow;
        if (left > TimeSpan.Zero) await Task.Delay(left, ct);
        return Woken.TimeUp;
    }
}
