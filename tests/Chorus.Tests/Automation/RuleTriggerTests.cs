using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Automation;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Chorus.Tests.Automation.AutomationTestKit;

namespace Chorus.Tests.Automation;

/// Each trigger, through the real pipeline and API: the rule acts in the background and says so in the thread.
public class RuleTriggerTests
{
    [Theory, Providers]
    public async Task A_new_conversation_matching_the_conditions_is_changed_and_each_change_is_an_event(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var marketing = await app.TeamIdAsync("Marketing");
        await admin.CreateRuleAsync(new
        {
            name = "Refunds", enabled = true, trigger = "ConversationCreated",
            conditions = new[] { Condition("Text", "Contains", "refund, chargeback") },
            actions = new[] { Action("SetPriority", "High"), Action("SetTeam", marketing.ToString()), Action("AddTags", "Refund"), Action("AddNote", "Refund request from {{person.name}} ({{conversation.reference}})") },
        });

        var other = await admin.DeliverAsync("c-1", text: "Where is my parcel?", subject: "Parcel");
        var refund = await admin.DeliverAsync("c-2", text: "Please issue a REFUND for my order", subject: "Money back");

        var detail = await admin.EventuallyAsync(refund.Number, d => d.RuleEvents().Length >= 4);
        Assert.Equal(["Rule 'Refunds' added an internal note.", "Rule 'Refunds' added tag refund.", "Rule 'Refunds' moved the conversation to Marketing.", "Rule 'Refunds' set the priority to high."],
            detail.RuleEvents().Order());
        Assert.Equal("High", detail.Summary().GetProperty("priority").GetString());
        Assert.Equal("Marketing", detail.Summary().GetProperty("teamName").GetString());
        Assert.Equal(["refund"], detail.Tags());
        Assert.Contains(detail.Messages(), m => m.Kind == "Note" && m.Text == $"Refund request from Ann Customer (#{refund.Number})");
        Assert.Equal("New", detail.Summary().GetProperty("status").GetString()); // automation is not a human looking at it

        // Events are evaluated in order, so the first delivery was looked at before the second acted on: no match, no change.
        var untouched = await admin.ConversationAsync(other.Number);
        Assert.Empty(untouched.RuleEvents());
        Assert.Equal("Normal", untouched.Summary().GetProperty("priority").GetString());

        var rule = (await (await admin.GetAsync("/api/v1/rules")).JsonAsync(HttpStatusCode.OK))[0];
        Assert.Equal(1, rule.GetProperty("fireCount").GetInt32());
    }

    [Theory, Providers]
    public async Task A_message_on_an_existing_conversation_is_matched_by_a_pattern(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await admin.CreateRuleAsync(new
        {
            name = "Order numbers", enabled = true, trigger = "MessageReceived",
            conditions = new[] { Condition("Text", "Matches", @"order\s+#?\d{5,}") },
            actions = new[] { Action("AddTags", "has-order-number"), Action("Assign", agent.UserId) },
        });
        var first = await admin.DeliverAsync("m-1", thread: "t-1", text: "Hello, a question about my account");
        var second = await admin.DeliverAsync("m-2", thread: "t-1", text: "It is about order #123456");
        Assert.Equal(first.Number, second.Number);

        var detail = await admin.EventuallyAsync(first.Number, d => d.Tags().Contains("has-order-number"));
        Assert.Equal(agent.UserId, detail.Summary().GetProperty("assigneeId").GetString());
        Assert.Contains(detail.RuleEvents(), e => e.StartsWith("Rule 'Order numbers' assigned the conversation to", StringComparison.Ordinal));
        // The assignee is told, like any assignment.
        var notifications = await (await agent.GetAsync("/api/v1/notifications")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(notifications.EnumerateArray(), n => n.GetProperty("kind").GetString() == "assigned" && n.GetProperty("conversationNumber").GetInt64() == first.Number);
    }

    [Theory, Providers]
    public async Task Agents_changing_status_or_assigning_trigger_the_rules_that_listen(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await admin.CreateRuleAsync(new
        {
            name = "Solved gets tagged", enabled = true, trigger = "StatusChanged",
            conditions = new[] { Condition("Status", "Is", "Solved") }, actions = new[] { Action("AddTags", "solved-once"), Action("RemoveTags", "waiting, nothing-to-remove") },
        });
        await admin.CreateRuleAsync(new
        {
            name = "Assigned is urgent", enabled = true, trigger = "Assigned", conditions = Array.Empty<object>(), actions = new[] { Action("SetPriority", "Urgent") },
        });
        var number = (await agent.DeliverAsync("s-1")).Number;
        await agent.PatchConversationAsync(number, new { status = "Pending", addTags = new[] { "waiting" } });
        await agent.PatchConversationAsync(number, new { status = "Solved" });
        var solved = await agent.EventuallyAsync(number, d => d.Tags().Contains("solved-once"));
        Assert.Equal(["Rule 'Solved gets tagged' added tag solved-once.", "Rule 'Solved gets tagged' removed tag waiting."], solved.RuleEvents()); // pending did not match
        Assert.Equal(["solved-once"], solved.Tags());

        await agent.PatchConversationAsync(number, new { assigneeId = agent.UserId });
        var assigned = await agent.EventuallyAsync(number, d => d.Summary().GetProperty("priority").GetString() == "Urgent");
        Assert.Contains("Rule 'Assigned is urgent' set the priority to urgent.", assigned.RuleEvents());
    }

    [Theory, Providers]
    public async Task A_time_based_rule_acts_once_on_conversations_that_sat_long_enough(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await admin.CreateRuleAsync(new
        {
            name = "Close stale pending", enabled = true, trigger = "TimeInStatus", triggerStatus = "Pending", triggerHours = 72,
            conditions = Array.Empty<object>(), actions = new[] { Action("AddTags", "stale"), Action("Solve") },
        });
        var stale = (await admin.DeliverAsync("p-1", thread: "p-1")).Number;
        var fresh = (await admin.DeliverAsync("p-2", thread: "p-2")).Number;
        var open = (await admin.DeliverAsync("p-3", thread: "p-3")).Number;
        foreach (var n in new[] { stale, fresh }) await admin.PatchConversationAsync(n, new { status = "Pending" });
        var fourDaysAgo = DateTimeOffset.UtcNow.AddDays(-4);
        await app.DbAsync(db => db.Conversations.Where(c => c.Number == stale || c.Number == open).ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, fourDaysAgo)));

        Assert.Equal(1, await SweepAsync(app));
        var detail = await admin.ConversationAsync(stale);
        Assert.Equal(["Rule 'Close stale pending' added tag stale.", "Rule 'Close stale pending' solved the conversation."], detail.RuleEvents());
        Assert.Equal("Solved", detail.Summary().GetProperty("status").GetString());
        Assert.Empty((await admin.ConversationAsync(fresh)).RuleEvents());
        Assert.Empty((await admin.ConversationAsync(open)).RuleEvents());

        // Back to pending and left alone again: the rule looks once more only after another 72 hours.
        await admin.PatchConversationAsync(stale, new { status = "Pending" });
        Assert.Equal(0, await SweepAsync(app));
        await app.DbAsync(db => db.Conversations.Where(c => c.Number == stale).ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, fourDaysAgo)));
        Assert.Equal(1, await SweepAsync(app));
        Assert.Equal(2, (await admin.ConversationAsync(stale)).RuleEvents().Count(e => e.Contains("solved the conversation")));
        Assert.Equal(0, await SweepAsync(app));
    }

    private static async Task<int> SweepAsync(ChorusFactory app)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<RunRules>().SweepAsync();
    }

    [Theory, Providers]
    public async Task Rules_that_trigger_each_other_stop_and_say_so_in_the_thread(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await admin.CreateRuleAsync(new
        {
            name = "Reopen pending", enabled = true, trigger = "StatusChanged", conditions = new[] { Condition("Status", "Is", "Pending") }, actions = new[] { Action("SetStatus", "Open") },
        });
        await admin.CreateRuleAsync(new
        {
            name = "Park open", enabled = true, trigger = "StatusChanged", conditions = new[] { Condition("Status", "Is", "Open") }, actions = new[] { Action("SetStatus", "Pending") },
        });
        var number = (await admin.DeliverAsync("l-1")).Number;
        await admin.PatchConversationAsync(number, new { status = "Pending" });
        var detail = await admin.EventuallyAsync(number, d => d.HasEvent("would run again"));
        Assert.StartsWith("Rules stopped: 'Reopen pending' would run again after 'Reopen pending' → 'Park open' changed the conversation", detail.Messages().Last(m => m.Kind == "Event").Text);
        Assert.Equal("Pending", detail.Summary().GetProperty("status").GetString());
        // The rules' own changes do not queue more events: nothing else happens afterwards.
        Assert.Equal(2, detail.RuleEvents().Length);
    }

    [Theory, Providers]
    public async Task Disabled_rules_do_nothing_and_the_order_decides_who_sees_what(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var tagHigh = await admin.CreateRuleAsync(new
        {
            name = "High gets a tag", enabled = true, trigger = "MessageReceived", conditions = new[] { Condition("Priority", "Is", "High") }, actions = new[] { Action("AddTags", "hot") },
        });
        var raise = await admin.CreateRuleAsync(new
        {
            name = "Urgent words", enabled = true, trigger = "MessageReceived", conditions = new[] { Condition("Text", "Contains", "asap") }, actions = new[] { Action("SetPriority", "High") },
        });
        var off = await admin.CreateRuleAsync(new
        {
            name = "Switched off", enabled = true, trigger = "MessageReceived", conditions = Array.Empty<object>(), actions = new[] { Action("AddTags", "never") },
        });
        await (await admin.Http.PutAsJsonAsync($"/api/v1/rules/{off.GetProperty("id")}/enabled", new { enabled = false })).JsonAsync(HttpStatusCode.OK);

        // As created, the tag rule runs first and sees normal priority.
        var before = (await admin.DeliverAsync("o-1", text: "Need this asap")).Number;
        var first = await admin.EventuallyAsync(before, d => d.Summary().GetProperty("priority").GetString() == "High");
        Assert.Empty(first.Tags());

        var order = new[] { raise.GetProperty("id").GetGuid(), tagHigh.GetProperty("id").GetGuid(), off.GetProperty("id").GetGuid() };
        var listed = await (await admin.Http.PutAsJsonAsync("/api/v1/rules/order", new { ids = order })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["Urgent words", "High gets a tag", "Switched off"], listed.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        var after = (await admin.DeliverAsync("o-2", text: "Need this asap", handle: "bo@customer.test")).Number;
        Assert.Equal(["hot"], (await admin.EventuallyAsync(after, d => d.Tags().Length > 0)).Tags());

        var missing = await (await admin.Http.PutAsJsonAsync("/api/v1/rules/order", new { ids = order.Take(2) })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("every rule's id exactly once", missing.GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/v1/rules/{off.GetProperty("id")}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.DeleteAsync($"/api/v1/rules/{off.GetProperty("id")}")).StatusCode);
        Assert.Equal(2, (await (await admin.GetAsync("/api/v1/rules")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());

        var audit = await (await admin.GetAsync("/api/v1/audit?action=rule.")).JsonAsync(HttpStatusCode.OK);
        var actions = audit.EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToList();
        Assert.Equal(3, actions.Count(a => a == "rule.created"));
        Assert.Contains("rule.disabled", actions);
        Assert.Contains("rule.reordered", actions);
        Assert.Contains("rule.deleted", actions);
    }
}
