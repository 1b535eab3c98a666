using System.Text.Json;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Forum;
using Chorus.Features.Forum.Posting;
using Chorus.Features.Inbox;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community.Bridge;

public sealed record ForumReplyPayload(Guid TopicId, string StaffId, string StaffName, string Body);

/// A reply written in the inbox on a forum conversation leaves through the outbox, saved with the reply
/// in the caller's unit of work, like an e-mail reply.
public class QueueForumReply(ChorusDb db)
{
    /// Ok(true) when queued; Ok(false) when the conversation is not a forum topic's.
    public async Task<Outcome<bool>> AddAsync(Conversation conversation, Message reply, StaffActor actor, CancellationToken ct = default)
    {
        if (!await db.Channels.AnyAsync(c => c.Id == conversation.ChannelId && c.Kind == ChannelKind.Forum, ct)) return false;
        var topicId = await db.ForumTopics.Where(t => t.ConversationId == conversation.Id).Select(t => (Guid?)t.Id).FirstOrDefaultAsync(ct)
                      ?? BridgeSupportTopics.TopicOf(conversation.ExternalThreadId);
        if (topicId is null || !await db.ForumTopics.AnyAsync(t => t.Id == topicId, ct))
            return new Outcome<bool>.Conflict($"#{conversation.Number}'s forum topic is gone, so the reply cannot be posted there.");
        var body = string.IsNullOrWhiteSpace(reply.Text) ? HtmlCleaner.ToText(reply.Html ?? "") : reply.Text;
        if (body.Trim().Length < 2) return new Outcome<bool>.Conflict("A forum reply needs at least two characters of text.");
        db.Outbox.Add(new OutboxItem
        {
            ChannelId = conversation.ChannelId, ConversationId = conversation.Id, MessageId = reply.Id, Purpose = OutboxPurpose.Reply,
            IdempotencyKey = "forum-reply:" + reply.Id, Payload = JsonSerializer.Serialize(new ForumReplyPayload(topicId.Value, actor.Id, actor.Name, body)),
            CreatedAt = reply.CreatedAt, NextAttemptAt = reply.CreatedAt,
        });
        return true;
    }
}

/// Posts a queued inbox reply to its forum topic as an official staff reply. The outbox item's id is the
/// post's request id, so a retried delivery finds the post it already made instead of posting twice.
public class SendForumReply(PostToForum post)
{
    public async Task<SendResult> RunAsync(OutboxItem item, CancellationToken ct)
    {
        var payload = JsonSerializer.Deserialize<ForumReplyPayload>(item.Payload)!;
        var author = new ForumAuthor(null, payload.StaffId, payload.StaffName, Forum.TrustLevel.Leader, null);
        var outcome = await post.ReplyAsync(author, payload.TopicId, new ReplyInput { Body = payload.Body, RequestId = item.Id }, ct);
        return outcome switch
        {
            Outcome<PostReceipt>.Ok => new SendResult.Sent(),
            Outcome<PostReceipt>.NotFound => new SendResult.Failed("The forum topic is gone or taken down, so the reply was not posted."),
            _ => new SendResult.Failed(outcome.Error ?? "The forum refused the reply."),
        };
    }
}

/// A member's answer accepted on a bridged topic solves its conversation: the community answered, so
/// Support did not have to (a community deflection, recorded as an event in the thread).
public class CreditCommunityAnswer(ChorusDb db, InboxEvents events)
{
    public const string EventPrefix = "Community deflection:";

    public async Task RunAsync(Guid conversationId, string answererName, Guid postId, CancellationToken ct = default)
    {
        var c = await db.Conversations.SingleOrDefaultAsync(x => x.Id == conversationId, ct);
        if (c is null || c.MergedIntoId is not null || c.Status is ConversationStatus.Solved or ConversationStatus.Closed) return;
        db.Messages.Add(Inbox.Actions.ConversationGuard.Event(c,
            $"{EventPrefix} @{answererName}'s answer was accepted in the community forum, so this is solved. /forum/p/{postId}"));
        c.Status = ConversationStatus.Solved;
        c.SolvedAt = DateTimeOffset.UtcNow;
        c.WaitingSince = null;
        c.UpdatedAt = DateTimeOffset.UtcNow;
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear(); // an agent changed it at the same moment: theirs stands
            return;
        }
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
    }
}
