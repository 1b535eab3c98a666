using Chorus.Data;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Attachments;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.WebForm;

public sealed record RequesterMessage(bool FromRequester, string AuthorName, string Text, string? Html, DateTimeOffset At, Guid Id = default,
    IReadOnlyList<AttachmentView>? Attachments = null);

public sealed record RequesterView(Guid Id, long Number, string Subject, ConversationStatus Status, string RequesterName, IReadOnlyList<RequesterMessage> Messages);

/// What a requester sees through their private link: their messages and our public replies.
/// Internal notes and system events are never part of it.
public class ReadRequesterConversation(ChorusDb db, ReadAttachments attachments)
{
    public async Task<RequesterView?> RunAsync(Guid conversationId, CancellationToken ct = default, int depth = 0)
    {
        var c = await db.Conversations.AsNoTracking().Where(x => x.Id == conversationId)
            .Select(x => new { x.Id, x.Number, x.Subject, x.Status, x.MergedIntoId, x.RequesterId, Requester = x.Requester!.Name }).SingleOrDefaultAsync(ct);
        if (c is null) return null;
        // A merged conversation's messages live in the target: follow it when it is the same requester's
        // (never into someone else's thread).
        if (c.MergedIntoId is { } into && depth < 10
            && await db.Conversations.AnyAsync(t => t.Id == into && t.RequesterId == c.RequesterId, ct))
            return await RunAsync(into, ct, depth + 1);
        var messages = await (from m in db.Messages.AsNoTracking()
                              where m.ConversationId == c.Id && (m.Kind == MessageKind.Inbound || m.Kind == MessageKind.Reply)
                              join u in db.Users on m.AuthorStaffId equals u.Id into uj
                              from u in uj.DefaultIfEmpty()
                              orderby m.CreatedAt
                              select new RequesterMessage(m.Kind == MessageKind.Inbound, m.Kind == MessageKind.Inbound ? c.Requester : (u != null ? u.DisplayName : "Support"),
                                  m.Text, m.Html, m.CreatedAt, m.Id, null)).ToListAsync(ct);
        // Only the files of these (public) messages; the page builds each link from its own token.
        var files = await attachments.OfMessagesAsync(messages.Select(m => m.Id).ToList(), id => id.ToString(), ct);
        if (files.Count > 0) messages = messages.Select(m => files.TryGetValue(m.Id, out var f) ? m with { Attachments = f } : m).ToList();
        return new RequesterView(c.Id, c.Number, c.Subject, c.Status, c.Requester, messages);
    }
}

/// A reply written by the requester on their private page, fed through the ingest pipeline like any inbound message.
public class ReplyAsRequester(ChorusDb db, IngestPipeline pipeline)
{
    public async Task<IngestResult> RunAsync(Guid conversationId, Guid requestId, string text, CancellationToken ct = default)
    {
        var c = await db.Conversations.AsNoTracking().Where(x => x.Id == conversationId)
            .Select(x => new { x.ChannelId, x.ExternalThreadId, x.RequesterId }).SingleOrDefaultAsync(ct);
        if (c is null) return IngestResult.Rejected("The conversation no longer exists.");
        var identity = await db.Identities.AsNoTracking().Where(i => i.PersonId == c.RequesterId)
            .OrderBy(i => i.Kind == IdentityKind.Email ? 0 : 1).ThenBy(i => i.CreatedAt).FirstOrDefaultAsync(ct);
        if (identity is null) return IngestResult.Rejected("The requester has no identity to reply as.");
        return await pipeline.IngestAsync(new InboundEnvelope(c.ChannelId, "web-reply:" + requestId, c.ExternalThreadId,
            new InboundAuthor(identity.Kind, identity.Handle, null), DateTimeOffset.UtcNow, null, text, null), ct);
    }
}
