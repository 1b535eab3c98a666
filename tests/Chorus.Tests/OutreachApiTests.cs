using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Channels.Outbox;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests;

/// Saved lists of people and outreach to them through the API: one conversation each, a summary of
/// who was skipped and why, nothing started twice, clear errors.
public class OutreachApiTests
{
    [Theory, Providers]
    public async Task Outreach_to_a_list_starts_one_conversation_per_person_with_email_and_says_who_was_skipped(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Outbox:Dispatch"] = "false";
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var mailbox = await admin.OfflineMailboxAsync("Press desk", "press@chorus-mail.test");
        var ann = (await admin.DeliverAsync("p-1", handle: "ann@press.test", name: "Ann Anchor")).PersonId;
        var ben = (await admin.DeliverAsync("p-2", handle: "ben@press.test", name: "Ben Blogger")).PersonId;
        var fan = (await admin.DeliverAsync("p-3", kind: "Reddit", handle: "u_superfan", name: "Super Fan")).PersonId;

        var list = await (await agent.PostAsync("/api/v1/people/lists", new { name = "Launch press", personIds = new[] { ann, ben } })).JsonAsync(HttpStatusCode.Created);
        var listId = list.GetProperty("id").GetGuid();
        var added = await (await agent.PostAsync($"/api/v1/people/lists/{listId}/members", new { personIds = new[] { ben, fan, Guid.NewGuid() } })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, added.GetProperty("added").GetInt32());
        Assert.Equal(1, added.GetProperty("alreadyIn").GetInt32());
        Assert.Equal(1, added.GetProperty("notFound").GetArrayLength());
        var lists = await (await agent.GetAsync("/api/v1/people/lists")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, lists.EnumerateArray().Single(l => l.Str("name") == "Launch press").GetProperty("memberCount").GetInt32());

        var requestId = Guid.NewGuid();
        var body = new { listId, mailboxId = mailbox, subject = "Embargoed: the collector's edition", text = "Hello! Details below.", requestId };
        var result = await (await agent.PostAsync("/api/v1/conversations", body)).JsonAsync(HttpStatusCode.OK);
        var started = result.GetProperty("started").EnumerateArray().ToDictionary(s => s.GetProperty("personId").GetGuid(), s => s.GetProperty("number").GetInt64());
        Assert.Equal([ann, ben], started.Keys.Order());
        var skipped = Assert.Single(result.GetProperty("skipped").EnumerateArray());
        Assert.Equal(fan, skipped.GetProperty("personId").GetGuid());
        Assert.Equal("No e-mail address.", skipped.Str("reason"));

        foreach (var (person, number) in started)
        {
            var detail = await agent.ConversationAsync(number);
            Assert.Equal("Pending", detail.Summary().Str("status"));
            Assert.Equal(agent.UserId, detail.Summary().Str("assigneeId"));
            Assert.Equal(person, detail.Summary().GetProperty("requesterId").GetGuid());
            var first = detail.GetProperty("messages").EnumerateArray().Single(x => x.Str("kind") == "Reply");
            Assert.Equal("Queued", first.GetProperty("delivery").Str("status"));
            Assert.Equal("Hello! Details below.", first.Str("text"));
        }
        Assert.Equal(2, await app.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.Reply)));

        // The same request again (a retry after a timeout): nothing new.
        var again = await (await agent.PostAsync("/api/v1/conversations", body)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(started.Values.Order(), again.GetProperty("started").EnumerateArray().Select(s => s.GetProperty("number").GetInt64()).Order());
        Assert.Equal(2, await app.DbAsync(db => db.Outbox.CountAsync()));

        var audit = await (await admin.GetAsync("/api/v1/audit?action=outreach")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains("started 2, skipped 1", audit[0].Str("details"));
        Assert.Equal(2, (await (await admin.GetAsync("/api/v1/audit?action=conversation.started")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());
    }

    [Theory, Providers]
    public async Task Bad_outreach_requests_get_clear_errors_and_start_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Outbox:Dispatch"] = "false";
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer", "Support");
        var mailbox = await admin.OfflineMailboxAsync("Press desk", "press@chorus-mail.test");
        var person = (await admin.DeliverAsync("p-1", handle: "ann@press.test")).PersonId;
        var redditor = (await admin.DeliverAsync("p-2", kind: "Reddit", handle: "u_nomail")).PersonId;
        var conversationsBefore = await app.DbAsync(db => db.Conversations.CountAsync());

        async Task<JsonElement> Problem(StaffClient who, object body, HttpStatusCode code) => await (await who.PostAsync("/api/v1/conversations", body)).ProblemAsync(code);

        Assert.Contains("subject", (await Problem(agent, new { personId = person, mailboxId = mailbox, text = "hi" }, HttpStatusCode.BadRequest)).GetProperty("errors").GetRawText());
        Assert.Contains("text", (await Problem(agent, new { personId = person, mailboxId = mailbox, subject = "s", text = " " }, HttpStatusCode.BadRequest)).GetProperty("errors").GetRawText());
        Assert.Contains("mailboxId", (await Problem(agent, new { personId = person, mailboxId = Guid.NewGuid(), subject = "s", text = "t" }, HttpStatusCode.BadRequest)).GetProperty("errors").GetRawText());
        Assert.Contains("personId", (await Problem(agent, new { mailboxId = mailbox, subject = "s", text = "t" }, HttpStatusCode.BadRequest)).GetProperty("errors").GetRawText());
        Assert.Contains("at most 200", (await Problem(agent, new { personId = person, mailboxId = mailbox, subject = new string('s', 201), text = "t" }, HttpStatusCode.BadRequest)).Str("detail"));
        await Problem(agent, new { personId = Guid.NewGuid(), mailboxId = mailbox, subject = "s", text = "t" }, HttpStatusCode.NotFound);
        Assert.Contains("No e-mail address", (await Problem(agent, new { personId = redditor, mailboxId = mailbox, subject = "s", text = "t" }, HttpStatusCode.Conflict)).Str("detail"));
        await Problem(viewer, new { personId = person, mailboxId = mailbox, subject = "s", text = "t" }, HttpStatusCode.Forbidden);
        var empty = (await (await agent.PostAsync("/api/v1/people/lists", new { name = "Nobody yet" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        Assert.Contains("nobody in it", (await Problem(agent, new { listId = empty, mailboxId = mailbox, subject = "s", text = "t" }, HttpStatusCode.BadRequest)).Str("detail"));
        await (await admin.PatchAsync($"/api/v1/channels/mailboxes/{mailbox}", new { enabled = false })).JsonAsync(HttpStatusCode.OK);
        Assert.Contains("switched off", (await Problem(agent, new { personId = person, mailboxId = mailbox, subject = "s", text = "t" }, HttpStatusCode.BadRequest)).Str("detail"));

        Assert.Equal(conversationsBefore, await app.DbAsync(db => db.Conversations.CountAsync()));
        Assert.False(await app.DbAsync(db => db.Outbox.AnyAsync()));

        // Lists: names are unique and required; viewers read but do not change.
        await (await agent.PostAsync("/api/v1/people/lists", new { name = "Nobody yet" })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await agent.PostAsync("/api/v1/people/lists", new { name = "" })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await viewer.PostAsync("/api/v1/people/lists", new { name = "Viewer's" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.GetAsync($"/api/v1/people/lists/{empty}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await agent.Http.DeleteAsync($"/api/v1/people/lists/{empty}")).StatusCode);
        await (await agent.GetAsync($"/api/v1/people/lists/{empty}")).ProblemAsync(HttpStatusCode.NotFound);
    }
}
