using System.Net;
using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Campaigns;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chorus.Tests.Campaigns;

/// Publishing a post: each channel gets exactly the request it expects, once; a channel that is down
/// is retried then marked failed with its reason; nothing is ever published twice.
public class PublishingTests
{
    [Theory, Providers]
    public async Task An_approved_post_goes_out_once_on_Mastodon_Discord_Slack_and_the_newsroom(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider);
        var draft = await kit.DraftAsync("Winter edition is here", "The **winter edition** is out today. Details: https://example.test/winter",
            (kit.Mastodon, "Winter edition is out! https://example.test/winter #winter"), (kit.Discord, null), (kit.Slack, "Winter edition is out today."), (kit.Newsroom, null));
        var id = await kit.ApprovedAndScheduledNowAsync(draft);

        var post = await kit.SettledAsync(id);
        Assert.Equal("Published", post.Str("status"));
        var keys = await kit.App.DbAsync(db => db.Set<PostDelivery>().Where(d => d.PostId == id).ToDictionaryAsync(d => d.ChannelId, d => d.IdempotencyKey));

        var toot = Assert.Single(kit.Server.On("/api/v1/statuses"));
        Assert.Equal("POST", toot.Method);
        Assert.Equal("Bearer " + FakeChannelServer.Token, toot.Authorization);
        Assert.Equal(keys[kit.Mastodon], toot.IdempotencyKey);
        Assert.StartsWith("application/x-www-form-urlencoded", toot.ContentType);
        Assert.Equal([("status", "Winter edition is out! https://example.test/winter #winter"), ("visibility", "public")], toot.Fields);

        var discord = Assert.Single(kit.Server.On("/discord"));
        Assert.Equal("""{"content":"The **winter edition** is out today. Details: https://example.test/winter"}""", discord.Body);
        Assert.Null(discord.Authorization); // the webhook address is the credential
        Assert.Equal(keys[kit.Discord], discord.IdempotencyKey);
        var slack = Assert.Single(kit.Server.On("/slack"));
        Assert.Equal("""{"text":"Winter edition is out today."}""", slack.Body);
        Assert.Equal(keys[kit.Slack], slack.IdempotencyKey);

        var mastodon = CampaignKit.Delivery(post, "Mastodon");
        Assert.Equal("Published", mastodon.Str("state"));
        Assert.Equal(Assert.Single(kit.Server.StatusesCreated), mastodon.Str("externalId"));
        Assert.Equal(kit.Server.Url($"@chorus/{mastodon.Str("externalId")}"), mastodon.Str("externalUrl"));
        var newsroom = CampaignKit.Delivery(post, "Newsroom");
        Assert.StartsWith("https://chorus.example.test/newsroom/winter-edition-is-here-", newsroom.Str("externalUrl"));
        Assert.Contains(post.GetProperty("comments").EnumerateArray(), c => c.Str("text") == "Published on every channel.");

        // The newsroom page is public, static and renders the Markdown safely.
        var anonymous = kit.App.CreateClient();
        var page = await anonymous.GetStringAsync("/newsroom/" + newsroom.Str("externalId"));
        Assert.Contains("<strong>winter edition</strong>", page);
        Assert.Contains("Winter edition is here", await anonymous.GetStringAsync("/newsroom"));
        var rss = await anonymous.GetAsync("/newsroom/rss.xml");
        Assert.Equal("application/rss+xml", rss.Content.Headers.ContentType?.MediaType);
        Assert.Contains("https://chorus.example.test/newsroom/" + newsroom.Str("externalId"), await rss.Content.ReadAsStringAsync());
    }

    [Theory, Providers]
    public async Task A_channel_that_is_down_is_retried_and_publishes_once(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider);
        kit.Server.FailNext("/api/v1/statuses", 2, 503, "Service Unavailable");
        var id = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("Down then up", "Third time lucky", (kit.Mastodon, null)));

        var post = await kit.SettledAsync(id);
        Assert.Equal("Published", post.Str("status"));
        var requests = kit.Server.On("/api/v1/statuses");
        Assert.Equal(3, requests.Length);
        Assert.Single(requests.Select(r => r.IdempotencyKey).Distinct()); // the same key on every attempt
        Assert.Single(kit.Server.StatusesCreated);
        Assert.Equal(3, CampaignKit.Delivery(post, "Mastodon").GetProperty("attempts").GetInt32());
    }

    [Theory, Providers]
    public async Task A_channel_down_past_the_last_attempt_fails_with_the_reason_and_a_retry_publishes_it(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider);
        kit.Server.FailNext("/api/v1/statuses", 3, 503, "Service Unavailable");
        var id = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("Down for good", "Nobody home", (kit.Mastodon, null), (kit.Slack, null)));

        var post = await kit.SettledAsync(id);
        Assert.Equal("Failed", post.Str("status"));
        Assert.Equal("Published", CampaignKit.Delivery(post, "Slack").Str("state"));
        var reason = CampaignKit.Delivery(post, "Mastodon").Str("lastError");
        Assert.StartsWith("Gave up after 3 attempts.", reason);
        Assert.Contains("answered 503 Service Unavailable: Service Unavailable", reason);
        Assert.Contains(post.GetProperty("comments").EnumerateArray(), c => c.Str("text").StartsWith("Publishing on Mastodon failed. Gave up after 3 attempts."));

        var retried = await (await kit.Author.PostAsync($"/api/v1/posts/{id}/retry", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Scheduled", retried.Str("status"));
        post = await kit.SettledAsync(id);
        Assert.Equal("Published", post.Str("status"));
        Assert.Single(kit.Server.StatusesCreated);
        Assert.Single(kit.Server.On("/slack")); // the channel that had published was left alone
        Assert.Equal(4, kit.Server.On("/api/v1/statuses").Length);
    }

    [Theory, Providers]
    public async Task A_channel_that_refuses_the_post_fails_at_once_with_its_words(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider);
        // Someone revoked the token on the server: a 401 is not worth retrying.
        await (await kit.Admin.PatchAsync($"/api/v1/publishing-channels/{kit.Mastodon}", new { secret = "revoked-token" })).JsonAsync(HttpStatusCode.OK);
        var id = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("Refused", "Will be refused", (kit.Mastodon, null)));

        var post = await kit.SettledAsync(id);
        Assert.Equal("Failed", post.Str("status"));
        Assert.Equal("Mastodon answered 401 Unauthorized: The access token is invalid", CampaignKit.Delivery(post, "Mastodon").Str("lastError"));
        Assert.Single(kit.Server.On("/api/v1/statuses"));
        Assert.Empty(kit.Server.StatusesCreated);
    }

    [Theory, Providers]
    public async Task A_channel_switched_off_after_scheduling_fails_the_post_until_it_is_back_and_retried(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var id = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("Paused", "While the channel is off", (kit.Slack, null)));
        await (await kit.Admin.PatchAsync($"/api/v1/publishing-channels/{kit.Slack}", new { enabled = false })).JsonAsync(HttpStatusCode.OK);
        var publisher = kit.App.Services.GetRequiredService<PublishPosts>();
        await publisher.PublishDueAsync(default);
        var post = await kit.PostAsync(id);
        Assert.Equal("Failed", post.Str("status"));
        Assert.Equal("Slack is switched off; an admin switches it on, then retry.", CampaignKit.Delivery(post, "Slack").Str("lastError"));
        Assert.Empty(kit.Server.Requests);

        await (await kit.Admin.PatchAsync($"/api/v1/publishing-channels/{kit.Slack}", new { enabled = true })).JsonAsync(HttpStatusCode.OK);
        await (await kit.Author.PostAsync($"/api/v1/posts/{id}/retry", new { })).JsonAsync(HttpStatusCode.OK);
        await publisher.PublishDueAsync(default);
        Assert.Equal("Published", (await kit.PostAsync(id)).Str("status"));
        Assert.Single(kit.Server.On("/slack"));
    }

    [Theory, Providers]
    public async Task Two_dispatchers_racing_publish_each_post_exactly_once(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++)
            ids.Add(await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync($"Race {i}", $"Post number {i}", (kit.Mastodon, null), (kit.Discord, null), (kit.Slack, null))));

        // Two dispatchers, as on two nodes: each with its own scopes, both over the same database.
        var scopes = kit.App.Services.GetRequiredService<IServiceScopeFactory>();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Chorus:Publishing:Parallelism"] = "4" }).Build();
        var a = new PublishPosts(scopes, config, NullLogger<PublishPosts>.Instance);
        var b = new PublishPosts(scopes, config, NullLogger<PublishPosts>.Instance);
        for (var round = 0; round < 20; round++)
        {
            var worked = await Task.WhenAll(a.PublishDueAsync(default), b.PublishDueAsync(default));
            if (!worked.Any(w => w)) break;
        }

        var published = kit.Server.Requests.Where(r => r.Method == "POST").ToList(); // not the engagement reads that follow
        Assert.Equal(90, published.Count);
        Assert.Equal(90, published.Select(r => r.IdempotencyKey).Distinct().Count());
        Assert.Equal(30, kit.Server.StatusesCreated.Count);
        var statuses = await kit.App.DbAsync(db => db.Set<Post>().Where(p => ids.Contains(p.Id)).Select(p => p.Status).ToListAsync());
        Assert.All(statuses, s => Assert.Equal(PostStatus.Published, s));
    }

    [Theory, Providers]
    public async Task Two_nodes_on_one_database_publish_each_post_once(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider);
        // A second Chorus host on the same database and data directory (so the same Data Protection keys,
        // as nodes of one cluster share them), publishing alongside the first.
        var config = kit.App.Services.GetRequiredService<IConfiguration>();
        await using var other = new ChorusFactory(provider);
        other.Settings["Chorus:DataDirectory"] = config["Chorus:DataDirectory"];
        if (provider == Provider.Postgres) other.Settings["ConnectionStrings:Chorus"] = config.GetConnectionString("Chorus");
        other.Settings["Chorus:Publishing:PollMilliseconds"] = "100";
        await other.PrepareAsync(); // its publisher is running from here on

        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            var id = (await kit.DraftAsync($"Two nodes {i}", $"Post {i} for two nodes", (kit.Mastodon, null), (kit.Discord, null), (kit.Slack, null))).GetProperty("id").GetGuid();
            await (await kit.Author.PostAsync($"/api/v1/posts/{id}/submit", new { })).JsonAsync(HttpStatusCode.OK);
            await (await kit.Reviewer.PostAsync($"/api/v1/posts/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);
            ids.Add(id);
        }
        var at = DateTimeOffset.UtcNow.AddSeconds(3).ToString("yyyy-MM-ddTHH:mm:ssZ"); // all due together, after all are scheduled
        foreach (var id in ids)
            await (await kit.Author.PostAsync($"/api/v1/posts/{id}/schedule", new { at })).JsonAsync(HttpStatusCode.OK);

        foreach (var id in ids) Assert.Equal("Published", (await kit.SettledAsync(id)).Str("status"));
        var published = kit.Server.Requests.Where(r => r.Method == "POST").ToList(); // not the engagement reads that follow
        Assert.Equal(90, published.Count);
        Assert.Equal(90, published.Select(r => r.IdempotencyKey).Distinct().Count());
        Assert.Equal(30, kit.Server.StatusesCreated.Count);
    }

    [Theory, Providers]
    public async Task A_publisher_that_crashed_mid_send_is_taken_over_after_its_lease_and_Mastodon_publishes_once(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var id = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("Crash", "Sent before the crash", (kit.Mastodon, null)));
        var delivery = await kit.App.DbAsync(db => db.Set<PostDelivery>().SingleAsync(d => d.PostId == id));
        // A node sent the status, then died before recording it: the row stays "publishing" with a lease that runs out.
        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", FakeChannelServer.Token);
            http.DefaultRequestHeaders.Add("Idempotency-Key", delivery.IdempotencyKey);
            (await http.PostAsync(kit.Server.Url("api/v1/statuses"), new StringContent("""{"status":"Sent before the crash","visibility":"public"}""", System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }
        await kit.App.DbAsync(db => db.Set<PostDelivery>().Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.State, PublishState.Publishing).SetProperty(d => d.Attempts, 1).SetProperty(d => d.LockedUntil, DateTimeOffset.UtcNow.AddSeconds(-1))));

        var publisher = kit.App.Services.GetRequiredService<PublishPosts>();
        Assert.True(await publisher.PublishDueAsync(default));

        var post = await kit.PostAsync(id);
        Assert.Equal("Published", post.Str("status"));
        Assert.Equal(2, kit.Server.On("/api/v1/statuses").Length);
        var created = Assert.Single(kit.Server.StatusesCreated);
        Assert.Equal(created, CampaignKit.Delivery(post, "Mastodon").Str("externalId"));
    }
}
