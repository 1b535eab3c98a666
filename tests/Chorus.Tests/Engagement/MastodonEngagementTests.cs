using System.Net;
using System.Text.Json;
using Chorus.Features.Engagement;
using Chorus.Tests.Campaigns;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Engagement;

/// Two-way Mastodon: a published post's replies, boosts and favourites are read back from a server
/// that answers like Mastodon (recorded answers in the documented format); each person's replies to a
/// post become one conversation owned by the campaign's team; reading again never files anything twice;
/// a rate limit is waited for, errors back off, and reading resumes.
public class MastodonEngagementTests
{
    [Theory, Providers]
    public async Task Replies_become_one_conversation_per_person_owned_by_the_campaign_team_and_counts_show_on_the_post(Provider provider)
    {
        await using var kit = await StartAsync(provider);
        var published = await PublishAsync(kit);
        var status = published.Status;
        var fake = new FakeMastodonStatus(kit.Server, published) { Replies = 2, Boosts = 4, Favourites = 7 };

        Assert.Equal(1, await PollAsync(kit));

        // Exactly the two documented reads, with the channel's token.
        foreach (var path in new[] { $"/api/v1/statuses/{status}", $"/api/v1/statuses/{status}/context" })
        {
            var read = Assert.Single(kit.Server.On(path));
            Assert.Equal("GET", read.Method);
            Assert.Equal("Bearer " + FakeChannelServer.Token, read.Authorization);
        }

        var host = kit.Server.Address.Host;
        var conversations = await ConversationsAsync(kit);
        Assert.Equal(2, conversations.Count);
        var marketing = await kit.App.TeamIdAsync("Marketing");
        var alice = await kit.Author.ConversationAsync(conversations[0]);
        Assert.Equal("Reply to “Winter edition” on Mastodon", alice.Summary().Str("subject"));
        Assert.Equal(marketing, alice.Summary().GetProperty("teamId").GetGuid());
        // Alice's reply and her answer to our follow-up thread together; our own follow-up is not filed as hers.
        Assert.Equal(["Does the winter edition run on the Steam Deck?", "Great, and are saves shared with the PC version?"],
            alice.Messages().Where(m => m.Kind == "Inbound").Select(m => m.Text.Replace("@chorus ", "")).ToArray());
        Assert.DoesNotContain(alice.Messages(), m => m.Text.Contains("verified this week"));

        var bruno = await kit.Author.ConversationAsync(conversations[1]);
        Assert.Equal(marketing, bruno.Summary().GetProperty("teamId").GetGuid());
        var brunoMessage = Assert.Single(bruno.Messages(), m => m.Kind == "Inbound");
        Assert.Equal("Endlich! The price went up though", brunoMessage.Text.Trim());

        // The repliers are people with a Mastodon identity, and the conversation is on their timeline.
        var aliceProfile = await PersonAsync(kit, alice.Summary().GetProperty("requesterId").GetGuid());
        Assert.Equal("Alice Moreau", aliceProfile.Str("name"));
        var identity = Assert.Single(aliceProfile.GetProperty("identities").EnumerateArray());
        Assert.Equal(("Mastodon", $"alice@{host}"), (identity.Str("kind"), identity.Str("handle")));
        Assert.Contains(aliceProfile.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("conversationNumber").ValueKind == JsonValueKind.Number
            && t.GetProperty("conversationNumber").GetInt64() == conversations[0]);
        var brunoProfile = await PersonAsync(kit, bruno.Summary().GetProperty("requesterId").GetGuid());
        Assert.Equal("bruno@social.example.org", Assert.Single(brunoProfile.GetProperty("identities").EnumerateArray()).Str("handle"));

        var engagement = await (await kit.Author.GetAsync($"/api/v1/posts/{fake.PostId}/engagement")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal((2, 4, 7, 2), Counts(engagement));
        Assert.Null(engagement.Str("lastError"));

        // Read again: nothing is filed twice.
        await MakeDueAsync(kit);
        Assert.Equal(1, await PollAsync(kit));
        Assert.Equal(2, kit.Server.On($"/api/v1/statuses/{status}/context").Length);
        Assert.Equal(conversations, await ConversationsAsync(kit));
        Assert.Equal(3, await InboundCountAsync(kit));

        // Later, Bruno answers again and more people boost: his reply joins his conversation, the counts follow.
        fake.Later = true;
        fake.Replies = 3;
        fake.Boosts = 9;
        await MakeDueAsync(kit);
        Assert.Equal(1, await PollAsync(kit));
        Assert.Equal(conversations, await ConversationsAsync(kit));
        Assert.Equal(["Endlich! The price went up though", "Is there a discount for owners of the base game?"],
            (await kit.Author.ConversationAsync(conversations[1])).Messages().Where(m => m.Kind == "Inbound").Select(m => m.Text.Trim()).ToArray());

        var campaign = await (await kit.Author.GetAsync($"/api/v1/campaigns/{kit.Campaign}/engagement")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal((3, 9, 7, 2), Counts(campaign));
        Assert.Equal(fake.PostId, Assert.Single(campaign.GetProperty("posts").EnumerateArray()).GetProperty("postId").GetGuid());
        await (await kit.Author.GetAsync($"/api/v1/posts/{Guid.NewGuid()}/engagement")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory, Providers]
    public async Task A_rate_limit_is_waited_for_errors_back_off_two_pollers_read_once_and_a_deleted_status_stops_reading(Provider provider)
    {
        await using var kit = await StartAsync(provider);
        var published = await PublishAsync(kit);
        var status = published.Status;
        var fake = new FakeMastodonStatus(kit.Server, published) { Replies = 2, Boosts = 1, Favourites = 1 };
        var path = $"/api/v1/statuses/{status}";

        // 429 with Retry-After: nothing is filed, and nothing is asked again before the instance said.
        kit.Server.FailNext(path, 1, 429, """{"error":"Too many requests"}""", new Dictionary<string, string> { ["Retry-After"] = "600" });
        var before = DateTimeOffset.UtcNow;
        Assert.Equal(1, await PollAsync(kit));
        var row = await EngagementAsync(kit);
        Assert.True(row.NextPollAt >= before.AddSeconds(600), $"next read at {row.NextPollAt:O}, asked to wait until after {before.AddSeconds(600):O}");
        Assert.Contains("429", row.LastError);
        Assert.Empty(await ConversationsAsync(kit));
        Assert.Equal(0, await PollAsync(kit));
        Assert.Single(kit.Server.On(path));

        // A server error: recorded, tried again after a growing wait.
        await MakeDueAsync(kit);
        kit.Server.FailNext(path, 1, 503, "down for maintenance");
        Assert.Equal(1, await PollAsync(kit));
        row = await EngagementAsync(kit);
        Assert.Equal(1, row.Failures);
        Assert.Contains("503", row.LastError);
        Assert.True(row.NextPollAt > DateTimeOffset.UtcNow.AddSeconds(30));
        Assert.Empty(await ConversationsAsync(kit));

        // Reading resumes; two pollers at once read the status once.
        await MakeDueAsync(kit);
        var poller = kit.App.Services.GetRequiredService<PollPostEngagement>();
        var reads = await Task.WhenAll(poller.PollDueAsync(CancellationToken.None), poller.PollDueAsync(CancellationToken.None));
        Assert.Equal(1, reads.Sum());
        Assert.Single(kit.Server.On(path + "/context"));
        row = await EngagementAsync(kit);
        Assert.Equal((0, null), (row.Failures, row.LastError));
        Assert.Equal(2, (await ConversationsAsync(kit)).Count);

        // The status is deleted on Mastodon: reading stops, the post says why, what came back stays.
        fake.Deleted = true;
        await MakeDueAsync(kit);
        Assert.Equal(1, await PollAsync(kit));
        await MakeDueAsync(kit);
        Assert.Equal(0, await PollAsync(kit));
        var engagement = await (await kit.Author.GetAsync($"/api/v1/posts/{fake.PostId}/engagement")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("The status was deleted on Mastodon, so nothing more comes back from it.", engagement.Str("stoppedReason"));
        Assert.Equal((2, 1, 1, 2), Counts(engagement));
    }

    private static Task<CampaignKit> StartAsync(Provider provider) => CampaignKit.StartAsync(provider, app =>
    {
        app.Settings["Chorus:Engagement:Poll"] = "false"; // the test reads when it chooses
        app.Settings["Chorus:Engagement:RetryBaseSeconds"] = "60";
    });

    /// Publishes "Winter edition" on Mastodon; returns the status id Mastodon gave it, and the post.
    private static async Task<(string Status, Guid Post)> PublishAsync(CampaignKit kit)
    {
        var id = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("Winter edition", "Winter edition is out!", (kit.Mastodon, null)));
        var post = await kit.SettledAsync(id);
        Assert.Equal("Published", post.Str("status"));
        return (CampaignKit.Delivery(post, "Mastodon").Str("externalId"), id);
    }

    private static Task<int> PollAsync(CampaignKit kit) => kit.App.Services.GetRequiredService<PollPostEngagement>().PollDueAsync(CancellationToken.None);

    private static Task<int> MakeDueAsync(CampaignKit kit) =>
        kit.App.DbAsync(db => db.Set<PostEngagement>().ExecuteUpdateAsync(s => s.SetProperty(e => e.NextPollAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

    private static Task<PostEngagement> EngagementAsync(CampaignKit kit) => kit.App.DbAsync(db => db.Set<PostEngagement>().AsNoTracking().SingleAsync());

    /// The reply conversations, oldest first.
    private static async Task<List<long>> ConversationsAsync(CampaignKit kit) =>
        (await kit.App.DbAsync(db => db.Conversations.Where(c => c.ChannelId == kit.Mastodon).Select(c => new { c.Number, c.CreatedAt }).ToListAsync()))
        .OrderBy(c => c.CreatedAt).Select(c => c.Number).ToList();

    private static Task<int> InboundCountAsync(CampaignKit kit) =>
        kit.App.DbAsync(db => db.Messages.CountAsync(m => m.ChannelId == kit.Mastodon && m.Kind == Chorus.Features.Inbox.MessageKind.Inbound));

    private static async Task<JsonElement> PersonAsync(CampaignKit kit, Guid id) =>
        await (await kit.Author.GetAsync($"/api/v1/people/{id}")).JsonAsync(HttpStatusCode.OK);

    private static (int, int, int, int) Counts(JsonElement e) =>
        (e.GetProperty("replies").GetInt32(), e.GetProperty("boosts").GetInt32(), e.GetProperty("favourites").GetInt32(), e.GetProperty("conversations").GetInt32());
}
