using System.Net;
using System.Text.Json;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests.Campaigns;

/// A workspace for campaign specs: an admin, two colleagues of the Marketing team (one writes, the
/// other reviews), publishing channels pointing at a <see cref="FakeChannelServer"/>, and a campaign.
public sealed class CampaignKit : IAsyncDisposable
{
    public required ChorusFactory App { get; init; }
    public required FakeChannelServer Server { get; init; }
    public required StaffClient Admin { get; init; }
    public required StaffClient Author { get; init; }
    public required StaffClient Reviewer { get; init; }
    public required Guid Mastodon { get; init; }
    public required Guid Discord { get; init; }
    public required Guid Slack { get; init; }
    public required Guid Newsroom { get; init; }
    public required Guid Campaign { get; init; }

    public static async Task<CampaignKit> StartAsync(Provider provider, Action<ChorusFactory>? configure = null)
    {
        var server = await FakeChannelServer.StartAsync();
        var app = new ChorusFactory(provider);
        app.Settings["Chorus:Publishing:PollMilliseconds"] = "100";
        app.Settings["Chorus:Publishing:RetryBaseSeconds"] = "0.2";
        app.Settings["Chorus:Publishing:MaxAttempts"] = "3";
        app.Settings["Chorus:PublicUrl"] = "https://chorus.example.test";
        configure?.Invoke(app);
        var admin = await app.StaffAsync("admin");
        var author = await app.StaffAsync("agent", "Marketing");
        var reviewer = await app.StaffAsync("agent", "Marketing");
        async Task<Guid> Channel(object body) => (await (await admin.PostAsync("/api/v1/publishing-channels", body)).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var mastodon = await Channel(new { name = "Mastodon", kind = "Mastodon", baseUrl = server.Address.ToString().TrimEnd('/'), secret = FakeChannelServer.Token });
        var discord = await Channel(new { name = "Discord", kind = "Discord", secret = server.Url("discord") });
        var slack = await Channel(new { name = "Slack", kind = "Slack", secret = server.Url("slack") });
        var newsroom = await Channel(new { name = "Newsroom", kind = "Newsroom" });
        var marketing = await app.TeamIdAsync("Marketing");
        var campaign = await (await author.PostAsync("/api/v1/campaigns", new
        {
            name = "Winter launch", objective = "Awareness", startsOn = "2026-12-01", endsOn = "2026-12-31", ownerTeamId = marketing,
            budgetNote = "€2,000 for boosted posts", channelIds = new[] { mastodon, discord, slack, newsroom },
        })).JsonAsync(HttpStatusCode.Created);
        return new CampaignKit
        {
            App = app, Server = server, Admin = admin, Author = author, Reviewer = reviewer,
            Mastodon = mastodon, Discord = discord, Slack = slack, Newsroom = newsroom, Campaign = campaign.GetProperty("id").GetGuid(),
        };
    }

    /// A draft by the author on the given channels (all four when none), with optional per-channel texts.
    public async Task<JsonElement> DraftAsync(string title, string body, params (Guid Channel, string? Text)[] channels)
    {
        var chosen = channels.Length > 0 ? channels : [(Mastodon, null), (Discord, null), (Slack, null), (Newsroom, null)];
        return await (await Author.PostAsync($"/api/v1/campaigns/{Campaign}/posts", new
        {
            title, body, channels = chosen.Select(c => new { channelId = c.Channel, text = c.Text }),
        })).JsonAsync(HttpStatusCode.Created);
    }

    /// Submitted by the author, approved by the reviewer, scheduled for now.
    public async Task<Guid> ApprovedAndScheduledNowAsync(JsonElement draft)
    {
        var id = draft.GetProperty("id").GetGuid();
        await (await Author.PostAsync($"/api/v1/posts/{id}/submit", new { })).JsonAsync(HttpStatusCode.OK);
        await (await Reviewer.PostAsync($"/api/v1/posts/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);
        await (await Author.PostAsync($"/api/v1/posts/{id}/schedule", new { })).JsonAsync(HttpStatusCode.OK);
        return id;
    }

    public async Task<JsonElement> PostAsync(Guid id) => await (await Author.GetAsync($"/api/v1/posts/{id}")).JsonAsync(HttpStatusCode.OK);

    /// Waits until the post leaves "scheduled" (published or failed) and returns it.
    public async Task<JsonElement> SettledAsync(Guid id, int seconds = 60)
    {
        JsonElement post = default;
        await Email.Eventually.TrueAsync(async () =>
        {
            post = await PostAsync(id);
            return post.Str("status") is "Published" or "Failed";
        }, $"post {id} published or failed", seconds);
        return post;
    }

    public static JsonElement Delivery(JsonElement post, string channelName) =>
        post.GetProperty("deliveries").EnumerateArray().Single(d => d.Str("channelName") == channelName);

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Server.DisposeAsync();
    }
}
