using System.Net;
using System.Text.Json;
using Chorus.Features.Csat;
using Chorus.Features.HelpCenter;
using Chorus.Features.Reports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests.Reports;

/// Reports read aggregates kept current with every change; these specs make the changes through the API
/// and read the story back the way a team lead would.
public class ReportTests
{
    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd");

    private static async Task<JsonElement> OverviewAsync(StaffClient c, string query) =>
        await (await c.GetAsync("/api/v1/reports/overview?" + query)).JsonAsync(HttpStatusCode.OK);

    private static JsonElement Day(JsonElement report, string day) =>
        report.GetProperty("periods").EnumerateArray().Single(p => p.GetProperty("start").GetString() == day);

    [Theory, Providers]
    public async Task The_backlog_story_counts_what_came_in_what_was_solved_reopened_and_how_fast(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var a = await admin.DeliverAsync("r-1", thread: "r-1");
        var b = await admin.DeliverAsync("r-2", thread: "r-2", handle: "bo@customer.test", name: "Bo");
        await admin.DeliverAsync("r-3", thread: "r-3", handle: "cy@customer.test", name: "Cy");
        await (await agent.PostAsync($"/api/v1/conversations/{a.Number}/replies", new { text = "On its way." })).JsonAsync(HttpStatusCode.Created);
        await (await agent.PostAsync($"/api/v1/conversations/{b.Number}/replies", new { text = "Looking into it." })).JsonAsync(HttpStatusCode.Created);
        await (await agent.PostAsync($"/api/v1/conversations/{b.Number}/notes", new { text = "Courier says Tuesday." })).JsonAsync(HttpStatusCode.Created);
        await agent.PatchConversationAsync(a.Number, new { assigneeId = agent.UserId });
        await agent.PatchConversationAsync(a.Number, new { status = "Solved", addTags = new[] { "late-delivery" } });

        var report = await OverviewAsync(admin, $"from={Today}&to={Today}&interval=day");
        var today = Day(report, Today);
        Assert.Equal(3, today.GetProperty("created").GetInt32());
        Assert.Equal(1, today.GetProperty("solved").GetInt32());
        Assert.Equal(2, today.GetProperty("backlog").GetInt32());
        Assert.Equal(2, today.GetProperty("firstReplies").GetInt32());
        // Messages were delivered two hours back (Api.T0 is not used here: they are "now"), replies came at once: under a minute.
        Assert.InRange(today.GetProperty("firstReplyMedianMinutes").GetDouble(), 0, 1.25);
        Assert.Equal(JsonValueKind.Number, today.GetProperty("resolutionMedianMinutes").ValueKind);

        var agentRow = report.GetProperty("agents").EnumerateArray().Single(x => x.GetProperty("staffUserId").GetString() == agent.UserId);
        Assert.Equal((2, 1, 1), (agentRow.GetProperty("replies").GetInt32(), agentRow.GetProperty("notes").GetInt32(), agentRow.GetProperty("solved").GetInt32()));
        Assert.Contains(report.GetProperty("tags").EnumerateArray(), t => t.GetProperty("tag").GetString() == "late-delivery" && t.GetProperty("conversations").GetInt32() == 1);

        // The requester writes again: the solved conversation comes back into the backlog as a reopening.
        await admin.DeliverAsync("r-1b", thread: "r-1");
        today = Day(await OverviewAsync(admin, $"from={Today}&to={Today}&interval=day"), Today);
        Assert.Equal((1, 3, 3), (today.GetProperty("reopened").GetInt32(), today.GetProperty("backlog").GetInt32(), today.GetProperty("created").GetInt32()));

        // Recounting from the stored conversations tells the same backlog (reopenings before a rebuild are not known).
        await (await admin.PostAsync("/api/v1/reports/rebuild", new { })).JsonAsync(HttpStatusCode.OK);
        var rebuilt = Day(await OverviewAsync(admin, $"from={Today}&to={Today}&interval=day"), Today);
        Assert.Equal((3, 3, 2), (rebuilt.GetProperty("created").GetInt32(), rebuilt.GetProperty("backlog").GetInt32(), rebuilt.GetProperty("firstReplies").GetInt32()));
    }

    [Theory, Providers]
    public async Task Conversations_from_the_past_count_on_their_own_days_and_weeks_start_on_monday(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var monday = new DateOnly(2026, 10, 5);
        var at = new DateTimeOffset(monday.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero);
        await admin.DeliverAsync("old-1", thread: "old-1", at: at);
        await admin.DeliverAsync("old-2", thread: "old-2", at: at.AddDays(3), handle: "bo@customer.test");
        await admin.DeliverAsync("old-3", thread: "old-3", at: at.AddDays(8), handle: "cy@customer.test");

        var report = await OverviewAsync(admin, "from=2026-10-01&to=2026-10-18&interval=week");
        var periods = report.GetProperty("periods").EnumerateArray().Select(p => (p.GetProperty("start").GetString(), p.GetProperty("end").GetString(), p.GetProperty("created").GetInt32(), p.GetProperty("backlog").GetInt32())).ToArray();
        Assert.Equal([("2026-10-01", "2026-10-04", 0, 0), ("2026-10-05", "2026-10-11", 2, 2), ("2026-10-12", "2026-10-18", 1, 3)], periods);

        // A later window starts from the backlog left before it.
        var later = await OverviewAsync(admin, "from=2026-10-12&to=2026-10-12&interval=day");
        Assert.Equal(2, later.GetProperty("backlogAtStart").GetInt32());

        var csv = await admin.GetAsync("/api/v1/reports/overview.csv?from=2026-10-05&to=2026-10-07&interval=day");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd().Split('\n');
        Assert.StartsWith("start,end,created,solved,reopened,backlog", lines[0]);
        Assert.Equal(["2026-10-05,2026-10-05,1,0,0,1,0,,,,,0,0,0,0,0,0,,0", "2026-10-06,2026-10-06,0,0,0,1,0,,,,,0,0,0,0,0,0,,0", "2026-10-07,2026-10-07,0,0,0,1,0,,,,,0,0,0,0,0,0,,0"], lines[1..]);
    }

    [Theory, Providers]
    public async Task A_private_teams_figures_stay_with_the_team_and_the_channel_and_team_filters_narrow(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var insider = await app.StaffAsync("agent", "Support");
        var outsider = await app.StaffAsync("agent", "Support");
        var legal = (await (await admin.PostAsync("/api/v1/teams", new { name = "Legal", isPrivate = true, memberIds = new[] { insider.UserId } })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var secret = await admin.DeliverAsync("p-1", thread: "p-1", subject: "Settlement");
        await admin.PatchConversationAsync(secret.Number, new { teamId = legal });
        await admin.DeliverAsync("p-2", thread: "p-2", handle: "bo@customer.test");

        int Created(JsonElement r) => Day(r, Today).GetProperty("created").GetInt32();
        int Backlog(JsonElement r) => Day(r, Today).GetProperty("backlog").GetInt32();
        // Both arrived in Support (a conversation counts as created by the team that had it then); the move took one into Legal's backlog.
        var all = await OverviewAsync(admin, $"from={Today}&to={Today}&interval=day");
        Assert.Equal((2, 2), (Created(all), Backlog(all)));
        var seenByInsider = await OverviewAsync(insider, $"from={Today}&to={Today}&interval=day");
        Assert.Equal((2, 2), (Created(seenByInsider), Backlog(seenByInsider)));
        var seenByOutsider = await OverviewAsync(outsider, $"from={Today}&to={Today}&interval=day");
        Assert.Equal(1, Backlog(seenByOutsider)); // Legal's backlog is not theirs to see
        var legalOnly = await OverviewAsync(insider, $"from={Today}&to={Today}&interval=day&teamId={legal}");
        Assert.Equal((0, 1), (Created(legalOnly), Backlog(legalOnly)));
        await (await outsider.GetAsync($"/api/v1/reports/overview?teamId={legal}")).ProblemAsync(HttpStatusCode.NotFound);

        var api = await app.ChannelIdAsync(Chorus.Features.Channels.ChannelKind.Api);
        var byChannel = await OverviewAsync(admin, $"from={Today}&to={Today}&interval=day&channelId={api}");
        Assert.Equal(2, Created(byChannel));
        Assert.Equal(0, Created(await OverviewAsync(admin, $"from={Today}&to={Today}&interval=day&channelId={Guid.NewGuid()}")));
    }

    [Theory, Providers]
    public async Task Sla_attainment_satisfaction_and_deflections_count_when_they_happen_and_again_in_a_rebuild(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        // No business hours set: every minute counts. A first reply is due within an hour, a resolution within ten.
        await (await admin.PostAsync("/api/v1/sla-policies", new { name = "Everyone", firstReplyMinutes = 60, resolutionMinutes = 600 })).JsonAsync(HttpStatusCode.Created);
        var late = await admin.DeliverAsync("s-1", thread: "s-1", at: Api.T0); // two hours ago: its first reply is already late
        var prompt = await admin.DeliverAsync("s-2", thread: "s-2", handle: "bo@customer.test", name: "Bo");
        foreach (var n in new[] { late.Number, prompt.Number })
        {
            await (await agent.PostAsync($"/api/v1/conversations/{n}/replies", new { text = "Sorted, sorry for the wait." })).JsonAsync(HttpStatusCode.Created);
            await agent.PatchConversationAsync(n, new { status = "Solved" });
        }

        // Both requesters rate: 5 and 2, then the unhappy one thinks again (4).
        using (var scope = app.Services.CreateScope()) Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<SendSurveys>().RunAsync());
        var surveys = await app.DbAsync(db => db.Set<CsatSurvey>().AsNoTracking().ToDictionaryAsync(s => s.ConversationId, s => s.Id));
        async Task RateAsync(Guid conversation, int rating)
        {
            using var scope = app.Services.CreateScope();
            Assert.IsType<Chorus.Common.Outcome<SurveyView>.Ok>(await scope.ServiceProvider.GetRequiredService<RateSurvey>().RunAsync(surveys[conversation], rating, null));
        }
        await RateAsync(late.ConversationId, 5);
        await RateAsync(prompt.ConversationId, 2);

        // Two web-form visitors are answered by an article; one of them sends the form after all.
        await app.DbAsync(async db =>
        {
            var category = new HelpCategory { Slug = "orders", Name = "Orders" };
            db.Add(category);
            db.Add(new HelpArticle { CategoryId = category.Id, Title = "Track your order", Slug = "track", Body = "b", Html = "b", Text = "b", Status = ArticleStatus.Published, PublishedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        var (visitA, visitB) = (Guid.NewGuid(), Guid.NewGuid());
        using (var scope = app.Services.CreateScope())
        {
            var deflections = scope.ServiceProvider.GetRequiredService<RecordDeflection>();
            Assert.Equal(DeflectionResult.Counted, await deflections.RunAsync(visitA, "track"));
            Assert.Equal(DeflectionResult.Counted, await deflections.RunAsync(visitB, "track"));
            Assert.Equal(DeflectionResult.AlreadyCounted, await deflections.RunAsync(visitB, "track"));
        }
        var range = $"from={DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}&to={Today}&interval=day";
        var report = await OverviewAsync(admin, range);
        Assert.Equal((1, 1, 50.0), Sla(report.GetProperty("firstReplySla")));
        Assert.Equal((2, 0, 100.0), Sla(report.GetProperty("resolutionSla")));
        Assert.Equal((2, 1, 50.0, 3.5), Csat(report.GetProperty("csat")));
        Assert.Equal(2, report.GetProperty("deflections").GetInt32());

        await RateAsync(prompt.ConversationId, 4);
        using (var scope = app.Services.CreateScope()) Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<RecordDeflection>().WithdrawAsync(visitB));
        report = await OverviewAsync(admin, range);
        Assert.Equal((2, 2, 100.0, 4.5), Csat(report.GetProperty("csat")));
        Assert.Equal(1, report.GetProperty("deflections").GetInt32());
        // Per period too, and in the CSV.
        var today = Day(report, Today);
        Assert.Equal(1, today.GetProperty("firstReplySla").GetProperty("met").GetInt32());
        var csv = await (await admin.GetAsync("/api/v1/reports/overview.csv?" + range)).Content.ReadAsStringAsync();
        Assert.Contains("first_reply_sla_met,first_reply_sla_missed,resolution_sla_met,resolution_sla_missed,csat_rated,csat_satisfied,csat_average,deflections", csv);
        Assert.EndsWith(",1,1,2,0,2,2,4.5,1", csv.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        // A team's report leaves out deflections, which belong to no team.
        var support = await app.TeamIdAsync("Support");
        Assert.Equal(0, (await OverviewAsync(admin, range + $"&teamId={support}")).GetProperty("deflections").GetInt32());

        // Recounting from what is stored tells the same.
        await (await admin.PostAsync("/api/v1/reports/rebuild", new { })).JsonAsync(HttpStatusCode.OK);
        var rebuilt = await OverviewAsync(admin, range);
        Assert.Equal((1, 1, 50.0), Sla(rebuilt.GetProperty("firstReplySla")));
        Assert.Equal((2, 0, 100.0), Sla(rebuilt.GetProperty("resolutionSla")));
        Assert.Equal((2, 2, 100.0, 4.5), Csat(rebuilt.GetProperty("csat")));
        Assert.Equal(1, rebuilt.GetProperty("deflections").GetInt32());

        static (int, int, double) Sla(JsonElement e) => (e.GetProperty("met").GetInt32(), e.GetProperty("missed").GetInt32(), e.GetProperty("percent").GetDouble());
        static (int, int, double, double) Csat(JsonElement e) =>
            (e.GetProperty("rated").GetInt32(), e.GetProperty("satisfied").GetInt32(), e.GetProperty("score").GetDouble(), e.GetProperty("average").GetDouble());
    }

    [Theory, Providers]
    public async Task Bad_report_queries_get_a_clear_400_and_reports_need_a_staff_sign_in(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var backwards = await (await admin.GetAsync("/api/v1/reports/overview?from=2026-10-10&to=2026-10-01")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("ends before it starts", backwards.ToString());
        Assert.Contains("yyyy-MM-dd", (await (await admin.GetAsync("/api/v1/reports/overview?from=last-week")).ProblemAsync(HttpStatusCode.BadRequest)).ToString());
        Assert.Contains("day or week", (await (await admin.GetAsync("/api/v1/reports/overview?interval=hourly")).ProblemAsync(HttpStatusCode.BadRequest)).ToString());
        Assert.Contains("at most", (await (await admin.GetAsync("/api/v1/reports/overview?from=2020-01-01&to=2026-01-01")).ProblemAsync(HttpStatusCode.BadRequest)).ToString());
        // Defaults: the last twelve weeks, by week.
        var standard = await OverviewAsync(agent, "");
        Assert.InRange(standard.GetProperty("periods").GetArrayLength(), 12, 13);
        // Recounting is for admins.
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync("/api/v1/reports/rebuild", new { })).StatusCode);
        using var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/reports/overview")).StatusCode);
    }

    [Fact]
    public void Medians_and_p90_read_from_the_histogram_are_within_an_eighth_of_the_exact_figure()
    {
        var random = new Random(7);
        var minutes = Enumerable.Range(0, 5_000).Select(_ => Math.Exp(random.NextDouble() * 9)).Order().ToArray(); // 1 minute to ~5.6 days
        var histogram = minutes.GroupBy(m => LatencyBuckets.Of(TimeSpan.FromMinutes(m))).ToDictionary(g => g.Key, g => g.Count());
        foreach (var q in new[] { 0.5, 0.9 })
        {
            var exact = minutes[(int)Math.Ceiling(q * minutes.Length) - 1];
            var read = LatencyBuckets.Quantile(histogram, q)!.Value;
            Assert.InRange(read / exact, 0.875, 1.125);
        }
        Assert.Null(LatencyBuckets.Quantile(new Dictionary<int, int>(), 0.5));
        Assert.Equal(0, LatencyBuckets.Of(TimeSpan.FromSeconds(30)));
        Assert.Equal(LatencyBuckets.Count - 1, LatencyBuckets.Of(TimeSpan.FromDays(3_000)));
    }
}
