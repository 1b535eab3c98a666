using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Campaigns;
using Chorus.Features.Engagement;
using Chorus.Features.Newsletter;
using Chorus.Features.PressRoom;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.CampaignReports;

/// A campaign's results. Totals and the per-post table cover every post of the campaign; the charts
/// (per day, or per week from Monday past 62 days) cover the chosen period, by default the campaign's dates.
public sealed record CampaignReport(Guid CampaignId, string Name, CampaignObjective Objective, DateOnly StartsOn, DateOnly EndsOn, string OwnerTeamName,
    DateOnly From, DateOnly To, string Bucket, CampaignTotals Totals, IReadOnlyList<CampaignPeriod> Periods, IReadOnlyList<CampaignPostResult> Posts,
    IReadOnlyList<CampaignLinkResult> Links, IReadOnlyList<FollowerGrowth> Followers, CoverageOverTime Coverage, ShareOfVoice ShareOfVoice);

/// Reach: the audience the posts went out to (each Mastodon account's followers on the day of the post, and each newsletter's
/// recipients; webhooks and the newsroom have no known audience). Engagement: replies, boosts and favourites on Mastodon.
/// Clicks: people's clicks on the campaign's tracked links (robots counted apart). Conversions: people who answered the
/// campaign (a reply to one of its Mastodon posts or newsletters became a conversation), each counted once; new people
/// are those Chorus first met on or after the campaign's first post went out.
public sealed record CampaignTotals(int PostsPublished, long Reach, int Replies, int Boosts, int Favourites, double? EngagementRate,
    long Clicks, long RobotClicks, int Conversations, int Conversions, int NewPeople)
{
    public int Engagement => Replies + Boosts + Favourites;
}

/// One day or week: posts that went out in it with their reach and engagement, reply conversations started in it, and
/// clicks on the campaign's tracked links in it (people's; robots apart), from the links' per-day counts.
public sealed record CampaignPeriod(DateOnly Start, DateOnly End, int PostsPublished, long Reach, int Engagement, int Conversations,
    long Clicks = 0, long RobotClicks = 0);

public sealed record CampaignPostResult(Guid PostId, string Title, DateTimeOffset? PublishedAt, IReadOnlyList<string> Channels, long Reach,
    int Replies, int Boosts, int Favourites, long Clicks, long RobotClicks, int Conversations, int People);

public sealed record CampaignLinkResult(Guid Id, string ShortPath, string Destination, Guid? PostId, long Clicks, long RobotClicks);

/// A Mastodon account's followers per day of the period (the last count known on or before that day; null before the first).
public sealed record FollowerGrowth(Guid ChannelId, string ChannelName, long? First, long? Last, IReadOnlyList<FollowerPoint> Points)
{
    public long? Change => First is { } f && Last is { } l ? l - f : null;
}

public sealed record FollowerPoint(DateOnly Day, long? Followers);

public class ReadCampaignReport(ChorusDb db, CountClicks clicks, ManageCoverage coverage, TimeProvider clock)
{
    public const int MaxDays = 366;

    public async Task<Outcome<CampaignReport>> RunAsync(Guid campaignId, DateOnly? from = null, DateOnly? to = null, CancellationToken ct = default)
    {
        var campaign = await (from c in db.Set<Campaign>().AsNoTracking()
                              join t in db.Teams on c.OwnerTeamId equals t.Id
                              where c.Id == campaignId
                              select new { c.Id, c.Name, c.Objective, c.StartsOn, c.EndsOn, Team = t.Name }).SingleOrDefaultAsync(ct);
        if (campaign is null) return new Outcome<CampaignReport>.NotFound("Campaign");
        var posts = await db.Set<Post>().AsNoTracking().Where(p => p.CampaignId == campaignId).OrderBy(p => p.PublishedAt ?? p.ScheduledAt ?? p.CreatedAt)
            .Select(p => new { p.Id, p.Title, p.PublishedAt }).ToListAsync(ct);

        // By default the campaign's dates, widened to any post published outside them; a running campaign's end is today.
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var publishedDays = posts.Where(p => p.PublishedAt is not null).Select(p => DateOnly.FromDateTime(p.PublishedAt!.Value.UtcDateTime)).ToList();
        var start = from ?? (publishedDays.Count > 0 && publishedDays.Min() < campaign.StartsOn ? publishedDays.Min() : campaign.StartsOn);
        var end = to ?? (campaign.StartsOn <= today && today < campaign.EndsOn ? today : campaign.EndsOn);
        if (to is null && publishedDays.Count > 0 && publishedDays.Max() > end) end = publishedDays.Max();
        if (to is null && end < start) end = start;
        if (end < start) return Outcome<CampaignReport>.Invalid.One("to", "The period ends before it starts.");
        if (end.DayNumber - start.DayNumber >= MaxDays) return Outcome<CampaignReport>.Invalid.One("to", $"Ask for at most {MaxDays} days.");
        var postIds = posts.Select(p => p.Id).ToList();
        var deliveries = await (from d in db.Set<PostDelivery>().AsNoTracking()
                                join c in db.Set<PublishingChannel>() on d.ChannelId equals c.Id
                                where postIds.Contains(d.PostId)
                                select new { d.Id, d.PostId, d.ChannelId, ChannelName = c.Name, c.Kind, d.State, d.ExternalId, d.PublishedAt }).ToListAsync(ct);
        var published = deliveries.Where(d => d.State == PublishState.Published).ToList();

        // Reach per delivery.
        var mastodonChannels = await (from cc in db.Set<CampaignChannel>() join c in db.Set<PublishingChannel>() on cc.ChannelId equals c.Id
                                      where cc.CampaignId == campaignId && c.Kind == PublishingChannelKind.Mastodon select new { c.Id, c.Name }).ToListAsync(ct);
        foreach (var d in published.Where(d => d.Kind == PublishingChannelKind.Mastodon && mastodonChannels.All(m => m.Id != d.ChannelId)))
            mastodonChannels.Add(new { Id = d.ChannelId, Name = d.ChannelName });
        var channelIds = mastodonChannels.Select(m => m.Id).ToList();
        var counts = (await db.Set<FollowerCount>().AsNoTracking().Where(f => channelIds.Contains(f.ChannelId)).OrderBy(f => f.Day)
            .Select(f => new { f.ChannelId, f.Day, f.Followers }).ToListAsync(ct)).ToLookup(f => f.ChannelId);
        long FollowersOn(Guid channel, DateOnly day) =>
            counts[channel].LastOrDefault(f => f.Day <= day)?.Followers ?? counts[channel].FirstOrDefault()?.Followers ?? 0;
        var reach = new Dictionary<Guid, long>();
        foreach (var d in published)
        {
            reach[d.Id] = d.Kind switch
            {
                PublishingChannelKind.Mastodon => FollowersOn(d.ChannelId, DateOnly.FromDateTime((d.PublishedAt ?? clock.GetUtcNow()).UtcDateTime)),
                PublishingChannelKind.Newsletter => await NewsletterRecipientsAsync(d.Id, ct),
                _ => 0,
            };
        }

        // Engagement (Mastodon's counts) and the conversations replies started.
        var engagement = (await db.Set<PostEngagement>().AsNoTracking().Where(e => postIds.Contains(e.PostId))
            .Select(e => new { e.PostId, e.Replies, e.Boosts, e.Favourites }).ToListAsync(ct)).ToLookup(e => e.PostId);
        var threads = new Dictionary<string, Guid>(); // thread prefix → post
        foreach (var d in published)
        {
            if (d.Kind == PublishingChannelKind.Mastodon && d.ExternalId is { } status) threads[PollPostEngagement.ThreadId(status, "")] = d.PostId;
            if (d.Kind == PublishingChannelKind.Newsletter) threads[NewsletterReplies.ThreadPrefix(d.Id)] = d.PostId;
        }
        var replyConversations = threads.Count == 0 ? [] : (await db.Conversations.AsNoTracking()
                .Where(c => c.MergedIntoId == null && c.ExternalThreadId != null
                            && (c.ExternalThreadId.StartsWith(PollPostEngagement.ThreadPrefix) || c.ExternalThreadId.StartsWith(NewsletterReplies.Prefix)))
                .Select(c => new { c.ExternalThreadId, c.RequesterId, c.CreatedAt }).ToListAsync(ct))
            .Select(c => (Post: threads.FirstOrDefault(t => c.ExternalThreadId!.StartsWith(t.Key, StringComparison.Ordinal)).Value, c.RequesterId, c.CreatedAt))
            .Where(c => c.Post != Guid.Empty).ToList();
        var people = replyConversations.Select(c => c.RequesterId).Distinct().ToList();
        var firstOut = published.Min(d => d.PublishedAt);
        var newPeople = firstOut is null || people.Count == 0 ? 0
            : await db.People.CountAsync(p => people.Contains(p.Id) && p.CreatedAt >= firstOut, ct);

        // Clicks: the campaign's tracked links, counted to this moment.
        var links = await ManageTrackedLinks.ViewsAsync(db, clicks, db.Set<TrackedLink>().Where(l => l.CampaignId == campaignId), ct);
        var linkIds = links.Select(l => l.Id).ToList();
        var clickDays = await db.Set<TrackedLinkDay>().AsNoTracking().Where(d => linkIds.Contains(d.LinkId) && d.Day >= start && d.Day <= end)
            .GroupBy(d => d.Day).Select(g => new { Day = g.Key, Clicks = g.Sum(d => d.Clicks), Robots = g.Sum(d => d.BotClicks) }).ToListAsync(ct);

        var postResults = posts.Select(p =>
        {
            var mine = published.Where(d => d.PostId == p.Id).ToList();
            var e = engagement[p.Id].ToList();
            var conversations = replyConversations.Where(c => c.Post == p.Id).ToList();
            var postLinks = links.Where(l => l.PostId == p.Id).ToList();
            return new CampaignPostResult(p.Id, p.Title, p.PublishedAt, mine.Select(d => d.ChannelName).OrderBy(n => n).ToList(), mine.Sum(d => reach[d.Id]),
                e.Sum(x => x.Replies), e.Sum(x => x.Boosts), e.Sum(x => x.Favourites), postLinks.Sum(l => l.Clicks), postLinks.Sum(l => l.BotClicks),
                conversations.Count, conversations.Select(c => c.RequesterId).Distinct().Count());
        }).ToList();
        var mastodonReach = published.Where(d => d.Kind == PublishingChannelKind.Mastodon).Sum(d => reach[d.Id]);
        var totalEngagement = postResults.Sum(p => p.Replies + p.Boosts + p.Favourites);
        var totals = new CampaignTotals(posts.Count(p => p.PublishedAt is not null), reach.Values.Sum(), postResults.Sum(p => p.Replies), postResults.Sum(p => p.Boosts),
            postResults.Sum(p => p.Favourites), mastodonReach == 0 ? null : Math.Round((double)totalEngagement / mastodonReach, 4),
            links.Sum(l => l.Clicks), links.Sum(l => l.BotClicks), replyConversations.Count, people.Count, newPeople);

        // Per day or week of the period.
        var weekly = end.DayNumber - start.DayNumber > 62;
        DateOnly BucketOf(DateOnly d) => weekly ? d.AddDays(-(((int)d.DayOfWeek + 6) % 7)) : d;
        static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);
        var periods = new List<CampaignPeriod>();
        for (var b = BucketOf(start); b <= end; b = b.AddDays(weekly ? 7 : 1))
        {
            var bucket = b;
            var postsIn = postResults.Where(p => p.PublishedAt is { } at && BucketOf(Day(at)) == bucket).ToList();
            var clicksIn = clickDays.Where(c => BucketOf(c.Day) == bucket).ToList();
            periods.Add(new CampaignPeriod(bucket, weekly ? bucket.AddDays(6) : bucket, postsIn.Count, postsIn.Sum(p => p.Reach),
                postsIn.Sum(p => p.Replies + p.Boosts + p.Favourites), replyConversations.Count(c => BucketOf(Day(c.CreatedAt)) == bucket),
                clicksIn.Sum(c => c.Clicks), clicksIn.Sum(c => c.Robots)));
        }

        var followers = mastodonChannels.OrderBy(m => m.Name).Select(m =>
        {
            var points = new List<FollowerPoint>();
            for (var d = start; d <= end; d = d.AddDays(1))
            {
                var day = d;
                points.Add(new FollowerPoint(day, counts[m.Id].LastOrDefault(f => f.Day <= day)?.Followers));
            }
            var known = points.Where(p => p.Followers is not null).ToList();
            return new FollowerGrowth(m.Id, m.Name, known.FirstOrDefault()?.Followers, known.LastOrDefault()?.Followers, points);
        }).ToList();

        return new CampaignReport(campaign.Id, campaign.Name, campaign.Objective, campaign.StartsOn, campaign.EndsOn, campaign.Team, start, end,
            weekly ? "week" : "day", totals, periods, postResults,
            links.Select(l => new CampaignLinkResult(l.Id, l.ShortPath, l.Destination, l.PostId, l.Clicks, l.BotClicks)).ToList(), followers,
            await coverage.OverTimeAsync(start, end, null, ct), await coverage.ShareOfVoiceAsync(start, end, ct));
    }

    /// A newsletter's audience: the mails it queued, one per person (their keys name the delivery).
    private Task<long> NewsletterRecipientsAsync(Guid deliveryId, CancellationToken ct)
    {
        var prefix = SendNewsletter.MessageIdPrefix(deliveryId);
        return db.Outbox.LongCountAsync(o => o.IdempotencyKey.StartsWith(prefix), ct);
    }
}
