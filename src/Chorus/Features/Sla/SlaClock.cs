using Chorus.Data;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Chorus.Features.Sla;

/// The business hours and the SLA policies in order, as one node last read them.
public sealed class SlaSettings(BusinessSchedule schedule, IReadOnlyList<SlaPolicy> policies)
{
    public static readonly SlaSettings None = new(BusinessSchedule.AlwaysOpen, []);

    public BusinessSchedule Schedule { get; } = schedule;
    public IReadOnlyList<SlaPolicy> Policies { get; } = policies;

    public SlaPolicy? PolicyFor(Guid? teamId, Priority priority) => Policies.FirstOrDefault(p => p.Matches(teamId, priority));
}

/// Keeps this node's <see cref="SlaSettings"/>. Edits here take effect at once; edits on another node within <see cref="MaxAge"/>.
public sealed class SlaSettingsCache(IServiceScopeFactory scopes)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private SlaSettings? _settings;
    private long _loadedAt;

    public void Invalidate() => _settings = null;

    public async Task<SlaSettings> GetAsync(CancellationToken ct = default)
    {
        if (_settings is { } fresh && Environment.TickCount64 - _loadedAt < MaxAge.TotalMilliseconds) return fresh;
        await _gate.WaitAsync(ct);
        try
        {
            if (_settings is { } again && Environment.TickCount64 - _loadedAt < MaxAge.TotalMilliseconds) return again;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            _settings = await ReadAsync(db, ct);
            _loadedAt = Environment.TickCount64;
            return _settings;
        }
        finally { _gate.Release(); }
    }

    /// The business hours alone (one small row), for rules' "inside business hours".
    public static async Task<BusinessSchedule> ReadScheduleAsync(ChorusDb db, CancellationToken ct) =>
        (await db.Set<BusinessHours>().AsNoTracking().SingleOrDefaultAsync(ct))?.ToSchedule() ?? BusinessSchedule.AlwaysOpen;

    public static async Task<SlaSettings> ReadAsync(ChorusDb db, CancellationToken ct)
    {
        var hours = await db.Set<BusinessHours>().AsNoTracking().SingleOrDefaultAsync(ct);
        var policies = await db.Set<SlaPolicy>().AsNoTracking().OrderBy(p => p.Position).ThenBy(p => p.CreatedAt).ToListAsync(ct);
        return new SlaSettings(hours?.ToSchedule() ?? BusinessSchedule.AlwaysOpen, policies);
    }
}

/// Works out a conversation's SLA due times from its state. Pure and idempotent: it is run on every save
/// that may change them (created; team, priority or status changed; replied to; solved; reopened), from
/// the state alone, so every path that changes a conversation gets the same answer.
///
/// What counts: both targets run from the conversation's start. The first-reply target is met by the
/// first public reply and stops when the conversation is solved without one. The resolution target stops
/// while the conversation is pending (waiting on the requester), on hold (waiting on a third party) or
/// solved; when it runs again (the requester answered, or it was reopened) the business minutes it stood
/// still are added to its due time, so a reopened conversation continues its clock instead of starting over.
public static class SlaClock
{
    public static bool Paused(ConversationStatus s) => s is ConversationStatus.Pending or ConversationStatus.OnHold or ConversationStatus.Solved or ConversationStatus.Closed;

    public static void Stamp(Conversation c, SlaSettings settings, DateTimeOffset now)
    {
        var schedule = settings.Schedule;
        var paused = Paused(c.Status) || c.MergedIntoId is not null;
        if (paused) c.SlaPausedSince ??= now;
        else if (c.SlaPausedSince is { } since)
        {
            c.SlaPausedMinutes += schedule.BusinessMinutesBetween(since, now);
            c.SlaPausedSince = null;
        }

        var policy = settings.PolicyFor(c.TeamId, c.Priority);
        c.SlaPolicyId = policy?.Id;
        c.FirstReplyDueAt = policy?.FirstReplyMinutes is { } f ? schedule.AddBusinessMinutes(c.CreatedAt, f) : null;
        c.ResolutionDueAt = policy?.ResolutionMinutes is { } r ? schedule.AddBusinessMinutes(c.CreatedAt, r + c.SlaPausedMinutes) : null;

        var firstReplyRuns = c.FirstReplyAt is null && c.Status is not (ConversationStatus.Solved or ConversationStatus.Closed) && c.MergedIntoId is null;
        var next = firstReplyRuns ? c.FirstReplyDueAt : null;
        if (!paused && c.ResolutionDueAt is { } due && (next is null || due < next)) next = due;
        c.SlaDueAt = next;
    }

    /// Whether a save touched what the due times depend on.
    public static readonly string[] Inputs =
    [
        nameof(Conversation.Status), nameof(Conversation.TeamId), nameof(Conversation.Priority), nameof(Conversation.FirstReplyAt),
        nameof(Conversation.SolvedAt), nameof(Conversation.MergedIntoId), nameof(Conversation.CreatedAt),
    ];
}

/// Stamps SLA due times on every conversation a SaveChanges adds or changes in a way that matters, so
/// agents' actions, rules, macros, merges and outreach need no SLA code of their own. (The ingest pipeline
/// writes rows itself and calls <see cref="SlaClock.Stamp"/> directly.)
public sealed class StampSlaDueTimes(SlaSettingsCache cache) : SaveChangesInterceptor
{
    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        if (eventData.Context is { } db)
        {
            var entries = db.ChangeTracker.Entries<Conversation>()
                .Where(e => e.State == EntityState.Added || (e.State == EntityState.Modified && SlaClock.Inputs.Any(p => e.Property(p).IsModified)))
                .ToList();
            if (entries.Count > 0)
            {
                var settings = await cache.GetAsync(ct);
                var now = DateTimeOffset.UtcNow;
                foreach (var e in entries)
                {
                    SlaClock.Stamp(e.Entity, settings, now);
                    e.DetectChanges(); // saved even where the caller switched automatic change detection off
                }
            }
        }
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        SavingChangesAsync(eventData, result).AsTask().GetAwaiter().GetResult();
}
