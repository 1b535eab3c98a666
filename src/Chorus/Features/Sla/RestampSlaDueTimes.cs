using System.Threading.Channels;
using Chorus.Data;
using Chorus.Features.Inbox;
using Chorus.Features.MemberNotifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Sla;

/// The re-stamp of SLA due times that a change to the business hours or the policies asks for: one row, with
/// the job's place (<see cref="After"/>) and progress saved after every chunk, so a restart carries on where it
/// was. A newer change starts it over (<see cref="Generation"/>): what was done under the older settings is
/// worked out again, from the start, under the newer.
public class SlaRestamp
{
    public const int SingleId = 1;

    public int Id { get; set; } = SingleId;
    public int Generation { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    /// Open conversations when it was asked for (those it walks; ones opened since were stamped by their own save).
    public int Total { get; set; }
    public int Done { get; set; }
    public int Changed { get; set; }
    /// The last conversation id done: the job walks in id order.
    public Guid? After { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

internal sealed class SlaRestampConfiguration : IEntityTypeConfiguration<SlaRestamp>
{
    public void Configure(EntityTypeBuilder<SlaRestamp> e)
    {
        e.ToTable("SlaRestamps");
        e.Property(x => x.Id).ValueGeneratedNever();
    }
}

/// What the SLA pages and the API show: "Re-stamping due times: 12,400 of 30,000", or when it last finished.
public sealed record SlaRestampView(bool Running, int Done, int Total, int Changed, DateTimeOffset? RequestedAt, DateTimeOffset? FinishedAt)
{
    public static readonly SlaRestampView None = new(false, 0, 0, 0, null, null);
}

/// Re-works open conversations' SLA due times after the settings changed. A small workspace (up to one chunk of
/// open conversations) is done in the admin's request; a larger one is a background job (<see cref="SlaRestampRunner"/>)
/// that the SLA pages follow. Only the SLA columns are written: a settings change is not a change to the
/// conversation, and must not restart "pending for 3 days" rules.
public sealed class RestampSlaDueTimes(ChorusDb db, SlaSettingsCache cache, SlaRestampSignal signal, IConfiguration config)
{
    public const string LeaseName = "sla-restamp";

    /// Conversations re-stamped per transaction: memory and transaction size stay bounded however large the backlog.
    public const int DefaultChunk = 500;

    public int Chunk => Math.Max(1, config.GetValue("Chorus:Sla:RestampChunk", DefaultChunk));

    /// Up to this many open conversations the request does it at once (no job to follow).
    private int InlineUpTo => config.GetValue("Chorus:Sla:RestampInlineUpTo", DefaultChunk);

    /// Called once the changed settings are saved.
    public async Task RequestAsync(CancellationToken ct)
    {
        cache.Invalidate(); // this node stamps new conversations under the new settings at once
        var open = await Open(db, solvedToo: false).CountAsync(ct);
        var running = await db.Set<SlaRestamp>().AnyAsync(r => r.FinishedAt == null, ct);
        if (!running && open <= InlineUpTo)
        {
            await RestampAsync(solvedToo: false, ct);
            return;
        }
        if (!await db.Set<SlaRestamp>().AnyAsync(ct))
        {
            db.Add(new SlaRestamp { FinishedAt = DateTimeOffset.UtcNow });
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException) { } // another request made it first
            finally { db.ChangeTracker.Clear(); }
        }
        // In one statement, so two saves at once both count: the later generation wins, from the start.
        var now = DateTimeOffset.UtcNow;
        await db.Set<SlaRestamp>().ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Generation, r => r.Generation + 1).SetProperty(r => r.RequestedAt, now).SetProperty(r => r.Total, open)
            .SetProperty(r => r.Done, 0).SetProperty(r => r.Changed, 0).SetProperty(r => r.After, (Guid?)null).SetProperty(r => r.FinishedAt, (DateTimeOffset?)null), ct);
        signal.Wake();
    }

    public async Task<SlaRestampView> ViewAsync(CancellationToken ct) =>
        await db.Set<SlaRestamp>().AsNoTracking()
            .Select(r => new SlaRestampView(r.FinishedAt == null, r.Done, r.Total, r.Changed, r.RequestedAt, r.FinishedAt))
            .SingleOrDefaultAsync(ct) is { } v
            ? v with { Total = Math.Max(v.Total, v.Done) } // conversations opened meanwhile: never "600 of 500"
            : SlaRestampView.None;

    /// Does the whole re-stamp now, chunk by chunk (the demo's history, solved conversations too; a small workspace's save).
    public async Task<int> RestampAsync(bool solvedToo, CancellationToken ct, int? chunk = null, IProgress<int>? progress = null)
    {
        var settings = await SlaSettingsCache.ReadAsync(db, ct);
        var now = DateTimeOffset.UtcNow;
        int changed = 0, looked = 0;
        Guid? after = null;
        while (true)
        {
            var (count, changedHere, last) = await RestampChunkAsync(settings, now, solvedToo, after, chunk ?? Chunk, ct);
            if (count == 0) break;
            changed += changedHere;
            looked += count;
            progress?.Report(looked);
            after = last;
            if (count < (chunk ?? Chunk)) break;
        }
        return changed;
    }

    /// The background job's step: one chunk of the job in hand, in one transaction with its progress. False when there is nothing to do.
    public async Task<bool> StepAsync(CancellationToken ct)
    {
        var job = await db.Set<SlaRestamp>().AsNoTracking().SingleOrDefaultAsync(r => r.FinishedAt == null, ct);
        if (job is null) return false;
        // Read fresh, not from this node's cache: the change may have been saved on another node a moment ago.
        var settings = await SlaSettingsCache.ReadAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var (count, changed, last) = await RestampChunkAsync(settings, DateTimeOffset.UtcNow, solvedToo: false, job.After, Chunk, ct);
        var finished = count < Chunk ? DateTimeOffset.UtcNow : (DateTimeOffset?)null;
        // Only if no newer change started it over meanwhile (then the next step begins again from the start).
        await db.Set<SlaRestamp>().Where(r => r.Generation == job.Generation).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Done, r => r.Done + count).SetProperty(r => r.Changed, r => r.Changed + changed)
            .SetProperty(r => r.After, count > 0 ? last : job.After).SetProperty(r => r.FinishedAt, finished), ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private static IQueryable<Conversation> Open(ChorusDb db, bool solvedToo) =>
        db.Conversations.Where(c => c.MergedIntoId == null && (solvedToo || (c.Status != ConversationStatus.Solved && c.Status != ConversationStatus.Closed)));

    /// Re-stamps up to <paramref name="chunk"/> conversations after <paramref name="after"/> in id order. A conversation
    /// saved meanwhile is left alone: its own save stamped it under the new settings.
    private async Task<(int Count, int Changed, Guid? Last)> RestampChunkAsync(SlaSettings settings, DateTimeOffset now, bool solvedToo, Guid? after, int chunk, CancellationToken ct)
    {
        var query = Open(db, solvedToo).AsNoTracking();
        if (after is { } last) query = query.Where(c => c.Id.CompareTo(last) > 0);
        var page = await query.OrderBy(c => c.Id).Take(chunk).ToListAsync(ct);
        if (page.Count == 0) return (0, 0, null);
        var changed = 0;
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        foreach (var c in page)
        {
            var before = (c.SlaPolicyId, c.FirstReplyDueAt, c.ResolutionDueAt, c.SlaDueAt, c.SlaPausedSince, c.SlaPausedMinutes);
            SlaClock.Stamp(c, settings, now);
            if (before == (c.SlaPolicyId, c.FirstReplyDueAt, c.ResolutionDueAt, c.SlaDueAt, c.SlaPausedSince, c.SlaPausedMinutes)) continue;
            changed += await db.Conversations.Where(x => x.Id == c.Id && x.Version == c.Version).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.SlaPolicyId, c.SlaPolicyId).SetProperty(x => x.FirstReplyDueAt, c.FirstReplyDueAt)
                .SetProperty(x => x.ResolutionDueAt, c.ResolutionDueAt).SetProperty(x => x.SlaDueAt, c.SlaDueAt)
                .SetProperty(x => x.SlaPausedSince, c.SlaPausedSince).SetProperty(x => x.SlaPausedMinutes, c.SlaPausedMinutes), ct);
        }
        if (own is not null)
        {
            await own.CommitAsync(ct);
            await own.DisposeAsync();
        }
        return (page.Count, changed, page[^1].Id);
    }
}

/// Lets a save on this node start the job at once instead of at the runner's next look.
public sealed class SlaRestampSignal
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Wake() => _wake.Writer.TryWrite(true);

    internal async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { await _wake.Reader.ReadAsync(cts.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
    }
}

/// Runs the re-stamp job on one node at a time (the "sla-restamp" lease), a chunk per step, until it is finished;
/// looks for a job every few seconds (a change saved on another node) or at once when this node saved one.
public sealed class SlaRestampRunner(IServiceScopeFactory scopes, SlaRestampSignal signal, IConfiguration config, ILogger<SlaRestampRunner> log) : BackgroundService
{
    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private TimeSpan PollInterval => TimeSpan.FromSeconds(config.GetValue("Chorus:Sla:RestampPollSeconds", 5.0));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A node that only serves (or a test that holds the job back to look at it) leaves it to the others.
        if (!config.GetValue("Chorus:Sla:RunRestamps", true)) return;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var worked = false;
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
                    if (await db.Set<SlaRestamp>().AnyAsync(r => r.FinishedAt == null, stoppingToken)
                        && await JobLeases.ClaimAsync(db, RestampSlaDueTimes.LeaseName, _owner, TimeSpan.FromSeconds(60), stoppingToken))
                        worked = await scope.ServiceProvider.GetRequiredService<RestampSlaDueTimes>().StepAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "Re-stamping SLA due times failed; trying again in {Interval}", PollInterval);
                }
                if (!worked) await signal.WaitAsync(PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await JobLeases.ReleaseAsync(scope.ServiceProvider.GetRequiredService<ChorusDb>(), RestampSlaDueTimes.LeaseName, _owner);
            }
            catch (Exception e) { log.LogDebug(e, "Could not hand back the re-stamp lease; it runs out on its own"); }
        }
    }
}
