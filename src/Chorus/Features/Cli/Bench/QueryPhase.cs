using System.Diagnostics;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Cli.Bench;

/// Times the first page (50) of every inbox view, common filter and sort, and of searches, through
/// InboxQuery as the inbox page and the API call it: a fresh scope (DbContext) per run, as per request,
/// on behalf of an agent in Support (so PR's private conversations are filtered out, as for most staff).
public static class QueryPhase
{
    public sealed record Case(string Name, InboxFilter Filter);

    public static async Task<List<Case>> CasesAsync(IServiceProvider services, BenchWorkspace workspace, SyntheticTraffic traffic, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var forum = workspace.Channels.Single(c => c.Name == "Community forum").Id;
        // The busiest requester: the person page lists all of their conversations.
        var busiest = await db.Conversations.GroupBy(c => c.RequesterId).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstAsync(ct);
        var someNumber = await db.Conversations.OrderBy(c => c.Number).Skip(traffic.Size.Conversations / 2).Select(c => c.Number).FirstAsync(ct);
        var someone = traffic.PersonEmail(traffic.Size.People / 3);
        return
        [
            new("view: All (active)", new InboxFilter()),
            new("view: Mine", new InboxFilter { View = InboxView.Mine }),
            new("view: Unassigned", new InboxFilter { View = InboxView.Unassigned }),
            new("view: Team Support", new InboxFilter { View = InboxView.Team, TeamId = workspace.SupportTeamId }),
            new("view: Mentions", new InboxFilter { View = InboxView.Mentions }),
            new("filter: status Open", new InboxFilter { Statuses = [ConversationStatus.Open] }),
            new("filter: status Solved", new InboxFilter { Statuses = [ConversationStatus.Solved] }),
            new("filter: any status", new InboxFilter { Statuses = Enum.GetValues<ConversationStatus>() }),
            new("filter: channel (forum)", new InboxFilter { ChannelId = forum }),
            new("filter: priority Urgent", new InboxFilter { Priority = Priority.Urgent }),
            new("filter: tag billing", new InboxFilter { Tag = "billing" }),
            new("filter: VIP requesters", new InboxFilter { PersonKind = PersonKind.Vip }),
            new("filter: one requester (busiest)", new InboxFilter { RequesterId = busiest }),
            new("filter: Mine, status Pending", new InboxFilter { View = InboxView.Mine, Statuses = [ConversationStatus.Pending] }),
            new("sort: longest waiting", new InboxFilter { Sort = InboxSort.LongestWaiting }),
            new("sort: priority", new InboxFilter { Sort = InboxSort.Priority }),
            new("sort: SLA due", new InboxFilter { Sort = InboxSort.SlaDue }),
            new("search: common word (order)", new InboxFilter { Query = "order" }),
            new("search: word (refund)", new InboxFilter { Query = "refund" }),
            new("search: rare word (webhook)", new InboxFilter { Query = "webhook" }),
            new("search: two words (invoice payment)", new InboxFilter { Query = "invoice payment" }),
            new("search: prefix (subscr)", new InboxFilter { Query = "subscr" }),
            new("search: error code (E4012)", new InboxFilter { Query = "E4012" }),
            new("search: person name (Okafor)", new InboxFilter { Query = "Okafor" }),
            new("search: e-mail address", new InboxFilter { Query = someone }),
            new("search: conversation number", new InboxFilter { Query = "#" + someNumber }),
            new("search: no match (xylophone)", new InboxFilter { Query = "xylophone" }),
            new("search: in status Open (refund)", new InboxFilter { Query = "refund", Statuses = [ConversationStatus.Open] }),
        ];
    }

    public static async Task<List<(Case Case, Latencies Latencies, int Rows)>> RunAsync(IServiceProvider services, IReadOnlyList<Case> cases, string agentId, int runs, CancellationToken ct)
    {
        StaffActor actor;
        using (var scope = services.CreateScope())
            actor = (await scope.ServiceProvider.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(agentId, ct))!;
        var results = new List<(Case, Latencies, int)>();
        foreach (var c in cases)
        {
            var latencies = new Latencies(c.Name);
            var rows = 0;
            for (var i = -3; i < runs; i++) // three untimed warm-up runs (query compilation, caches)
            {
                var clock = Stopwatch.StartNew();
                await using var scope = services.CreateAsyncScope();
                var page = await scope.ServiceProvider.GetRequiredService<InboxQuery>().ListAsync(actor, c.Filter, ct);
                clock.Stop();
                if (i >= 0) latencies.Add(clock.Elapsed);
                rows = page.Items.Count;
            }
            results.Add((c, latencies, rows));
        }
        return results;
    }
}
