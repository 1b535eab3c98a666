using System.Net;
using System.Text.Json;
using Chorus.Tests.Automation;
using Chorus.Tests.Infrastructure;
using static Chorus.Tests.Automation.AutomationTestKit;

namespace Chorus.Tests.Problems;

/// The "link to problem" action: a rule files matching conversations under a problem as an agent would
/// (a line in the thread, the audit log, listed on the problem), the dry run says which it would link,
/// and a problem that does not exist is refused, or said in the thread when it went away after saving.
public class RuleLinksToProblemTests
{
    private static async Task<long> CreateProblemAsync(StaffClient c, string title) =>
        (await (await c.PostAsync("/api/v1/problems", new { title, description = "Seen by several customers." })).JsonAsync(HttpStatusCode.Created)).GetProperty("number").GetInt64();

    private static object Rule(string problem, string name = "Login failures") => new
    {
        name, enabled = true, trigger = "MessageReceived",
        conditions = new[] { Condition("Text", "Contains", "cannot log in, login fails") },
        actions = new[] { Action("LinkToProblem", problem), Action("AddTags", "login") },
    };

    private static long[] Linked(JsonElement problem) =>
        problem.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("number").GetInt64()).Order().ToArray();

    [Theory, Providers]
    public async Task A_rule_links_matching_conversations_to_the_problem_once_with_a_thread_line_and_an_audit_entry(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var problem = await CreateProblemAsync(agent, "Login fails after the 4.2 update");
        var byHand = await agent.DeliverAsync("lp-1", text: "Since yesterday I cannot log in", handle: "ann@customer.test");
        await agent.DeliverAsync("lp-2", text: "Where is my parcel?", handle: "bo@customer.test");
        var unlinked = await agent.DeliverAsync("lp-3", text: "Login fails with error 500", handle: "cy@customer.test");
        await (await agent.PostAsync($"/api/v1/problems/{problem}/conversations", new { conversationNumber = byHand.Number })).JsonAsync(HttpStatusCode.OK);

        // The dry run names the problem and says which of the matches it would link.
        var run = await (await admin.PostAsync("/api/v1/rules/dry-run", Rule($"P-{problem}"))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, run.GetProperty("matched").GetInt32());
        var link = run.GetProperty("links").EnumerateArray().Single();
        Assert.Equal($"P-{problem}", link.Str("problem"));
        Assert.Equal("Login fails after the 4.2 update", link.Str("title"));
        Assert.Equal(1, link.GetProperty("wouldLink").GetInt32());
        Assert.Equal(1, link.GetProperty("alreadyLinked").GetInt32());
        var examples = run.GetProperty("examples").EnumerateArray().ToDictionary(e => e.GetProperty("number").GetInt64(), e => e.GetProperty("linkedTo").EnumerateArray().Select(x => x.GetString()!).ToArray());
        Assert.Equal([$"P-{problem}"], examples[byHand.Number]);
        Assert.Empty(examples[unlinked.Number]);
        Assert.Equal([byHand.Number], Linked(await (await agent.GetAsync($"/api/v1/problems/{problem}")).JsonAsync(HttpStatusCode.OK))); // nothing changed

        await admin.CreateRuleAsync(Rule(problem.ToString()));
        var fresh = await agent.DeliverAsync("lp-4", text: "Hi, login fails on my phone", handle: "dee@customer.test");
        var detail = await agent.EventuallyAsync(fresh.Number, d => d.Tags().Contains("login"));
        Assert.Contains($"Rule 'Login failures' linked this conversation to problem P-{problem} “Login fails after the 4.2 update”.", detail.RuleEvents());

        // A second message on the same conversation matches again: it is linked already, so nothing more is said.
        await agent.DeliverAsync("lp-5", thread: "lp-4", text: "Still cannot log in", handle: "dee@customer.test");
        await app.RulesSettledAsync();
        var after = await (await agent.GetAsync($"/api/v1/problems/{problem}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(new[] { byHand.Number, fresh.Number }.Order(), Linked(after));
        var thread = await agent.ConversationAsync(fresh.Number);
        Assert.Single(thread.RuleEvents(), e => e.Contains("linked this conversation", StringComparison.Ordinal));

        var onConversation = await (await agent.GetAsync($"/api/v1/conversations/{fresh.Number}/problems")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal([$"P-{problem}"], onConversation.EnumerateArray().Select(p => p.Str("reference")));
        var audit = await (await admin.GetAsync("/api/v1/audit?action=problem.linked")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), a => a.Str("targetId") == $"P-{problem}" && a.Str("details") == $"#{fresh.Number} by Rule 'Login failures'");
    }

    [Theory, Providers]
    public async Task A_missing_problem_is_refused_and_one_deleted_later_is_said_in_the_thread(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var refused = await (await admin.PostAsync("/api/v1/rules", Rule("P-999"))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("there is no problem P-999", refused.GetProperty("detail").GetString());
        var garbled = await (await admin.PostAsync("/api/v1/rules", Rule("the login one"))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("choose a problem to link to", garbled.GetProperty("detail").GetString());

        var problem = await CreateProblemAsync(admin, "Login fails");
        await admin.CreateRuleAsync(Rule($"P-{problem}"));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/v1/problems/{problem}")).StatusCode);
        var c = await admin.DeliverAsync("gone-1", text: "login fails again");
        var detail = await admin.EventuallyAsync(c.Number, d => d.Tags().Contains("login"));
        Assert.Contains($"Rule 'Login failures' could not link the conversation to problem P-{problem}: it no longer exists.", detail.RuleEvents());
    }
}
