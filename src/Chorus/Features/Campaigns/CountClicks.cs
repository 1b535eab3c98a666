using System.Collections.Concurrent;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Campaigns;

/// Counts tracked-link clicks in memory and adds them to the database about once a second, so a
/// redirect writes nothing itself (one UPDATE per link per second instead of one per click). Whoever
/// reads the counts flushes first, so what staff see is exact on this node; other nodes' clicks
/// arrive within a second. A shutdown flushes what is left. Each flush adds to the link's totals and
/// to its day (TrackedLinkDay, the UTC day of the click) in one transaction, so clicks over time always
/// add up to the totals.
public sealed class CountClicks(IServiceScopeFactory scopes, TimeProvider clock, ILogger<CountClicks> log) : BackgroundService
{
    private sealed class Pending
    {
        public long People;
        public long Robots;
    }

    private readonly ConcurrentDictionary<(Guid Link, DateOnly Day), Pending> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);

    public void Count(Guid linkId, bool robot)
    {
        var p = _pending.GetOrAdd((linkId, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)), _ => new Pending());
        if (robot) Interlocked.Increment(ref p.Robots);
        else Interlocked.Increment(ref p.People);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                await FlushAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogError(e, "Adding link clicks to the database failed; trying again"); }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(CancellationToken.None);
    }

    /// Adds the clicks counted so far to the database. With nothing pending it still waits for a flush under way:
    /// that flush has taken its counts but not committed them yet, and a report read right after would miss them
    /// (a campaign report test caught it showing 0 clicks now and then).
    public async Task FlushAsync(CancellationToken ct = default)
    {
        await _flushing.WaitAsync(ct);
        try
        {
            if (_pending.Values.All(p => Interlocked.Read(ref p.People) == 0 && Interlocked.Read(ref p.Robots) == 0)) return;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            foreach (var ((id, day), p) in _pending)
            {
                // Taken atomically: a click counted meanwhile waits for the next flush, none is lost or counted twice.
                var people = Interlocked.Exchange(ref p.People, 0);
                var robots = Interlocked.Exchange(ref p.Robots, 0);
                if (people == 0 && robots == 0)
                {
                    if (day < DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)) _pending.TryRemove(new((id, day), p)); // a past day is done with
                    continue;
                }
                try
                {
                    await AddAsync(db, id, day, people, robots);
                }
                catch
                {
                    Interlocked.Add(ref p.People, people); // kept for the next flush
                    Interlocked.Add(ref p.Robots, robots);
                    throw;
                }
            }
        }
        finally { _flushing.Release(); }
    }

    /// Adds to a link's totals and to its day, both or neither. The day's row is made by whichever node
    /// counts its first click; a node that loses that race adds to the row the other made.
    private static async Task AddAsync(ChorusDb db, Guid id, DateOnly day, long people, long robots)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            for (var attempt = 0; ; attempt++)
            {
                db.ChangeTracker.Clear();
                await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
                try
                {
                    var links = await db.Set<TrackedLink>().Where(l => l.Id == id).ExecuteUpdateAsync(s => s
                        .SetProperty(l => l.Clicks, l => l.Clicks + people)
                        .SetProperty(l => l.BotClicks, l => l.BotClicks + robots), CancellationToken.None);
                    if (links == 0) return; // the link was deleted meanwhile
                    var days = await db.Set<TrackedLinkDay>().Where(d => d.LinkId == id && d.Day == day).ExecuteUpdateAsync(s => s
                        .SetProperty(d => d.Clicks, d => d.Clicks + people)
                        .SetProperty(d => d.BotClicks, d => d.BotClicks + robots), CancellationToken.None);
                    if (days == 0)
                    {
                        db.Add(new TrackedLinkDay { LinkId = id, Day = day, Clicks = people, BotClicks = robots });
                        await db.SaveChangesAsync(CancellationToken.None);
                    }
                    await tx.CommitAsync(CancellationToken.None);
                    return;
                }
                catch (DbUpdateException) when (attempt == 0)
                {
                    await tx.RollbackAsync(CancellationToken.None); // another node made the day's row: add to it
                }
            }
        });
    }
}
