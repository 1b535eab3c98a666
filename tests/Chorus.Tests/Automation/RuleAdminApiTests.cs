using System.Net;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using static Chorus.Tests.Automation.AutomationTestKit;

namespace Chorus.Tests.Automation;

/// Saving rules and macros: bad input is refused with a message that names the problem, nothing is saved;
/// the dry run says what a draft would have matched without changing anything.
public class RuleAdminApiTests
{
    private static object Draft(object[] conditions, object[]? actions = null, string trigger = "MessageReceived", string name = "Draft") =>
        new { name, enabled = true, trigger, conditions, actions = actions ?? [Action("AddTags", "x")] };

    [Theory, Providers]
    public async Task Invalid_and_contradictory_rules_are_refused_with_the_reason(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");

        async Task<string> RefusedAsync(object rule)
        {
            var problem = await (await admin.PostAsync("/api/v1/rules", rule)).ProblemAsync(HttpStatusCode.BadRequest);
            return problem.GetProperty("detail").GetString()!;
        }
        Assert.Contains("'order (#' is not a valid regular expression", await RefusedAsync(Draft([Condition("Text", "Matches", "order (#")])));
        Assert.Contains("Conditions 1 and 2 can never both hold (status is Open; status is Solved)",
            await RefusedAsync(Draft([Condition("Status", "Is", "Open"), Condition("Status", "Is", "Solved")])));
        Assert.Contains("can never both hold", await RefusedAsync(Draft([Condition("Tag", "Is", "vip"), Condition("Tag", "IsNot", "VIP")])));
        Assert.Contains("can never both hold", await RefusedAsync(Draft([Condition("Text", "Contains", "refund"), Condition("Text", "DoesNotContain", "Refund")])));
        Assert.Contains("contradicts the trigger", await RefusedAsync(new
        {
            name = "Stale", enabled = true, trigger = "TimeInStatus", triggerStatus = "Pending", triggerHours = 24,
            conditions = new[] { Condition("Status", "Is", "Open") }, actions = new[] { Action("Solve") },
        }));
        Assert.Contains("Give the hours", await RefusedAsync(new { name = "No hours", enabled = true, trigger = "TimeInStatus", triggerStatus = "Pending", conditions = Array.Empty<object>(), actions = new[] { Action("Solve") } }));
        Assert.Contains("choose inside or outside business hours", await RefusedAsync(Draft([Condition("BusinessHours", "Is", "sometimes")])));
        Assert.Contains("Two actions set the priority to different values", await RefusedAsync(Draft([], [Action("SetPriority", "High"), Action("SetPriority", "Low")])));
        Assert.Contains("both added and removed", await RefusedAsync(Draft([], [Action("AddTags", "a, b"), Action("RemoveTags", "B")])));
        Assert.Contains("Unknown placeholder {{person.nmae}}", await RefusedAsync(Draft([], [Action("AddNote", "From {{person.nmae}}")])));
        Assert.Contains("that team does not exist", await RefusedAsync(Draft([Condition("Team", "Is", Guid.NewGuid().ToString())])));
        Assert.Contains("webhook's full http:// or https:// address", await RefusedAsync(Draft([], [Action("SendWebhook", "file:///etc/passwd")])));
        Assert.Contains("at least one action", await RefusedAsync(Draft([], [])));

        await admin.CreateRuleAsync(Draft([], name: "Taken"));
        Assert.Contains("A rule named 'taken' exists already", await RefusedAsync(Draft([], name: "taken")));
        Assert.Single((await (await admin.GetAsync("/api/v1/rules")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
    }

    [Theory, Providers]
    public async Task A_dry_run_counts_the_recent_conversations_a_draft_matches_with_links_and_changes_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var a = (await admin.DeliverAsync("d-1", text: "I want a refund please")).Number;
        await admin.DeliverAsync("d-2", text: "Where is my parcel", handle: "bo@customer.test");
        var c = (await admin.DeliverAsync("d-3", text: "Refund for order 7?", handle: "cy@customer.test")).Number;
        await admin.PatchConversationAsync(c, new { priority = "High" });

        var run = await (await admin.PostAsync("/api/v1/rules/dry-run", Draft([Condition("Text", "Contains", "refund")]))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, run.GetProperty("examined").GetInt32());
        Assert.Equal(2, run.GetProperty("matched").GetInt32());
        Assert.Equal([c, a], run.GetProperty("examples").EnumerateArray().Select(e => e.GetProperty("number").GetInt64())); // newest first
        Assert.Equal($"/conversations/{c}", run.GetProperty("examples")[0].GetProperty("url").GetString());

        var narrower = await (await admin.PostAsync("/api/v1/rules/dry-run", Draft([Condition("Text", "Contains", "refund"), Condition("Priority", "Is", "High")]))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, narrower.GetProperty("matched").GetInt32());

        var bad = await (await admin.PostAsync("/api/v1/rules/dry-run", Draft([Condition("Text", "Matches", "(")]))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("not a valid regular expression", bad.GetProperty("detail").GetString());
        Assert.Empty((await admin.ConversationAsync(a)).RuleEvents());
        Assert.Empty((await (await admin.GetAsync("/api/v1/rules")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
    }

    [Theory, Providers]
    public async Task An_agent_applies_a_macro_its_reply_is_filled_in_its_actions_recorded_and_its_use_counted(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var unknown = await (await admin.PostAsync("/api/v1/macros", new { name = "Typo", body = "Hello {{person.nmae}}" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Unknown placeholder {{person.nmae}}", unknown.GetProperty("detail").GetString());
        var nested = await (await admin.PostAsync("/api/v1/macros", new { name = "Nested", body = "", actions = new[] { Action("ReplyWithMacro", Guid.NewGuid().ToString()) } }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("cannot reply with another macro", nested.GetProperty("detail").GetString());
        var forbidden = await agent.PostAsync("/api/v1/macros", new { name = "Mine", body = "Hi" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        var macro = await admin.CreateMacroAsync(new
        {
            name = "Refund approved", body = "Hi {{person.first_name}}, your refund for {{conversation.reference}} is on its way.\n\n{{agent.first_name}}",
            actions = new[] { Action("AddTags", "refund"), Action("SetPriority", "Low") },
        });
        var id = macro.GetProperty("id").GetString();
        var number = (await agent.DeliverAsync("a-1", name: "Ann Customer")).Number;

        var preview = await (await agent.PostAsync($"/api/v1/conversations/{number}/macros/{id}", new { sendReply = false })).JsonAsync(HttpStatusCode.OK);
        var agentFirst = (await (await agent.GetAsync("/api/v1/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString()!.Split(' ')[0];
        Assert.Equal($"Hi Ann, your refund for #{number} is on its way.\n\n{agentFirst}", preview.GetProperty("text").GetString());
        Assert.False(preview.GetProperty("replied").GetBoolean());
        var detail = await agent.ConversationAsync(number);
        Assert.DoesNotContain(detail.Messages(), m => m.Kind == "Reply");
        Assert.Equal(["refund"], detail.Tags());
        Assert.Equal("Low", detail.Summary().GetProperty("priority").GetString());
        Assert.Contains(detail.Messages(), m => m.Kind == "Event" && m.Text.EndsWith("(macro 'Refund approved') set the priority to low.", StringComparison.Ordinal));

        var sent = await (await agent.PostAsync($"/api/v1/conversations/{number}/macros/{id}", new { sendReply = true })).JsonAsync(HttpStatusCode.OK);
        Assert.True(sent.GetProperty("replied").GetBoolean());
        detail = await agent.ConversationAsync(number);
        Assert.Equal(preview.GetProperty("text").GetString(), detail.Messages().Single(m => m.Kind == "Reply").Text);
        Assert.Equal(2, (await (await agent.GetAsync("/api/v1/macros?q=refund")).JsonAsync(HttpStatusCode.OK))[0].GetProperty("usageCount").GetInt32());

        var viewer = await app.StaffAsync("viewer", "Support");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/v1/conversations/{number}/macros/{id}", new { sendReply = false })).StatusCode);
    }
}
