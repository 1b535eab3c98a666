using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox.Attachments;

/// One attachment ready to be served: its name, the safe type and the bytes.
public sealed record AttachmentFile(string FileName, string ContentType, long Size, Stream Content);

/// Lists and opens attachments for whoever asks, under the rules of the conversation they belong to:
/// staff see what they may see of the conversation (private teams stay private: not found); a
/// requester's link opens only files of its own conversation's inbound messages and public replies,
/// never of internal notes.
public class ReadAttachments(ChorusDb db, AttachmentStore store)
{
    public static string StaffUrl(Guid id) => $"/attachments/{id}";
    public static string ApiUrl(Guid id) => $"/api/v1/attachments/{id}";

    /// Attachments of the given messages, in the order they came, keyed by message.
    public async Task<Dictionary<Guid, List<AttachmentView>>> OfMessagesAsync(IReadOnlyCollection<Guid> messageIds, Func<Guid, string> url, CancellationToken ct = default)
    {
        var result = new Dictionary<Guid, List<AttachmentView>>();
        foreach (var chunk in messageIds.Chunk(500))
        {
            var rows = await db.MessageAttachments.AsNoTracking().Where(a => chunk.Contains(a.MessageId))
                .OrderBy(a => a.MessageId).ThenBy(a => a.Position).ToListAsync(ct);
            foreach (var a in rows)
            {
                if (!result.TryGetValue(a.MessageId, out var list)) result[a.MessageId] = list = [];
                list.Add(View(a, url));
            }
        }
        return result;
    }

    public static AttachmentView View(MessageAttachment a, Func<Guid, string> url) =>
        new(a.Id, a.FileName, AttachmentTypes.Safe(a.ContentType), a.Size, a.ContentHash is not null, a.DroppedReason, a.ContentHash is null ? null : url(a.Id));

    /// The attachments of one message of a conversation (GET /api/v1/conversations/{n}/messages/{id}/attachments).
    public async Task<Outcome<List<AttachmentView>>> ListForStaffAsync(StaffActor actor, long number, Guid messageId, CancellationToken ct = default)
    {
        var found = await (from m in db.Messages
                           join c in db.Conversations on m.ConversationId equals c.Id
                           where m.Id == messageId && c.Number == number
                           select new { c.TeamId }).SingleOrDefaultAsync(ct);
        if (found is null || !actor.CanSeeTeam(found.TeamId)) return new Outcome<List<AttachmentView>>.NotFound($"Message {messageId} in #{number}");
        var all = await OfMessagesAsync([messageId], ApiUrl, ct);
        return all.GetValueOrDefault(messageId) ?? [];
    }

    public async Task<Outcome<AttachmentFile>> OpenForStaffAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        var found = await (from a in db.MessageAttachments
                           join m in db.Messages on a.MessageId equals m.Id
                           join c in db.Conversations on m.ConversationId equals c.Id
                           where a.Id == id
                           select new { Attachment = a, c.TeamId }).AsNoTracking().SingleOrDefaultAsync(ct);
        // Not found before forbidden, as for the conversation itself.
        if (found is null || !actor.CanSeeTeam(found.TeamId)) return new Outcome<AttachmentFile>.NotFound($"Attachment {id}");
        return Open(found.Attachment);
    }

    /// For the requester link of <paramref name="conversationId"/> (already resolved and followed
    /// through merges by the caller): null unless the file belongs to a public message there.
    public async Task<AttachmentFile?> OpenForRequesterAsync(Guid conversationId, Guid id, CancellationToken ct = default)
    {
        var attachment = await (from a in db.MessageAttachments
                                join m in db.Messages on a.MessageId equals m.Id
                                where a.Id == id && m.ConversationId == conversationId && (m.Kind == MessageKind.Inbound || m.Kind == MessageKind.Reply)
                                select a).AsNoTracking().SingleOrDefaultAsync(ct);
        return attachment is null ? null : Open(attachment) is Outcome<AttachmentFile>.Ok ok ? ok.Value : null;
    }

    private Outcome<AttachmentFile> Open(MessageAttachment a)
    {
        if (a.ContentHash is null) return new Outcome<AttachmentFile>.NotFound($"Attachment {a.Id} (it was not stored: {a.DroppedReason})");
        var stream = store.OpenRead(a.ContentHash);
        if (stream is null) return new Outcome<AttachmentFile>.NotFound($"Attachment {a.Id} (its file is missing from the data directory)");
        return new AttachmentFile(a.FileName, AttachmentTypes.Safe(a.ContentType), a.Size, stream);
    }
}
