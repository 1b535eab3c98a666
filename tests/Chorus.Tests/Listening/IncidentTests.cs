using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Listening.Alerts;
using Microsoft.AspNetCore.Http;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Listening;

/// The incident room through the API: opened from an alert (once, however many click) or by hand, its lifecycle on a
/// timeline, support conversations suggested by how alike they read, and a statement that is approved by someone allowed
/// before it is posted, in one action, to every chosen thread once, and saved as a macro.
public class IncidentTests
{
    private static ChorusFactory App(Provider provider)
    {
        var app = new ChorusFactory(provider);
        app.Settings["Chorus:Listening:Poll"] = "false";
        app.Settings["Chorus:Listening:WatchSpikes"] = "false";
        app.Settings["Chorus:Outbox:Dispatch"] = "false";
        return app;
    }

    /// A reddit source read from the fake server (two posts, a comment and its reply), a monitor, and an alert on it
    /// with those mentions, as the spike watcher records one.
    private static async Task<(Guid Source, Guid Alert)> AlertFromRedditAsync(ChorusFactory app, StaffClient admin, FakeListeningServer reddit)
    {
        reddit.Json("/search.json", FakeListeningServer.Fixture("reddit-search.json"));
        reddit.Json("/comments/1h2wxyz.json", FakeListeningServer.Fixture("reddit-comments.json"));
        var monitor = (await (await admin.PostAsync("/api/v1/listening/monitors", new { name = "Acme", query = "acme" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var source = (await (await admin.PostAsync("/api/v1/listening/sources", new { name = "reddit: acme", kind = "reddit", baseUrl = reddit.BaseUrl, query = "acme" }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("source").GetProperty("id").GetGuid();
        using var scope = app.Services.CreateScope();
        Assert.Equal(4, (await scope.ServiceProvider.GetRequiredService<Chorus.Features.Listening.Sources.PollSource>().RunAsync(source)).Added);
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var mentions = await db.MentionMatches.Where(m => m.MonitorId == monitor).Select(m => m.MentionId).ToListAsync();
        var alert = new Alert { MonitorId = monitor, Kind = AlertKind.NegativeShare, BucketStart = DateTimeOffset.UtcNow.AddMinutes(-10), Value = 0.75, Baseline = 0.1, Mentions = mentions.Count, Summary = "3 of 4 mentions negative" };
        db.Alerts.Add(alert);
        db.AlertMentions.AddRange(mentions.Select(m => new AlertMention { AlertId = alert.Id, MentionId = m }));
        await db.SaveChangesAsync();
        return (source, alert.Id);
    }

    [Theory, Providers]
    public async Task An_incident_opens_once_from_an_alert_and_moves_through_its_statuses_on_a_timeline(Provider provider)
    {
        await using var reddit = new FakeListeningServer();
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer");
        var (_, alert) = await AlertFromRedditAsync(app, admin, reddit);

        await (await viewer.PostAsync("/api/v1/incidents", new { alertId = alert })).ProblemAsync(HttpStatusCode.Forbidden);
        var opened = await (await agent.PostAsync("/api/v1/incidents", new { alertId = alert })).JsonAsync(HttpStatusCode.Created);
        var again = await (await admin.PostAsync("/api/v1/incidents", new { alertId = alert })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(opened.GetProperty("id").GetGuid(), again.GetProperty("id").GetGuid()); // one alert, one incident
        Assert.Single((await (await viewer.GetAsync("/api/v1/incidents")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        var id = opened.GetProperty("id").GetGuid();
        Assert.Equal(("investigating", agent.UserId, "Acme"), (opened.Str("status"), opened.Str("ownerId"), opened.Str("monitorName")));
        Assert.StartsWith("Acme: spike in negative mentions", opened.Str("title"));
        var threads = opened.GetProperty("threads").EnumerateArray().ToList();
        Assert.Equal(4, threads.Count);
        // The negative ones are chosen for the statement; the fan's praise is context.
        Assert.All(threads, t => Assert.Equal(t.GetProperty("sentiment").GetDouble() < -0.05, t.GetProperty("chosen").GetBoolean()));
        Assert.Equal(ManageIncidentsChecklist, opened.GetProperty("checklist").GetArrayLength());

        var pr = await app.TeamIdAsync("PR");
        var support = await app.TeamIdAsync("Support");
        var version = opened.GetProperty("version").GetInt32();
        var changed = await (await agent.PatchAsync($"/api/v1/incidents/{id}", new { status = "responding", ownerId = admin.UserId, teamIds = new[] { pr, support }, version })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(("responding", "PR, Support"), (changed.Str("status"), string.Join(", ", changed.GetProperty("teams").EnumerateArray().Select(t => t.Str("name")))));
        // A change made on an older copy is refused, not silently applied over the newer one.
        await (await admin.PatchAsync($"/api/v1/incidents/{id}", new { status = "resolved", version })).ProblemAsync(HttpStatusCode.Conflict);
        await (await agent.PatchAsync($"/api/v1/incidents/{id}", new { status = "escalated" })).ProblemAsync(HttpStatusCode.BadRequest);
        await (await viewer.PatchAsync($"/api/v1/incidents/{id}", new { status = "monitoring" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await agent.PostAsync($"/api/v1/incidents/{id}/notes", new { text = "Engineering confirms the support macro was wrong." })).JsonAsync(HttpStatusCode.OK);
        var item = opened.GetProperty("checklist")[0].GetProperty("id").GetGuid();
        await (await agent.PatchAsync($"/api/v1/incidents/{id}/checklist/{item}", new { done = true })).JsonAsync(HttpStatusCode.OK);
        await (await agent.PatchAsync($"/api/v1/incidents/{id}", new { status = "monitoring" })).JsonAsync(HttpStatusCode.OK);
        var resolved = await (await agent.PatchAsync($"/api/v1/incidents/{id}", new { status = "resolved" })).JsonAsync(HttpStatusCode.OK);

        Assert.NotEqual(JsonValueKind.Null, resolved.GetProperty("resolvedAt").ValueKind);
        Assert.True(resolved.GetProperty("checklist")[0].GetProperty("done").GetBoolean());
        var timeline = resolved.GetProperty("timeline").EnumerateArray().Select(e => e.Str("text")).ToList();
        Assert.Equal(["investigating → responding", "responding → monitoring", "monitoring → resolved"],
            timeline.Where(t => t.StartsWith("Status:")).Select(t => t["Status: ".Length..].TrimEnd('.')));
        Assert.Contains(timeline, t => t.StartsWith("Opened from the alert"));
        Assert.Contains("Engineering confirms the support macro was wrong.", timeline);
        Assert.Contains(timeline, t => t.StartsWith("Done: "));
        Assert.Contains(timeline, t => t == "Teams involved: PR, Support.");
        Assert.Empty((await (await agent.GetAsync("/api/v1/incidents?status=open")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        var audit = await app.DbAsync(db => db.AuditEntries.Where(a => a.TargetKind == "incident").Select(a => a.Action).ToListAsync());
        Assert.Contains("incident.opened", audit);
        Assert.Equal(3, audit.Count(a => a == "incident.status"));
    }

    private static readonly int ManageIncidentsChecklist = Chorus.Features.Listening.Incidents.ManageIncidents.DefaultChecklist.Length;

    [Theory, Providers]
    public async Task The_statement_is_approved_by_someone_allowed_then_posted_once_to_each_chosen_thread_and_saved_as_a_macro(Provider provider)
    {
        await using var reddit = new FakeListeningServer();
        reddit.Json("/api/v1/access_token", """{"access_token": "tok", "token_type": "bearer"}""");
        var comments = 0;
        reddit.Answer("/api/comment", async c =>
        {
            var n = Interlocked.Increment(ref comments);
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("{\"json\": {\"errors\": [], \"data\": {\"things\": [{\"kind\": \"t1\", \"data\": {\"name\": \"t1_answer" + n + "\"}}]}}}");
        });
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var author = await app.StaffAsync("agent", "Support");
        var colleague = await app.StaffAsync("agent", "Support");
        var press = await app.StaffAsync("agent", "PR");
        var (source, alert) = await AlertFromRedditAsync(app, admin, reddit);
        await (await admin.Http.PutAsJsonAsync($"/api/v1/listening/sources/{source}/reply-account", new { clientId = "a", clientSecret = "b", username = "acme", password = "c" })).JsonAsync(HttpStatusCode.OK);
        var supportCase = await author.DeliverAsync("support-1", handle: "lee@customer.test", subject: "Told to delete my database", text: "Your support told me to delete the database and I lost my data.");
        var id = (await (await author.PostAsync("/api/v1/incidents", new { alertId = alert })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await (await author.PostAsync($"/api/v1/incidents/{id}/threads", new { conversationNumber = supportCase.Number })).JsonAsync(HttpStatusCode.OK);

        await (await author.PostAsync($"/api/v1/incidents/{id}/statement/post", new { })).ProblemAsync(HttpStatusCode.Conflict); // nothing written yet
        const string statement = "We got this wrong: deleting the database is never the fix. We are restoring everyone's data; reply here and we'll help you first.";
        await (await author.Http.PutAsJsonAsync($"/api/v1/incidents/{id}/statement", new { text = statement })).JsonAsync(HttpStatusCode.OK);
        var notApproved = await (await author.PostAsync($"/api/v1/incidents/{id}/statement/post", new { })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("must be approved before it is posted", notApproved.Str("detail"));
        // Approval: not by its author, nor by an agent outside PR.
        Assert.Contains("cannot approve your own", (await (await author.PostAsync($"/api/v1/incidents/{id}/statement/approve", new { })).ProblemAsync(HttpStatusCode.Forbidden)).Str("detail"));
        await (await colleague.PostAsync($"/api/v1/incidents/{id}/statement/approve", new { })).ProblemAsync(HttpStatusCode.Forbidden);
        var approved = await (await press.PostAsync($"/api/v1/incidents/{id}/statement/approve", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("approved", approved.Str("statementStatus"));
        var pressName = await app.DbAsync(db => db.Users.Where(u => u.Id == press.UserId).Select(u => u.DisplayName).SingleAsync());
        Assert.Equal(pressName, approved.Str("statementApprovedByName"));
        // A change after approval needs approving again.
        await (await author.Http.PutAsJsonAsync($"/api/v1/incidents/{id}/statement", new { text = statement + " " })).JsonAsync(HttpStatusCode.OK); // same text: stays approved
        Assert.Equal("approved", (await (await author.GetAsync($"/api/v1/incidents/{id}")).JsonAsync(HttpStatusCode.OK)).Str("statementStatus"));

        // Two clicks at once: one posting, each thread answered once.
        var clicks = await Task.WhenAll(author.PostAsync($"/api/v1/incidents/{id}/statement/post", new { }), admin.PostAsync($"/api/v1/incidents/{id}/statement/post", new { }));
        var results = await Task.WhenAll(clicks.Select(c => c.JsonAsync(HttpStatusCode.OK)));
        var chosenMentions = await app.DbAsync(db => db.IncidentThreads.CountAsync(t => t.IncidentId == id && t.Chosen && t.MentionId != null));
        Assert.Equal(chosenMentions + 1, results.Sum(r => r.GetProperty("answered").GetInt32()));
        Assert.Empty(results.SelectMany(r => r.GetProperty("failures").EnumerateArray()));
        Assert.Single(results, r => r.GetProperty("macroName").ValueKind == JsonValueKind.String);
        await (await author.PostAsync($"/api/v1/incidents/{id}/statement/post", new { })).JsonAsync(HttpStatusCode.OK); // later: nothing more to answer

        for (var i = 0; i < 3; i++) await app.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        var posted = reddit.Take().Where(r => r.Path == "/api/comment").Select(r => r.Form()).ToList();
        Assert.Equal(chosenMentions, posted.Count);
        Assert.Equal(posted.Count, posted.Select(f => f["thing_id"]).Distinct().Count());
        Assert.All(posted, f => Assert.Equal(statement, f["text"]));
        Assert.Contains(posted, f => f["thing_id"] == "t3_1h2wxyz");

        var after = await (await author.GetAsync($"/api/v1/incidents/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(("posted", "responding"), (after.Str("statementStatus"), after.Str("status")));
        Assert.NotEqual(JsonValueKind.Null, after.GetProperty("statementPostedAt").ValueKind);
        Assert.All(after.GetProperty("threads").EnumerateArray().Where(t => t.GetProperty("chosen").GetBoolean()), t => Assert.True(t.GetProperty("answered").GetBoolean()));
        Assert.Equal(chosenMentions + 1, after.GetProperty("timeline").EnumerateArray().Count(e => e.Str("kind") == "reply"));
        // The support conversation got the same words as a reply, and Support has them as a macro.
        Assert.Contains((await author.ConversationAsync(supportCase.Number)).Messages(), m => m.Kind == "Reply" && m.Text == statement);
        var macro = await app.DbAsync(db => db.Macros.SingleAsync(m => m.Id == after.GetProperty("macroId").GetGuid()));
        Assert.Equal(statement, macro.Body);
        Assert.StartsWith("Incident 1: ", macro.Name);
        await (await author.Http.PutAsJsonAsync($"/api/v1/incidents/{id}/statement", new { text = "Changed" })).ProblemAsync(HttpStatusCode.Conflict); // what was said stays
    }

    /// The checklist keeps itself: drafting, approving and posting the statement, saving the macro and resolving tick
    /// their items as done by whoever did them; undoing a step (a changed statement, a reopened incident) unticks its
    /// item; an item someone ticked by hand stays theirs; and any item can still be ticked by hand.
    [Theory, Providers]
    public async Task Checklist_items_tick_themselves_as_the_steps_happen_and_can_still_be_ticked_by_hand(Provider provider)
    {
        await using var app = App(provider);
        var author = await app.StaffAsync("agent", "Support");
        var colleague = await app.StaffAsync("agent", "Support");
        var press = await app.StaffAsync("agent", "PR");
        var names = await app.DbAsync(db => db.Users.ToDictionaryAsync(u => u.Id, u => u.DisplayName));
        string NameOf(StaffClient c) => names[c.UserId];
        var supportCase = await author.DeliverAsync("check-1", handle: "lee@customer.test", subject: "Lost my data", text: "Support told me to delete my database.");
        var opened = await (await author.PostAsync("/api/v1/incidents", new { title = "Wrong advice on reddit" })).JsonAsync(HttpStatusCode.Created);
        var id = opened.GetProperty("id").GetGuid();
        Assert.All(opened.GetProperty("checklist").EnumerateArray(), c => Assert.False(c.GetProperty("done").GetBoolean()));
        await (await author.PostAsync($"/api/v1/incidents/{id}/threads", new { conversationNumber = supportCase.Number })).JsonAsync(HttpStatusCode.OK);

        async Task<Dictionary<string, JsonElement>> ChecklistAsync() =>
            (await (await author.GetAsync($"/api/v1/incidents/{id}")).JsonAsync(HttpStatusCode.OK)).GetProperty("checklist").EnumerateArray()
                .ToDictionary(c => c.Str("text")!, c => c);
        void Done(Dictionary<string, JsonElement> list, string item, string by, bool automatic)
        {
            var c = list[item];
            Assert.True(c.GetProperty("done").GetBoolean(), item);
            Assert.Equal((by, automatic), (c.Str("doneByName"), c.GetProperty("automatic").GetBoolean()));
            Assert.NotEqual(JsonValueKind.Null, c.GetProperty("doneAt").ValueKind);
        }
        void NotDone(Dictionary<string, JsonElement> list, string item) => Assert.False(list[item].GetProperty("done").GetBoolean(), item);

        // By hand: a step Chorus cannot see, and one ahead of Chorus (Support was briefed in person).
        var items = await ChecklistAsync();
        await (await colleague.PatchAsync($"/api/v1/incidents/{id}/checklist/{items["Find out what happened (Product & Engineering Liaison)"].GetProperty("id").GetGuid()}", new { done = true })).JsonAsync(HttpStatusCode.OK);
        await (await colleague.PatchAsync($"/api/v1/incidents/{id}/checklist/{items["Brief Support: the statement is a macro"].GetProperty("id").GetGuid()}", new { done = true })).JsonAsync(HttpStatusCode.OK);

        const string statement = "We got this wrong: deleting the database is never the fix. We are restoring everyone's data.";
        await (await author.Http.PutAsJsonAsync($"/api/v1/incidents/{id}/statement", new { text = statement })).JsonAsync(HttpStatusCode.OK);
        items = await ChecklistAsync();
        Done(items, "Draft the statement", NameOf(author), automatic: true);
        NotDone(items, "Get the statement approved");

        await (await press.PostAsync($"/api/v1/incidents/{id}/statement/approve", new { })).JsonAsync(HttpStatusCode.OK);
        Done(await ChecklistAsync(), "Get the statement approved", NameOf(press), automatic: true);
        // Changed after approval: not approved any more, until it is approved again.
        await (await author.Http.PutAsJsonAsync($"/api/v1/incidents/{id}/statement", new { text = statement + " Reply here and we'll help you first." })).JsonAsync(HttpStatusCode.OK);
        NotDone(await ChecklistAsync(), "Get the statement approved");
        await (await press.PostAsync($"/api/v1/incidents/{id}/statement/approve", new { })).JsonAsync(HttpStatusCode.OK);

        var posted = await (await author.PostAsync($"/api/v1/incidents/{id}/statement/post", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, posted.GetProperty("answered").GetInt32());
        items = await ChecklistAsync();
        Done(items, "Get the statement approved", NameOf(press), automatic: true);
        Done(items, "Post the statement to the threads", NameOf(author), automatic: true);
        Done(items, "Brief Support: the statement is a macro", NameOf(colleague), automatic: false); // ticked by hand first: stays theirs
        Done(items, "Find out what happened (Product & Engineering Liaison)", NameOf(colleague), automatic: false);
        NotDone(items, "Watch the volume come down, then resolve");

        await (await author.PatchAsync($"/api/v1/incidents/{id}", new { status = "resolved" })).JsonAsync(HttpStatusCode.OK);
        Done(await ChecklistAsync(), "Watch the volume come down, then resolve", NameOf(author), automatic: true);
        await (await press.PatchAsync($"/api/v1/incidents/{id}", new { status = "monitoring" })).JsonAsync(HttpStatusCode.OK); // it flared up again
        NotDone(await ChecklistAsync(), "Watch the volume come down, then resolve");

        // An automatic tick can be taken back by hand, and the timeline says what ticked what.
        await (await colleague.PatchAsync($"/api/v1/incidents/{id}/checklist/{items["Draft the statement"].GetProperty("id").GetGuid()}", new { done = false })).JsonAsync(HttpStatusCode.OK);
        NotDone(await ChecklistAsync(), "Draft the statement");
        var timeline = (await (await author.GetAsync($"/api/v1/incidents/{id}")).JsonAsync(HttpStatusCode.OK)).GetProperty("timeline").EnumerateArray()
            .Where(e => e.Str("kind") == "checklist").Select(e => e.Str("text")).ToList();
        Assert.Contains("Done: Get the statement approved (approved the statement).", timeline);
        Assert.Contains("Not done after all: Get the statement approved (the statement changed).", timeline);
        Assert.Contains("Done: Post the statement to the threads (posted to 1 thread).", timeline);
        Assert.Contains("Not done after all: Watch the volume come down, then resolve (reopened).", timeline);
        Assert.DoesNotContain(timeline, t => t!.StartsWith("Done: Brief Support") && t.Contains("saved as the macro"));
    }

    [Theory, Providers]
    public async Task Support_conversations_that_read_like_the_mentions_are_suggested(Provider provider)
    {
        await using var reddit = new FakeListeningServer();
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var (_, alert) = await AlertFromRedditAsync(app, admin, reddit);
        var database = await admin.DeliverAsync("s-1", handle: "a@customer.test", subject: "Support said to delete my database", text: "I was told to wipe the database to fix the login bug, and now my data is gone.");
        var invoice = await admin.DeliverAsync("s-2", handle: "b@customer.test", subject: "Invoice VAT number", text: "Please add our VAT number to the November invoice.");
        var login = await admin.DeliverAsync("s-3", handle: "c@customer.test", subject: "Login bug", text: "The login page loops after the update.");
        var id = (await (await admin.PostAsync("/api/v1/incidents", new { alertId = alert })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();

        var suggested = (await (await admin.GetAsync($"/api/v1/incidents/{id}/suggestions")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        Assert.Equal(database.Number, suggested[0].GetProperty("number").GetInt64());
        Assert.DoesNotContain(suggested, s => s.GetProperty("number").GetInt64() == invoice.Number);
        Assert.True(suggested[0].GetProperty("similarity").GetDouble() > (suggested.Count > 1 ? suggested[1].GetProperty("similarity").GetDouble() : 0));
        Assert.Contains(suggested, s => s.GetProperty("number").GetInt64() == login.Number); // shares "login bug"

        await (await admin.PostAsync($"/api/v1/incidents/{id}/threads", new { conversationNumber = database.Number })).JsonAsync(HttpStatusCode.OK);
        var now = (await (await admin.GetAsync($"/api/v1/incidents/{id}/suggestions")).JsonAsync(HttpStatusCode.OK)).EnumerateArray();
        Assert.DoesNotContain(now, s => s.GetProperty("number").GetInt64() == database.Number); // linked: no longer a suggestion
        await (await admin.PostAsync($"/api/v1/incidents/{id}/threads", new { conversationNumber = 99999 })).ProblemAsync(HttpStatusCode.BadRequest);
    }
}
