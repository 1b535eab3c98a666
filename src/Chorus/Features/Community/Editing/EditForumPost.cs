using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Forum;
using Chorus.Features.Forum.Posting;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community.Editing;

public sealed record PostEdit(string? Body, string? Title, string? Reason);

public sealed record RevisionView(int Number, string Markdown, string AuthorName, DateTimeOffset At, string EditedByName, DateTimeOffset EditedAt, string? Reason);

public sealed record EditablePost(Guid PostId, Guid TopicId, string TopicTitle, int Position, string AuthorName, string Markdown,
    DateTimeOffset? EditedAt, string? EditedByName, IReadOnlyList<RevisionView> Revisions);

/// A moderator corrects a post (a leaked password, a slur in otherwise useful answer) or a topic's title.
/// The text before is kept as a revision, readers see "edited", and the edit is audited.
public class EditForumPost(ChorusDb db, RenderPost render, RecordAudit audit, MemberNotifications.NotifyMembers notify)
{
    public async Task<EditablePost?> ReadAsync(Guid postId, CancellationToken ct = default)
    {
        var p = await (from post in db.ForumPosts.AsNoTracking()
                       join t in db.ForumTopics on post.TopicId equals t.Id
                       where post.Id == postId
                       select new { post, t.Title }).SingleOrDefaultAsync(ct);
        if (p is null) return null;
        var revisions = await db.ForumPostRevisions.AsNoTracking().Where(r => r.PostId == postId).OrderByDescending(r => r.Number)
            .Select(r => new RevisionView(r.Number, r.Markdown, r.AuthorName, r.At, r.EditedByName, r.EditedAt, r.Reason)).ToListAsync(ct);
        return new EditablePost(p.post.Id, p.post.TopicId, p.Title, p.post.Position, p.post.AuthorName, p.post.Markdown, p.post.EditedAt, p.post.EditedByName, revisions);
    }

    public async Task<Outcome<EditablePost>> RunAsync(StaffActor actor, Guid postId, PostEdit edit, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<EditablePost>.Forbidden("Viewers cannot edit posts.");
        var body = edit.Body ?? "";
        if (body.Trim().Length < 2 || body.Length > ForumLimits.MaxPost) return Outcome<EditablePost>.Invalid.One("Body", "A post is 2 to 20,000 characters.");
        var reason = string.IsNullOrWhiteSpace(edit.Reason) ? null : edit.Reason.Trim();
        if (reason is { Length: > 500 }) return Outcome<EditablePost>.Invalid.One("Reason", "A reason is at most 500 characters.");
        var post = await db.ForumPosts.SingleOrDefaultAsync(p => p.Id == postId, ct);
        if (post is null) return new Outcome<EditablePost>.NotFound("The post");
        var topic = await db.ForumTopics.SingleAsync(t => t.Id == post.TopicId, ct);
        var title = edit.Title?.Trim();
        if (post.Position == 1 && title is not null && title.Length is < 5 or > 150) return Outcome<EditablePost>.Invalid.One("Title", "A title is 5 to 150 characters.");
        var titleChanged = post.Position == 1 && title is not null && title != topic.Title;
        var bodyChanged = body != post.Markdown;
        if (!bodyChanged && !titleChanged) return Outcome<EditablePost>.Invalid.One("Body", "Nothing changed.");

        var now = DateTimeOffset.UtcNow;
        var htmlBefore = post.Html;
        if (bodyChanged)
        {
            var number = await db.ForumPostRevisions.Where(r => r.PostId == postId).MaxAsync(r => (int?)r.Number, ct) ?? 0;
            db.ForumPostRevisions.Add(new ForumPostRevision
            {
                PostId = postId, Number = number + 1, Markdown = post.Markdown, AuthorName = post.EditedByName ?? post.AuthorName,
                At = post.EditedAt ?? post.CreatedAt, EditedByName = actor.Name, EditedAt = now, Reason = reason,
            });
            var rendered = await render.RunAsync(body, ct);
            post.Markdown = body;
            post.Html = rendered.Html;
            post.Text = rendered.Text;
            post.EditedAt = now;
            post.EditedByName = actor.Name;
        }
        var before = topic.Title;
        if (titleChanged) topic.Title = title!;
        if (bodyChanged) await notify.QueueAddedMentionsAsync(post, topic, htmlBefore, ct); // saved with the edit: sent once, or not at all
        audit.Add(actor, "forum.post-edited", "forum-post", postId.ToString(),
            $"{post.AuthorName} in “{topic.Title}”" + (titleChanged ? $" (title was “{before}”)" : "") + (reason is null ? "" : $": {reason}"));
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return new Outcome<EditablePost>.Conflict("Someone else edited this post at the same moment. Reload it and try again.");
        }
        return (await ReadAsync(postId, ct))!;
    }
}

/// A moderator moves a topic to the category it belongs in.
public class MoveTopic(ChorusDb db, RecordAudit audit)
{
    public async Task<Outcome<ForumTopic>> RunAsync(StaffActor actor, Guid topicId, Guid categoryId, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<ForumTopic>.Forbidden("Viewers cannot move topics.");
        var topic = await db.ForumTopics.SingleOrDefaultAsync(t => t.Id == topicId, ct);
        if (topic is null) return new Outcome<ForumTopic>.NotFound("The topic");
        var to = await db.ForumCategories.AsNoTracking().SingleOrDefaultAsync(c => c.Id == categoryId, ct);
        if (to is null) return Outcome<ForumTopic>.Invalid.One("categoryId", "Choose a category that exists.");
        if (topic.CategoryId == categoryId) return Outcome<ForumTopic>.Invalid.One("categoryId", "The topic is already in that category.");
        var from = await db.ForumCategories.Where(c => c.Id == topic.CategoryId).Select(c => c.Name).SingleAsync(ct);
        topic.CategoryId = categoryId;
        audit.Add(actor, "forum.topic-moved", "forum-topic", topic.Id.ToString(), $"“{topic.Title}” from {from} to {to.Name}");
        await db.SaveChangesAsync(ct);
        return topic;
    }
}
