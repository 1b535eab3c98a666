using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Campaigns;

/// One channel of a post; a null or blank text publishes the post's body there.
public sealed record PostChannelInput(Guid ChannelId, string? Text = null);

/// A draft's content. Null fields are left as they are; Channels, when given, replaces the list.
/// PlannedAt (a wall-clock time in TimeZone) places a draft on the calendar before it is scheduled.
public sealed record PostInput(string? Title, string? Body, IReadOnlyList<PostChannelInput>? Channels = null, string? PlannedAt = null, string? TimeZone = null);

public sealed record ScheduleInput(string? At, string? TimeZone);

public sealed record CommentInput(string? Text);

/// Composing posts and moving them through review: draft → in review → approved → scheduled →
/// published or failed. The campaign's team (and admins) compose, submit, schedule and retry;
/// approval wants an admin or a colleague of that team other than the author; anyone who can
/// work may comment.
public class ManagePosts(ChorusDb db, ReadPosts read, RecordAudit audit)
{
    public async Task<Outcome<PostDetail>> CreateAsync(StaffActor actor, Guid campaignId, PostInput input, CancellationToken ct = default)
    {
        var campaign = await db.Set<Campaign>().AsNoTracking().Include(c => c.Channels).SingleOrDefaultAsync(c => c.Id == campaignId, ct);
        if (campaign is null) return new Outcome<PostDetail>.NotFound("Campaign");
        if (!ManageCampaigns.CanManage(actor, campaign.OwnerTeamId)) return new Outcome<PostDetail>.Forbidden("Only the campaign's team and admins write its posts.");
        var post = new Post { CampaignId = campaignId, AuthorId = actor.Id, AuthorName = actor.Name, Status = PostStatus.Draft };
        // Without a choice, a post goes out on every channel of its campaign.
        input = input with { Channels = input.Channels ?? campaign.Channels.Select(c => new PostChannelInput(c.ChannelId)).ToList() };
        if (await ApplyAsync(post, input, isNew: true, ct) is { } invalid) return invalid;
        db.Add(post);
        Event(post, actor, "created the draft");
        audit.Add(actor, "post.created", "post", post.Id.ToString(), post.Title);
        await db.SaveChangesAsync(ct);
        return await read.GetAsync(post.Id, ct);
    }

    public async Task<Outcome<PostDetail>> UpdateAsync(StaffActor actor, Guid id, PostInput input, CancellationToken ct = default) =>
        await WithPostAsync(actor, id, async (post, _) =>
        {
            if (post.Status is not (PostStatus.Draft or PostStatus.InReview))
                return new Outcome<PostDetail>.Conflict($"The post is {Words(post.Status)}: withdraw it to a draft before changing it.");
            if (await ApplyAsync(post, input, isNew: false, ct) is { } invalid) return invalid;
            if (post.Status == PostStatus.InReview) Event(post, actor, "edited the post during review");
            audit.Add(actor, "post.updated", "post", post.Id.ToString(), post.Title);
            return null;
        }, ct);

    public Task<Outcome<PostDetail>> SubmitAsync(StaffActor actor, Guid id, CancellationToken ct = default) =>
        WithPostAsync(actor, id, async (post, _) =>
        {
            if (post.Status != PostStatus.Draft) return new Outcome<PostDetail>.Conflict($"Only a draft goes to review; this post is {Words(post.Status)}.");
            if (await ReadinessAsync(post, ct) is { } problem) return problem;
            post.Status = PostStatus.InReview;
            Event(post, actor, "submitted the post for review");
            audit.Add(actor, "post.submitted", "post", post.Id.ToString(), post.Title);
            return null;
        }, ct);

    public async Task<Outcome<PostDetail>> CommentAsync(StaffActor actor, Guid id, CommentInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<PostDetail>.Forbidden("Viewers cannot comment on posts.");
        var text = input.Text?.Trim() ?? "";
        if (text.Length is 0 or > 4000) return Outcome<PostDetail>.Invalid.One("text", "A comment is 1 to 4,000 characters.");
        if (!await db.Set<Post>().AnyAsync(p => p.Id == id, ct)) return new Outcome<PostDetail>.NotFound("Post");
        db.Add(new PostComment { PostId = id, AuthorId = actor.Id, AuthorName = actor.Name, Text = text });
        audit.Add(actor, "post.commented", "post", id.ToString(), TextLimits.Preview(text));
        await db.SaveChangesAsync(ct);
        return await read.GetAsync(id, ct);
    }

    public Task<Outcome<PostDetail>> RequestChangesAsync(StaffActor actor, Guid id, CommentInput input, CancellationToken ct = default) =>
        WithPostAsync(actor, id, (post, campaign) =>
        {
            if (post.Status != PostStatus.InReview) return Done(new Outcome<PostDetail>.Conflict($"Changes are requested on a post in review; this one is {Words(post.Status)}."));
            if (CannotReview(actor, post, campaign) is { } no) return Done(no);
            post.Status = PostStatus.Draft;
            Event(post, actor, "asked for changes" + (string.IsNullOrWhiteSpace(input.Text) ? "" : ": " + TextLimits.Cut(input.Text.Trim(), 3900)));
            audit.Add(actor, "post.changes-requested", "post", post.Id.ToString(), post.Title);
            return Done(null);
        }, ct);

    public Task<Outcome<PostDetail>> ApproveAsync(StaffActor actor, Guid id, CancellationToken ct = default) =>
        WithPostAsync(actor, id, async (post, campaign) =>
        {
            if (post.Status != PostStatus.InReview) return new Outcome<PostDetail>.Conflict($"Only a post in review can be approved; this one is {Words(post.Status)}.");
            if (CannotReview(actor, post, campaign) is { } no) return no;
            if (await ReadinessAsync(post, ct) is { } problem) return problem;
            post.Status = PostStatus.Approved;
            post.ApprovedByName = actor.Name;
            post.ApprovedAt = DateTimeOffset.UtcNow;
            Event(post, actor, "approved the post");
            audit.Add(actor, "post.approved", "post", post.Id.ToString(), post.Title);
            return null;
        }, ct);

    /// Schedules an approved post (or moves a scheduled one). No time means now.
    public Task<Outcome<PostDetail>> ScheduleAsync(StaffActor actor, Guid id, ScheduleInput input, CancellationToken ct = default) =>
        WithPostAsync(actor, id, async (post, _) =>
        {
            if (post.Status is not (PostStatus.Approved or PostStatus.Scheduled))
                return new Outcome<PostDetail>.Conflict(post.Status is PostStatus.Draft or PostStatus.InReview
                    ? "The post must be approved before it is scheduled." : $"The post is {Words(post.Status)}; it cannot be scheduled again.");
            if (!ScheduleTimes.TryZone(input.TimeZone, out var zone)) return Outcome<PostDetail>.Invalid.One("timeZone", $"\"{input.TimeZone}\" is not a time zone (use an IANA name such as Europe/Paris).");
            var now = DateTimeOffset.UtcNow;
            DateTimeOffset at = now;
            if (!string.IsNullOrWhiteSpace(input.At))
            {
                var (parsed, error) = ScheduleTimes.Parse(input.At, zone);
                if (error is not null) return Outcome<PostDetail>.Invalid.One("at", error);
                at = parsed!.Value;
                if (at < now.AddMinutes(-1)) return Outcome<PostDetail>.Invalid.One("at", $"{ScheduleTimes.Display(at, zone.Id)} has passed. Choose a later time, or publish now.");
            }
            if (await ReadinessAsync(post, ct) is { } problem) return problem;
            var moved = post.Status == PostStatus.Scheduled;
            post.Status = PostStatus.Scheduled;
            post.ScheduledAt = at;
            post.TimeZone = zone.Id;
            foreach (var d in post.Deliveries.Where(d => d.State is PublishState.Waiting))
                d.DueAt = at;
            Event(post, actor, (moved ? "moved the post to " : "scheduled the post for ") + ScheduleTimes.Display(at, zone.Id));
            audit.Add(actor, moved ? "post.rescheduled" : "post.scheduled", "post", post.Id.ToString(), $"{post.Title} at {at:O}");
            return null;
        }, ct);

    /// Moves a post on the calendar: a scheduled one is rescheduled; one not yet scheduled gets a new
    /// planned moment (its text, and so its review, stay as they are).
    public async Task<Outcome<PostDetail>> MoveAsync(StaffActor actor, Guid id, ScheduleInput input, CancellationToken ct = default)
    {
        var status = await db.Set<Post>().Where(p => p.Id == id).Select(p => (PostStatus?)p.Status).SingleOrDefaultAsync(ct);
        if (status is PostStatus.Scheduled) return await ScheduleAsync(actor, id, input, ct);
        return await WithPostAsync(actor, id, (post, _) =>
        {
            if (post.Status is PostStatus.Published or PostStatus.Failed)
                return Done(new Outcome<PostDetail>.Conflict($"The post is {Words(post.Status)}; it stays where it went out."));
            if (!ScheduleTimes.TryZone(input.TimeZone, out var zone)) return Done(Outcome<PostDetail>.Invalid.One("timeZone", $"\"{input.TimeZone}\" is not a time zone (use an IANA name such as Europe/Paris)."));
            var (at, error) = ScheduleTimes.Parse(input.At, zone);
            if (error is not null) return Done(Outcome<PostDetail>.Invalid.One("at", error));
            post.ScheduledAt = at;
            post.TimeZone = zone.Id;
            audit.Add(actor, "post.planned", "post", post.Id.ToString(), $"{post.Title} at {at:O}");
            return Done(null);
        }, ct);
    }

    /// Takes an approved, scheduled or failed post back to a draft (it leaves the schedule).
    public Task<Outcome<PostDetail>> WithdrawAsync(StaffActor actor, Guid id, CancellationToken ct = default) =>
        WithPostAsync(actor, id, (post, _) =>
        {
            if (post.Status is not (PostStatus.InReview or PostStatus.Approved or PostStatus.Scheduled or PostStatus.Failed))
                return Done(new Outcome<PostDetail>.Conflict($"The post is {Words(post.Status)}; there is nothing to withdraw."));
            if (post.Deliveries.Any(d => d.State == PublishState.Publishing))
                return Done(new Outcome<PostDetail>.Conflict("The post is being published right now; try again in a moment."));
            if (post.Deliveries.Any(d => d.State == PublishState.Published))
                return Done(new Outcome<PostDetail>.Conflict("The post is already out on some channels; retry the failed ones instead."));
            post.Status = PostStatus.Draft;
            post.ApprovedAt = null;
            post.ApprovedByName = null;
            foreach (var d in post.Deliveries) { d.DueAt = null; d.State = PublishState.Waiting; d.Attempts = 0; d.LastError = null; }
            Event(post, actor, "withdrew the post to a draft");
            audit.Add(actor, "post.withdrawn", "post", post.Id.ToString(), post.Title);
            return Done(null);
        }, ct);

    /// Publishes a failed post's failed channels again, now. Published channels are not touched.
    public Task<Outcome<PostDetail>> RetryAsync(StaffActor actor, Guid id, CancellationToken ct = default) =>
        WithPostAsync(actor, id, (post, _) =>
        {
            if (post.Status != PostStatus.Failed) return Done(new Outcome<PostDetail>.Conflict($"Only a failed post is retried; this one is {Words(post.Status)}."));
            foreach (var d in post.Deliveries.Where(d => d.State == PublishState.Failed))
            {
                d.State = PublishState.Waiting;
                d.DueAt = DateTimeOffset.UtcNow;
                d.Attempts = 0;
                d.LastError = null;
            }
            post.Status = PostStatus.Scheduled;
            Event(post, actor, "retried the failed channels");
            audit.Add(actor, "post.retried", "post", post.Id.ToString(), post.Title);
            return Done(null);
        }, ct);

    private static Task<Outcome<PostDetail>?> Done(Outcome<PostDetail>? o) => Task.FromResult(o);

    private static Outcome<PostDetail>? CannotReview(StaffActor actor, Post post, Campaign campaign)
    {
        if (!ManageCampaigns.CanManage(actor, campaign.OwnerTeamId)) return new Outcome<PostDetail>.Forbidden("Only the campaign's team and admins review its posts.");
        if (!actor.IsAdmin && post.AuthorId == actor.Id) return new Outcome<PostDetail>.Forbidden("A colleague reviews your post: you cannot approve your own.");
        return null;
    }

    /// Loads a post for a change by the campaign's team, runs it, saves. The action returns null on success.
    private async Task<Outcome<PostDetail>> WithPostAsync(StaffActor actor, Guid id, Func<Post, Campaign, Task<Outcome<PostDetail>?>> action, CancellationToken ct)
    {
        var post = await db.Set<Post>().Include(p => p.Deliveries).SingleOrDefaultAsync(p => p.Id == id, ct);
        if (post is null) return new Outcome<PostDetail>.NotFound("Post");
        var campaign = await db.Set<Campaign>().AsNoTracking().SingleAsync(c => c.Id == post.CampaignId, ct);
        if (!ManageCampaigns.CanManage(actor, campaign.OwnerTeamId)) return new Outcome<PostDetail>.Forbidden("Only the campaign's team and admins change its posts.");
        if (await action(post, campaign) is { } failed) return failed;
        post.UpdatedAt = DateTimeOffset.UtcNow;
        // Only if nothing (a publisher) changed the post's status meanwhile.
        var original = db.Entry(post).Property(p => p.Status).OriginalValue;
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { return new Outcome<PostDetail>.Conflict($"The post changed meanwhile (it was {Words(original)}); reload and try again."); }
        return await read.GetAsync(id, ct);
    }

    /// Whether the post can go out as it is: channels chosen and enabled, each text within its channel's limit.
    private async Task<Outcome<PostDetail>?> ReadinessAsync(Post post, CancellationToken ct)
    {
        if (post.Deliveries.Count == 0) return Outcome<PostDetail>.Invalid.One("channels", "Choose at least one channel to publish on.");
        var ids = post.Deliveries.Select(d => d.ChannelId).ToList();
        var channels = await db.Set<PublishingChannel>().AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var problems = new List<string>();
        foreach (var d in post.Deliveries)
        {
            var ch = channels[d.ChannelId];
            if (!ch.Enabled) problems.Add($"{ch.Name} is switched off.");
            if (PostLength.Problem(ch.Name, ch.Kind, ch.MaxLength, d.Text ?? post.Body) is { } p) problems.Add(p);
            if (ch.Kind is PublishingChannelKind.Newsroom or PublishingChannelKind.Newsletter && string.IsNullOrWhiteSpace(post.Title))
                problems.Add(ch.Kind == PublishingChannelKind.Newsroom ? "A newsroom post needs a title." : "A newsletter needs a title: it is the e-mail's subject.");
            if (ch.Kind == PublishingChannelKind.Newsletter && (ch.MailboxId is null || ch.PersonListId is null)) problems.Add($"{ch.Name} has no mailbox or list of people; an admin chooses them.");
            if (ch.Kind is not (PublishingChannelKind.Newsroom or PublishingChannelKind.Newsletter) && ch.ProtectedSecret is null) problems.Add($"{ch.Name} has no {(ch.Kind == PublishingChannelKind.Mastodon ? "access token" : "webhook address")}; an admin sets it.");
        }
        return problems.Count == 0 ? null : new Outcome<PostDetail>.Invalid(new Dictionary<string, string[]> { ["channels"] = problems.Distinct().ToArray() });
    }

    private async Task<Outcome<PostDetail>?> ApplyAsync(Post post, PostInput input, bool isNew, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var title = input.Title?.Trim() ?? post.Title;
        if (title.Length is 0 or > 200) errors["title"] = ["Give the post a title of up to 200 characters (the newsroom's headline; elsewhere only its name here)."];
        var body = input.Body?.Trim() ?? post.Body;
        if (body.Length == 0) errors["body"] = ["Write the post first."];
        else if (body.Length > Post.MaxBody) errors["body"] = [$"A post is at most {Post.MaxBody:N0} characters."];
        if (input.Channels is { } chosen)
        {
            var ids = chosen.Select(c => c.ChannelId).ToList();
            if (ids.Distinct().Count() != ids.Count) errors["channels"] = ["Each channel appears once."];
            var allowed = await db.Set<CampaignChannel>().Where(c => c.CampaignId == post.CampaignId && ids.Contains(c.ChannelId)).Select(c => c.ChannelId).ToListAsync(ct);
            if (allowed.Count != ids.Distinct().Count()) errors["channels"] = ["Publish only on the campaign's channels (add the channel to the campaign first)."];
            if (chosen.Any(c => c.Text?.Length > Post.MaxBody)) errors["channels"] = [$"A channel's text is at most {Post.MaxBody:N0} characters."];
        }
        if (!ScheduleTimes.TryZone(input.TimeZone ?? post.TimeZone, out var zone)) errors["timeZone"] = [$"\"{input.TimeZone}\" is not a time zone (use an IANA name such as Europe/Paris)."];
        DateTimeOffset? planned = post.ScheduledAt;
        if (input.PlannedAt is not null && !errors.ContainsKey("timeZone"))
        {
            if (input.PlannedAt.Length == 0) planned = null;
            else
            {
                var (at, error) = ScheduleTimes.Parse(input.PlannedAt, zone);
                if (error is not null) errors["plannedAt"] = [error];
                planned = at;
            }
        }
        if (errors.Count > 0) return new Outcome<PostDetail>.Invalid(errors);

        post.Title = title;
        post.Body = body;
        post.ScheduledAt = planned;
        post.TimeZone = zone.Id;
        if (input.Channels is { } channels)
        {
            post.Deliveries.RemoveAll(d => channels.All(c => c.ChannelId != d.ChannelId));
            foreach (var c in channels)
            {
                var text = string.IsNullOrWhiteSpace(c.Text) ? null : c.Text.Trim();
                if (post.Deliveries.FirstOrDefault(d => d.ChannelId == c.ChannelId) is { } existing) existing.Text = text;
                else post.Deliveries.Add(new PostDelivery { PostId = post.Id, ChannelId = c.ChannelId, Text = text });
            }
        }
        return null;
    }

    private void Event(Post post, StaffActor actor, string what) =>
        db.Add(new PostComment { PostId = post.Id, AuthorId = actor.Id, AuthorName = actor.Name, Text = $"{actor.Name} {what}" + (what.EndsWith('.') || what.EndsWith('?') || what.EndsWith('!') ? "" : "."), IsEvent = true });

    public static string Words(PostStatus s) => s switch
    {
        PostStatus.Draft => "a draft",
        PostStatus.InReview => "in review",
        PostStatus.Approved => "approved",
        PostStatus.Scheduled => "scheduled",
        PostStatus.Published => "published",
        _ => "failed",
    };
}
