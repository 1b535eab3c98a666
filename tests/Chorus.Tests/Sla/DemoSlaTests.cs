using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Demo;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Sla;

/// The demo workspace ships business hours and two SLA policies, valid as saved, so its inbox shows what is due.
public class DemoSlaTests
{
    [Fact]
    public async Task The_demo_has_business_hours_and_two_policies_and_its_open_conversations_have_due_times()
    {
        await using var app = new ChorusFactory();
        app.Settings["Chorus:DemoWorkspace"] = "true";
        app.Settings["Chorus:DemoConversations"] = "60";
        var admin = await app.StaffAsync("admin");
        using (var scope = app.Services.CreateScope())
            Assert.NotNull(await scope.ServiceProvider.GetRequiredService<SeedDemoWorkspace>().RunIfEnabledAsync());

        var hours = await (await admin.GetAsync("/api/v1/business-hours")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("UTC", hours.GetProperty("timeZone").GetString());
        Assert.Equal(["Monday 09:00–17:00", "Tuesday 09:00–17:00", "Wednesday 09:00–17:00", "Thursday 09:00–17:00", "Friday 09:00–17:00"],
            hours.GetProperty("hours").EnumerateArray().Select(h => $"{h.GetProperty("day").GetString()} {h.GetProperty("open").GetString()}–{h.GetProperty("close").GetString()}"));
        await (await admin.Http.PutAsJsonAsync("/api/v1/business-hours", hours)).JsonAsync(HttpStatusCode.OK);

        var policies = await (await admin.GetAsync("/api/v1/sla-policies")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["Support · Urgent and high", "Everyone else"], policies.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        foreach (var p in policies.EnumerateArray())
            await (await admin.Http.PutAsJsonAsync($"/api/v1/sla-policies/{p.GetProperty("id")}", p)).JsonAsync(HttpStatusCode.OK);

        var page = await admin.ListAsync("sort=SlaDue&pageSize=200");
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items.Where(i => i.GetProperty("status").GetString() is "New" or "Open"), i => Assert.NotEqual(JsonValueKind.Null, i.GetProperty("slaDueAt").ValueKind));
    }
}
