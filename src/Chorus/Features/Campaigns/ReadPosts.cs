using Chorus.Common;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Campaigns;

public sealed record PostSummary(Guid Id, Guid CampaignId, string CampaignName, string Title, PostStatus Status, DateTimeOffset? ScheduledAt, string TimeZone,
    string AuthorName, IReadOnlyList<string> Channels, DateTimeOffset? PublishedAt);

public sealed record PostDeliveryView(Guid Id, Guid ChannelId, string ChannelName, PublishingChannelKind ChannelKind, string? Text, string EffectiveText,
    int Length, int MaxLength, string? Problem, PublishState State, int Attempts, string? LastError, string? ExternalId, string? ExternalUrl, DateTimeOffset? PublishedAt);

/// An attached image: PreviewPath opens it for staff (any status); the API serves it at /api/v1/posts/{post}/images/{id}.
public sealed record PostImageView(Guid Id, int Position, string FileName, string ContentType, long Size, string AltText, string PreviewPath);

public sealed record PostCommentView(Guid Id, string AuthorName, string Text, bool IsEvent, DateTimeOffset CreatedAt);

public sealed record PostDetail(Guid Id, Guid CampaignId, string CampaignName, Guid OwnerTeamId, string Title, string Body, PostStatus Status,
    DateTimeOffset? ScheduledAt, string TimeZone, string? ScheduledLocal, string AuthorId, string AuthorName, string? ApprovedByName, DateTimeOffset? ApprovedAt,
    DateTimeOffset? PublishedAt, IReadOnlyList<PostDeliveryView> Deliveries, IReadOnlyList<PostCommentView> Comments, IReadOnlyList<TrackedLinkView> Links,
    IReadOnlyList<PostImageView> Images);

/// Reading posts: their summaries (campaign page, calendar) and one post with deliveries and review.
public class ReadPosts(ChorusDb db, CountClicks clicks)
{
    public static async Task<List<PostSummary>> SummariesAsync(ChorusDb db, IQueryable<Post> posts, CancellationToken ct)
    {
        var rows = await (from p in posts.AsNoTracking()
                          join c in db.Set<Campaign>() on p.CampaignId equals c.Id
                          select new { p.Id, p.CampaignId, Campaign = c.Name, p.Title, p.Status, p.ScheduledAt, p.TimeZone, p.AuthorName, p.PublishedAt, p.CreatedAt }).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var channels = await (from d in db.Set<PostDelivery>().AsNoTracking()
                              join ch in db.Set<PublishingChannel>() on d.ChannelId equals ch.Id
                              where ids.Contains(d.PostId)
                              select new { d.PostId, ch.Name }).ToListAsync(ct);
        var byPost = channels.ToLookup(c => c.PostId, c => c.Name);
        return rows.OrderBy(r => r.ScheduledAt ?? DateTimeOffset.MaxValue).ThenBy(r => r.CreatedAt)
            .Select(r => new PostSummary(r.Id, r.CampaignId, r.Campaign, r.Title, r.Status, r.ScheduledAt, r.TimeZone, r.AuthorName,
                byPost[r.Id].Order().ToList(), r.PublishedAt)).ToList();
    }

    /// Posts planned or scheduled between two instants, for the calendar.
    public Task<List<PostSummary>> BetweenAsync(DateTimeOffset from, DateTimeOffset to, Guid? campaignId, CancellationToken ct = default) =>
        SummariesAsync(db, db.Set<Post>().Where(p => p.ScheduledAt >= from && p.ScheduledAt < to && (campaignId == null || p.CampaignId == campaignId)), ct);

    /// Posts with no planned moment yet (drafts to place on the calendar).
    public Task<List<PostSummary>> UnplannedAsync(CancellationToken ct = default) =>
        SummariesAsync(db, db.Set<Post>().Where(p => p.ScheduledAt == null && p.Status != PostStatus.Published), ct);

    public async Task<Outcome<PostDetail>> GetAsync(Guid id, CancellationToken ct = default)
    {
        var p = await db.Set<Post>().AsNoTracking().Include(x => x.Deliveries).SingleOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) return new Outcome<PostDetail>.NotFound("Post");
        var campaign = await db.Set<Campaign>().AsNoTracking().Where(c => c.Id == p.CampaignId).Select(c => new { c.Name, c.OwnerTeamId }).SingleAsync(ct);
        var channelIds = p.Deliveries.Select(d => d.ChannelId).ToList();
        var channels = await db.Set<PublishingChannel>().AsNoTracking().Where(c => channelIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var deliveries = p.Deliveries.Select(d =>
        {
            var ch = channels[d.ChannelId];
            var text = d.Text ?? p.Body;
            return new PostDeliveryView(d.Id, d.ChannelId, ch.Name, ch.Kind, d.Text, text, PostLength.Of(ch.Kind, text), ch.MaxLength,
                PostLength.Problem(ch.Name, ch.Kind, ch.MaxLength, text), d.State, d.Attempts, d.LastError, d.ExternalId, d.ExternalUrl, d.PublishedAt);
        }).OrderBy(d => d.ChannelName).ToList();
        var comments = await db.Set<PostComment>().AsNoTracking().Where(c => c.PostId == id).OrderBy(c => c.CreatedAt)
            .Select(c => new PostCommentView(c.Id, c.AuthorName, c.Text, c.IsEvent, c.CreatedAt)).ToListAsync(ct);
        var links = await ManageTrackedLinks.ViewsAsync(db, clicks, db.Set<TrackedLink>().Where(l => l.PostId == id), ct);
        var images = await ImagesAsync(db, id, ct);
        return new PostDetail(p.Id, p.CampaignId, campaign.Name, campaign.OwnerTeamId, p.Title, p.Body, p.Status, p.ScheduledAt, p.TimeZone,
            p.ScheduledAt is { } at ? ScheduleTimes.Display(at, p.TimeZone) : null, p.AuthorId, p.AuthorName, p.ApprovedByName, p.ApprovedAt, p.PublishedAt,
            deliveries, comments, links, images.Select(i => new PostImageView(i.Id, i.Position, i.FileName, i.ContentType, i.Size, i.AltText, ManagePostImages.StaffPath(i.Id))).ToList());
    }

    /// A post's images in their order.
    public static Task<List<PostImage>> ImagesAsync(ChorusDb db, Guid postId, CancellationToken ct) =>
        db.Set<PostImage>().AsNoTracking().Where(i => i.PostId == postId).OrderBy(i => i.Position).ToListAsync(ct);
}
