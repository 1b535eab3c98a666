using System.Net;
using Chorus.Features.Listening;
using Chorus.Features.Listening.Alerts;
using Chorus.Features.Listening.Incidents;
using Chorus.Features.Listening.Sources;
using Chorus.Features.Realtime;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Listening;

/// Two Chorus nodes on one PostgreSQL database and one Redis: mentions a source brings in on one node, the alert its
/// detector raises there, and what people do in the incident room on either node reach the pages open on the other live.
public class ListeningClusterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [NeedsEnvFact("TEST_PG", "TEST_REDIS")]
    public async Task New_mentions_alerts_and_incident_room_changes_reach_the_agents_on_the_other_node()
    {
        var (hits, _) = AlertsTests.Series(DateTimeOffset.UtcNow);
        await using var hn = new FakeListeningServer();
        AlertsTests.ServeAlgolia(hn, hits);
        // A channel prefix of the test's own keeps other tests' nodes on the same Redis out of this cluster.
        var redis = $"{TestEnv.Require("TEST_REDIS")},channelPrefix=t{Guid.NewGuid():N}:";
        await using var a = await NodeAsync(null, redis);
        await using var b = await NodeAsync(a, redis);
        await WaitUntilAsync(() => State(a) == "cluster" && State(b) == "cluster");

        var admin = await a.StaffAsync("admin");
        var monitor = (await (await admin.PostAsync("/api/v1/listening/monitors", new { name = "Acme", query = "acme" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var source = (await (await admin.PostAsync("/api/v1/listening/sources", new { name = "HN", kind = "hackernews", baseUrl = hn.BaseUrl, query = "acme" }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("source").GetProperty("id").GetGuid();

        // A polls the source: B's open monitor page hears of the new mentions.
        var mentionsOnB = Watch(b, c => c.Kind == ListeningChangeKind.Mentions && c.MonitorIds.Contains(monitor));
        using (var scope = a.Services.CreateScope())
            Assert.Equal(hits.Count, (await scope.ServiceProvider.GetRequiredService<PollSource>().RunAsync(source)).Added);
        await mentionsOnB.WaitAsync(Patience);

        // A's detector raises the alert: B shows it.
        var alertOnB = Watch(b, c => c.Kind == ListeningChangeKind.Alert && c.MonitorIds.Contains(monitor));
        var alert = Assert.Single(await a.Services.GetRequiredService<WatchForSpikes>().RunOnceAsync());
        await alertOnB.WaitAsync(Patience);

        // An agent on B opens the incident from it and one on A moves it on: each node's incident room follows the other's.
        var openedOnA = WatchIncident(a);
        var agentOnB = await b.StaffAsync("agent", "PR");
        var incident = (await (await agentOnB.PostAsync("/api/v1/incidents", new { alertId = alert.Id })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        Assert.Equal(incident, await openedOnA.WaitAsync(Patience));
        var changedOnB = WatchIncident(b);
        var agentOnA = await a.StaffAsync("agent", "PR");
        await (await agentOnA.PostAsync($"/api/v1/incidents/{incident}/notes", new { text = "Thanking the authors of the top posts now." })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(incident, await changedOnB.WaitAsync(Patience));

        // Acknowledging on B clears it on A's pages.
        var acknowledgedOnA = Watch(a, c => c.Kind == ListeningChangeKind.Alert && c.MonitorIds.Contains(monitor));
        await (await agentOnB.PostAsync($"/api/v1/listening/alerts/{alert.Id}/acknowledge", new { })).JsonAsync(HttpStatusCode.OK);
        await acknowledgedOnA.WaitAsync(Patience);
    }

    private static async Task<ChorusFactory> NodeAsync(ChorusFactory? first, string redis)
    {
        var node = first is null ? new ChorusFactory(Provider.Postgres) : new ChorusFactory(first);
        node.Settings["Redis"] = redis;
        node.Settings["Chorus:Listening:Poll"] = "false";
        node.Settings["Chorus:Listening:WatchSpikes"] = "false";
        await node.PrepareAsync();
        return node;
    }

    private static string State(ChorusFactory node) => node.Services.GetRequiredService<ClusterRelay>().State().State;

    /// The next listening change this node's pages would be told about that matches.
    private static Task<ListeningChange> Watch(ChorusFactory node, Func<ListeningChange, bool> match)
    {
        var seen = new TaskCompletionSource<ListeningChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Services.GetRequiredService<ListeningEvents>().Changed += c => { if (match(c)) seen.TrySetResult(c); };
        return seen.Task;
    }

    private static Task<Guid> WatchIncident(ChorusFactory node)
    {
        var seen = new TaskCompletionSource<Guid>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Services.GetRequiredService<IncidentEvents>().Changed += id => seen.TrySetResult(id);
        return seen.Task;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the cluster did not get there in " + Patience);
            await Task.Delay(100);
        }
    }
}
