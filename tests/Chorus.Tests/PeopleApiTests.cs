using System.Net;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests;

/// People: find, read a profile with its timeline, edit, merge two profiles and undo the merge.
public class PeopleApiTests
{
    private static async Task<JsonElement> PersonAsync(StaffClient c, Guid id) =>
        await (await c.GetAsync($"/api/v1/people/{id}")).JsonAsync(HttpStatusCode.OK);

    private static async Task<Guid[]> FindAsync(StaffClient c, string q) =>
        (await (await c.GetAsync("/api/v1/people?q=" + Uri.EscapeDataString(q))).JsonAsync(HttpStatusCode.OK))
        .EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).ToArray();

    [Theory, Providers]
    public async Task People_are_found_by_part_of_their_name_or_any_handle(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var grace = await agent.DeliverAsync("f-1", handle: "grace.hopper@navy.test", name: "Grace Hopper");
        var linus = await agent.DeliverAsync("f-2", handle: "torvalds", name: "Linus", kind: "Reddit");

        Assert.Equal([grace.PersonId], await FindAsync(agent, "hopper"));
        Assert.Equal([grace.PersonId], await FindAsync(agent, "GRACE"));
        Assert.Equal([grace.PersonId], await FindAsync(agent, "navy.test"));
        Assert.Equal([linus.PersonId], await FindAsync(agent, "torval"));
        Assert.Empty(await FindAsync(agent, "nobody-like-this"));
        var all = await (await agent.GetAsync("/api/v1/people")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, all.GetArrayLength());
        var summary = all.EnumerateArray().Single(p => p.GetProperty("id").GetGuid() == grace.PersonId);
        Assert.Equal("grace.hopper@navy.test", summary.GetProperty("primaryHandle").GetString());
        Assert.Equal(1, summary.GetProperty("conversationCount").GetInt32());
    }

    [Theory, Providers]
    public async Task A_profile_shows_identities_conversations_and_one_timeline_across_channels(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var mail = await agent.DeliverAsync("t-1", handle: "tim@timeline.test", name: "Tim", at: Api.T0, text: "Question by mail");
        await (await agent.PostAsync($"/api/v1/conversations/{mail.Number}/replies", new { text = "Answer by mail" })).JsonAsync(HttpStatusCode.Created);
        await (await agent.PostAsync($"/api/v1/conversations/{mail.Number}/notes", new { text = "Secret internal remark" })).JsonAsync(HttpStatusCode.Created);
        var form = await agent.DeliverAsync("t-2", handle: "tim@timeline.test", channel: "Web form", at: Api.T0.AddMinutes(5), text: "Question by form");

        var p = await PersonAsync(agent, mail.PersonId);
        Assert.Equal("Tim", p.GetProperty("name").GetString());
        Assert.Single(p.GetProperty("identities").EnumerateArray());
        // Most recently active first: the mail conversation has the newer reply.
        Assert.Equal([mail.Number, form.Number], p.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("number").GetInt64()));
        var timeline = p.GetProperty("timeline").EnumerateArray().Select(t => (Kind: t.GetProperty("kind").GetString()!, Text: t.GetProperty("text").GetString()!)).ToList();
        Assert.Contains(("message.received", "Question by mail"), timeline);
        Assert.Contains(("message.received", "Question by form"), timeline);
        Assert.Contains(("reply.sent", "Answer by mail"), timeline);
        Assert.Equal(2, timeline.Count(t => t.Kind == "conversation.started"));
        Assert.DoesNotContain(timeline, t => t.Text.Contains("Secret internal remark"));
        var channels = p.GetProperty("timeline").EnumerateArray().Where(t => t.GetProperty("kind").GetString() == "message.received")
            .Select(t => t.GetProperty("channelName").GetString()).ToHashSet();
        Assert.Equal(["API", "Web form"], channels.Order());
        // Newest first.
        var times = p.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
    }

    [Theory, Providers]
    public async Task Staff_edit_a_profile_and_the_change_shows_on_the_timeline(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer");
        var d = await agent.DeliverAsync("u-1", handle: "jo@journal.test", name: "jo");

        await (await agent.PatchAsync($"/api/v1/people/{d.PersonId}", new { name = "Jo Journalist", kind = "Press", stage = "Lead", notes = "Writes for Daily Tech", organizationName = "Daily Tech" }))
            .JsonAsync(HttpStatusCode.OK);

        var p = await PersonAsync(agent, d.PersonId);
        Assert.Equal("Jo Journalist", p.GetProperty("name").GetString());
        Assert.Equal("Press", p.GetProperty("kind").GetString());
        Assert.Equal("Lead", p.GetProperty("stage").GetString());
        Assert.Equal("Writes for Daily Tech", p.GetProperty("notes").GetString());
        Assert.Equal("Daily Tech", p.GetProperty("organizationName").GetString());
        Assert.Contains(p.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("kind").GetString() == "person.kind-changed");
        Assert.Equal("Jo Journalist", (await agent.ConversationAsync(d.Number)).Summary().GetProperty("requesterName").GetString());

        await (await agent.PatchAsync($"/api/v1/people/{d.PersonId}", new { name = "" })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await viewer.PatchAsync($"/api/v1/people/{d.PersonId}", new { name = "Hacked" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await agent.PatchAsync($"/api/v1/people/{Guid.NewGuid()}", new { name = "Nobody" })).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("Jo Journalist", (await PersonAsync(agent, d.PersonId)).GetProperty("name").GetString());
    }

    [Theory, Providers]
    public async Task Merging_two_profiles_moves_identities_conversations_and_messages_and_records_it(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var keep = await agent.DeliverAsync("mg-1", handle: "sam@gmail.com", name: "Sam");
        var other = await agent.DeliverAsync("mg-2", handle: "samthefan", kind: "Reddit", name: "samthefan");
        await agent.DeliverAsync("mg-3", thread: "mg-2", handle: "samthefan", kind: "Reddit", text: "Second reddit message");

        var merged = await (await agent.PostAsync($"/api/v1/people/{keep.PersonId}/merge", new { other = other.PersonId })).JsonAsync(HttpStatusCode.OK);
        var mergeId = merged.GetProperty("mergeId").GetGuid();

        var p = await PersonAsync(agent, keep.PersonId);
        Assert.Equal(["Email", "Reddit"], p.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("kind").GetString()).Order());
        Assert.Equal(2, p.GetProperty("conversations").GetArrayLength());
        var activity = Assert.Single(p.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("kind").GetString() == "person.merged");
        Assert.Equal(mergeId, activity.GetProperty("activityId").GetGuid());
        Assert.Contains("samthefan", activity.GetProperty("text").GetString());

        var redditThread = await agent.ConversationAsync(other.Number);
        Assert.Equal(keep.PersonId, redditThread.Summary().GetProperty("requesterId").GetGuid());
        Assert.All(redditThread.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("kind").GetString() == "Inbound"),
            m => Assert.Equal(keep.PersonId, m.GetProperty("authorPersonId").GetGuid()));
        Assert.Equal(keep.PersonId, (await PersonAsync(agent, other.PersonId)).GetProperty("mergedIntoId").GetGuid());
        Assert.DoesNotContain(other.PersonId, await FindAsync(agent, "samthefan"));

        // A later message from the merged identity lands on the kept person.
        var later = await agent.DeliverAsync("mg-4", handle: "samthefan", kind: "Reddit");
        Assert.Equal(keep.PersonId, later.PersonId);
        Assert.Contains(await app.DbAsync(db => db.AuditEntries.Select(a => a.Action).ToListAsync()), a => a == "person.merged");
    }

    [Theory, Providers]
    public async Task Undoing_a_merge_restores_both_profiles_exactly_and_a_second_undo_is_409(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var keep = await agent.DeliverAsync("ud-1", handle: "kim@gmail.com", name: "Kim");
        var other = await agent.DeliverAsync("ud-2", handle: "kim@kimcorp.test", name: "Kim at work");
        await (await agent.PatchAsync($"/api/v1/people/{other.PersonId}", new { kind = "Vip" })).JsonAsync(HttpStatusCode.OK);
        var keepBefore = await PersonAsync(agent, keep.PersonId);
        var otherBefore = await PersonAsync(agent, other.PersonId);

        var mergeId = (await (await agent.PostAsync($"/api/v1/people/{keep.PersonId}/merge", new { other = other.PersonId })).JsonAsync(HttpStatusCode.OK))
            .GetProperty("mergeId").GetGuid();
        var during = await PersonAsync(agent, keep.PersonId);
        Assert.Equal(2, during.GetProperty("identities").GetArrayLength());

        var undone = await (await agent.PostAsync($"/api/v1/people/merges/{mergeId}/undo", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(other.PersonId, undone.GetProperty("restored").GetGuid());

        var keepAfter = await PersonAsync(agent, keep.PersonId);
        var otherAfter = await PersonAsync(agent, other.PersonId);
        foreach (var (before, after) in new[] { (keepBefore, keepAfter), (otherBefore, otherAfter) })
        {
            foreach (var field in new[] { "name", "kind", "stage", "organizationId", "organizationName", "mergedIntoId" })
                Assert.True(before.GetProperty(field).ToString() == after.GetProperty(field).ToString(),
                    $"{field} of {before.GetProperty("name")} was {before.GetProperty(field)} before the merge and {after.GetProperty(field)} after the undo");
            Assert.Equal(Ids(before, "identities"), Ids(after, "identities"));
            Assert.Equal(before.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("number").GetInt64()),
                after.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("number").GetInt64()));
        }
        var otherThread = await agent.ConversationAsync(other.Number);
        Assert.Equal(other.PersonId, otherThread.GetProperty("messages")[0].GetProperty("authorPersonId").GetGuid());
        Assert.Contains(other.PersonId, await FindAsync(agent, "kimcorp"));

        var twice = await agent.PostAsync($"/api/v1/people/merges/{mergeId}/undo", new { });
        var problem = await twice.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("already undone", problem.GetProperty("detail").GetString());
        await (await agent.PostAsync($"/api/v1/people/merges/{Guid.NewGuid()}/undo", new { })).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory, Providers]
    public async Task A_person_cannot_be_merged_with_themselves_twice_or_by_a_viewer(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer");
        var a = await agent.DeliverAsync("x-1", handle: "a@people.test");
        var b = await agent.DeliverAsync("x-2", handle: "b@people.test");
        var c = await agent.DeliverAsync("x-3", handle: "c@people.test");

        await (await agent.PostAsync($"/api/v1/people/{a.PersonId}/merge", new { other = a.PersonId })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await viewer.PostAsync($"/api/v1/people/{a.PersonId}/merge", new { other = b.PersonId })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await agent.PostAsync($"/api/v1/people/{a.PersonId}/merge", new { other = Guid.NewGuid() })).ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.PostAsync($"/api/v1/people/{a.PersonId}/merge", new { other = b.PersonId })).JsonAsync(HttpStatusCode.OK);
        await (await agent.PostAsync($"/api/v1/people/{c.PersonId}/merge", new { other = b.PersonId })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(2, (await PersonAsync(agent, a.PersonId)).GetProperty("identities").GetArrayLength());
        Assert.Single((await PersonAsync(agent, c.PersonId)).GetProperty("identities").EnumerateArray());
    }

    private static Guid[] Ids(JsonElement person, string list) =>
        [.. person.GetProperty(list).EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).Order()];
}
