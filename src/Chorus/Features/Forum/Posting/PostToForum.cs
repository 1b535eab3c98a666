using System.ComponentModel.DataAnnotations;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Forum.Members;
using Chorus.Features.Forum.Moderation;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum.Posting;

public sealed class TopicInput
{
    [Required(ErrorMessage = "Give your topic a title.")]
    [StringLength(150, MinimumLength = 5, ErrorMessage = "A title is 5 to 150 characters.")]
    public string? Title { get; set; }

    [Required(ErrorMessage = "Write your post.")]
    [StringLength(ForumLimits.MaxPost, MinimumLength = 2, ErrorMessage = "A post is 2 to 20,000 characters.")]
    public string? Body { get; set; }

    /// Generated when the form is rendered: submitting it twice creates one topic.
    public Guid RequestId { get; set; }
}

public sealed class ReplyInput
{
    [Required(ErrorMessage = "Write your reply.")]
    [StringLength(ForumLimits.MaxPost, MinimumLength = 2, ErrorMessage = "A reply is 2 to 20,000 characters.")]
    public string? Body { get; set; }

    public Guid RequestId { get; set; }
}

public static class ForumLimits
{
    public const int MaxPost = 20_000;
    public const int PageSize = 20;
}

/// Who writes: a member (their trust level decides what waits for review) or staff (official, never held).
public sealed record ForumAuthor(Guid? MemberId, string? StaffId, string Name, TrustLevel Trust, Guid? PersonId)
{
    public bool IsStaff => StaffId is not null;
    public static ForumAuthor Of(MemberView m) => new(m.Id, null, m.Username, m.Trust, m.PersonId);
    public static ForumAuthor Of(StaffActor s) => new(null, s.Id, s.Name, TrustLevel.Leader, null);
}

public sealed record PostReceipt(Guid TopicId, Guid PostId, int Position, PostState State, string? HeldReason);

/// Starts topics and posts replies: renders, scores and screens the post, then stores it with its
/// position in the topic. A post that waits for review is stored Held: its author sees it marked,
/// readers do not, the review queue lists it.
public class PostToForum(ChorusDb db, RenderPost render, ScreenPost screen, Community.Sanctions.MemberStanding standing,
    MemberNotifications.NotifyMembers notify, ILogger<PostToForum> log)
{
    public async Task<Outcome<PostReceipt>> StartTopicAsync(ForumAuthor author, Guid categoryId, TopicInput input, CancellationToken ct = default)
    {
        var title = input.Title?.Trim() ?? "";
        if (title.Length is < 5 or > 150) return Outcome<PostReceipt>.Invalid.One(nameof(input.Title), "A title is 5 to 150 characters.");
        if (Body(input.Body) is { } invalid) return invalid;
        if (!await db.ForumCategories.AnyAsync(c => c.Id == categoryId, ct)) return new Outcome<PostReceipt>.NotFound("The category");
        if (await RefusedAsync(author, ct) is { } refused) return refused;
        if (await ExistingAsync(input.RequestId, ct) is { } existing) return existing;

        var rendered = await render.RunAsync(input.Body!, ct);
        var verdict = await screen.RunAsync(author, title + "\n" + rendered.Text, rendered.HasLinks, ct);
        var now = DateTimeOffset.UtcNow;
        var topic = new ForumTopic
        {
            CategoryId = categoryId, Title = title, AuthorMemberId = author.MemberId, AuthorStaffId = author.StaffId, AuthorName = author.Name,
            CreatedAt = now, LastPostAt = now, LastPosition = 1, State = verdict.State,
        };
        var post = NewPost(author, topic.Id, 1, input.Body!, rendered, verdict, input.RequestId, now);
        db.ForumTopics.Add(topic);
        db.ForumPosts.Add(post);
        if (author.PersonId is { } personId)
            db.Activities.Add(new Activity { PersonId = personId, Kind = ForumActivities.Topic, At = now, Summary = $"Started the topic “{title}”: {TextLimits.Cut(rendered.Text, 240)}" });
        await notify.QueueAsync(post, topic, ct); // the members it mentions hear about it: one job, saved with the topic
        if (!await SaveOnceAsync(input.RequestId, ct)) return (await ExistingAsync(input.RequestId, CancellationToken.None))!;
        log.LogInformation("Forum topic {Topic} started by {Author} ({State})", topic.Id, author.Name, verdict.State);
        return new PostReceipt(topic.Id, post.Id, 1, post.State, post.HeldReason);
    }

    public async Task<Outcome<PostReceipt>> ReplyAsync(ForumAuthor author, Guid topicId, ReplyInput input, CancellationToken ct = default)
    {
        if (Body(input.Body) is { } invalid) return invalid;
        var topic = await db.ForumTopics.AsNoTracking().SingleOrDefaultAsync(t => t.Id == topicId, ct);
        // A reply to a topic merged away (an open form, the inbox bridge) goes to the topic it was merged into.
        if (topic?.MergedIntoId is { } mergedInto) return await ReplyAsync(author, mergedInto, input, ct);
        var mayRead = topic is not null && (topic.State == PostState.Visible || author.IsStaff
            || (topic.State == PostState.Held && topic.AuthorMemberId == author.MemberId && author.MemberId is not null));
        if (!mayRead) return new Outcome<PostReceipt>.NotFound("The topic");
        if (topic!.IsLocked && !author.IsStaff) return new Outcome<PostReceipt>.Forbidden("This topic is locked: it takes no new replies.");
        if (await RefusedAsync(author, ct) is { } refused) return refused;
        if (await ExistingAsync(input.RequestId, ct) is { } existing) return existing;

        var rendered = await render.RunAsync(input.Body!, ct);
        var verdict = await screen.RunAsync(author, rendered.Text, rendered.HasLinks, ct);
        var now = DateTimeOffset.UtcNow;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Taking the next position is one atomic update: two replies at once get two positions.
        var visible = verdict.State == PostState.Visible;
        await db.ForumTopics.Where(t => t.Id == topicId).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.LastPosition, t => t.LastPosition + 1)
            .SetProperty(t => t.ReplyCount, t => visible ? t.ReplyCount + 1 : t.ReplyCount)
            .SetProperty(t => t.LastPostAt, t => visible ? now : t.LastPostAt), ct);
        var position = await db.ForumTopics.Where(t => t.Id == topicId).Select(t => t.LastPosition).SingleAsync(ct);
        var post = NewPost(author, topicId, position, input.Body!, rendered, verdict, input.RequestId, now);
        db.ForumPosts.Add(post);
        if (author.PersonId is { } personId)
            db.Activities.Add(new Activity { PersonId = personId, Kind = ForumActivities.Reply, At = now, Summary = $"Replied to “{topic.Title}”: {TextLimits.Cut(rendered.Text, 240)}" });
        await notify.QueueAsync(post, topic, ct); // who follows the topic or is mentioned: one job, saved with the reply
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            notify.Committed();
        }
        catch (DbUpdateException) when (input.RequestId != Guid.Empty)
        {
            await tx.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            if (await ExistingAsync(input.RequestId, CancellationToken.None) is { } same) return same;
            throw;
        }
        return new PostReceipt(topicId, post.Id, position, post.State, post.HeldReason);
    }

    /// A silenced, suspended or banned member, or one whose person is blocked, posts nothing.
    private async Task<Outcome<PostReceipt>?> RefusedAsync(ForumAuthor author, CancellationToken ct) =>
        author.MemberId is { } memberId && await standing.WhyCannotPostAsync(memberId, author.PersonId, ct) is { } why
            ? new Outcome<PostReceipt>.Forbidden(why) : null;

    private static Outcome<PostReceipt>? Body(string? body) =>
        body is null || body.Trim().Length < 2 || body.Length > ForumLimits.MaxPost
            ? Outcome<PostReceipt>.Invalid.One("Body", "A post is 2 to 20,000 characters.") : null;

    private static ForumPost NewPost(ForumAuthor author, Guid topicId, int position, string markdown, RenderedPost rendered, ScreenVerdict verdict, Guid requestId, DateTimeOffset now) => new()
    {
        TopicId = topicId, Position = position, AuthorMemberId = author.MemberId, AuthorStaffId = author.StaffId, AuthorName = author.Name,
        IsOfficial = author.IsStaff, Markdown = markdown, Html = rendered.Html, Text = rendered.Text, CreatedAt = now,
        State = verdict.State, HeldReason = verdict.Reason, SpamScore = verdict.Score.Spam, ToxicityScore = verdict.Score.Toxicity,
        RequestId = requestId == Guid.Empty ? null : requestId,
    };

    private async Task<Outcome<PostReceipt>?> ExistingAsync(Guid requestId, CancellationToken ct)
    {
        if (requestId == Guid.Empty) return null;
        var p = await db.ForumPosts.AsNoTracking().Where(x => x.RequestId == requestId).Select(x => new { x.TopicId, x.Id, x.Position, x.State, x.HeldReason }).SingleOrDefaultAsync(ct);
        return p is null ? null : (Outcome<PostReceipt>)new PostReceipt(p.TopicId, p.Id, p.Position, p.State, p.HeldReason);
    }

    /// False when the same form was submitted at the same moment by another request (its request id is unique).
    private async Task<bool> SaveOnceAsync(Guid requestId, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException) when (requestId != Guid.Empty)
        {
            db.ChangeTracker.Clear();
            if (await ExistingAsync(requestId, CancellationToken.None) is not null) return false;
            throw;
        }
    }
}
