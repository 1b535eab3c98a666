using Chorus.Features.Channels;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Chorus.Features.Sla;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Sla;

/// Re-stamping a large open backlog under new SLA settings: chunk by chunk (each its own transaction of at
/// most the chunk's rows), every open conversation once, solved ones left alone, no conversation "changed".
public class SlaRestampTests
{
    private sealed class Seen : IProgress<int>
    {
        public List<int> Reports { get; } = [];
        public void Report(int value) => Reports.Add(value);
    }

    [Theory, Providers]
    public async Task A_backlog_is_restamped_in_bounded_chunks_and_every_open_conversation_gets_its_targets(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        var channel = await app.ChannelIdAsync(ChannelKind.Api);
        const int total = 1_050, solved = 40, chunk = 100;
        var envelopes = Enumerable.Range(0, total).Select(i => new InboundEnvelope(channel, $"backlog-{i}", null,
            new InboundAuthor(IdentityKind.Email, $"b{i}@customer.test", null), Api.T0, "Backlog", $"Request {i}", null)).ToList();
        Assert.All(await app.Services.GetRequiredService<IngestPipeline>().IngestManyAsync(envelopes), r => Assert.Equal(IngestStatus.Created, r.Status));
        var solvedIds = await app.DbAsync(db => db.Conversations.OrderBy(c => c.Number).Take(solved).Select(c => c.Id).ToListAsync());
        await app.DbAsync(db => db.Conversations.Where(c => solvedIds.Contains(c.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ConversationStatus.Solved).SetProperty(c => c.SolvedAt, DateTimeOffset.UtcNow)));
        Assert.Equal(0, await app.DbAsync(db => db.Conversations.CountAsync(c => c.FirstReplyDueAt != null))); // no policy when they arrived
        var versions = await app.DbAsync(db => db.Conversations.ToDictionaryAsync(c => c.Id, c => c.Version));

        // A policy written straight to the database (as an import would), then the backlog re-stamped under it.
        await app.DbAsync(async db =>
        {
            db.Add(new SlaPolicy { Name = "Everyone", Position = 1, FirstReplyMinutes = 240, ResolutionMinutes = 2_400 });
            return await db.SaveChangesAsync();
        });
        var seen = new Seen();
        int changed;
        using (var scope = app.Services.CreateScope())
            changed = await scope.ServiceProvider.GetRequiredService<ManageSla>().RestampAsync(solvedToo: false, chunk: chunk, progress: seen);

        Assert.Equal(total - solved, changed);
        // One report per chunk, each chunk at most `chunk` conversations.
        Assert.Equal(Enumerable.Range(1, (total - solved + chunk - 1) / chunk).Select(i => Math.Min(i * chunk, total - solved)), seen.Reports);
        var rows = await app.DbAsync(db => db.Conversations.AsNoTracking().Select(c => new { c.Id, c.Status, c.FirstReplyDueAt, c.ResolutionDueAt, c.CreatedAt, c.Version }).ToListAsync());
        Assert.All(rows.Where(r => r.Status != ConversationStatus.Solved), r =>
        {
            Assert.Equal(r.CreatedAt.AddMinutes(240), r.FirstReplyDueAt);
            Assert.Equal(r.CreatedAt.AddMinutes(2_400), r.ResolutionDueAt);
        });
        Assert.All(rows.Where(r => r.Status == ConversationStatus.Solved), r => Assert.Null(r.FirstReplyDueAt));
        Assert.All(rows, r => Assert.Equal(versions[r.Id], r.Version)); // a policy edit is not a change to the conversation

        // Nothing left to do the second time.
        using (var scope = app.Services.CreateScope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<ManageSla>().RestampAsync(solvedToo: false, chunk: chunk));
    }
}
