using System.Net;
using System.Text.Json;
using Chorus.Features.Channels.Outbox;
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

    [Theory, Providers]
    public async Task An_agent_reply_in_a_reply_conversation_goes_out_once_as_a_reply_status_from_the_publishing_account(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app =>
        {
            app.Settings["Chorus:Engagement:Poll"] = "false";
            app.Settings["Chorus:Outbox:Dispatch"] = "false"; // the test dispatches, so every attempt is its own
            app.Settings["Chorus:Outbox:RetryBaseSeconds"] = "0";
        });
        var published = await PublishAsync(kit);
        _ = new FakeMastodonStatus(kit.Server, published) { Replies = 2 };
        Assert.Equal(1, await PollAsync(kit));
        var alice = (await ConversationsAsync(kit))[0];
        var agent = await kit.App.StaffAsync("agent", "Marketing");

        // Longer than a Mastodon post with the @mention: refused before anything is queued.
        var tooLong = await (await agent.PostAsync($"/api/v1/conversations/{alice}/replies", new { text = new string('x', 490) })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("at most 500 characters", tooLong.Str("detail"));

        var posted = await (await agent.PostAsync($"/api/v1/conversations/{alice}/replies", new { text = "Yes, saves are shared with the PC version." })).JsonAsync(HttpStatusCode.Created);
        var before = kit.Server.On("/api/v1/statuses").Length; // the campaign post itself
        kit.Server.FailNext("/api/v1/statuses", 1, 503, "Service Unavailable");
        var dispatcher = kit.App.Services.GetRequiredService<OutboxDispatcher>();
        await dispatcher.DispatchDueAsync(CancellationToken.None); // 503: tried again
        var waiting = await ReplyAsync(kit, alice);
        Assert.Equal("Queued", waiting.GetProperty("delivery").Str("status"));
        Assert.Contains("503", waiting.GetProperty("delivery").Str("error"));
        await Task.WhenAll(dispatcher.DispatchDueAsync(CancellationToken.None), dispatcher.DispatchDueAsync(CancellationToken.None)); // taken, once
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        // The exact request, twice (the 503 and the one taken), with the publishing channel's token and one idempotency key.
        var requests = kit.Server.On("/api/v1/statuses").Skip(before).ToArray();
        Assert.Equal(2, requests.Length);
        var messageId = posted.GetProperty("messageId").GetGuid();
        Assert.All(requests, r =>
        {
            Assert.Equal(("POST", "Bearer " + FakeChannelServer.Token, "social-reply:" + messageId), (r.Method, r.Authorization, r.IdempotencyKey));
            Assert.StartsWith("application/x-www-form-urlencoded", r.ContentType);
            Assert.Equal([("status", $"@alice@{kit.Server.Address.Host} Yes, saves are shared with the PC version."), ("visibility", "public"),
                ("in_reply_to_id", published.Status + "03")], r.Fields); // her latest reply
        });
        Assert.Equal(2, kit.Server.StatusesCreated.Count); // the post and the reply: the repeat created nothing
        var sent = await ReplyAsync(kit, alice);
        Assert.Equal(("Sent", 2), (sent.GetProperty("delivery").Str("status"), sent.GetProperty("delivery").GetProperty("attempts").GetInt32()));
        // The reply's status id is recorded, so reading the post back later knows it as ours.
        Assert.Equal(kit.Server.StatusesCreated.Max(), await kit.App.DbAsync(db => db.Messages.Where(m => m.Id == messageId).Select(m => m.ExternalId).SingleAsync()));

        // With the channel's token refused, the reply fails with Mastodon's reason for a person to see and retry.
        kit.Server.FailNext("/api/v1/statuses", 1, 401, """{"error":"The access token is invalid"}""");
        await (await agent.PostAsync($"/api/v1/conversations/{alice}/replies", new { text = "And the soundtrack is out on Friday." })).JsonAsync(HttpStatusCode.Created);
        await dispatcher.DispatchDueAsync(CancellationToken.None);
        var refused = (await kit.Author.ConversationAsync(alice)).GetProperty("messages").EnumerateArray().Last(m => m.Str("kind") == "Reply");
        Assert.Equal("Failed", refused.GetProperty("delivery").Str("status"));
        Assert.Equal("Mastodon answered 401 Unauthorized: The access token is invalid", refused.GetProperty("delivery").Str("error"));
    }

    private static async Task<JsonElement> ReplyAsync(CampaignKit kit, long number) =>
        (await kit.Author.ConversationAsync(number)).GetProperty("messages").EnumerateArray().Single(m => m.Str("kind") == "Reply");

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
