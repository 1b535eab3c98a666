using System.Net;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Automation;

/// Helpers for rule and macro specs: create them through the API, and wait for the background
/// rule runner to have acted (it runs after the request that raised the event has answered).
public static class AutomationTestKit
{
    public static async Task<JsonElement> CreateRuleAsync(this StaffClient admin, object rule) =>
        await (await admin.PostAsync("/api/v1/rules", rule)).JsonAsync(HttpStatusCode.Created);

    public static async Task<JsonElement> CreateMacroAsync(this StaffClient admin, object macro) =>
        await (await admin.PostAsync("/api/v1/macros", macro)).JsonAsync(HttpStatusCode.Created);

    public static object Condition(string field, string op, string value) => new { field, @operator = op, value };

    public static object Action(string kind, string value = "") => new { kind, value };

    /// Reads the conversation until <paramref name="done"/> holds (the rule runner works in the
    /// background); fails with the thread's events when it never does.
    public static async Task<JsonElement> EventuallyAsync(this StaffClient c, long number, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var detail = await c.ConversationAsync(number);
            if (done(detail)) return detail;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"#{number} never got there. Thread: " + string.Join(" | ", detail.Messages().Select(m => $"{m.Kind}: {m.Text}")));
            await Task.Delay(100);
        }
    }

    /// Waits until every stored rule event was evaluated (for a rule whose run changes nothing visible).
    public static async Task RulesSettledAsync(this ChorusFactory app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await app.DbAsync(db => db.RuleEvents.CountAsync()) > 0)
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("Rule events were still waiting after 30 s.");
            await Task.Delay(100);
        }
    }

    public static bool HasEvent(this JsonElement detail, string text) =>
        detail.Messages().Any(m => m.Kind == "Event" && m.Text.Contains(text, StringComparison.Ordinal));

    public static string[] RuleEvents(this JsonElement detail) =>
        detail.Messages().Where(m => m.Kind == "Event" && m.Text.StartsWith("Rule '", StringComparison.Ordinal)).Select(m => m.Text).ToArray();

    public static string[] Tags(this JsonElement detail) =>
        detail.Summary().GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).Order().ToArray();
}
