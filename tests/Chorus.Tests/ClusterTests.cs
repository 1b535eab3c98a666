using System.Net;
using System.Text.Json;
using Chorus.Features.Channels.WebForm;
using Chorus.Features.Realtime;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

/// Several Chorus nodes on one PostgreSQL database and one Redis: what happens on one node reaches the
/// agents on the others live, and losing Redis costs only that (each node keeps serving).
public class ClusterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [NeedsEnvFact("TEST_PG", "TEST_REDIS")]
    public async Task An_agent_on_one_node_sees_live_a_conversation_ingested_by_another_and_who_is_viewing_it()
    {
        // A channel prefix of the test's own keeps other tests' nodes on the same Redis out of this cluster.
        var redis = $"{TestEnv.Require("TEST_REDIS")},channelPrefix=t{Guid.NewGuid():N}:";
        await using var a = await NodeAsync(null, redis);
        await using var b = await NodeAsync(a, redis);
        await WaitUntilAsync(() => State(a) == "cluster" && State(b) == "cluster");

        var created = Watch(a, InboxChangeKind.Created);
        var agentOnB = await b.StaffAsync("agent", "Support");
        var delivered = await agentOnB.DeliverAsync("cluster-1", subject: "Seen on the other node?");
        await created.OfAsync(delivered.Number);

        // The agent on A reads it from the shared store.
        var agentOnA = await a.StaffAsync("agent", "Support");
        Assert.Equal("Seen on the other node?", (await agentOnA.ConversationAsync(delivered.Number)).Summary().GetProperty("subject").GetString());

        // One key ring for all: a requester link made on A opens on B.
        var link = a.Services.GetRequiredService<RequesterLinks>().PathFor(delivered.ConversationId);
        Assert.Equal(HttpStatusCode.OK, (await b.CreateClient().GetAsync(link)).StatusCode);

        // Presence: someone opening the conversation on A is shown to B's agents, and gone when they leave.
        var presenceA = a.Services.GetRequiredService<ConversationPresence>();
        var presenceB = b.Services.GetRequiredService<ConversationPresence>();
        presenceA.Enter(delivered.ConversationId, "session-a", agentOnA.UserId, "Agent on A");
        await WaitUntilAsync(() => presenceB.Viewers(delivered.ConversationId).Any(v => v.Name == "Agent on A"));
        presenceA.SetTyping(delivered.ConversationId, "session-a", true);
        await WaitUntilAsync(() => presenceB.Viewers(delivered.ConversationId).Any(v => v.Name == "Agent on A" && v.Typing));
        presenceA.Leave(delivered.ConversationId, "session-a");
        await WaitUntilAsync(() => presenceB.Viewers(delivered.ConversationId).Count == 0);

        // Agents' changes travel too: a priority set on B shows on A.
        var updated = Watch(a, InboxChangeKind.Updated);
        await agentOnB.PatchConversationAsync(delivered.Number, new { priority = "High" });
        await updated.OfAsync(delivered.Number);
    }

    [NeedsEnvFact("TEST_PG", "TEST_REDIS")]
    public async Task When_Redis_goes_down_every_node_keeps_serving_and_says_so_and_realtime_returns_with_Redis()
    {
        using var redis = RedisProcess.Start();
        await using var a = await NodeAsync(null, redis.Address);
        await using var b = await NodeAsync(a, redis.Address);
        await WaitUntilAsync(() => State(a) == "cluster" && State(b) == "cluster");
        var agentOnB = await b.StaffAsync("agent", "Support");

        redis.Kill();
        await WaitUntilAsync(() => State(a) == "node-local" && State(b) == "node-local");
        // Still serving: ingest works, and this node's own agents still see it live.
        var createdOnB = Watch(b, InboxChangeKind.Created);
        var during = await agentOnB.DeliverAsync("while-redis-is-down");
        await createdOnB.OfAsync(during.Number);
        var health = await b.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var ready = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("degraded", ready.GetProperty("status").GetString());
        Assert.Equal("node-local", ready.GetProperty("realtime").GetString());
        Assert.Contains(ready.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("Redis unreachable"));

        redis.Restart();
        await WaitUntilAsync(() => State(a) == "cluster" && State(b) == "cluster");
        var createdOnA = Watch(a, InboxChangeKind.Created);
        var after = await agentOnB.DeliverAsync("after-redis-returned");
        await createdOnA.OfAsync(after.Number);
        var healthy = JsonDocument.Parse(await (await a.CreateClient().GetAsync("/health/ready")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("cluster", healthy.GetProperty("realtime").GetString());
    }

    [Theory, Providers]
    public async Task A_single_node_without_Redis_reports_itself_as_such(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        var ready = JsonDocument.Parse(await (await app.CreateClient().GetAsync("/health/ready")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("single-node", ready.GetProperty("realtime").GetString());
        Assert.Equal("ready", ready.GetProperty("status").GetString());
    }

    private static async Task<ChorusFactory> NodeAsync(ChorusFactory? first, string redis)
    {
        var node = first is null ? new ChorusFactory(Provider.Postgres) : new ChorusFactory(first);
        node.Settings["Redis"] = redis;
        await node.PrepareAsync();
        return node;
    }

    private static string State(ChorusFactory node) => node.Services.GetRequiredService<ClusterRelay>().State().State;

    /// Changes of a kind this node's circuits are told about from now on. A test waits for its own conversation's:
    /// waiting for "the next one" failed now and then when a change from earlier in the test arrived late.
    private static SeenChanges Watch(ChorusFactory node, InboxChangeKind kind) => new(node, kind);

    private sealed class SeenChanges
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<InboxChange> _seen = new();

        public SeenChanges(ChorusFactory node, InboxChangeKind kind) =>
            node.Services.GetRequiredService<InboxEvents>().Changed += c => { if (c.Kind == kind) _seen.Enqueue(c); };

        public Task OfAsync(long number) => WaitUntilAsync(() => _seen.Any(c => c.Number == number));
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
