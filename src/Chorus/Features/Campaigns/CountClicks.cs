using System.Collections.Concurrent;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Campaigns;

/// Counts tracked-link clicks in memory and adds them to the database about once a second, so a
/// redirect writes nothing itself (one UPDATE per link per second instead of one per click). Whoever
/// reads the counts flushes first, so what staff see is exact on this node; other nodes' clicks
/// arrive within a second. A shutdown flushes what is left.
public sealed class CountClicks(IServiceScopeFactory scopes, ILogger<CountClicks> log) : BackgroundService
{
    private sealed class Pending
    {
        public long People;
        public long Robots;
    }

    private readonly ConcurrentDictionary<Guid, Pending> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);

    public void Count(Guid linkId, bool robot)
    {
        var p = _pending.GetOrAdd(linkId, _ => new Pending());
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

    /// Adds the clicks counted so far to the database.
    public async Task FlushAsync(CancellationToken ct = default)
    {
        if (_pending.Values.All(p => Interlocked.Read(ref p.People) == 0 && Interlocked.Read(ref p.Robots) == 0)) return;
        await _flushing.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            foreach (var (id, p) in _pending)
            {
                // Taken atomically: a click counted meanwhile waits for the next flush, none is lost or counted twice.
                var people = Interlocked.Exchange(ref p.People, 0);
                var robots = Interlocked.Exchange(ref p.Robots, 0);
                if (people == 0 && robots == 0) continue;
                try
                {
                    await db.Set<TrackedLink>().Where(l => l.Id == id).ExecuteUpdateAsync(s => s
                        .SetProperty(l => l.Clicks, l => l.Clicks + people)
                        .SetProperty(l => l.BotClicks, l => l.BotClicks + robots), CancellationToken.None);
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
}
