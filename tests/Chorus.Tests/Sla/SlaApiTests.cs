using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Sla;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Chorus.Tests.Automation.AutomationTestKit;

namespace Chorus.Tests.Sla;

/// SLA policies through the API and a real database: which policy applies, due times in business hours,
/// replies meeting targets, pauses, breaches recorded once and acted on by rules, the inbox sorted by due.
public class SlaApiTests
{
    private static readonly string[] Weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

    private static async Task<JsonElement> SetBusinessHoursAsync(StaffClient admin, string zone, object[]? hours = null, object[]? holidays = null) =>
        await (await admin.Http.PutAsJsonAsync("/api/v1/business-hours", new
        {
            enabled = true, timeZone = zone,
            hours = hours ?? Weekdays.Select(d => (object)new { day = d, open = "09:00", close = "17:00" }).ToArray(),
            holidays = holidays ?? [],
        })).JsonAsync(HttpStatusCode.OK);

    private static async Task<JsonElement> CreatePolicyAsync(StaffClient admin, string name, int? firstReply, int? resolution = null, Guid? team = null, params string[] priorities) =>
        await (await admin.PostAsync("/api/v1/sla-policies", new { name, teamId = team, priorities, firstReplyMinutes = firstReply, resolutionMinutes = resolution }))
            .JsonAsync(HttpStatusCode.Created);

    private static async Task<int> SweepAsync(ChorusFactory app, DateTimeOffset at)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<WatchSlaTargets>().SweepAsync(at);
    }

    private static DateTimeOffset? Time(JsonElement e, string property) =>
        e.GetProperty(property).ValueKind == JsonValueKind.Null ? null : e.GetProperty(property).GetDateTimeOffset();

    private static JsonElement Target(JsonElement detail, string target) =>
        detail.GetProperty("sla").GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("target").GetString() == target);

    [Theory, Providers]
    public async Task The_first_matching_policy_applies_and_its_targets_count_business_hours_only(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var support = await app.TeamIdAsync("Support");
        // Paris, Monday to Friday 09:00–17:00, and Monday 9 March 2026 off.
        await SetBusinessHoursAsync(admin, "Europe/Paris", holidays: [new { date = "2026-03-09", name = "Team day" }]);
        await CreatePolicyAsync(admin, "Support · Urgent", 60, 480, support, "Urgent");
        await CreatePolicyAsync(admin, "Everyone", 240);

        // Friday 6 March 2026, 16:30 in Paris (15:30 UTC): half an hour before closing.
        var d = await admin.DeliverAsync("sla-1", at: new DateTimeOffset(2026, 3, 6, 15, 30, 0, TimeSpan.Zero));
        var summary = (await admin.ConversationAsync(d.Number)).Summary();
        // "Everyone": 30 min on Friday, Monday is off, 3 h 30 on Tuesday → Tuesday 12:30 in Paris.
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 11, 30, 0, TimeSpan.Zero), Time(summary, "firstReplyDueAt"));
        Assert.Null(Time(summary, "resolutionDueAt"));
        Assert.Equal("FirstReply", summary.GetProperty("slaDueTarget").GetString());

        // Moved to Support at urgent priority: the first policy now matches, and its targets are worked out again.
        await admin.PatchConversationAsync(d.Number, new { teamId = support, priority = "Urgent" });
        var detail = await admin.ConversationAsync(d.Number);
        summary = detail.Summary();
        Assert.Equal("Support · Urgent", detail.GetProperty("sla").GetProperty("policyName").GetString());
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 8, 30, 0, TimeSpan.Zero), Time(summary, "firstReplyDueAt"));  // Tuesday 09:30
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 15, 30, 0, TimeSpan.Zero), Time(summary, "resolutionDueAt")); // Tuesday 16:30
        Assert.Equal(Time(summary, "firstReplyDueAt"), Time(summary, "slaDueAt"));
        Assert.Equal(60, Target(detail, "FirstReply").GetProperty("minutes").GetInt32());

        // Business hours changed (no holiday any more): open conversations follow at once.
        await SetBusinessHoursAsync(admin, "Europe/Paris");
        summary = (await admin.ConversationAsync(d.Number)).Summary();
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 8, 30, 0, TimeSpan.Zero), Time(summary, "firstReplyDueAt")); // Monday 09:30

        var hours = await (await admin.GetAsync("/api/v1/business-hours")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Europe/Paris", hours.GetProperty("timeZone").GetString());
        Assert.Equal(5, hours.GetProperty("hours").GetArrayLength());
        var audit = await app.DbAsync(db => db.AuditEntries.Select(a => a.Action).ToListAsync());
        Assert.Contains("sla_policy.created", audit);
        Assert.Contains("business_hours.updated", audit);
    }

    [Theory, Providers]
    public async Task Replying_meets_the_first_reply_target_and_waiting_on_the_requester_pauses_resolution(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await CreatePolicyAsync(admin, "Everyone", 60, 120); // no business hours: every minute counts
        var d = await admin.DeliverAsync("sla-reply");
        var summary = (await admin.ConversationAsync(d.Number)).Summary();
        var created = summary.GetProperty("createdAt").GetDateTimeOffset();
        Assert.Equal(created.AddMinutes(60), Time(summary, "firstReplyDueAt"));
        Assert.Equal(created.AddMinutes(120), Time(summary, "resolutionDueAt"));

        (await admin.PostAsync($"/api/v1/conversations/{d.Number}/replies", new { text = "We are on it.", statusAfter = "Open" })).EnsureSuccessStatusCode();
        var detail = await admin.ConversationAsync(d.Number);
        var firstReply = Target(detail, "FirstReply");
        Assert.True(firstReply.GetProperty("metAt").GetDateTimeOffset() <= firstReply.GetProperty("dueAt").GetDateTimeOffset());
        Assert.False(firstReply.GetProperty("running").GetBoolean());
        Assert.Equal("Resolution", detail.Summary().GetProperty("slaDueTarget").GetString());
        Assert.Equal(created.AddMinutes(120), Time(detail.Summary(), "slaDueAt"));

        // Pending (what a reply sets by default): waiting on the requester stops the resolution clock; nothing is due, nothing breaches.
        await admin.PatchConversationAsync(d.Number, new { status = "Pending" });
        detail = await admin.ConversationAsync(d.Number);
        Assert.Null(Time(detail.Summary(), "slaDueAt"));
        Assert.True(Target(detail, "Resolution").GetProperty("paused").GetBoolean());
        Assert.Equal(0, await SweepAsync(app, DateTimeOffset.UtcNow.AddHours(5)));

        // The requester answers: the clock runs again, with the paused minutes added.
        await admin.DeliverAsync("sla-reply-2", thread: "sla-reply");
        summary = (await admin.ConversationAsync(d.Number)).Summary();
        Assert.Equal("Open", summary.GetProperty("status").GetString());
        Assert.True(Time(summary, "slaDueAt") >= created.AddMinutes(120));
        Assert.Equal(Time(summary, "resolutionDueAt"), Time(summary, "slaDueAt"));

        // Solved in time: met.
        await admin.PatchConversationAsync(d.Number, new { status = "Solved" });
        detail = await admin.ConversationAsync(d.Number);
        Assert.Null(Time(detail.Summary(), "slaDueAt"));
        var resolution = Target(detail, "Resolution");
        Assert.True(resolution.GetProperty("metAt").GetDateTimeOffset() <= resolution.GetProperty("dueAt").GetDateTimeOffset());
    }

    [Theory, Providers]
    public async Task A_breach_is_recorded_once_across_sweepers_and_a_rule_listening_to_it_acts(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await CreatePolicyAsync(admin, "Everyone", 30);
        await admin.CreateRuleAsync(new
        {
            name = "Escalate late first replies", enabled = true, trigger = "SlaBreach", conditions = Array.Empty<object>(),
            actions = new[] { Action("SetPriority", "Urgent"), Action("AddTags", "sla-missed") },
        });
        var d = await admin.DeliverAsync("sla-late");
        Assert.Equal(0, await SweepAsync(app, DateTimeOffset.UtcNow)); // not due yet

        // Two nodes sweeping at the same moment: one records the breach.
        var later = DateTimeOffset.UtcNow.AddMinutes(31);
        var counts = await Task.WhenAll(SweepAsync(app, later), SweepAsync(app, later));
        Assert.Equal(1, counts.Sum());
        Assert.Equal(0, await SweepAsync(app, later.AddHours(1)));

        var detail = await admin.EventuallyAsync(d.Number, x => x.Tags().Contains("sla-missed"));
        Assert.Equal("Urgent", detail.Summary().GetProperty("priority").GetString());
        Assert.Single(detail.Messages(), m => m.Kind == "Event" && m.Text == "First-reply target breached (Everyone: 30 min).");
        Assert.Contains(detail.RuleEvents(), e => e == "Rule 'Escalate late first replies' set the priority to urgent.");
        Assert.NotNull(Target(detail, "FirstReply").GetProperty("breachedAt").GetString());
        Assert.Equal(1, await app.DbAsync(db => db.Set<SlaBreach>().CountAsync()));

        var metrics = await (await admin.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Matches("chorus_sla_breaches_total\\{[^}]*target=\"first_reply\"[^}]*\\} [1-9]", metrics);
    }

    [Theory, Providers]
    public async Task The_inbox_sorts_by_the_target_due_first_and_the_breaching_view_shows_the_late_ones(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await CreatePolicyAsync(admin, "Urgent", 30, null, null, "Urgent");
        await CreatePolicyAsync(admin, "High", 120, null, null, "High");
        await CreatePolicyAsync(admin, "Normal", 240, null, null, "Normal");
        var normal = await admin.DeliverAsync("s-normal");
        var urgent = await admin.DeliverAsync("s-urgent");
        var high = await admin.DeliverAsync("s-high");
        var low = await admin.DeliverAsync("s-low");
        var late = await admin.DeliverAsync("s-late", at: DateTimeOffset.UtcNow.AddHours(-5)); // normal: due an hour ago
        await admin.PatchConversationAsync(urgent.Number, new { priority = "Urgent" });
        await admin.PatchConversationAsync(high.Number, new { priority = "High" });
        await admin.PatchConversationAsync(low.Number, new { priority = "Low" }); // no policy: last

        Assert.Equal([late.Number, urgent.Number, high.Number, normal.Number, low.Number], (await admin.ListAsync("sort=SlaDue")).Numbers());
        // Page by page (each status is read up to the page, due and not apart, then merged): the same order, nothing twice.
        Assert.Equal([late.Number, urgent.Number], (await admin.ListAsync("sort=SlaDue&pageSize=2")).Numbers());
        Assert.Equal([high.Number, normal.Number], (await admin.ListAsync("sort=SlaDue&pageSize=2&page=2")).Numbers());
        Assert.Equal([low.Number], (await admin.ListAsync("sort=SlaDue&pageSize=2&page=3")).Numbers());
        // The three an agent changed are open now; in one status, those with a due time still come first.
        Assert.Equal([urgent.Number, high.Number, low.Number], (await admin.ListAsync("sort=SlaDue&status=Open")).Numbers());
        Assert.Equal([late.Number, normal.Number], (await admin.ListAsync("sort=SlaDue&status=New")).Numbers());
        Assert.Equal([late.Number], (await admin.ListAsync("view=Breaching")).Numbers());
        Assert.Null(Time((await admin.ConversationAsync(low.Number)).Summary(), "slaDueAt"));
    }

    [Theory, Providers]
    public async Task Rules_can_act_only_outside_business_hours(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        // Round the clock every day, but yesterday, today and tomorrow are holidays: closed now, whatever the hour.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await SetBusinessHoursAsync(admin, "UTC",
            Enum.GetNames<DayOfWeek>().Select(d => (object)new { day = d, open = "00:00", close = "00:00" }).ToArray(),
            [new { date = today.AddDays(-1), name = "Eve" }, new { date = today, name = "Day" }, new { date = today.AddDays(1), name = "After" }]);
        await admin.CreateRuleAsync(new
        {
            name = "After hours", enabled = true, trigger = "ConversationCreated",
            conditions = new[] { Condition("BusinessHours", "Is", "outside") }, actions = new[] { Action("AddTags", "after-hours") },
        });
        await admin.CreateRuleAsync(new
        {
            name = "In hours", enabled = true, trigger = "ConversationCreated",
            conditions = new[] { Condition("BusinessHours", "Is", "inside") }, actions = new[] { Action("AddTags", "in-hours") },
        });
        var d = await admin.DeliverAsync("bh-1");
        var detail = await admin.EventuallyAsync(d.Number, x => x.Tags().Length > 0);
        Assert.Equal(["after-hours"], detail.Tags());
        var hours = await (await admin.GetAsync("/api/v1/business-hours")).JsonAsync(HttpStatusCode.OK);
        Assert.False(hours.GetProperty("openNow").GetBoolean());

        // A condition that contradicts itself is refused at save.
        var bad = await admin.PostAsync("/api/v1/rules", new
        {
            name = "Never", enabled = true, trigger = "ConversationCreated",
            conditions = new[] { Condition("BusinessHours", "Is", "outside"), Condition("BusinessHours", "Is", "inside") }, actions = new[] { Action("AddTags", "x") },
        });
        Assert.Contains("can never both hold", (await bad.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
    }

    [Theory, Providers]
    public async Task Bad_policies_and_hours_are_refused_with_the_reason_and_only_admins_change_them(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");

        async Task<string> RefusedAsync(HttpResponseMessage r) => (await r.ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("detail").GetString()!;

        Assert.Contains("first-reply target, a resolution target, or both",
            await RefusedAsync(await admin.PostAsync("/api/v1/sla-policies", new { name = "Empty" })));
        Assert.Contains("team does not exist",
            await RefusedAsync(await admin.PostAsync("/api/v1/sla-policies", new { name = "Ghost", teamId = Guid.NewGuid(), firstReplyMinutes = 60 })));
        Assert.Contains("shorter than the first-reply target",
            await RefusedAsync(await admin.PostAsync("/api/v1/sla-policies", new { name = "Odd", firstReplyMinutes = 600, resolutionMinutes = 60 })));
        await CreatePolicyAsync(admin, "Everyone", 60);
        Assert.Contains("exists already", await RefusedAsync(await admin.PostAsync("/api/v1/sla-policies", new { name = "everyone", firstReplyMinutes = 60 })));

        Assert.Contains("is not a time zone", await RefusedAsync(await admin.Http.PutAsJsonAsync("/api/v1/business-hours",
            new { enabled = true, timeZone = "Mars/Olympus", hours = new[] { new { day = "Monday", open = "09:00", close = "17:00" } } })));
        Assert.Contains("HH:mm", await RefusedAsync(await admin.Http.PutAsJsonAsync("/api/v1/business-hours",
            new { enabled = true, timeZone = "UTC", hours = new[] { new { day = "Monday", open = "9am", close = "5pm" } } })));
        Assert.Contains("overlap", await RefusedAsync(await admin.Http.PutAsJsonAsync("/api/v1/business-hours",
            new { enabled = true, timeZone = "UTC", hours = new[] { new { day = "Monday", open = "09:00", close = "13:00" }, new { day = "Monday", open = "12:00", close = "17:00" } } })));
        Assert.Contains("at least one day", await RefusedAsync(await admin.Http.PutAsJsonAsync("/api/v1/business-hours",
            new { enabled = true, timeZone = "UTC", hours = Array.Empty<object>() })));
        Assert.Contains("listed twice", await RefusedAsync(await admin.Http.PutAsJsonAsync("/api/v1/business-hours",
            new { enabled = true, timeZone = "UTC", hours = new[] { new { day = "Monday", open = "09:00", close = "17:00" } },
                  holidays = new[] { new { date = "2026-12-25", name = "Christmas" }, new { date = "2026-12-25", name = "Again" } } })));
        // Nothing half-saved: still no business hours.
        Assert.False((await (await admin.GetAsync("/api/v1/business-hours")).JsonAsync(HttpStatusCode.OK)).GetProperty("enabled").GetBoolean());

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync("/api/v1/sla-policies", new { name = "Mine", firstReplyMinutes = 5 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync("/api/v1/sla-policies")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.Http.PutAsJsonAsync("/api/v1/business-hours", new { enabled = false })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync("/api/v1/business-hours")).StatusCode); // agents may read when the workspace works
    }
}
