using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Channels;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Chorus.Features.Sla;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Sla;

/// A settings change on a workspace with more open conversations than one chunk re-stamps them in a durable
/// background job: the save returns at once, the admin follows "n of total", a newer save starts it over under the
/// newer settings, and a restart carries on from where the job was saved.
public class SlaRestampJobTests
{
    [Theory, Providers]
    public async Task A_save_restamps_in_the_background_with_progress_a_newer_save_supersedes_it_and_a_restart_finishes_it(Provider provider)
    {
        var before = new ChorusFactory(provider);
        before.Settings["Chorus:Sla:RunRestamps"] = "false"; // the job waits, as on a node that stops before it is done
        before.Settings["Chorus:Sla:RestampInlineUpTo"] = "10";
        before.Settings["Chorus:Sla:RestampChunk"] = "7";
        var admin = await before.StaffAsync("admin");
        var channel = await before.ChannelIdAsync(ChannelKind.Api);
        const int open = 30;
        var envelopes = Enumerable.Range(0, open).Select(i => new InboundEnvelope(channel, $"job-{i}", null,
            new InboundAuthor(IdentityKind.Email, $"job{i}@customer.test", null), Api.T0, "Backlog", $"Request {i}", null)).ToList();
        Assert.All(await before.Services.GetRequiredService<IngestPipeline>().IngestManyAsync(envelopes), r => Assert.Equal(IngestStatus.Created, r.Status));
        Assert.Equal(SlaRestampView.None, await ProgressAsync(admin)); // nothing asked for yet

        var policy = await (await admin.PostAsync("/api/v1/sla-policies", new { name = "Everyone", firstReplyMinutes = 60 })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal((true, 0, open), Short(await ProgressAsync(admin))); // the save did not wait for 30 conversations
        Assert.Equal(open, await before.DbAsync(db => db.Conversations.CountAsync(c => c.FirstReplyDueAt == null)));

        // One step (one chunk, one transaction with its progress), as the runner takes it.
        using (var scope = before.Services.CreateScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<RestampSlaDueTimes>().StepAsync(CancellationToken.None));
        Assert.Equal((true, 7, open), Short(await ProgressAsync(admin)));
        var stamped = await before.DbAsync(db => db.Conversations.Select(c => new { c.CreatedAt, c.FirstReplyDueAt }).ToListAsync());
        Assert.Equal(7, stamped.Count(c => c.FirstReplyDueAt == c.CreatedAt.AddMinutes(60)));

        // A newer save while it runs: the job starts over, under the newer target.
        var id = policy.GetProperty("id").GetGuid();
        await (await admin.Http.PutAsJsonAsync($"/api/v1/sla-policies/{id}", new { name = "Everyone", firstReplyMinutes = 120, version = policy.GetProperty("version").GetInt32() }))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal((true, 0, open), Short(await ProgressAsync(admin)));

        // The node stops; the next one (its runner on) finishes the job from what was saved.
        await using var after = ChorusFactory.RestartOf(before);
        after.Settings["Chorus:Sla:RestampChunk"] = "7";
        after.Settings["Chorus:Sla:RestampPollSeconds"] = "0.2";
        await before.DisposeAsync();
        var again = await after.StaffAsync("admin");
        var done = await ProgressAsync(again);
        for (var tries = 0; done.Running && tries < 600; tries++)
        {
            await Task.Delay(100);
            done = await ProgressAsync(again);
        }
        Assert.Equal((false, open, open), Short(done));
        Assert.Equal(open, done.Changed);
        Assert.NotNull(done.FinishedAt);
        var due = await after.DbAsync(db => db.Conversations.Select(c => new { c.CreatedAt, c.FirstReplyDueAt }).ToListAsync());
        Assert.All(due, c => Assert.Equal(c.CreatedAt.AddMinutes(120), c.FirstReplyDueAt));

        // Agents do not see the job.
        var agent = await after.StaffAsync("agent", "Support");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync("/api/v1/sla-policies/restamp")).StatusCode);
    }

    [Theory, Providers]
    public async Task A_small_workspace_is_restamped_in_the_save_itself(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Sla:RunRestamps"] = "false"; // nothing in the background: the save must have done it
        var admin = await app.StaffAsync("admin");
        var d = await admin.DeliverAsync("small-1");
        await (await admin.PostAsync("/api/v1/sla-policies", new { name = "Everyone", firstReplyMinutes = 60 })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(SlaRestampView.None, await ProgressAsync(admin));
        Assert.NotNull(await app.DbAsync(db => db.Conversations.Where(c => c.Number == d.Number).Select(c => c.FirstReplyDueAt).SingleAsync()));
    }

    private static async Task<SlaRestampView> ProgressAsync(StaffClient admin) =>
        (await (await admin.GetAsync("/api/v1/sla-policies/restamp")).JsonAsync(HttpStatusCode.OK)).Deserialize<SlaRestampView>(JsonSerializerOptions.Web)!;

    private static (bool Running, int Done, int Total) Short(SlaRestampView v) => (v.Running, v.Done, v.Total);
}
