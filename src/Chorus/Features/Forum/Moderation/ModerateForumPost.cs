using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Forum.Members;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum.Moderation;

public enum ModerationAction { Approve, Hide, Delete }

/// Why a post was taken down. Spam and Abusive teach the classifier; the others only explain.
public enum RemovalReason { Spam, Abusive, OffTopic, Other }

public sealed record ModerationDecision(ModerationAction Action, RemovalReason? Reason, string? Note);

public sealed record ModeratedPost(Guid PostId, Guid TopicId, PostState State);

/// A moderator approves a post (published; its author's first approval ends the new-member hold), hides
/// it (readers no longer see it; staff can approve it back) or deletes it (gone for everyone but staff).
/// Every decision is audited and teaches the classifier: approved means neither spam nor toxic; removed
/// as spam or as abusive means that. A topic follows its first post.
public class ModerateForumPost(ChorusDb db, RecordAudit audit, ModerationModel model, RaiseTrustLevel trust, Community.Flags.ResolveFlags flags,
    MemberNotifications.NotifyMembers notify)
{
    public async Task<Outcome<ModeratedPost>> RunAsync(StaffActor actor, Guid postId, ModerationDecision decision, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<ModeratedPost>.Forbidden("Viewers cannot moderate the forum.");
        if (decision.Action != ModerationAction.Approve && decision.Reason is null)
            return Outcome<ModeratedPost>.Invalid.One("reason", "Choose why the post is taken down.");
        var note = decision.Note?.Trim();
        if (note is { Length: > 400 }) return Outcome<ModeratedPost>.Invalid.One("note", "A note is at most 400 characters.");
        var post = await db.ForumPosts.SingleOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null) return new Outcome<ModeratedPost>.NotFound("The post");
        var topic = await db.ForumTopics.SingleAsync(t => t.Id == post.TopicId, ct);

        var before = post.State;
        var after = decision.Action switch { ModerationAction.Approve => PostState.Visible, ModerationAction.Hide => PostState.Hidden, _ => PostState.Deleted };
        post.State = after;
        post.ModeratedAt = DateTimeOffset.UtcNow;
        post.ModeratedByName = actor.Name;
        post.ModerationReason = decision.Action == ModerationAction.Approve ? note : Describe(decision.Reason!.Value) + (string.IsNullOrEmpty(note) ? "" : ": " + note);
        if (post.Position == 1) topic.State = after;
        else if (before != PostState.Visible && after == PostState.Visible)
        {
            topic.ReplyCount++;
            if (post.CreatedAt > topic.LastPostAt) topic.LastPostAt = post.CreatedAt;
        }
        else if (before == PostState.Visible && after != PostState.Visible)
        {
            topic.ReplyCount = Math.Max(0, topic.ReplyCount - 1);
            if (topic.AcceptedPostId == post.Id) topic.AcceptedPostId = null;
        }

        var example = decision.Action switch
        {
            ModerationAction.Approve => new ModerationExample { PostId = post.Id, Text = post.Text, Spam = false, Toxic = false },
            _ when decision.Reason == RemovalReason.Spam => new ModerationExample { PostId = post.Id, Text = post.Text, Spam = true },
            _ when decision.Reason == RemovalReason.Abusive => new ModerationExample { PostId = post.Id, Text = post.Text, Toxic = true },
            _ => null,
        };
        if (example is not null) db.ModerationExamples.Add(example);
        var action = decision.Action switch { ModerationAction.Approve => "forum.post-approved", ModerationAction.Hide => "forum.post-hidden", _ => "forum.post-deleted" };
        // Members' flags on the post are settled by the same decision: approving disagrees with them, taking it down agrees.
        var closed = await flags.CloseAsync(post.Id, decision.Action == ModerationAction.Approve ? Community.FlagResolution.Disagreed : Community.FlagResolution.Agreed, actor.Name, ct);
        audit.Add(actor, action,
            "forum-post", post.Id.ToString(), $"{post.AuthorName} in “{topic.Title}”" + (post.ModerationReason is { } r ? $" ({r})" : "")
            + (closed > 0 ? $"; {closed} flag{(closed == 1 ? "" : "s")} {(decision.Action == ModerationAction.Approve ? "disagreed with" : "agreed with")}" : ""));
        // Published now: members hear about it as if it had just been posted (a post is announced once).
        if (before != PostState.Visible && after == PostState.Visible) await notify.QueueAsync(post, topic, ct);
        await db.SaveChangesAsync(ct);
        if (example is not null) model.Apply(example);
        if (after == PostState.Visible && post.AuthorMemberId is { } author) await trust.RunAsync(author, ct);
        return new ModeratedPost(post.Id, topic.Id, after);
    }

    public static string Describe(RemovalReason reason) => reason switch
    {
        RemovalReason.Spam => "Spam",
        RemovalReason.Abusive => "Abusive",
        RemovalReason.OffTopic => "Off-topic",
        _ => "Other",
    };
}
