using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests;

/// What a private team owns stays invisible even in aggregates: counts, and views that name no team.
public class PrivateTeamCountsTests
{
    [Theory, Providers]
    public async Task People_search_counts_only_the_conversations_the_searcher_may_see(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var teams = await (await admin.GetAsync("/api/v1/teams")).JsonAsync(HttpStatusCode.OK);
        var pr = teams.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "PR").GetProperty("id").GetGuid();
        (await admin.PatchAsync($"/api/v1/teams/{pr}", new { isPrivate = true })).EnsureSuccessStatusCode();

        var open = await admin.DeliverAsync("pub-1", handle: "morgan@press.test", name: "Morgan Press");
        var secret = await admin.DeliverAsync("priv-1", handle: "morgan@press.test", name: "Morgan Press");
        await admin.PatchConversationAsync(secret.Number, new { teamId = pr });

        var outsider = await app.StaffAsync("agent", "Support");
        var insider = await app.StaffAsync("agent", "PR");

        async Task<int> CountFor(StaffClient who) =>
            (await who.Http.GetFromJsonAsync<JsonElement>("/api/v1/people?q=morgan")).EnumerateArray().Single().GetProperty("conversationCount").GetInt32();

        Assert.Equal(1, await CountFor(outsider));
        Assert.Equal(2, await CountFor(insider));
        Assert.Equal(2, await CountFor(admin));
        Assert.NotEqual(open.Number, secret.Number);
    }

    [Theory, Providers]
    public async Task A_team_view_without_a_team_shows_nothing_rather_than_everything(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        await agent.DeliverAsync("any-1");

        Assert.Empty((await agent.ListAsync("view=Team")).Numbers());
        Assert.Single((await agent.ListAsync("view=All")).Numbers());
    }
}
