using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Demo;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Automation;

/// The demo workspace ships example rules and macros; each one passes the same checks an admin's would.
public class DemoAutomationTests
{
    [Fact]
    public async Task The_demo_rules_and_macros_are_valid_as_saved()
    {
        await using var app = new ChorusFactory();
        app.Settings["Chorus:DemoWorkspace"] = "true";
        app.Settings["Chorus:DemoConversations"] = "40";
        var admin = await app.StaffAsync("admin");
        using (var scope = app.Services.CreateScope())
            Assert.NotNull(await scope.ServiceProvider.GetRequiredService<SeedDemoWorkspace>().RunIfEnabledAsync());

        var rules = await (await admin.GetAsync("/api/v1/rules")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["VIP to priority", "Journalists to PR", "Crashes to engineering", "Refund requests", "Acknowledge support e-mail", "Solve pending after 5 days"],
            rules.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        foreach (var rule in rules.EnumerateArray())
            await (await admin.Http.PutAsJsonAsync($"/api/v1/rules/{rule.GetProperty("id")}", rule)).JsonAsync(HttpStatusCode.OK);
        var macros = await (await admin.GetAsync("/api/v1/macros")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, macros.GetArrayLength());
        foreach (var macro in macros.EnumerateArray())
            await (await admin.Http.PutAsJsonAsync($"/api/v1/macros/{macro.GetProperty("id")}", macro)).JsonAsync(HttpStatusCode.OK);
    }
}
