using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Forum.Members;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum.Posting;

/// A member likes a post (or takes the like back). Not their own, only visible posts.
public class LikePost(ChorusDb db, RaiseTrustLevel trust)
{
    /// Returns whether the post is liked by the member afterwards.
    public async Task<Outcome<bool>> ToggleAsync(MemberView member, Guid postId, CancellationToken ct = default)
    {
        var post = await db.ForumPosts.AsNoTracking().Where(p => p.Id == postId)
            .Select(p => new { p.Id, p.State, p.AuthorMemberId, TopicState = db.ForumTopics.Where(t => t.Id == p.TopicId).Select(t => t.State).Single() })
            .SingleOrDefaultAsync(ct);
        if (post is null || post.State != PostState.Visible || post.TopicState != PostState.Visible) return new Outcome<bool>.NotFound("The post");
        if (post.AuthorMemberId == member.Id) return new Outcome<bool>.Forbidden("You cannot like your own post.");
        var existing = await db.ForumLikes.SingleOrDefaultAsync(l => l.PostId == postId && l.MemberId == member.Id, ct);
        bool liked;
        if (existing is null)
        {
            db.ForumLikes.Add(new ForumLike { PostId = postId, MemberId = member.Id });
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException) { db.ChangeTracker.Clear(); return true; } // liked twice at once: one like
            liked = true;
        }
        else
        {
            db.ForumLikes.Remove(existing);
            await db.SaveChangesAsync(ct);
            liked = false;
        }
        // Counted from the likes themselves, so a retried or concurrent toggle cannot drift the number.
        var count = await db.ForumLikes.CountAsync(l => l.PostId == postId, ct);
        await db.ForumPosts.Where(p => p.Id == postId).ExecuteUpdateAsync(s => s.SetProperty(p => p.LikeCount, count), ct);
        if (liked && post.AuthorMemberId is { } author) await trust.RunAsync(author, ct);
        return liked;
    }
}

/// The topic's author (or staff) marks the reply that answered it; marking it again takes it back.
public class AcceptAnswer(ChorusDb db, RecordAudit audit, Community.Bridge.CreditCommunityAnswer credit)
{
    /// Returns the accepted post id afterwards (null when taken back).
    public async Task<Outcome<Guid?>> ToggleAsync(ForumViewer viewer, Guid postId, CancellationToken ct = default)
    {
        var post = await db.ForumPosts.AsNoTracking().SingleOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null || (post.State != PostState.Visible && !viewer.IsStaff)) return new Outcome<Guid?>.NotFound("The post");
        var topic = await db.ForumTopics.SingleAsync(t => t.Id == post.TopicId, ct);
        var isAuthor = viewer.Member is { } m && topic.AuthorMemberId == m.Id;
        if (!isAuthor && !viewer.CanModerate) return new Outcome<Guid?>.Forbidden("Only the topic's author or staff can accept an answer.");
        if (post.Position == 1) return new Outcome<Guid?>.Conflict("The question itself cannot be its answer.");
        if (post.State != PostState.Visible) return new Outcome<Guid?>.Conflict("Only a published reply can be the accepted answer.");
        topic.AcceptedPostId = topic.AcceptedPostId == post.Id ? null : post.Id;
        if (!isAuthor) audit.Add(viewer.Staff, topic.AcceptedPostId is null ? "forum.answer-unaccepted" : "forum.answer-accepted", "forum-topic", topic.Id.ToString(), topic.Title);
        await db.SaveChangesAsync(ct);
        // A member's answer on a topic that reached Support's inbox solves the conversation there.
        if (topic.AcceptedPostId is not null && post.AuthorMemberId is not null && topic.ConversationId is { } conversationId)
            await credit.RunAsync(conversationId, post.AuthorName, post.Id, ct);
        return topic.AcceptedPostId;
    }
}

/// Staff pin a topic to the top of its category or lock it against new replies.
public class ManageTopic(ChorusDb db, RecordAudit audit)
{
    public async Task<Outcome<ForumTopic>> PinAsync(StaffActor actor, Guid topicId, bool pinned, CancellationToken ct = default) =>
        await ChangeAsync(actor, topicId, t => t.IsPinned = pinned, pinned ? "forum.topic-pinned" : "forum.topic-unpinned", ct);

    public async Task<Outcome<ForumTopic>> LockAsync(StaffActor actor, Guid topicId, bool locked, CancellationToken ct = default) =>
        await ChangeAsync(actor, topicId, t => t.IsLocked = locked, locked ? "forum.topic-locked" : "forum.topic-unlocked", ct);

    private async Task<Outcome<ForumTopic>> ChangeAsync(StaffActor actor, Guid topicId, Action<ForumTopic> change, string action, CancellationToken ct)
    {
        if (!actor.CanWork) return new Outcome<ForumTopic>.Forbidden("Viewers cannot moderate the forum.");
        var topic = await db.ForumTopics.SingleOrDefaultAsync(t => t.Id == topicId, ct);
        if (topic is null) return new Outcome<ForumTopic>.NotFound("The topic");
        change(topic);
        audit.Add(actor, action, "forum-topic", topic.Id.ToString(), topic.Title);
        await db.SaveChangesAsync(ct);
        return topic;
    }
}
