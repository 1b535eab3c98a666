using System.Net;
using Chorus.Features.Csat;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Chorus.Tests.HelpCenter.HelpCenterKit;

namespace Chorus.Tests.Csat;

/// Satisfaction surveys: one per solve, rated through the requester's signed link (re-rating updates),
/// said in the thread, and counted per team and agent.
public class CsatTests
{
    [Theory, Providers]
    public async Task A_solve_gets_one_survey_rated_by_link_and_counted_for_its_team_and_agent(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Csat:SweepSeconds"] = "1";
        var agent = await app.StaffAsync("agent", "Support");
        var support = await app.TeamIdAsync("Support");
        var number = (await agent.DeliverAsync("csat-1", subject: "Late order", text: "Where is it?")).Number;
        await agent.PatchConversationAsync(number, new { teamId = support, assigneeId = agent.UserId, status = "Solved" });

        var created = await Chorus.Tests.Email.Eventually.GetAsync(() => app.DbAsync(db => db.Set<CsatSurvey>().AsNoTracking().SingleOrDefaultAsync()), "the survey", 60);
        var path = app.Services.GetRequiredService<SurveyLinks>().PathFor(created.Id);
        var browser = Browser(app);

        // One click from the e-mail rates; a tampered link opens nothing.
        var (status, page) = await PageAsync(browser, path + "?rating=2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("id=\"csat-thanks\"", page);
        Assert.Equal(HttpStatusCode.NotFound, (await PageAsync(browser, path[..^3] + "xyz")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PageAsync(browser, path + "?rating=9")).Status);

        // Rating again with a comment updates the same survey.
        var form = Forms.HiddenFields(page);
        var posted = await Forms.PostAsync(browser, path, new Dictionary<string, string>(form) { ["rating"] = "5", ["comment"] = "Fast and kind, thanks!" });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var survey = await app.DbAsync(db => db.Set<CsatSurvey>().SingleAsync());
        Assert.Equal(5, survey.Rating);
        Assert.Equal("Fast and kind, thanks!", survey.Comment);

        var detail = await agent.ConversationAsync(number);
        Assert.Contains(detail.Messages(), m => m.Kind == "Event" && m.Text == "The requester rated 2/5 (unhappy).");
        Assert.Contains(detail.Messages(), m => m.Kind == "Event" && m.Text == "The requester changed their rating to 5/5 (very happy): “Fast and kind, thanks!”");

        var report = await (await agent.GetAsync("/api/v1/csat")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, report.GetProperty("overall").GetProperty("rated").GetInt32());
        Assert.Equal(100, report.GetProperty("overall").GetProperty("score").GetDouble());
        var team = Assert.Single(report.GetProperty("teams").EnumerateArray());
        Assert.Equal("Support", team.Str("name"));
        Assert.Equal(5, team.GetProperty("figures").GetProperty("averageRating").GetDouble());
        Assert.Equal(agent.UserId, Assert.Single(report.GetProperty("agents").EnumerateArray()).Str("id"));

        // Still one survey for this solve, however often the sweep runs.
        using (var scope = app.Services.CreateScope()) Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<SendSurveys>().RunAsync());
        Assert.Equal(1, await app.DbAsync(db => db.Set<CsatSurvey>().CountAsync()));
    }
}
