using System.Net;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests;

/// Admins manage teams and staff through the API; bad input is refused whole.
public class StaffAdminTests
{
    [Theory, Providers]
    public async Task An_admin_adds_a_colleague_to_teams_and_the_colleague_can_work(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var marketing = await app.TeamIdAsync("Marketing");

        var added = await (await admin.PostAsync("/api/v1/staff", new { email = "mia@test.chorus", displayName = "Mia Marketer", role = "agent", password = ChorusFactory.Password, teamIds = new[] { marketing } }))
            .JsonAsync(HttpStatusCode.Created);
        var staff = await (await admin.GetAsync("/api/v1/staff")).JsonAsync(HttpStatusCode.OK);
        var mia = staff.EnumerateArray().Single(s => s.GetProperty("email").GetString() == "mia@test.chorus");
        Assert.Equal("agent", mia.GetProperty("role").GetString());
        Assert.Equal([marketing], mia.GetProperty("teamIds").EnumerateArray().Select(t => t.GetGuid()));
        Assert.Equal(added.GetProperty("id").GetString(), mia.GetProperty("id").GetString());
        var teams = await (await admin.GetAsync("/api/v1/teams")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(mia.GetProperty("id").GetString(), teams.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "Marketing")
            .GetProperty("memberIds").EnumerateArray().Select(m => m.GetString()));
    }

    [Theory, Providers]
    public async Task Adding_a_colleague_with_bad_input_is_400_and_creates_nobody(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var before = await app.DbAsync(db => db.Users.CountAsync());

        object Staff(string email = "new@test.chorus", string displayName = "New Colleague", string role = "agent", string password = ChorusFactory.Password, Guid[]? teams = null) =>
            new { email, displayName, role, password, teamIds = teams ?? [] };
        var cases = new Dictionary<string, object>
        {
            ["email"] = Staff(email: "not an address"),
            ["role"] = Staff(role: "superuser"),
            ["password"] = Staff(password: "short"),
            ["displayName"] = Staff(displayName: new string('d', 201)),
            ["teamIds"] = Staff(teams: [Guid.NewGuid()]),
        };
        var failures = new List<string>();
        foreach (var (field, body) in cases)
        {
            var response = await admin.PostAsync("/api/v1/staff", body);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.BadRequest) failures.Add($"{field}: {(int)response.StatusCode} {text}");
            else if (!JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateObject().Any(e => e.Name.Equals(field, StringComparison.OrdinalIgnoreCase)))
                failures.Add($"{field}: the problem does not name the field: {text}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await app.DbAsync(db => db.Users.CountAsync()));

        await (await admin.PostAsync("/api/v1/staff", Staff())).JsonAsync(HttpStatusCode.Created);
        var duplicate = await (await admin.PostAsync("/api/v1/staff", Staff(displayName: "Someone else"))).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("new@test.chorus", duplicate.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before + 1, await app.DbAsync(db => db.Users.CountAsync()));
    }

    [Theory, Providers]
    public async Task Admins_create_and_edit_teams_and_bad_team_input_is_400(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");

        var created = await (await admin.PostAsync("/api/v1/teams", new { name = "  Events  ", description = "Meetups", isPrivate = false })).JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal("Events", created.GetProperty("name").GetString());
        var edited = await (await admin.PatchAsync($"/api/v1/teams/{id}", new { isPrivate = true, memberIds = new[] { agent.UserId } })).JsonAsync(HttpStatusCode.OK);
        Assert.True(edited.GetProperty("isPrivate").GetBoolean());
        Assert.Equal([agent.UserId], edited.GetProperty("memberIds").EnumerateArray().Select(m => m.GetString()));

        await (await admin.PostAsync("/api/v1/teams", new { name = "Support" })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.PostAsync("/api/v1/teams", new { name = "" })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.PostAsync("/api/v1/teams", new { name = new string('t', 101) })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.PatchAsync($"/api/v1/teams/{id}", new { memberIds = new[] { "no-such-user" } })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.PatchAsync($"/api/v1/teams/{Guid.NewGuid()}", new { name = "Ghost" })).ProblemAsync(HttpStatusCode.NotFound);
        var teams = await (await admin.GetAsync("/api/v1/teams")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(6, teams.GetArrayLength());
        Assert.Equal([agent.UserId], teams.EnumerateArray().Single(t => t.GetProperty("id").GetGuid() == id).GetProperty("memberIds").EnumerateArray().Select(m => m.GetString()));
    }
}
