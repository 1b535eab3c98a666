using Chorus.Data;
using Chorus.Features.Inbox.Attachments;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community.Blocking;

/// A blocked person's e-mail is filed as a <see cref="BlockedMessage"/>, which has no attachments: their files
/// must not sit in the attachment store with nothing pointing at them. So the channels ask before storing a
/// message's files (<see cref="SenderBlockedAsync"/>: never stored), and after ingest the files of any envelope
/// that turned out blocked anyway (blocked between that question and the write) are deleted, unless a stored
/// message uses the same bytes (the store is content-addressed, so one file can serve many messages).
public class KeepBlockedFilesOut(ChorusDb db, AttachmentStore store, ILogger<KeepBlockedFilesOut> log)
{
    public const string NotStored = "Not stored: the sender is blocked.";

    /// Whether the person behind this address is on the block list (an unknown address is not).
    public async Task<bool> SenderBlockedAsync(IdentityKind kind, string handle, CancellationToken ct = default)
    {
        var normalized = Identity.Normalize(kind, handle);
        return await (from i in db.Identities
                      join b in db.PersonBlocks on i.PersonId equals b.PersonId
                      where i.Kind == kind && i.Handle == normalized
                      select b.PersonId).AnyAsync(ct);
    }

    /// Deletes the stored files of the envelopes the pipeline filed as blocked that no message uses; returns how many.
    public async Task<int> DiscardAsync(IReadOnlyList<InboundEnvelope> envelopes, IReadOnlyList<IngestResult> results, CancellationToken ct = default)
    {
        var hashes = envelopes.Where((e, i) => results[i].Status == IngestStatus.Blocked)
            .SelectMany(e => e.Attachments ?? []).Select(a => a.ContentHash).OfType<string>().Distinct().ToList();
        if (hashes.Count == 0) return 0;
        var used = await db.MessageAttachments.Where(a => a.ContentHash != null && hashes.Contains(a.ContentHash)).Select(a => a.ContentHash!).Distinct().ToListAsync(ct);
        var removed = hashes.Except(used).Count(store.Delete);
        if (removed > 0) log.LogInformation("Deleted {Count} stored files of e-mail from blocked senders", removed);
        return removed;
    }
}
