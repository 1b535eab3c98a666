using System.Net;
using System.Net.Http.Json;
using Chorus.Features.Sla;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Chorus.Tests.Automation.AutomationTestKit;

namespace Chorus.Tests.Sla;

/// "SLA target about to breach": each policy warns a configurable number of minutes before a target is due
/// (30 by default); the sweep records the warning once per target per conversation, however many nodes sweep,
/// says so in the thread and raises the rules' SlaAboutToBreach trigger.
public class SlaWarningTests
{
    private static async Task<int> SweepAsync(ChorusFactory app, DateTimeOffset at)
    {
        using var scope = app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<WatchSlaTargets>().SweepAsync(at);
        return await scope.ServiceProvider.GetRequiredService<Chorus.Data.ChorusDb>().Set<SlaWarning>().CountAsync();
    }

    [Theory, Providers]
    public async Task A_target_about_to_breach_warns_once_and_a_rule_listening_to_it_acts(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var policy = await (await admin.PostAsync("/api/v1/sla-policies", new { name = "Everyone", firstReplyMinutes = 60, resolutionMinutes = 600, warnMinutesBefore = 20 }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal(20, policy.GetProperty("warnMinutesBefore").GetInt32());
        await admin.CreateRuleAsync(new
        {
            name = "Warn before late first replies", enabled = true, trigger = "SlaAboutToBreach", conditions = Array.Empty<object>(),
            actions = new[] { Action("SetPriority", "High"), Action("AddTags", "sla-soon") },
        });
        var d = await admin.DeliverAsync("warn-1");
        var due = (await admin.ConversationAsync(d.Number)).Summary().GetProperty("firstReplyDueAt").GetDateTimeOffset();

        Assert.Equal(0, await SweepAsync(app, due.AddMinutes(-30))); // 30 min ahead: outside the 20-minute lead
        // Two nodes sweeping in the lead at the same moment: one warning.
        await Task.WhenAll(SweepAsync(app, due.AddMinutes(-15)), SweepAsync(app, due.AddMinutes(-15)));
        Assert.Equal(1, await SweepAsync(app, due.AddMinutes(-5)));

        var detail = await admin.EventuallyAsync(d.Number, x => x.Tags().Contains("sla-soon"));
        Assert.Equal("High", detail.Summary().GetProperty("priority").GetString());
        Assert.Single(detail.Messages(), m => m.Kind == "Event" && m.Text == "First-reply target about to breach: due in 15 min (Everyone: 1 h).");
        Assert.Contains(detail.RuleEvents(), e => e == "Rule 'Warn before late first replies' set the priority to high.");

        // Past due: the breach is recorded, but no late warning; the resolution target warns on its own, once.
        await SweepAsync(app, due.AddMinutes(1));
        var resolutionDue = (await admin.ConversationAsync(d.Number)).Summary().GetProperty("resolutionDueAt").GetDateTimeOffset();
        Assert.Equal(2, await SweepAsync(app, resolutionDue.AddMinutes(-10)));
        Assert.Equal(2, await SweepAsync(app, resolutionDue.AddMinutes(-1)));
        Assert.Equal(["FirstReply", "Resolution"], await app.DbAsync(db => db.Set<SlaWarning>().Select(w => w.Target.ToString()).OrderBy(t => t).ToListAsync()));
    }

    [Theory, Providers]
    public async Task A_policy_that_warns_zero_minutes_ahead_never_warns_and_a_bad_lead_is_refused(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var refused = await (await admin.PostAsync("/api/v1/sla-policies", new { name = "Bad", firstReplyMinutes = 60, warnMinutesBefore = -5 })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Warn 0 (never) to", refused.GetProperty("errors").GetProperty("warnMinutesBefore")[0].GetString());
        Assert.Equal(0, (await (await admin.GetAsync("/api/v1/sla-policies")).JsonAsync(HttpStatusCode.OK)).GetArrayLength()); // nothing saved

        var quiet = await (await admin.PostAsync("/api/v1/sla-policies", new { name = "Quiet", firstReplyMinutes = 60, warnMinutesBefore = 0 })).JsonAsync(HttpStatusCode.Created);
        var d = await admin.DeliverAsync("warn-0");
        var due = (await admin.ConversationAsync(d.Number)).Summary().GetProperty("firstReplyDueAt").GetDateTimeOffset();
        Assert.Equal(0, await SweepAsync(app, due.AddMinutes(-1)));

        // Edited to warn: the default is 30 minutes when the lead is left out.
        await (await admin.Http.PutAsJsonAsync($"/api/v1/sla-policies/{quiet.GetProperty("id").GetGuid()}", new { name = "Quiet", firstReplyMinutes = 60 })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(30, (await (await admin.GetAsync("/api/v1/sla-policies")).JsonAsync(HttpStatusCode.OK))[0].GetProperty("warnMinutesBefore").GetInt32());
        Assert.Equal(1, await SweepAsync(app, due.AddMinutes(-25)));
    }
}
