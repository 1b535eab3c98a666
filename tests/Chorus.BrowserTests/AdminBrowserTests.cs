using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Chorus.BrowserTests.PeopleTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

public class AdminBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_admin_creates_a_private_team_with_a_member_and_an_agent_is_denied_the_page()
    {
        var agent = await fx.StaffAsync("agent", "Support");
        var admin = await fx.StaffAsync("admin");
        var teamName = "Legal " + Guid.NewGuid().ToString("N")[..6];

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, admin.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync("/admin/teams");
        await page.Locator("#team-new").ClickAsync();
        await page.Locator("#team-save").ClickAsync();
        await Expect(page.Locator("#team-dialog")).ToContainTextAsync("A team needs a name.");

        await page.FillAsync("#team-name", teamName);
        await page.FillAsync("#team-description", "Legal requests and takedowns.");
        await page.Locator("#team-private").CheckAsync();
        await Expect(page.Locator("#team-private-help")).ToContainTextAsync("Only this team's members and admins see its conversations");
        await page.Locator($"[data-test=member-option][data-email='{agent.Email}'] input[type=checkbox]").CheckAsync();
        await Expect(page.Locator("#team-member-count")).ToHaveTextAsync("1 selected");
        await page.Locator("#team-save").ClickAsync();

        var row = page.Locator($"[data-test=team-row][data-team='{teamName}']");
        await Expect(row.Locator("[data-test=team-private]")).ToBeVisibleAsync();
        await Expect(row.Locator("[data-test=team-members]")).ToContainTextAsync(agent.Email[..12]); // the factory's display names start with the address
        await BrowserFixture.ScreenshotAsync(page, "admin-teams");

        var teams = await admin.Http.GetFromJsonAsync<JsonElement>("/api/v1/teams");
        var saved = teams.EnumerateArray().Single(t => t.GetProperty("name").GetString() == teamName);
        Assert.True(saved.GetProperty("isPrivate").GetBoolean());
        Assert.Equal([agent.UserId], saved.GetProperty("memberIds").EnumerateArray().Select(m => m.GetString()!).ToArray());

        // The audit log shows who did it.
        await page.GotoInteractiveAsync("/admin/audit");
        await page.Locator("[data-test=audit-prefix]").Filter(new() { HasText = "team." }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"action=team\.$"));
        await Expect(page.Locator("[data-test=audit-row]").Filter(new() { HasText = teamName })).ToHaveAttributeAsync("data-action", "team.created");
        await Expect(page.Locator("[data-test=audit-row]:not([data-action^='team.'])")).ToHaveCountAsync(0);

        var agentPage = await fx.NewPageAsync();
        await fx.SignInAsync(agentPage, agent.Email, ChorusFactory.Password);
        await agentPage.GotoAsync("/admin/teams");
        await Expect(agentPage).ToHaveURLAsync(new Regex("/account/denied"));
        await Expect(agentPage.Locator("h1")).ToHaveTextAsync("You don't have access to this page");
        await Expect(agentPage.Locator("#teams-title")).ToHaveCountAsync(0);
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_admin_adds_a_staff_user_after_fixing_what_the_form_points_out()
    {
        var admin = await fx.StaffAsync("admin");
        var email = Email("new.agent");

        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, admin.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync("/admin/staff");
        await page.Locator("#staff-new").ClickAsync();
        await page.FillAsync("#staff-email", "not an address");
        await page.FillAsync("#staff-password", "short");
        await page.Locator("#staff-save").ClickAsync();
        await Expect(page.Locator("#staff-dialog")).ToContainTextAsync("Enter a valid e-mail address");
        await Expect(page.Locator("#staff-dialog")).ToContainTextAsync("The password needs at least 10 characters.");

        await page.FillAsync("#staff-email", email);
        await page.FillAsync("#staff-name", "Nora New");
        await page.FillAsync("#staff-password", "a-long-enough-password");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Viewer" }).CheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "PR", Exact = true }).CheckAsync();
        await page.Locator("#staff-password").PressAsync("Enter"); // the form submits from the keyboard

        var row = page.Locator($"[data-test=staff-row][data-email='{email}']");
        await Expect(row).ToContainTextAsync("Nora New");
        await Expect(row.Locator("[data-test=staff-role]")).ToHaveTextAsync("viewer");
        await Expect(row.Locator("[data-test=staff-teams]")).ToHaveTextAsync("PR");
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_token_issued_in_the_ui_works_once_shown_and_stops_working_when_revoked()
    {
        var agent = await fx.StaffAsync("agent", "Support");
        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, agent.Email, ChorusFactory.Password);
        await page.GotoInteractiveAsync("/admin/tokens");

        await page.FillAsync("#token-name", "Nightly export");
        await page.Locator("#token-name").PressAsync("Enter");
        var shown = page.Locator("#token-value");
        await Expect(shown).ToHaveValueAsync(new Regex("^chorus_[0-9a-f]{48}$"));
        await Expect(page.Locator("#token-warning")).ToContainTextAsync("the only time Chorus shows this token");
        var token = await shown.InputValueAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-token-issued");
        await page.Locator("#token-done").ClickAsync();
        await Expect(shown).ToHaveCountAsync(0);

        var row = page.Locator("[data-test=token-row][data-name='Nightly export']");
        await Expect(row.Locator("[data-test=token-prefix]")).ToHaveTextAsync(token[..12] + "…");

        using var http = new HttpClient { BaseAddress = fx.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await http.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(agent.UserId, (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());

        await row.Locator("[data-test=token-revoke]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-revoked", "true");
        await Expect(row.Locator("[data-test=token-status]")).ToContainTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/me")).StatusCode);
    }
}
