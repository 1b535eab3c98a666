using System.Net;
using System.Text.Json;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests.Listening;

/// Monitors through the API: created, changed, paused and deleted by agents, refused with field errors
/// when the query or languages cannot work, read by everyone on staff, and audited.
public class MonitorsApiTests
{
    [Theory, Providers]
    public async Task An_agent_creates_changes_pauses_and_deletes_a_monitor_and_each_step_is_audited(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var admin = await app.StaffAsync("admin");

        var created = await (await agent.PostAsync("/api/v1/listening/monitors", new { name = " Acme brand ", query = "acme OR \"acme corp\" NOT hiring", languages = new[] { "EN", "de", "en" } }))
            .JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal("Acme brand", created.GetProperty("name").GetString());
        Assert.Equal("acme OR \"acme corp\" NOT hiring", created.GetProperty("query").GetString());
        Assert.Equal(["de", "en"], created.GetProperty("languages").EnumerateArray().Select(l => l.GetString()));
        Assert.True(created.GetProperty("enabled").GetBoolean());

        var changed = await agent.PatchAsync($"/api/v1/listening/monitors/{id}", new { query = "acme* NOT (job OR hiring)", enabled = false });
        var view = await changed.JsonAsync(HttpStatusCode.OK);
        Assert.Equal("acme* NOT (job OR hiring)", view.GetProperty("query").GetString());
        Assert.False(view.GetProperty("enabled").GetBoolean());
        Assert.Equal("Acme brand", view.GetProperty("name").GetString()); // left out, left as it was

        var list = await (await agent.GetAsync("/api/v1/listening/monitors")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(list.EnumerateArray()).GetProperty("id").GetGuid());

        Assert.Equal(HttpStatusCode.NoContent, (await agent.Http.DeleteAsync($"/api/v1/listening/monitors/{id}")).StatusCode);
        await (await agent.GetAsync($"/api/v1/listening/monitors/{id}")).ProblemAsync(HttpStatusCode.NotFound);

        var log = (await (await admin.GetAsync("/api/v1/audit?take=100")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Where(e => e.GetProperty("targetId").GetString() == id.ToString()).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["monitor.created", "monitor.deleted", "monitor.updated"], log.Order()); // each once
    }

    [Theory, Providers]
    public async Task A_monitor_that_cannot_work_is_refused_with_every_problem_and_nothing_is_stored(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        await (await agent.PostAsync("/api/v1/listening/monitors", new { name = "Acme", query = "acme" })).JsonAsync(HttpStatusCode.Created);

        var problem = await (await agent.PostAsync("/api/v1/listening/monitors", new { name = "Acme", query = "(acme OR globex", languages = new[] { "english" } }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Contains("There is already a monitor called Acme.", Errors(errors, "name"));
        Assert.Contains("The '(' at character 1 is not closed.", Errors(errors, "query"));
        Assert.Contains("not english", Errors(errors, "languages"));

        var empty = await (await agent.PostAsync("/api/v1/listening/monitors", new { name = "Other" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Enter words", Errors(empty.GetProperty("errors"), "query"));

        var list = await (await agent.GetAsync("/api/v1/listening/monitors")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["Acme"], list.EnumerateArray().Select(m => m.GetProperty("name").GetString()));
    }

    [Theory, Providers]
    public async Task A_viewer_reads_monitors_but_cannot_change_them(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer", "Support");
        var id = (await (await agent.PostAsync("/api/v1/listening/monitors", new { name = "Acme", query = "acme" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();

        Assert.Single((await (await viewer.GetAsync("/api/v1/listening/monitors")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        await (await viewer.PostAsync("/api/v1/listening/monitors", new { name = "Mine", query = "x" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PatchAsync($"/api/v1/listening/monitors/{id}", new { enabled = false })).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.DeleteAsync($"/api/v1/listening/monitors/{id}")).StatusCode);
        Assert.True((await (await agent.GetAsync($"/api/v1/listening/monitors/{id}")).JsonAsync(HttpStatusCode.OK)).GetProperty("enabled").GetBoolean());
    }

    private static string Errors(JsonElement errors, string field) =>
        string.Join(" ", errors.EnumerateObject().Where(p => p.Name.Equals(field, StringComparison.OrdinalIgnoreCase)).SelectMany(p => p.Value.EnumerateArray().Select(e => e.GetString())));
}
