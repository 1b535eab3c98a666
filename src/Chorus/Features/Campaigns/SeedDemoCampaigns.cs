using Chorus.Data;
using Chorus.Features.Admin;

namespace Chorus.Features.Campaigns;

/// The demo workspace's marketing: a launch campaign with a post on the newsroom, one waiting for
/// review, one scheduled and a planned draft, a tracked link with clicks, and a Mastodon channel that
/// waits for an admin's token (so nothing leaves the demo for a real server).
public static class SeedDemoCampaigns
{
    public static void Add(ChorusDb db, IReadOnlyDictionary<string, Team> teams, IReadOnlyDictionary<string, string> staffIds, DateTimeOffset now)
    {
        var newsroom = new PublishingChannel { Name = "Newsroom", Kind = PublishingChannelKind.Newsroom, MaxLength = Post.MaxBody };
        var mastodon = new PublishingChannel
        {
            Name = "Mastodon @lumengames", Kind = PublishingChannelKind.Mastodon, BaseUrl = "https://mastodon.example", MaxLength = 500, Enabled = false,
        };
        var campaign = new Campaign
        {
            Name = "Starfall 2.0 launch", Objective = CampaignObjective.Awareness, OwnerTeamId = teams["Marketing"].Id, CreatedById = staffIds["leo"],
            StartsOn = DateOnly.FromDateTime(now.AddDays(-10).UtcDateTime), EndsOn = DateOnly.FromDateTime(now.AddDays(30).UtcDateTime),
            BudgetNote = "€3,000 for boosted posts; creators' codes from the partner budget",
            Description = "Tell every Starfall player that 2.0 lands, with the new co-op mode front and centre.",
        };
        campaign.Channels.AddRange([new CampaignChannel { CampaignId = campaign.Id, ChannelId = newsroom.Id }, new CampaignChannel { CampaignId = campaign.Id, ChannelId = mastodon.Id }]);
        db.AddRange(newsroom, mastodon, campaign);

        // Whole hours in UTC (the demo's posts are planned in Europe/Berlin, an hour ahead in winter).
        DateTimeOffset Day(int days, int hourUtc) => new(now.UtcDateTime.Date.AddDays(days).AddHours(hourUtc), TimeSpan.Zero);

        Post Add(string title, string body, PostStatus status, DateTimeOffset? at, params PublishingChannel[] on)
        {
            var post = new Post
            {
                CampaignId = campaign.Id, Title = title, Body = body, Status = status, ScheduledAt = at, TimeZone = "Europe/Berlin",
                AuthorId = staffIds["leo"], AuthorName = "Leo Martin", CreatedAt = now.AddDays(-7), UpdatedAt = now.AddDays(-1),
            };
            foreach (var c in on)
                post.Deliveries.Add(new PostDelivery { PostId = post.Id, ChannelId = c.Id, DueAt = status == PostStatus.Scheduled ? at : null });
            db.Add(post);
            db.Add(new PostComment { PostId = post.Id, AuthorId = staffIds["leo"], AuthorName = "Leo Martin", Text = "Leo Martin created the draft.", IsEvent = true, CreatedAt = post.CreatedAt });
            return post;
        }

        var announced = Add("Starfall 2.0 is coming", "Starfall **2.0** arrives next month with a brand-new co-op mode, cross-saves and 40 new levels.\n\nSign up for the beta on our site.",
            PostStatus.Published, now.AddDays(-3), newsroom);
        announced.PublishedAt = now.AddDays(-3);
        announced.ApprovedByName = "Dana Whitfield";
        var published = announced.Deliveries[0];
        (published.State, published.PublishedAt, published.Attempts, published.ExternalId, published.ExternalUrl) =
            (PublishState.Published, now.AddDays(-3), 1, "starfall-2-0-is-coming", "/newsroom/starfall-2-0-is-coming");

        var review = Add("Co-op mode trailer", "Two players, one ship, no second chances. Watch the co-op trailer for Starfall 2.0 ✨", PostStatus.InReview, Day(2, 15), mastodon);
        db.Add(new PostComment { PostId = review.Id, AuthorName = "Leo Martin", AuthorId = staffIds["leo"], Text = "Leo Martin submitted the post for review.", IsEvent = true, CreatedAt = now.AddHours(-5) });
        db.Add(new PostComment { PostId = review.Id, AuthorName = "Maya Okafor", AuthorId = staffIds["maya"], Text = "Support will get crash questions on older GPUs: can we link the requirements page?", CreatedAt = now.AddHours(-3) });

        Add("Launch day", "Starfall 2.0 is out today! Patch notes and the co-op guide are in the newsroom.", PostStatus.Scheduled, Day(5, 7), newsroom)
            .ApprovedByName = "Dana Whitfield";
        Add("Behind the scenes: building co-op", "Our lead designer on what it took to make two-player ships work.", PostStatus.Draft, Day(9, 9), newsroom, mastodon);

        db.Add(new TrackedLink
        {
            Code = "starfall", CampaignId = campaign.Id, PostId = announced.Id, TargetUrl = "https://lumengames.example/starfall/beta",
            UtmSource = "chorus", UtmMedium = "newsroom", UtmCampaign = "starfall-2-0-launch", Clicks = 1284, BotClicks = 311, CreatedById = staffIds["leo"],
        });
    }
}
