using System.Net;
using System.Text.Json;
using Chorus.Features.Inbox;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests;

/// What staff do to a conversation through the API: change it, reply, note, merge, bulk-edit.
public class ConversationActionsTests
{
    [Theory, Providers]
    public async Task Changing_status_priority_team_assignee_and_tags_is_recorded_as_system_events(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var colleague = await app.StaffAsync("agent", "Support");
        var marketing = await app.TeamIdAsync("Marketing");
        var number = (await agent.DeliverAsync("e-1")).Number;
        var before = (await agent.ConversationAsync(number)).Summary().GetProperty("version").GetInt32();

        var patched = await agent.PatchConversationAsync(number, new
        {
            status = "OnHold", priority = "High", teamId = marketing, assigneeId = colleague.UserId, tags = new[] { "Billing", "refund" }, version = before,
        });
        Assert.True(patched.GetProperty("version").GetInt32() > before);

        var detail = await agent.ConversationAsync(number);
        var s = detail.Summary();
        Assert.Equal("OnHold", s.GetProperty("status").GetString());
        Assert.Equal("High", s.GetProperty("priority").GetString());
        Assert.Equal("Marketing", s.GetProperty("teamName").GetString());
        Assert.Equal(colleague.UserId, s.GetProperty("assigneeId").GetString());
        Assert.Equal(["billing", "refund"], s.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).Order());
        Assert.Equal(patched.GetProperty("version").GetInt32(), s.GetProperty("version").GetInt32());

        var events = detail.Messages().Where(m => m.Kind == "Event").Select(m => m.Text).ToList();
        Assert.Contains(events, e => e.Contains("changed the status from new to on hold"));
        Assert.Contains(events, e => e.Contains("changed the priority from normal to high"));
        Assert.Contains(events, e => e.Contains("moved the conversation to Marketing"));
        Assert.Contains(events, e => e.Contains("assigned the conversation to"));
        Assert.Contains(events, e => e.Contains("added tags") && e.Contains("billing") && e.Contains("refund"));

        // The new assignee is told, and follows the conversation.
        var notifications = await (await colleague.GetAsync("/api/v1/notifications")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(notifications.EnumerateArray(), n => n.GetProperty("kind").GetString() == "assigned" && n.GetProperty("conversationNumber").GetInt64() == number);
        Assert.Contains(colleague.UserId, detail.GetProperty("followerIds").EnumerateArray().Select(f => f.GetString()));

        // Removing a tag and unassigning are events too.
        await agent.PatchConversationAsync(number, new { removeTags = new[] { "billing" }, assigneeId = "" });
        var after = await agent.ConversationAsync(number);
        Assert.Equal(["refund"], after.Summary().GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));
        Assert.Equal(JsonValueKind.Null, after.Summary().GetProperty("assigneeId").ValueKind);
        Assert.Contains(after.Messages(), m => m.Kind == "Event" && m.Text.Contains("removed tags billing"));
        Assert.Contains(after.Messages(), m => m.Kind == "Event" && m.Text.Contains("unassigned"));
    }

    [Theory, Providers]
    public async Task A_reply_sets_pending_stops_the_waiting_clock_and_records_the_first_reply_time(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var number = (await agent.DeliverAsync("r-1", at: Api.T0)).Number;
        var waiting = await agent.ConversationAsync(number);
        Assert.Equal(Api.T0, waiting.Summary().GetProperty("waitingSince").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, waiting.GetProperty("firstReplyAt").ValueKind);

        var startedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        var posted = await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "Your order ships **today**." }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.NotEqual(Guid.Empty, posted.GetProperty("messageId").GetGuid());

        var detail = await agent.ConversationAsync(number);
        Assert.Equal("Pending", detail.Summary().GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, detail.Summary().GetProperty("waitingSince").ValueKind);
        var firstReply = detail.GetProperty("firstReplyAt").GetDateTimeOffset();
        Assert.InRange(firstReply, startedAt, DateTimeOffset.UtcNow.AddSeconds(1));
        var reply = detail.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("kind").GetString() == "Reply");
        Assert.Equal("Your order ships **today**.", reply.GetProperty("text").GetString());
        Assert.Contains("<strong>today</strong>", reply.GetProperty("html").GetString());
        Assert.Equal(agent.UserId, reply.GetProperty("authorStaffId").GetString());
        Assert.Contains(detail.Messages(), m => m.Kind == "Event" && m.Text.Contains("set the status to pending"));

        // A second reply keeps the first reply time; an explicit status wins.
        await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "Shipped.", statusAfter = "Solved" })).JsonAsync(HttpStatusCode.Created);
        var again = await agent.ConversationAsync(number);
        Assert.Equal(firstReply, again.GetProperty("firstReplyAt").GetDateTimeOffset());
        Assert.Equal("Solved", again.Summary().GetProperty("status").GetString());
    }

    [Theory, Providers]
    public async Task A_note_with_an_at_mention_notifies_the_colleague_who_then_follows_it_and_finds_it_in_mentions(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var maya = await app.StaffAsync("agent", "Marketing");
        var bystander = await app.StaffAsync("agent", "Support");
        var number = (await agent.DeliverAsync("n-1", at: Api.T0)).Number;

        var posted = await (await agent.PostAsync($"/api/v1/conversations/{number}/notes", new { text = $"@{maya.Handle()} is this the campaign bug?" }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal([maya.UserId], posted.GetProperty("mentionedStaffIds").EnumerateArray().Select(e => e.GetString()));

        var notifications = await (await maya.GetAsync("/api/v1/notifications")).JsonAsync(HttpStatusCode.OK);
        var mention = Assert.Single(notifications.EnumerateArray());
        Assert.Equal("mention", mention.GetProperty("kind").GetString());
        Assert.Equal(number, mention.GetProperty("conversationNumber").GetInt64());
        Assert.Contains("campaign bug", mention.GetProperty("text").GetString());
        Assert.Empty((await (await bystander.GetAsync("/api/v1/notifications")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());

        Assert.Equal([number], (await maya.ListAsync("view=Mentions")).Numbers());
        var detail = await agent.ConversationAsync(number);
        Assert.Contains(maya.UserId, detail.GetProperty("followerIds").EnumerateArray().Select(f => f.GetString()));
        // A note is internal: it does not answer the requester.
        Assert.Equal("Open", detail.Summary().GetProperty("status").GetString());
        Assert.Equal(Api.T0, detail.Summary().GetProperty("waitingSince").GetDateTimeOffset());
        Assert.Contains(detail.Messages(), m => m.Kind == "Note" && m.Text.Contains("campaign bug"));
    }

    [Theory, Providers]
    public async Task A_mention_at_the_end_of_a_sentence_still_notifies(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var maya = await app.StaffAsync("agent", "Support");
        var number = (await agent.DeliverAsync("n-2")).Number;

        await (await agent.PostAsync($"/api/v1/conversations/{number}/notes", new { text = $"Over to you, @{maya.Handle()}." })).JsonAsync(HttpStatusCode.Created);

        Assert.Equal([number], (await maya.ListAsync("view=Mentions")).Numbers());
    }

    [Theory, Providers]
    public async Task Merging_moves_the_messages_closes_the_source_and_later_mail_on_its_thread_lands_in_the_target(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var target = (await agent.DeliverAsync("m-1", thread: "thread-target", at: Api.T0, text: "My order is late")).Number;
        var source = (await agent.DeliverAsync("m-2", thread: "thread-source", at: Api.T0.AddMinutes(1), text: "Where is my order?")).Number;
        await agent.PatchConversationAsync(source, new { addTags = new[] { "shipping" } });

        var merged = await (await agent.PostAsync($"/api/v1/conversations/{source}/merge", new { into = target })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(target, merged.GetProperty("into").GetInt64());

        var t = await agent.ConversationAsync(target);
        Assert.Contains(t.Messages(), m => m is ("Inbound", "My order is late"));
        Assert.Contains(t.Messages(), m => m is ("Inbound", "Where is my order?"));
        Assert.Contains(t.Messages(), m => m.Kind == "Event" && m.Text.Contains($"merged #{source}"));
        Assert.Contains("shipping", t.Summary().GetProperty("tags").EnumerateArray().Select(x => x.GetString()));

        var s = await agent.ConversationAsync(source);
        Assert.Equal("Closed", s.Summary().GetProperty("status").GetString());
        Assert.Equal(target, s.GetProperty("mergedIntoNumber").GetInt64());
        Assert.DoesNotContain(s.Messages(), m => m.Kind == "Inbound");
        Assert.DoesNotContain(source, (await agent.ListAsync("status=Closed")).Numbers()); // merged ones leave the lists

        var later = await agent.DeliverAsync("m-3", thread: "thread-source", text: "Any news?");
        Assert.Equal("Appended", later.Status);
        Assert.Equal(target, later.Number);

        // A merged conversation takes no more changes or replies.
        var reply = await agent.PostAsync($"/api/v1/conversations/{source}/replies", new { text = "hello" });
        await reply.ProblemAsync(HttpStatusCode.Conflict);
        var again = await agent.PostAsync($"/api/v1/conversations/{source}/merge", new { into = target });
        await again.ProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory, Providers]
    public async Task Bulk_applies_one_change_to_many_and_reports_each_result(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer", "Support");
        var a = (await agent.DeliverAsync("b-1")).Number;
        var b = (await agent.DeliverAsync("b-2")).Number;

        var results = await (await agent.PostAsync("/api/v1/conversations/bulk", new { numbers = new[] { a, b, 999_999L }, change = new { priority = "High", addTags = new[] { "wave-1" } } }))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal([(a, 200), (b, 200), (999_999L, 404)],
            results.EnumerateArray().Select(r => (r.GetProperty("number").GetInt64(), r.GetProperty("status").GetInt32())));
        Assert.Equal(Sorted(a, b), Sorted((await agent.ListAsync("priority=High&tag=wave-1")).Numbers()));

        var denied = await (await viewer.PostAsync("/api/v1/conversations/bulk", new { numbers = new[] { a }, change = new { priority = "Low" } })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(403, denied[0].GetProperty("status").GetInt32());
        Assert.Equal("High", (await agent.ConversationAsync(a)).Summary().GetProperty("priority").GetString());

        await (await agent.PostAsync("/api/v1/conversations/bulk", new { numbers = Array.Empty<long>(), change = new { priority = "Low" } })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await agent.PostAsync("/api/v1/conversations/bulk", new { numbers = Enumerable.Range(1, 501).Select(i => (long)i), change = new { priority = "Low" } }))
            .ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory, Providers]
    public async Task Two_edits_from_the_same_version_the_second_gets_409_and_overwrites_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var ann = await app.StaffAsync("agent", "Support");
        var bob = await app.StaffAsync("agent", "Support");
        var number = (await ann.DeliverAsync("c-1")).Number;
        var seen = (await ann.ConversationAsync(number)).Summary().GetProperty("version").GetInt32();

        await ann.PatchConversationAsync(number, new { status = "Solved", version = seen });
        var second = await bob.PatchAsync($"/api/v1/conversations/{number}", new { status = "OnHold", priority = "Urgent", version = seen });
        var problem = await second.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("Someone else changed", problem.GetProperty("detail").GetString());

        var detail = await ann.ConversationAsync(number);
        Assert.Equal("Solved", detail.Summary().GetProperty("status").GetString());
        Assert.Equal("Normal", detail.Summary().GetProperty("priority").GetString());
        Assert.DoesNotContain(detail.Messages(), m => m.Text.Contains("on hold") || m.Text.Contains("urgent"));
    }

    [Theory, Providers]
    public async Task A_tag_only_edit_also_moves_the_version_so_a_stale_editor_gets_409(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var ann = await app.StaffAsync("agent", "Support");
        var bob = await app.StaffAsync("agent", "Support");
        var number = (await ann.DeliverAsync("c-2")).Number;
        await ann.PatchConversationAsync(number, new { status = "Open" });
        var seen = (await ann.ConversationAsync(number)).Summary().GetProperty("version").GetInt32();

        var first = await ann.PatchConversationAsync(number, new { tags = new[] { "vip" }, version = seen });
        Assert.True(first.GetProperty("version").GetInt32() > seen);
        var second = await bob.PatchAsync($"/api/v1/conversations/{number}", new { tags = new[] { "spam" }, version = seen });
        await second.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(["vip"], (await ann.ConversationAsync(number)).Summary().GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Theory, Providers]
    public async Task Two_simultaneous_edits_from_the_same_version_exactly_one_wins(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var ann = await app.StaffAsync("agent", "Support");
        var bob = await app.StaffAsync("agent", "Support");
        for (var round = 0; round < 5; round++)
        {
            var number = (await ann.DeliverAsync($"race-{round}")).Number;
            var seen = (await ann.ConversationAsync(number)).Summary().GetProperty("version").GetInt32();
            var responses = await Task.WhenAll(
                ann.PatchAsync($"/api/v1/conversations/{number}", new { priority = "High", version = seen }),
                bob.PatchAsync($"/api/v1/conversations/{number}", new { priority = "Low", version = seen }));
            var codes = responses.Select(r => r.StatusCode).Order().ToArray();
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], codes);
            var winner = responses[0].StatusCode == HttpStatusCode.OK ? "High" : "Low";
            var detail = await ann.ConversationAsync(number);
            Assert.Equal(winner, detail.Summary().GetProperty("priority").GetString());
            Assert.Single(detail.Messages(), m => m.Kind == "Event" && m.Text.Contains("priority"));
        }
    }

    [Theory, Providers]
    public async Task Unknown_conversation_numbers_get_404_problem_details(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var real = (await agent.DeliverAsync("x-1")).Number;

        var get = await (await agent.GetAsync("/api/v1/conversations/424242")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("#424242", get.GetProperty("detail").GetString());
        await (await agent.PatchAsync("/api/v1/conversations/424242", new { status = "Solved" })).ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.PostAsync("/api/v1/conversations/424242/replies", new { text = "hi" })).ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.PostAsync("/api/v1/conversations/424242/notes", new { text = "hi" })).ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.PostAsync($"/api/v1/conversations/{real}/merge", new { into = 424242 })).ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.PostAsync($"/api/v1/conversations/424242/merge", new { into = real })).ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.GetAsync($"/api/v1/people/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory, Providers]
    public async Task Invalid_input_gets_400_problem_details_and_nothing_is_half_written(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer", "Support");
        var number = (await agent.DeliverAsync("i-1")).Number;
        var before = await agent.ConversationAsync(number);

        var empty = await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "   " })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(empty.GetProperty("errors").TryGetProperty("text", out _));
        await (await agent.PostAsync($"/api/v1/conversations/{number}/notes", new { text = "" })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { })).ProblemAsync(HttpStatusCode.BadRequest);
        var huge = await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = new string('a', 50_001) })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("at most", huge.GetProperty("detail").GetString());

        // A valid status change together with an invalid team or assignee: the whole change is refused.
        var team = await (await agent.PatchAsync($"/api/v1/conversations/{number}", new { status = "Solved", teamId = Guid.NewGuid() })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(team.GetProperty("errors").TryGetProperty("teamId", out _));
        var assignee = await (await agent.PatchAsync($"/api/v1/conversations/{number}", new { priority = "Urgent", assigneeId = viewer.UserId })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(assignee.GetProperty("errors").TryGetProperty("assigneeId", out _));
        await (await agent.PatchAsync($"/api/v1/conversations/{number}", new { addTags = new[] { new string('t', 51) } })).ProblemAsync(HttpStatusCode.BadRequest);
        var badEnum = await agent.Http.PatchAsync($"/api/v1/conversations/{number}",
            new StringContent("""{ "status": "Exploded" }""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badEnum.StatusCode);

        var after = await agent.ConversationAsync(number);
        Assert.Equal(before.Summary().GetProperty("version").GetInt32(), after.Summary().GetProperty("version").GetInt32());
        Assert.Equal("New", after.Summary().GetProperty("status").GetString());
        Assert.Equal("Normal", after.Summary().GetProperty("priority").GetString());
        Assert.Equal(before.Messages(), after.Messages());
        var audited = await app.DbAsync(db => db.AuditEntries.CountAsync(a => a.TargetId == number.ToString()));
        Assert.Equal(0, audited);
        var notifications = await app.DbAsync(db => db.Notifications.CountAsync());
        Assert.Equal(0, notifications);
    }

    [Theory, Providers]
    public async Task Viewers_read_conversations_but_cannot_change_them(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer", "Support");
        var number = (await agent.DeliverAsync("vw-1")).Number;

        Assert.Equal([number], (await viewer.ListAsync()).Numbers());
        await viewer.ConversationAsync(number);
        await (await viewer.PatchAsync($"/api/v1/conversations/{number}", new { status = "Solved" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "hi" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync($"/api/v1/conversations/{number}/notes", new { text = "hi" })).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/v1/inbound", new { externalId = "v", author = new { handle = "a@b.test" }, text = "x" })).StatusCode);
        Assert.Equal(1, (await agent.ConversationAsync(number)).Summary().GetProperty("messageCount").GetInt32());
    }

    private static long[] Sorted(params long[] numbers) => [.. numbers.Order()];
}
