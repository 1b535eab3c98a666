using System.Text.Json;
using Chorus.Features.Channels;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests;

/// The inbox lists: views, filters, sorts and paging of GET /api/v1/conversations.
public class ConversationListTests
{
    [Theory, Providers]
    public async Task Each_view_shows_exactly_the_conversations_it_promises(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var me = await app.StaffAsync("agent", "Support");
        var colleague = await app.StaffAsync("agent", "Support");
        var marketing = await app.TeamIdAsync("Marketing");
        var support = await app.TeamIdAsync("Support");

        var mine = (await me.DeliverAsync("v-1")).Number;
        var theirs = (await me.DeliverAsync("v-2")).Number;
        var marketingOnes = (await me.DeliverAsync("v-3")).Number;
        var mentioned = (await me.DeliverAsync("v-4")).Number;
        await me.PatchConversationAsync(mine, new { assigneeId = me.UserId });
        await me.PatchConversationAsync(theirs, new { assigneeId = colleague.UserId });
        await me.PatchConversationAsync(marketingOnes, new { teamId = marketing });
        await (await me.PostAsync($"/api/v1/conversations/{mentioned}/notes", new { text = $"@{colleague.Handle()} can you look at this one?" }))
            .JsonAsync(System.Net.HttpStatusCode.Created);

        Assert.Equal([mine], (await me.ListAsync("view=Mine")).Numbers());
        Assert.Equal([theirs], (await colleague.ListAsync("view=Mine")).Numbers());
        Assert.Equal(Sorted(marketingOnes, mentioned), Sorted((await me.ListAsync("view=Unassigned")).Numbers()));
        Assert.Equal(Sorted(mine, theirs, mentioned), Sorted((await me.ListAsync($"view=Team&team={support}")).Numbers()));
        Assert.Equal([marketingOnes], (await me.ListAsync($"view=Team&team={marketing}")).Numbers());
        Assert.Equal(Sorted(mine, theirs, marketingOnes, mentioned), Sorted((await me.ListAsync("view=All")).Numbers()));
        Assert.Equal([mentioned], (await colleague.ListAsync("view=Mentions")).Numbers());
        Assert.Empty((await me.ListAsync("view=Mentions")).Numbers());
    }

    [Theory, Providers]
    public async Task Filters_narrow_the_list_by_status_channel_team_assignee_priority_tag_and_person_kind(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var marketing = await app.TeamIdAsync("Marketing");
        var webForm = await app.ChannelIdAsync(ChannelKind.WebForm);
        var api = await app.ChannelIdAsync(ChannelKind.Api);

        var plain = (await agent.DeliverAsync("f-1")).Number;
        var solved = (await agent.DeliverAsync("f-2")).Number;
        var fromForm = (await agent.DeliverAsync("f-3", channel: "Web form")).Number;
        var inMarketing = (await agent.DeliverAsync("f-4")).Number;
        var assigned = (await agent.DeliverAsync("f-5")).Number;
        var urgent = (await agent.DeliverAsync("f-6")).Number;
        var tagged = (await agent.DeliverAsync("f-7")).Number;
        var vip = await agent.DeliverAsync("f-8", handle: "vera@bigcorp.test", name: "Vera Vip");

        await agent.PatchConversationAsync(solved, new { status = "Solved" });
        await agent.PatchConversationAsync(inMarketing, new { teamId = marketing });
        await agent.PatchConversationAsync(assigned, new { assigneeId = agent.UserId });
        await agent.PatchConversationAsync(urgent, new { priority = "Urgent" });
        await agent.PatchConversationAsync(tagged, new { addTags = new[] { "Refund" } });
        await (await agent.PatchAsync($"/api/v1/people/{vip.PersonId}", new { kind = "Vip" })).JsonAsync(System.Net.HttpStatusCode.OK);

        Assert.DoesNotContain(solved, (await agent.ListAsync()).Numbers()); // the default shows active work only
        Assert.Equal([solved], (await agent.ListAsync("status=Solved")).Numbers());
        Assert.Equal([fromForm], (await agent.ListAsync($"channel={webForm}")).Numbers());
        Assert.DoesNotContain(fromForm, (await agent.ListAsync($"channel={api}")).Numbers());
        Assert.Equal([inMarketing], (await agent.ListAsync($"team={marketing}")).Numbers());
        Assert.Equal([assigned], (await agent.ListAsync($"assignee={agent.UserId}")).Numbers());
        Assert.Equal([urgent], (await agent.ListAsync("priority=Urgent")).Numbers());
        Assert.Equal([tagged], (await agent.ListAsync("tag=refund")).Numbers());
        Assert.Equal([vip.Number], (await agent.ListAsync("personKind=Vip")).Numbers());
        Assert.Contains(plain, (await agent.ListAsync("personKind=Customer")).Numbers());
        Assert.Empty((await agent.ListAsync("priority=Urgent&tag=refund")).Numbers()); // filters combine with AND
    }

    [Theory, Providers]
    public async Task The_person_kind_filter_follows_the_requester_through_kind_changes_merges_and_new_conversations(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Outbox:Dispatch"] = "false";
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var vera = await agent.DeliverAsync("k-1", handle: "vera@bigcorp.test", name: "Vera");
        var other = await agent.DeliverAsync("k-2", handle: "vera.private@mail.test", name: "Vera (home)");
        Assert.Empty((await agent.ListAsync("personKind=Vip")).Numbers());

        // Marked as a VIP: her conversation moves into the filter, and a later one arrives there (the ingest path).
        await (await agent.PatchAsync($"/api/v1/people/{vera.PersonId}", new { kind = "Vip" })).JsonAsync(System.Net.HttpStatusCode.OK);
        var later = (await agent.DeliverAsync("k-3", handle: "vera@bigcorp.test", name: "Vera", subject: "Another question")).Number;
        Assert.Equal(Sorted(vera.Number, later), Sorted((await agent.ListAsync("personKind=Vip")).Numbers()));

        // An agent writing first (outreach, the other insert path) to the VIP.
        var mailbox = await admin.OfflineMailboxAsync("Partners", "partners@chorus-mail.test");
        var outreach = await (await agent.PostAsync("/api/v1/conversations", new { personId = vera.PersonId, mailboxId = mailbox, subject = "Your renewal", text = "Hello Vera" }))
            .JsonAsync(System.Net.HttpStatusCode.Created);
        var written = outreach.GetProperty("started")[0].GetProperty("number").GetInt64();
        Assert.Equal(Sorted(vera.Number, later, written), Sorted((await agent.ListAsync("personKind=Vip")).Numbers()));

        // Her second profile merged into the VIP one: its conversation is now a VIP's; undone, it is not.
        var merge = (await (await agent.PostAsync($"/api/v1/people/{vera.PersonId}/merge", new { other = other.PersonId })).JsonAsync(System.Net.HttpStatusCode.OK))
            .GetProperty("mergeId").GetGuid();
        Assert.Contains(other.Number, (await agent.ListAsync("personKind=Vip")).Numbers());
        await (await agent.PostAsync($"/api/v1/people/merges/{merge}/undo", new { })).JsonAsync(System.Net.HttpStatusCode.OK);
        Assert.DoesNotContain(other.Number, (await agent.ListAsync("personKind=Vip")).Numbers());
        Assert.Contains(other.Number, (await agent.ListAsync("personKind=Customer")).Numbers());

        // Back to a customer: out of the VIP filter, into the customers'.
        await (await agent.PatchAsync($"/api/v1/people/{vera.PersonId}", new { kind = "Customer" })).JsonAsync(System.Net.HttpStatusCode.OK);
        Assert.Empty((await agent.ListAsync("personKind=Vip")).Numbers());
        Assert.Contains(later, (await agent.ListAsync("personKind=Customer")).Numbers());
        Assert.Equal(0, await app.DbAsync(db => db.Conversations.CountAsync(c => c.RequesterKind != c.Requester!.Kind)));
    }

    [Theory, Providers]
    public async Task Sorts_order_by_newest_longest_waiting_and_priority(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var oldest = (await agent.DeliverAsync("s-1", at: Api.T0)).Number;
        var middle = (await agent.DeliverAsync("s-2", at: Api.T0.AddMinutes(10))).Number;
        var newest = (await agent.DeliverAsync("s-3", at: Api.T0.AddMinutes(20))).Number;
        var answered = (await agent.DeliverAsync("s-4", at: Api.T0.AddMinutes(-30))).Number;
        await (await agent.PostAsync($"/api/v1/conversations/{answered}/replies", new { text = "We are on it." })).JsonAsync(System.Net.HttpStatusCode.Created);

        // The reply makes "answered" the most recently active conversation, and nobody waits on it any more.
        Assert.Equal([answered, newest, middle, oldest], (await agent.ListAsync("sort=Newest")).Numbers());
        Assert.Equal([oldest, middle, newest, answered], (await agent.ListAsync("sort=LongestWaiting")).Numbers());
        // Page by page (each status is read up to the page, waiting and not apart, then merged), and in one status.
        Assert.Equal([oldest, middle], (await agent.ListAsync("sort=LongestWaiting&pageSize=2")).Numbers());
        Assert.Equal([newest, answered], (await agent.ListAsync("sort=LongestWaiting&pageSize=2&page=2")).Numbers());
        Assert.Equal([answered], (await agent.ListAsync("sort=LongestWaiting&pageSize=1&page=4")).Numbers());
        Assert.Equal([oldest, middle, newest], (await agent.ListAsync("sort=LongestWaiting&status=New")).Numbers());

        await agent.PatchConversationAsync(oldest, new { priority = "Low" });
        await agent.PatchConversationAsync(middle, new { priority = "Urgent" });
        await agent.PatchConversationAsync(newest, new { priority = "High" });
        Assert.Equal([middle, newest, answered, oldest], (await agent.ListAsync("sort=Priority")).Numbers());
        // Page by page (each status and priority is read up to the page, then merged): the same order, nothing twice.
        Assert.Equal([middle, newest], (await agent.ListAsync("sort=Priority&pageSize=2")).Numbers());
        Assert.Equal([answered, oldest], (await agent.ListAsync("sort=Priority&pageSize=2&page=2")).Numbers());
        Assert.Equal([oldest], (await agent.ListAsync("priority=Low")).Numbers());
        Assert.Equal([answered], (await agent.ListAsync("priority=Normal")).Numbers());
        Assert.Equal([middle], (await agent.ListAsync("sort=Priority&priority=Urgent")).Numbers());
    }

    [Theory, Providers]
    public async Task Pages_cover_every_conversation_once_and_say_when_more_follow(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var all = new List<long>();
        for (var i = 0; i < 5; i++) all.Add((await agent.DeliverAsync($"p-{i}", at: Api.T0.AddMinutes(i))).Number);

        var seen = new List<long>();
        var pages = new List<bool>();
        for (var page = 1; page <= 3; page++)
        {
            var p = await agent.ListAsync($"pageSize=2&page={page}");
            seen.AddRange(p.Numbers());
            pages.Add(p.GetProperty("hasMore").GetBoolean());
            Assert.Equal(page, p.GetProperty("page").GetInt32());
        }
        Assert.Equal([true, true, false], pages);
        Assert.Equal(Enumerable.Reverse(all), seen);
        Assert.Empty((await agent.ListAsync("pageSize=2&page=4")).Numbers());
    }

    [Theory, Providers]
    public async Task Detail_shows_the_whole_thread_with_requester_and_messages_in_order(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var first = await agent.DeliverAsync("d-1", thread: "th-d", at: Api.T0, text: "First question");
        await agent.DeliverAsync("d-2", thread: "th-d", at: Api.T0.AddMinutes(5), text: "Second question");

        var detail = await agent.ConversationAsync(first.Number);
        var summary = detail.Summary();
        Assert.Equal(first.Number, summary.GetProperty("number").GetInt64());
        Assert.Equal("Late order", summary.GetProperty("subject").GetString());
        Assert.Equal("Ann Customer", summary.GetProperty("requesterName").GetString());
        Assert.Equal("Support", summary.GetProperty("teamName").GetString());
        Assert.Equal("New", summary.GetProperty("status").GetString());
        Assert.Equal(2, summary.GetProperty("messageCount").GetInt32());
        Assert.Equal("ann@customer.test", detail.GetProperty("requesterHandle").GetString());
        Assert.Equal([("Inbound", "First question"), ("Inbound", "Second question")], detail.Messages());
        Assert.Equal("d-1", detail.GetProperty("messages")[0].GetProperty("externalId").GetString());
    }

    private static long[] Sorted(params long[] numbers) => [.. numbers.Order()];
}
