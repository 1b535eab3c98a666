using System.Net;
using Chorus.Features.Campaigns;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Campaigns;

/// Draft → in review (comments) → approved → scheduled, with who may do what, per-channel limits
/// refused before scheduling, and schedules given in a time zone.
public class PostWorkflowTests
{
    [Theory, Providers]
    public async Task A_post_over_a_channels_limit_is_refused_before_review_and_scheduling_with_the_reason(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var longText = new string('a', 480) + " https://example.test/" + new string('x', 100); // 480 + 1 + one link (23) = 504
        var draft = await kit.DraftAsync("Too long", longText, (kit.Mastodon, null), (kit.Discord, null));
        var id = draft.GetProperty("id").GetGuid();
        var mastodon = CampaignKit.Delivery(draft, "Mastodon");
        Assert.Equal(504, mastodon.GetProperty("length").GetInt32());
        Assert.Equal("The text for Mastodon is 504 characters; Mastodon takes at most 500. Shorten it by 4.", mastodon.Str("problem"));
        Assert.Null(CampaignKit.Delivery(draft, "Discord").Str("problem"));

        var refused = await (await kit.Author.PostAsync($"/api/v1/posts/{id}/submit", new { })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("The text for Mastodon is 504 characters; Mastodon takes at most 500. Shorten it by 4.", refused.GetProperty("errors").GetProperty("channels")[0].GetString());
        Assert.Equal("Draft", (await kit.PostAsync(id)).Str("status"));

        // Adapted for Mastodon, it goes through; the other channel keeps the full text.
        var adapted = await (await kit.Author.PatchAsync($"/api/v1/posts/{id}", new
        {
            channels = new object[] { new { channelId = kit.Mastodon, text = "Short for Mastodon https://example.test/" + new string('x', 100) }, new { channelId = kit.Discord } },
        })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(19 + 23, CampaignKit.Delivery(adapted, "Mastodon").GetProperty("length").GetInt32());
        Assert.Equal(longText, CampaignKit.Delivery(adapted, "Discord").Str("effectiveText"));
        await (await kit.Author.PostAsync($"/api/v1/posts/{id}/submit", new { })).JsonAsync(HttpStatusCode.OK);
        await (await kit.Reviewer.PostAsync($"/api/v1/posts/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);

        // The limit drops after approval (an admin edits the channel): scheduling refuses, saying why.
        await (await kit.Admin.PatchAsync($"/api/v1/publishing-channels/{kit.Discord}", new { maxLength = 300 })).JsonAsync(HttpStatusCode.OK);
        var late = await (await kit.Author.PostAsync($"/api/v1/posts/{id}/schedule", new { at = "2030-01-01T09:00", timeZone = "UTC" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("The text for Discord is 602 characters; Discord takes at most 300.", late.Str("detail"));
        Assert.Equal("Approved", (await kit.PostAsync(id)).Str("status"));
    }

    [Theory, Providers]
    public async Task Review_goes_draft_in_review_approved_scheduled_and_only_a_colleague_approves(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var outsider = await kit.App.StaffAsync("agent", "Support");
        var viewer = await kit.App.StaffAsync("viewer", "Marketing");
        var id = (await kit.DraftAsync("Review me", "Please review", (kit.Slack, null))).GetProperty("id").GetGuid();

        Assert.Equal("Only a post in review can be approved; this one is a draft.",
            (await (await kit.Author.PostAsync($"/api/v1/posts/{id}/approve", new { })).ProblemAsync(HttpStatusCode.Conflict)).Str("detail"));
        Assert.Equal("The post must be approved before it is scheduled.",
            (await (await kit.Author.PostAsync($"/api/v1/posts/{id}/schedule", new { })).ProblemAsync(HttpStatusCode.Conflict)).Str("detail"));
        await (await outsider.PostAsync($"/api/v1/posts/{id}/submit", new { })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await kit.Author.PostAsync($"/api/v1/posts/{id}/submit", new { })).JsonAsync(HttpStatusCode.OK);

        var own = await (await kit.Author.PostAsync($"/api/v1/posts/{id}/approve", new { })).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("A colleague reviews your post: you cannot approve your own.", own.Str("detail"));
        await (await outsider.PostAsync($"/api/v1/posts/{id}/approve", new { })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync($"/api/v1/posts/{id}/approve", new { })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync($"/api/v1/posts/{id}/comments", new { text = "lgtm" })).ProblemAsync(HttpStatusCode.Forbidden);

        // Anyone who works may comment; the reviewer asks for changes, the author fixes and resubmits.
        await (await outsider.PostAsync($"/api/v1/posts/{id}/comments", new { text = "Support will get questions about this: link the FAQ?" })).JsonAsync(HttpStatusCode.Created);
        var back = await (await kit.Reviewer.PostAsync($"/api/v1/posts/{id}/request-changes", new { text = "Add the FAQ link." })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Draft", back.Str("status"));
        await (await kit.Author.PatchAsync($"/api/v1/posts/{id}", new { body = "Please review. FAQ: https://example.test/faq" })).JsonAsync(HttpStatusCode.OK);
        await (await kit.Author.PostAsync($"/api/v1/posts/{id}/submit", new { })).JsonAsync(HttpStatusCode.OK);
        var approved = await (await kit.Reviewer.PostAsync($"/api/v1/posts/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Approved", approved.Str("status"));
        Assert.NotNull(approved.Str("approvedByName"));

        // Approved text is frozen: changing it means withdrawing it to a draft (and a new review).
        var frozen = await (await kit.Author.PatchAsync($"/api/v1/posts/{id}", new { body = "sneaky edit" })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("The post is approved: withdraw it to a draft before changing it.", frozen.Str("detail"));

        var scheduled = await (await kit.Author.PostAsync($"/api/v1/posts/{id}/schedule", new { at = "2030-12-01T09:00", timeZone = "Europe/Paris" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Scheduled", scheduled.Str("status"));
        Assert.Equal(new DateTimeOffset(2030, 12, 1, 8, 0, 0, TimeSpan.Zero), scheduled.GetProperty("scheduledAt").GetDateTimeOffset()); // CET is UTC+1
        Assert.Equal("Sun 1 Dec 2030, 09:00 Europe/Paris", scheduled.Str("scheduledLocal"));

        var texts = scheduled.GetProperty("comments").EnumerateArray().Select(c => c.Str("text")).ToList();
        Assert.Equal(7, texts.Count);
        Assert.Contains("Support will get questions about this: link the FAQ?", texts);
        Assert.Contains(texts, t => t.EndsWith("asked for changes: Add the FAQ link."));
        Assert.Contains(texts, t => t.EndsWith("scheduled the post for Sun 1 Dec 2030, 09:00 Europe/Paris."));

        var audit = await (await kit.Admin.GetAsync("/api/v1/audit?action=post.")).JsonAsync(HttpStatusCode.OK);
        var actions = audit.EnumerateArray().Select(a => a.Str("action")).ToList();
        foreach (var a in new[] { "post.created", "post.submitted", "post.commented", "post.changes-requested", "post.updated", "post.approved", "post.scheduled" })
            Assert.Contains(a, actions);
    }

    [Theory, Providers]
    public async Task Schedules_in_a_time_zone_refuse_times_that_do_not_exist_or_have_passed(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var draft = await kit.DraftAsync("Zones", "Time zones", (kit.Slack, null));
        var id = draft.GetProperty("id").GetGuid();
        await (await kit.Author.PostAsync($"/api/v1/posts/{id}/submit", new { })).JsonAsync(HttpStatusCode.OK);
        await (await kit.Reviewer.PostAsync($"/api/v1/posts/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);

        async Task<string> Refused(object body) =>
            (await (await kit.Author.PostAsync($"/api/v1/posts/{id}/schedule", body)).ProblemAsync(HttpStatusCode.BadRequest)).Str("detail");
        Assert.Equal("2031-03-30 02:30 does not exist in Europe/Paris: the clocks go forward then. Choose another time.",
            await Refused(new { at = "2031-03-30T02:30", timeZone = "Europe/Paris" }));
        Assert.Equal("\"Mars/Olympus\" is not a time zone (use an IANA name such as Europe/Paris).", await Refused(new { at = "2031-01-01T09:00", timeZone = "Mars/Olympus" }));
        Assert.Equal("\"next tuesday\" is not a date and time (use 2026-12-01T09:00).", await Refused(new { at = "next tuesday", timeZone = "UTC" }));
        Assert.Contains("has passed. Choose a later time, or publish now.", await Refused(new { at = "2020-01-01T09:00", timeZone = "America/New_York" }));

        // New York in July is UTC-4; an instant with an offset is taken as it is.
        var ny = await (await kit.Author.PostAsync($"/api/v1/posts/{id}/schedule", new { at = "2031-07-04T12:00", timeZone = "America/New_York" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(new DateTimeOffset(2031, 7, 4, 16, 0, 0, TimeSpan.Zero), ny.GetProperty("scheduledAt").GetDateTimeOffset());
        var moved = await (await kit.Author.PostAsync($"/api/v1/posts/{id}/move", new { at = "2031-07-05T12:00:00+02:00", timeZone = "America/New_York" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(new DateTimeOffset(2031, 7, 5, 10, 0, 0, TimeSpan.Zero), moved.GetProperty("scheduledAt").GetDateTimeOffset());
        Assert.Equal("Scheduled", moved.Str("status"));

        // The calendar lists it in its week.
        var week = await (await kit.Author.GetAsync("/api/v1/posts?from=2031-07-01T00:00:00Z&to=2031-07-08T00:00:00Z")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(week.EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Theory, Providers]
    public async Task Campaigns_need_an_objective_dates_in_order_and_a_team_of_their_own(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var bad = await (await kit.Author.PostAsync("/api/v1/campaigns", new { name = "", startsOn = "2026-12-10", endsOn = "2026-12-01" })).ProblemAsync(HttpStatusCode.BadRequest);
        var errors = bad.GetProperty("errors");
        Assert.Equal("A campaign's name is 1 to 200 characters.", errors.GetProperty("name")[0].GetString());
        Assert.Equal("Choose the objective: awareness, engagement, conversion or advocacy.", errors.GetProperty("objective")[0].GetString());
        Assert.Equal("The campaign cannot end before it starts.", errors.GetProperty("endsOn")[0].GetString());
        Assert.Equal("Choose the team that owns the campaign.", errors.GetProperty("ownerTeamId")[0].GetString());

        var support = await kit.App.TeamIdAsync("Support");
        await (await kit.Author.PostAsync("/api/v1/campaigns", new { name = "Not mine", objective = "Engagement", startsOn = "2026-12-01", endsOn = "2026-12-02", ownerTeamId = support }))
            .ProblemAsync(HttpStatusCode.Forbidden);
        var duplicate = await (await kit.Author.PostAsync("/api/v1/campaigns", new { name = "Winter launch", objective = "Engagement", startsOn = "2026-12-01", endsOn = "2026-12-02", ownerTeamId = await kit.App.TeamIdAsync("Marketing") }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("There is already a campaign called Winter launch.", duplicate.GetProperty("errors").GetProperty("name")[0].GetString());

        var campaign = await (await kit.Author.GetAsync($"/api/v1/campaigns/{kit.Campaign}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("€2,000 for boosted posts", campaign.Str("budgetNote"));
        Assert.Equal(4, campaign.GetProperty("channels").GetArrayLength());
        Assert.True(campaign.GetProperty("canManage").GetBoolean());
        var channels = await (await kit.Author.GetAsync("/api/v1/publishing-channels")).JsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(FakeChannelServer.Token, channels.GetRawText());
        Assert.DoesNotContain("/discord", channels.GetRawText()); // a webhook's address is its secret
        Assert.All(channels.EnumerateArray().Where(c => c.Str("kind") != "Newsroom"), c => Assert.True(c.GetProperty("hasSecret").GetBoolean()));
    }

    [Theory, Providers]
    public async Task A_withdrawn_post_leaves_the_schedule_and_one_already_out_cannot_be_withdrawn(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var id = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("Withdraw me", "Not yet after all", (kit.Slack, null), (kit.Discord, null)));
        var withdrawn = await (await kit.Author.PostAsync($"/api/v1/posts/{id}/withdraw", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Draft", withdrawn.Str("status"));
        Assert.Null(withdrawn.Str("approvedByName")); // changing it means a new review
        var publisher = kit.App.Services.GetRequiredService<PublishPosts>();
        Assert.False(await publisher.PublishDueAsync(default)); // nothing is due any more
        Assert.Empty(kit.Server.Requests);

        // Out on one channel, refused by the other: withdrawing would hide what the public already saw.
        await (await kit.Admin.PatchAsync($"/api/v1/publishing-channels/{kit.Discord}", new { secret = kit.Server.Url("gone") })).JsonAsync(HttpStatusCode.OK);
        await (await kit.Author.PostAsync($"/api/v1/posts/{id}/submit", new { })).JsonAsync(HttpStatusCode.OK);
        await (await kit.Reviewer.PostAsync($"/api/v1/posts/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);
        await (await kit.Author.PostAsync($"/api/v1/posts/{id}/schedule", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.True(await publisher.PublishDueAsync(default));
        var failed = await kit.PostAsync(id);
        Assert.Equal("Failed", failed.Str("status"));
        Assert.Equal("Discord answered 404 Not Found: no such webhook", CampaignKit.Delivery(failed, "Discord").Str("lastError"));
        var refused = await (await kit.Author.PostAsync($"/api/v1/posts/{id}/withdraw", new { })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("The post is already out on some channels; retry the failed ones instead.", refused.Str("detail"));
    }

    [Fact]
    public void Mastodon_counts_each_link_as_23_characters_and_emoji_as_one()
    {
        Assert.Equal(23, PostLength.Of(PublishingChannelKind.Mastodon, "https://example.test/" + new string('x', 200)));
        Assert.Equal(5 + 23, PostLength.Of(PublishingChannelKind.Mastodon, "Look http://a.test"));
        Assert.Equal(3, PostLength.Of(PublishingChannelKind.Mastodon, "a👍🏽b"));
        Assert.Equal(3, PostLength.Of(PublishingChannelKind.Slack, "a👍🏽b"));
        Assert.Equal(26, PostLength.Of(PublishingChannelKind.Discord, "Look http://a.test/abcdefg"));
    }
}
