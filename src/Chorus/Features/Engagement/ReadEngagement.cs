using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Campaigns;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Engagement;

/// A post's engagement on Mastodon: replies, boosts and favourites as Mastodon counts them, the
/// conversations its replies started in the inbox, and how reading it back is going.
public sealed record PostEngagementView(Guid PostId, string Title, int Replies, int Boosts, int Favourites, int Conversations,
    bool Tracked, DateTimeOffset? PolledAt, DateTimeOffset? NextPollAt, string? LastError, string? StoppedReason)
{
    public int Total => Replies + Boosts + Favourites;
}

/// A campaign's engagement: the totals of its posts, and each post's.
public sealed record CampaignEngagementView(Guid CampaignId, int Replies, int Boosts, int Favourites, int Conversations, IReadOnlyList<PostEngagementView> Posts)
{
    public int Total => Replies + Boosts + Favourites;
}

public class ReadEngagement(ChorusDb db)
{
    public async Task<Outcome<PostEngagementView>> ForPostAsync(Guid postId, CancellationToken ct = default)
    {
        var post = await db.Set<Post>().AsNoTracking().Where(p => p.Id == postId).Select(p => new { p.Id, p.Title }).SingleOrDefaultAsync(ct);
        if (post is null) return new Outcome<PostEngagementView>.NotFound("Post");
        return new Outcome<PostEngagementView>.Ok((await ViewsAsync([(post.Id, post.Title)], ct))[0]);
    }

    public async Task<Outcome<CampaignEngagementView>> ForCampaignAsync(Guid campaignId, CancellationToken ct = default)
    {
        if (!await db.Set<Campaign>().AnyAsync(c => c.Id == campaignId, ct)) return new Outcome<CampaignEngagementView>.NotFound("Campaign");
        var posts = await db.Set<Post>().AsNoTracking().Where(p => p.CampaignId == campaignId && p.PublishedAt != null)
            .OrderBy(p => p.PublishedAt).Select(p => new { p.Id, p.Title }).ToListAsync(ct);
        var views = await ViewsAsync(posts.Select(p => (p.Id, p.Title)).ToList(), ct);
        return new Outcome<CampaignEngagementView>.Ok(new CampaignEngagementView(campaignId, views.Sum(v => v.Replies), views.Sum(v => v.Boosts),
            views.Sum(v => v.Favourites), views.Sum(v => v.Conversations), views));
    }

    private async Task<List<PostEngagementView>> ViewsAsync(IReadOnlyList<(Guid Id, string Title)> posts, CancellationToken ct)
    {
        var ids = posts.Select(p => p.Id).ToList();
        var rows = await (from e in db.Set<PostEngagement>().AsNoTracking()
                          join d in db.Set<PostDelivery>() on e.DeliveryId equals d.Id
                          where ids.Contains(e.PostId)
                          select new { e, d.ExternalId }).ToListAsync(ct);
        // Reply conversations are found by their thread ids: one per replier per status.
        var threads = new Dictionary<Guid, int>();
        foreach (var r in rows)
        {
            var prefix = PollPostEngagement.ThreadId(r.ExternalId!, "");
            threads[r.e.PostId] = threads.GetValueOrDefault(r.e.PostId)
                + await db.Conversations.CountAsync(c => c.ChannelId == r.e.ChannelId && c.ExternalThreadId!.StartsWith(prefix) && c.MergedIntoId == null, ct);
        }
        var byPost = rows.ToLookup(r => r.e.PostId, r => r.e);
        return posts.Select(p =>
        {
            var e = byPost[p.Id].ToList();
            return new PostEngagementView(p.Id, p.Title, e.Sum(x => x.Replies), e.Sum(x => x.Boosts), e.Sum(x => x.Favourites), threads.GetValueOrDefault(p.Id),
                e.Count > 0, e.Max(x => x.PolledAt), e.Where(x => x.StoppedReason is null).Min(x => (DateTimeOffset?)x.NextPollAt),
                e.Select(x => x.LastError).FirstOrDefault(x => x is not null), e.Select(x => x.StoppedReason).FirstOrDefault(x => x is not null));
        }).ToList();
    }
}
