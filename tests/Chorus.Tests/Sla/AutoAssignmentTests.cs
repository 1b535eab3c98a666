using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Assignment;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Chorus.Tests.Automation.AutomationTestKit;

namespace Chorus.Tests.Sla;

/// Auto-assignment inside a team, through the API and a real database: turns, load, capacity, availability.
public class AutoAssignmentTests
{
    private static async Task SetModeAsync(StaffClient admin, Guid team, string mode, int? max = null) =>
        await (await admin.Http.PutAsJsonAsync($"/api/v1/teams/{team}/assignment", new { mode, maxOpenPerAgent = max })).JsonAsync(HttpStatusCode.OK);

    private static async Task<JsonElement> AssignedAsync(StaffClient c, long number) =>
        await c.EventuallyAsync(number, d => d.Summary().GetProperty("assigneeId").ValueKind == JsonValueKind.String);

    private static string Assignee(JsonElement detail) => detail.Summary().GetProperty("assigneeId").GetString()!;

    [Theory, Providers]
    public async Task Round_robin_gives_two_conversations_arriving_together_to_two_agents_and_takes_turns(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var dana = await app.StaffAsync("agent", "Support");
        var sam = await app.StaffAsync("agent", "Support");
        var support = await app.TeamIdAsync("Support");
        await SetModeAsync(admin, support, "RoundRobin");

        var a = await admin.DeliverAsync("rr-1");
        var b = await admin.DeliverAsync("rr-2");
        // Moved to Support at the same moment, unassigned: each gets an owner, never the same one.
        await Task.WhenAll(admin.PatchConversationAsync(a.Number, new { teamId = support }), admin.PatchConversationAsync(b.Number, new { teamId = support }));
        var first = Assignee(await AssignedAsync(admin, a.Number));
        var second = Assignee(await AssignedAsync(admin, b.Number));
        Assert.NotEqual(first, second);
        Assert.Equal(new[] { dana.UserId, sam.UserId }.Order(), new[] { first, second }.Order());

        // The third goes to whoever was given one longest ago.
        var c = await admin.DeliverAsync("rr-3");
        await admin.PatchConversationAsync(c.Number, new { teamId = support });
        var detail = await AssignedAsync(admin, c.Number);
        var longestAgo = await app.DbAsync(db => Task.FromResult((
            from m in db.Messages
            join x in db.Conversations on m.ConversationId equals x.Id
            where (x.Number == a.Number || x.Number == b.Number) && m.Kind == Chorus.Features.Inbox.MessageKind.Event && m.Text.StartsWith("Assigned to ")
            orderby m.CreatedAt
            select x.AssigneeId).First()));
        Assert.Equal(longestAgo, Assignee(detail));
        Assert.Single(detail.Messages(), m => m.Kind == "Event" && m.Text.StartsWith("Assigned to ", StringComparison.Ordinal) && m.Text.EndsWith(" by round-robin.", StringComparison.Ordinal));
        var owner = new[] { dana, sam }.Single(x => x.UserId == Assignee(detail));
        var notifications = await (await owner.GetAsync("/api/v1/notifications")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(notifications.EnumerateArray(), n => n.GetProperty("conversationNumber").GetInt64() == c.Number);
    }

    [Theory, Providers]
    public async Task Least_loaded_respects_the_limit_and_availability_and_what_waited_goes_to_the_next_agent_online(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var dana = await app.StaffAsync("agent", "Support");
        var sam = await app.StaffAsync("agent", "Support");
        var support = await app.TeamIdAsync("Support");
        (await sam.Http.PutAsJsonAsync("/api/v1/me/availability", new { availability = "Away" })).EnsureSuccessStatusCode();
        await SetModeAsync(admin, support, "LeastLoaded", max: 1);

        var a = await admin.DeliverAsync("ll-1");
        await admin.PatchConversationAsync(a.Number, new { teamId = support });
        Assert.Equal(dana.UserId, Assignee(await AssignedAsync(admin, a.Number))); // Sam is away

        // Dana holds one, the limit; Sam is away: the next one waits unassigned.
        var b = await admin.DeliverAsync("ll-2");
        await admin.PatchConversationAsync(b.Number, new { teamId = support });
        using (var scope = app.Services.CreateScope())
            Assert.Null(await scope.ServiceProvider.GetRequiredService<AssignConversations>().AssignAsync(b.ConversationId));
        Assert.Equal(JsonValueKind.Null, (await admin.ConversationAsync(b.Number)).Summary().GetProperty("assigneeId").ValueKind);

        // Sam comes online and is handed what waited.
        (await sam.Http.PutAsJsonAsync("/api/v1/me/availability", new { availability = "Online" })).EnsureSuccessStatusCode();
        var detail = await AssignedAsync(admin, b.Number);
        Assert.Equal(sam.UserId, Assignee(detail));
        Assert.Contains(detail.Messages(), m => m.Kind == "Event" && m.Text.EndsWith(" by least-loaded assignment.", StringComparison.Ordinal));

        // Solving frees a place under the limit.
        await admin.PatchConversationAsync(a.Number, new { status = "Solved" });
        var c = await admin.DeliverAsync("ll-3");
        await admin.PatchConversationAsync(c.Number, new { teamId = support });
        Assert.Equal(dana.UserId, Assignee(await AssignedAsync(admin, c.Number)));
    }

    [Theory, Providers]
    public async Task Only_admins_set_auto_assignment_and_bad_limits_are_refused(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var support = await app.TeamIdAsync("Support");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Http.PutAsJsonAsync($"/api/v1/teams/{support}/assignment", new { mode = "RoundRobin" })).StatusCode);
        var refused = await admin.Http.PutAsJsonAsync($"/api/v1/teams/{support}/assignment", new { mode = "RoundRobin", maxOpenPerAgent = 0 });
        Assert.Contains("limit of 1 to", (await refused.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.PutAsJsonAsync($"/api/v1/teams/{Guid.NewGuid()}/assignment", new { mode = "RoundRobin" })).StatusCode);
        await SetModeAsync(admin, support, "LeastLoaded", 5);
        var list = await (await admin.GetAsync("/api/v1/teams/assignment")).JsonAsync(HttpStatusCode.OK);
        var row = list.EnumerateArray().Single(t => t.GetProperty("teamName").GetString() == "Support");
        Assert.Equal("LeastLoaded", row.GetProperty("mode").GetString());
        Assert.Equal(5, row.GetProperty("maxOpenPerAgent").GetInt32());
    }
}
