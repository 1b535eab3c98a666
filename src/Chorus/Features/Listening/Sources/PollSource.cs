using Chorus.Data;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Email;
using Chorus.Features.Listening.Feeds;
using Chorus.Features.Listening.Mentions;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Sources;

/// How one poll of a source went.
public sealed record SourcePollResult(int Added, int Duplicates, SourceState State, string? Error = null, bool HeldElsewhere = false);

/// Polls one source once: takes its lease (so two nodes never poll it at once), reads what is new since
/// its checkpoint, stores the mentions (deduplicated), then records the outcome on the source: ok with the
/// new checkpoint; rate-limited until the time the service asked for; or failing with the reason and a
/// backoff (the interval doubled per failure in a row, at most an hour). The checkpoint only moves after
/// the mentions are stored, so a crash in between reads them again and dedupe keeps them single.
public sealed class PollSource(ChorusDb db, RecordMentions record, IServiceProvider services, PollerNode node, IConfiguration config, ListeningEvents events, ILogger<PollSource> log)
{
    private TimeSpan Lease => TimeSpan.FromSeconds(config.GetValue("Chorus:Listening:LeaseSeconds", 300.0));

    public async Task<SourcePollResult> RunAsync(Guid channelId, CancellationToken ct = default)
    {
        var now = DateTimeOffset.UtcNow;
        var claimed = await db.Sources
            .Where(s => s.ChannelId == channelId && (s.LeaseUntil == null || s.LeaseUntil < now || s.LeaseOwner == node.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseOwner, node.Id).SetProperty(x => x.LeaseUntil, now + Lease), ct);
        if (claimed == 0)
            return await db.Sources.AnyAsync(s => s.ChannelId == channelId, ct)
                ? new SourcePollResult(0, 0, SourceState.Ok, HeldElsewhere: true)
                : new SourcePollResult(0, 0, SourceState.Failing, "The source no longer exists.");
        try
        {
            var source = await db.Sources.SingleAsync(s => s.ChannelId == channelId, ct);
            var kind = await db.Channels.Where(c => c.Id == channelId).Select(c => c.Kind).SingleAsync(ct);
            SourceFetch fetch;
            try { fetch = await Reader(kind).ReadAsync(source, source.ReadCheckpoint(), ct); }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                log.LogError(e, "Reading source {Channel} failed", channelId);
                fetch = new SourceFetch.Failed($"Chorus could not read this source: {e.Message}");
            }
            var result = await SettleAsync(source, fetch, ct);
            events.Publish(new ListeningChange(ListeningChangeKind.Sources, []));
            return result;
        }
        finally
        {
            await db.Sources.Where(s => s.ChannelId == channelId && s.LeaseOwner == node.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
        }
    }

    private IReadSource Reader(ChannelKind kind) => kind switch
    {
        ChannelKind.Rss => services.GetRequiredService<ReadRssSource>(),
        ChannelKind.Reddit => services.GetRequiredService<ReadRedditSource>(),
        ChannelKind.HackerNews => services.GetRequiredService<ReadHackerNewsSource>(),
        ChannelKind.Mastodon => services.GetRequiredService<ReadMastodonSource>(),
        _ => throw new InvalidOperationException($"{kind} sources are not polled."),
    };

    private async Task<SourcePollResult> SettleAsync(Source source, SourceFetch fetch, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var interval = TimeSpan.FromSeconds(source.IntervalSeconds);
        source.LastPolledAt = now;
        source.UpdatedAt = now;
        SourcePollResult result;
        switch (fetch)
        {
            case SourceFetch.Read read:
                var recorded = await record.RunAsync(source.ChannelId, read.Candidates, ct);
                source.Checkpoint = read.Checkpoint.Serialize();
                source.State = SourceState.Ok;
                source.LastError = read.Note; // what could be read around, if anything
                source.ConsecutiveFailures = 0;
                source.RateLimitedUntil = null;
                source.LastSucceededAt = now;
                source.NextPollAt = now + interval;
                result = new SourcePollResult(recorded.Added.Count, recorded.Duplicates, SourceState.Ok);
                break;
            case SourceFetch.RetryLater later:
                source.State = SourceState.RateLimited;
                source.LastError = $"{later.Reason}; waiting as asked.";
                source.RateLimitedUntil = now + later.After;
                source.NextPollAt = now + (later.After > interval ? later.After : interval);
                result = new SourcePollResult(0, 0, SourceState.RateLimited, source.LastError);
                break;
            default:
                var failed = (SourceFetch.Failed)fetch;
                source.State = SourceState.Failing;
                source.LastError = Common.TextLimits.Cut(failed.Reason, 1000);
                source.ConsecutiveFailures++;
                source.RateLimitedUntil = null;
                source.NextPollAt = now + FetchFeed.Backoff(interval, source.ConsecutiveFailures - 1);
                result = new SourcePollResult(0, 0, SourceState.Failing, source.LastError);
                break;
        }
        await db.SaveChangesAsync(CancellationToken.None); // the poll happened; its outcome must be kept
        return result;
    }
}

/// Polls every enabled source when it is due, a few at a time. Which sources are due is read from the
/// database each tick, so a source added, changed or switched off on any node is picked up within one tick.
public sealed class SourcePollers(IServiceScopeFactory scopes, IConfiguration config, ILogger<SourcePollers> log) : BackgroundService
{
    private const int Parallel = 4;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!config.GetValue("Chorus:Listening:Poll", true)) return;
        var tick = TimeSpan.FromSeconds(config.GetValue("Chorus:Listening:TickSeconds", 5.0));
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await PollDueAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogError(e, "Could not poll listening sources; trying again"); }
            try { await Task.Delay(tick, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    public async Task PollDueAsync(CancellationToken ct)
    {
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            var now = DateTimeOffset.UtcNow;
            due = await (from s in db.Sources
                         join c in db.Channels on s.ChannelId equals c.Id
                         where c.Enabled && c.Kind != ChannelKind.Webhook && s.NextPollAt <= now && (s.LeaseUntil == null || s.LeaseUntil < now)
                         orderby s.NextPollAt
                         select s.ChannelId).Take(50).ToListAsync(ct);
        }
        await System.Threading.Tasks.Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct }, async (id, token) =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<PollSource>().RunAsync(id, token);
            if (result.Added > 0) log.LogInformation("Source {Channel}: {Added} new mentions", id, result.Added);
        });
    }
}
