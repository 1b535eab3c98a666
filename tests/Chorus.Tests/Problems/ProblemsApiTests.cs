using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Channels.Outbox;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Problems;

/// Problems through the API on both databases: linking conversations (with events in their threads),
/// candidates by text similarity, "solve and answer everyone" exactly once per requester on their own
/// channel, private teams kept private, viewers read only, and clear errors for bad input.
public class ProblemsApiTests
{
    private static async Task<JsonElement> CreateAsync(StaffClient c, object body) =>
        await (await c.PostAsync("/api/v1/problems", body)).JsonAsync(HttpStatusCode.Created);

    private static async Task<JsonElement> GetAsync(StaffClient c, long number) =>
        await (await c.GetAsync($"/api/v1/problems/{number}")).JsonAsync(HttpStatusCode.OK);

    private static long[] Linked(JsonElement problem) =>
        problem.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("number").GetInt64()).Order().ToArray();

    [Theory, Providers]
    public async Task Conversations_are_linked_and_unlinked_with_an_event_in_their_thread_and_listed_on_the_problem(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var admin = await app.StaffAsync("admin");
        var liaison = await app.TeamIdAsync("Product & Engineering Liaison");
        var ann = await agent.DeliverAsync("pl-1", subject: "App crashes on export", text: "Export to PDF crashes the app", handle: "ann@customer.test", name: "Ann Customer");
        var ben = await agent.DeliverAsync("pl-2", subject: "Export broken", text: "PDF export closes the app", handle: "ben@customer.test", name: "Ben Buyer", kind: "Reddit");

        var created = await CreateAsync(agent, new
        {
            title = "PDF export crashes", description = "Since 4.2 exporting to PDF crashes.", status = "known error",
            engineeringUrl = "https://github.com/acme/app/issues/812", teamId = liaison, fromConversation = ann.Number,
        });
        var number = created.GetProperty("number").GetInt64();
        Assert.Equal($"P-{number}", created.Str("reference"));
        Assert.Equal("KnownError", created.Str("status"));
        Assert.Equal([ann.Number], Linked(created));

        var linked = await (await agent.PostAsync($"/api/v1/problems/{number}/conversations", new { conversationNumber = ben.Number })).JsonAsync(HttpStatusCode.OK);
        Assert.True(linked.GetProperty("linked").GetBoolean());
        var again = await (await agent.PostAsync($"/api/v1/problems/{number}/conversations", new { conversationNumber = ben.Number })).JsonAsync(HttpStatusCode.OK);
        Assert.False(again.GetProperty("linked").GetBoolean()); // linking twice changes nothing

        var problem = await GetAsync(agent, number);
        Assert.Equal([ann.Number, ben.Number], Linked(problem));
        var benRow = problem.GetProperty("conversations").EnumerateArray().Single(c => c.GetProperty("number").GetInt64() == ben.Number);
        Assert.Equal("Ben Buyer", benRow.Str("requesterName"));
        Assert.Equal("New", benRow.Str("status"));
        Assert.False(string.IsNullOrEmpty(benRow.Str("channelName")));

        var list = await (await agent.GetAsync("/api/v1/problems?status=knownError")).JsonAsync(HttpStatusCode.OK);
        var row = Assert.Single(list.EnumerateArray());
        Assert.Equal(2, row.GetProperty("linkedCount").GetInt32());
        Assert.Equal("Product & Engineering Liaison", row.Str("teamName"));
        Assert.Empty((await (await agent.GetAsync("/api/v1/problems?status=solved")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());

        var ofConversation = await (await agent.GetAsync($"/api/v1/conversations/{ben.Number}/problems")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(number, Assert.Single(ofConversation.EnumerateArray()).GetProperty("number").GetInt64());
        Assert.Contains((await agent.ConversationAsync(ben.Number)).Messages(), m => m.Kind == "Event" && m.Text.Contains($"linked this conversation to problem P-{number} “PDF export crashes”"));

        Assert.Equal(HttpStatusCode.NoContent, (await agent.Http.DeleteAsync($"/api/v1/problems/{number}/conversations/{ben.Number}")).StatusCode);
        Assert.Equal([ann.Number], Linked(await GetAsync(agent, number)));
        Assert.Contains((await agent.ConversationAsync(ben.Number)).Messages(), m => m.Kind == "Event" && m.Text.Contains($"unlinked this conversation from problem P-{number}"));
        await (await agent.Http.DeleteAsync($"/api/v1/problems/{number}/conversations/{ben.Number}")).ProblemAsync(HttpStatusCode.NotFound);

        var audit = await (await admin.GetAsync("/api/v1/audit?action=problem.")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["problem.created", "problem.linked", "problem.linked", "problem.unlinked"], audit.EnumerateArray().Select(a => a.Str("action")).Order().ToArray());
    }

    [Theory, Providers]
    public async Task Candidates_rank_the_conversation_that_reads_like_the_problem_first(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var linked = await agent.DeliverAsync("pc-1", subject: "Checkout fails with Visa card", text: "Paying with my Visa card at checkout gives error 502 and the order is not placed.", handle: "a@c.test");
        var similar = await agent.DeliverAsync("pc-2", subject: "Card payment error at checkout", text: "Checkout says error 502 when I pay by Visa. Tried twice.", handle: "b@c.test");
        var other = await agent.DeliverAsync("pc-3", subject: "Password reset mail", text: "The password reset e-mail never arrives in my inbox.", handle: "c@c.test");
        await agent.DeliverAsync("pc-4", subject: "Where is my parcel", text: "My order shipped a week ago and has not arrived yet.", handle: "d@c.test");
        var number = (await CreateAsync(agent, new { title = "Visa payments fail at checkout", description = "Error 502 from the payment gateway for Visa cards.", fromConversation = linked.Number }))
            .GetProperty("number").GetInt64();

        var candidates = (await (await agent.GetAsync($"/api/v1/problems/{number}/candidates")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        Assert.NotEmpty(candidates);
        Assert.Equal(similar.Number, candidates[0].GetProperty("number").GetInt64());
        Assert.InRange(candidates[0].GetProperty("score").GetDouble(), 0.2, 1);
        Assert.Contains("visa", candidates[0].GetProperty("terms").EnumerateArray().Select(t => t.GetString()));
        Assert.DoesNotContain(candidates, c => c.GetProperty("number").GetInt64() == linked.Number); // linked already
        var otherScore = candidates.Where(c => c.GetProperty("number").GetInt64() == other.Number).Select(c => c.GetProperty("score").GetDouble()).FirstOrDefault();
        Assert.True(otherScore < candidates[0].GetProperty("score").GetDouble());

        // One click: once linked, it is no longer a candidate.
        await (await agent.PostAsync($"/api/v1/problems/{number}/conversations", new { conversationNumber = similar.Number })).JsonAsync(HttpStatusCode.OK);
        var after = await (await agent.GetAsync($"/api/v1/problems/{number}/candidates")).JsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(after.EnumerateArray(), c => c.GetProperty("number").GetInt64() == similar.Number);
    }

    [Theory, Providers]
    public async Task Solve_and_answer_replies_to_every_linked_conversation_once_on_its_own_channel(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Outbox:Dispatch"] = "false"; // the queued e-mail stays where the test can read it
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var mailbox = await admin.OfflineMailboxAsync("Support mail", "help@chorus-mail.test");
        var byMail = await agent.DeliverAsync("<sa-1@customer.test>", channel: mailbox.ToString(), subject: "Sync stopped", text: "Sync stopped after the update", handle: "ann@customer.test", name: "Ann Customer");
        var byApi = await agent.DeliverAsync("sa-2", subject: "Nothing syncs", text: "My files do not sync", handle: "u_ben", name: "Ben Buyer", kind: "Reddit");
        var number = (await CreateAsync(agent, new { title = "Sync stops after 4.2", fromConversation = byMail.Number })).GetProperty("number").GetInt64();
        await (await agent.PostAsync($"/api/v1/problems/{number}/conversations", new { conversationNumber = byApi.Number })).JsonAsync(HttpStatusCode.OK);

        var text = "Hi {{person.first_name}}, the fix for {{conversation.reference}} is out. {{agent.name}}";
        var summary = await (await agent.PostAsync($"/api/v1/problems/{number}/solve-and-answer", new { text, solveConversations = true })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, summary.GetProperty("answered").GetInt32());
        Assert.Equal(0, summary.GetProperty("alreadyAnswered").GetInt32());
        Assert.Equal("Solved", (await GetAsync(agent, number)).Str("status"));

        foreach (var (conversation, first) in new[] { (byMail.Number, "Ann"), (byApi.Number, "Ben") })
        {
            var detail = await agent.ConversationAsync(conversation);
            var reply = Assert.Single(detail.Messages(), m => m.Kind == "Reply");
            Assert.StartsWith($"Hi {first}, the fix for #{conversation} is out.", reply.Text);
            Assert.Equal("Solved", detail.Summary().Str("status"));
            Assert.Contains(detail.Messages(), m => m.Kind == "Event" && m.Text.Contains($"problem P-{number} “Sync stops after 4.2” is solved"));
        }
        var mail = await app.DbAsync(db => db.Outbox.AsNoTracking().SingleAsync(o => o.Purpose == OutboxPurpose.Reply));
        Assert.Equal(byMail.ConversationId, mail.ConversationId);
        Assert.Contains("ann@customer.test", mail.Payload);

        // Twice never answers anyone twice: each is skipped and reported.
        var again = await (await agent.PostAsync($"/api/v1/problems/{number}/solve-and-answer", new { text, solveConversations = true })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, again.GetProperty("answered").GetInt32());
        Assert.Equal(2, again.GetProperty("alreadyAnswered").GetInt32());
        Assert.All(again.GetProperty("conversations").EnumerateArray(), c => Assert.StartsWith("Already answered for this problem", c.Str("reason")));
        Assert.Equal(2, await app.DbAsync(db => db.Messages.CountAsync(m => m.Kind == Chorus.Features.Inbox.MessageKind.Reply)));
        Assert.Equal(1, await app.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.Reply)));

        // Unlinking and linking again does not forget who was answered; a newly linked conversation is answered.
        await agent.Http.DeleteAsync($"/api/v1/problems/{number}/conversations/{byApi.Number}");
        await agent.PostAsync($"/api/v1/problems/{number}/conversations", new { conversationNumber = byApi.Number });
        var late = await agent.DeliverAsync("sa-3", subject: "Sync?", text: "sync broken", handle: "cat@customer.test", name: "Cat Late", kind: "Reddit");
        await agent.PostAsync($"/api/v1/problems/{number}/conversations", new { conversationNumber = late.Number });
        var third = await (await agent.PostAsync($"/api/v1/problems/{number}/solve-and-answer", new { text })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, third.GetProperty("answered").GetInt32());
        Assert.Equal(2, third.GetProperty("alreadyAnswered").GetInt32());
        Assert.Equal("Pending", (await agent.ConversationAsync(late.Number)).Summary().Str("status")); // not asked to solve: waits on the requester

        var audit = await (await admin.GetAsync("/api/v1/audit?action=problem.answered-everyone")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, audit.GetArrayLength());
        Assert.Contains("answered 2, already answered 0, failed 0; set solved", audit.EnumerateArray().Select(a => a.Str("details")));
    }

    [Theory, Providers]
    public async Task A_private_teams_conversation_is_never_revealed_to_a_non_member_through_a_problem(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var insider = await app.StaffAsync("agent", "Support");
        var outsider = await app.StaffAsync("agent", "Support");
        var legal = (await (await admin.PostAsync("/api/v1/teams", new { name = "Legal", isPrivate = true, memberIds = new[] { insider.UserId } })).JsonAsync(HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        var secret = await admin.DeliverAsync("pp-1", subject: "Data breach claim about sync", text: "Your sync leaked my files", handle: "lawyer@firm.test", name: "Lee Lawyer");
        await admin.PatchConversationAsync(secret.Number, new { teamId = legal });
        var open = await admin.DeliverAsync("pp-2", subject: "Sync leaks files", text: "sync leaked files to another account", handle: "pat@customer.test", name: "Pat Public");
        var number = (await CreateAsync(insider, new { title = "Sync leaks files between accounts", fromConversation = secret.Number })).GetProperty("number").GetInt64();
        await (await insider.PostAsync($"/api/v1/problems/{number}/conversations", new { conversationNumber = open.Number })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal([secret.Number, open.Number], Linked(await GetAsync(insider, number)).Order().ToArray());
        var seen = await GetAsync(outsider, number);
        Assert.Equal([open.Number], Linked(seen));
        Assert.DoesNotContain("Lee Lawyer", seen.ToString());
        Assert.DoesNotContain("breach", seen.ToString());
        Assert.Equal(1, Assert.Single((await (await outsider.GetAsync("/api/v1/problems")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()).GetProperty("linkedCount").GetInt32());
        Assert.DoesNotContain("breach", (await (await outsider.GetAsync($"/api/v1/problems/{number}/candidates")).JsonAsync(HttpStatusCode.OK)).ToString());
        await (await outsider.GetAsync($"/api/v1/conversations/{secret.Number}/problems")).ProblemAsync(HttpStatusCode.NotFound);
        await (await outsider.Http.DeleteAsync($"/api/v1/problems/{number}/conversations/{secret.Number}")).ProblemAsync(HttpStatusCode.NotFound);

        // The outsider's "answer everyone" answers only what they may see; a member answers the rest later.
        var summary = await (await outsider.PostAsync($"/api/v1/problems/{number}/solve-and-answer", new { text = "Fixed." })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, summary.GetProperty("total").GetInt32());
        Assert.DoesNotContain(secret.Number.ToString(), summary.GetProperty("conversations").ToString());
        Assert.DoesNotContain((await insider.ConversationAsync(secret.Number)).Messages(), m => m.Kind == "Reply");
        var byMember = await (await insider.PostAsync($"/api/v1/problems/{number}/solve-and-answer", new { text = "Fixed." })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, byMember.GetProperty("answered").GetInt32());
        Assert.Equal(1, byMember.GetProperty("alreadyAnswered").GetInt32());
    }

    [Theory, Providers]
    public async Task Viewers_read_but_cannot_change_and_bad_input_gets_a_clear_error_and_changes_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer", "Support");
        var d = await agent.DeliverAsync("pv-1");
        var number = (await CreateAsync(agent, new { title = "Late orders" })).GetProperty("number").GetInt64();

        Assert.Equal("Late orders", (await GetAsync(viewer, number)).Str("title"));
        await (await viewer.PostAsync("/api/v1/problems", new { title = "Mine" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.Http.PutAsJsonAsync($"/api/v1/problems/{number}", new { title = "Renamed" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync($"/api/v1/problems/{number}/conversations", new { conversationNumber = d.Number })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync($"/api/v1/problems/{number}/solve-and-answer", new { text = "Fixed" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.Http.DeleteAsync($"/api/v1/problems/{number}")).ProblemAsync(HttpStatusCode.Forbidden);

        async Task<string> Refused(HttpResponseMessage r, string field)
        {
            var problem = await r.ProblemAsync(HttpStatusCode.BadRequest);
            return string.Join(" ", problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()));
        }
        Assert.Contains("title of 1 to 200 characters", await Refused(await agent.PostAsync("/api/v1/problems", new { title = "  " }), "title"));
        Assert.Contains("http(s) address", await Refused(await agent.PostAsync("/api/v1/problems", new { title = "X", engineeringUrl = "javascript:alert(1)" }), "engineeringUrl"));
        Assert.Contains("not a problem status", await Refused(await agent.PostAsync("/api/v1/problems", new { title = "X", status = "fixed" }), "status"));
        Assert.Contains("Unknown placeholder {{person.shoe_size}}",
            await Refused(await agent.PostAsync($"/api/v1/problems/{number}/solve-and-answer", new { text = "Hi {{person.shoe_size}}" }), "text"));
        Assert.Contains("Write the answer", await Refused(await agent.PostAsync($"/api/v1/problems/{number}/solve-and-answer", new { text = "" }), "text"));
        Assert.Contains("conversationNumber", await Refused(await agent.PostAsync($"/api/v1/problems/{number}/conversations", new { }), "conversationNumber"));
        Assert.Contains("not a problem status", await Refused(await agent.GetAsync("/api/v1/problems?status=bogus"), "status"));
        await (await agent.PostAsync($"/api/v1/problems/{number}/conversations", new { conversationNumber = 999_999 })).ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.GetAsync("/api/v1/problems/999999")).ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.Http.PutAsJsonAsync($"/api/v1/problems/{number}", new { title = "Stale", version = 41 })).ProblemAsync(HttpStatusCode.Conflict);

        // Nothing was half-written: one problem, unchanged, still open, and nobody was answered.
        var all = await (await agent.GetAsync("/api/v1/problems")).JsonAsync(HttpStatusCode.OK);
        var only = Assert.Single(all.EnumerateArray());
        Assert.Equal("Late orders", only.Str("title"));
        Assert.Equal("Open", only.Str("status"));
        Assert.DoesNotContain((await agent.ConversationAsync(d.Number)).Messages(), m => m.Kind == "Reply");
    }
}
