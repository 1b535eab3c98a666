using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Automation;
using Chorus.Features.Inbox;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Chorus.Features.Assignment;

public enum AssignmentMode { Off, RoundRobin, LeastLoaded }

/// How a team hands out its new conversations. No row: off.
public class TeamAssignment
{
    public Guid TeamId { get; set; }
    public AssignmentMode Mode { get; set; }
    /// The most active (not solved or closed) conversations an agent may hold before auto-assignment passes them by; null: no limit.
    public int? MaxOpenPerAgent { get; set; }
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// When auto-assignment last gave a team member a conversation: round-robin goes to whoever waited longest.
public class AssignmentTurn
{
    public Guid TeamId { get; set; }
    public string StaffUserId { get; set; } = "";
    public DateTimeOffset LastAssignedAt { get; set; }
}

public static class AssignmentModel
{
    public static void Apply(ModelBuilder b)
    {
        b.Entity<TeamAssignment>(e =>
        {
            e.ToTable("TeamAssignments");
            e.HasKey(x => x.TeamId);
            e.Property(x => x.Mode).HasConversion<string>().HasMaxLength(20);
            e.HasOne<Team>().WithMany().HasForeignKey(x => x.TeamId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<AssignmentTurn>(e =>
        {
            e.ToTable("AssignmentTurns");
            e.HasKey(x => new { x.TeamId, x.StaffUserId });
            e.HasOne<Team>().WithMany().HasForeignKey(x => x.TeamId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<StaffUser>().WithMany().HasForeignKey(x => x.StaffUserId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

/// Conversations waiting to be looked at by auto-assignment on this node.
public sealed class AssignmentQueue
{
    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    internal ChannelReader<Guid> Reader => _queue.Reader;
    public void Enqueue(Guid conversationId) => _queue.Writer.TryWrite(conversationId);
}

/// Gives an unassigned conversation in a team with auto-assignment to an online agent of that team under
/// the capacity limit: round-robin (whoever was given one longest ago) or least-loaded (fewest active
/// conversations, then round-robin). Teams are handled one assignment at a time (a row lock on PostgreSQL,
/// SQLite's single writer), so two conversations arriving together never both go to the same agent's turn
/// and nobody is pushed over the limit. Nobody available: the conversation stays unassigned until the sweep
/// finds someone (an agent coming online triggers one).
public sealed class AssignConversations(ChorusDb db, InboxEvents events, RuleTriggers rules, ILogger<AssignConversations> log)
{
    public const int MaxPerSweep = 200;

    public static readonly ConversationStatus[] Active = [ConversationStatus.New, ConversationStatus.Open, ConversationStatus.Pending, ConversationStatus.OnHold];

    /// Assigns the conversation if it is due for it; returns the assignee's name, or null.
    public async Task<string?> AssignAsync(Guid conversationId, CancellationToken ct = default)
    {
        var teamId = await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId && c.AssigneeId == null && c.MergedIntoId == null)
            .Select(c => c.TeamId).FirstOrDefaultAsync(ct);
        if (teamId is not { } team) return null;
        if (await db.Set<TeamAssignment>().AsNoTracking().SingleOrDefaultAsync(a => a.TeamId == team, ct) is not { Mode: not AssignmentMode.Off }) return null;

        string? assigneeName;
        long number;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            if (db.Provider == DatabaseProvider.Postgres)
                await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM \"TeamAssignments\" WHERE \"TeamId\" = {team} FOR UPDATE", ct);
            var settings = await db.Set<TeamAssignment>().AsNoTracking().SingleOrDefaultAsync(a => a.TeamId == team, ct);
            var c = await db.Conversations.Include(x => x.Followers).SingleOrDefaultAsync(x => x.Id == conversationId, ct);
            if (settings is not { Mode: not AssignmentMode.Off } || c is null || c.AssigneeId is not null || c.TeamId != team
                || c.MergedIntoId is not null || !Active.Contains(c.Status)) return null;
            if (await PickAsync(settings, ct) is not { } agent) return null;

            c.AssigneeId = agent.Id;
            if (c.Followers.All(f => f.StaffUserId != agent.Id)) c.Followers.Add(new ConversationFollower { ConversationId = c.Id, StaffUserId = agent.Id });
            var how = settings.Mode == AssignmentMode.RoundRobin ? "round-robin" : "least-loaded assignment";
            db.Messages.Add(new Message { ConversationId = c.Id, ChannelId = c.ChannelId, Kind = MessageKind.Event, Text = $"Assigned to {agent.Name} by {how}." });
            db.Notifications.Add(new Notification
            {
                StaffUserId = agent.Id, Kind = NotificationKinds.Assigned, ConversationId = c.Id, Text = $"#{c.Number} was assigned to you by {how}: {c.Subject}",
            });
            var turn = await db.Set<AssignmentTurn>().SingleOrDefaultAsync(t => t.TeamId == team && t.StaffUserId == agent.Id, ct);
            if (turn is null) db.Add(turn = new AssignmentTurn { TeamId = team, StaffUserId = agent.Id });
            turn.LastAssignedAt = DateTimeOffset.UtcNow;
            rules.Assigned(db, c.Id);
            try
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            catch (DbUpdateException e)
            {
                // An agent changed it at the same moment: theirs stands.
                log.LogDebug(e, "Auto-assignment of #{Number} gave way to a concurrent change", c.Number);
                db.ChangeTracker.Clear();
                return null;
            }
            assigneeName = agent.Name;
            number = c.Number;
        }
        db.ChangeTracker.Clear();
        events.Publish(new InboxChange(conversationId, number, team, InboxChangeKind.Updated));
        return assigneeName;
    }

    private sealed record Candidate(string Id, string Name, int Load, DateTimeOffset? LastAssignedAt);

    /// The agent whose turn it is, among the team's online admins and agents under the limit.
    private async Task<Candidate?> PickAsync(TeamAssignment settings, CancellationToken ct)
    {
        var team = settings.TeamId;
        var workers = from m in db.TeamMembers
                      join u in db.Users on m.StaffUserId equals u.Id
                      where m.TeamId == team && u.Availability == Availability.Online
                            && (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id
                                where ur.UserId == u.Id && (r.Name == Roles.Admin || r.Name == Roles.Agent) select ur).Any()
                      select new
                      {
                          u.Id, u.DisplayName,
                          Load = db.Conversations.Count(c => c.AssigneeId == u.Id && c.MergedIntoId == null && Active.Contains(c.Status)),
                          Last = db.Set<AssignmentTurn>().Where(t => t.TeamId == team && t.StaffUserId == u.Id).Select(t => (DateTimeOffset?)t.LastAssignedAt).FirstOrDefault(),
                      };
        var all = (await workers.ToListAsync(ct)).Select(w => new Candidate(w.Id, w.DisplayName, w.Load, w.Last))
            .Where(w => settings.MaxOpenPerAgent is not { } max || w.Load < max).ToList();
        // Never given one first, then whoever was given one longest ago; ids break ties so every node agrees.
        var byTurn = all.OrderBy(w => w.LastAssignedAt ?? DateTimeOffset.MinValue).ThenBy(w => w.Id, StringComparer.Ordinal);
        return settings.Mode == AssignmentMode.LeastLoaded
            ? all.OrderBy(w => w.Load).ThenBy(w => w.LastAssignedAt ?? DateTimeOffset.MinValue).ThenBy(w => w.Id, StringComparer.Ordinal).FirstOrDefault()
            : byTurn.FirstOrDefault();
    }

    /// Looks at the unassigned active conversations of every team with auto-assignment, oldest first.
    public async Task<int> SweepAsync(CancellationToken ct = default)
    {
        var teams = await db.Set<TeamAssignment>().AsNoTracking().Where(a => a.Mode != AssignmentMode.Off).Select(a => a.TeamId).ToListAsync(ct);
        var assigned = 0;
        foreach (var team in teams)
        {
            var waiting = await db.Conversations.AsNoTracking()
                .Where(c => c.TeamId == team && c.AssigneeId == null && c.MergedIntoId == null && Active.Contains(c.Status))
                .OrderBy(c => c.CreatedAt).Select(c => c.Id).Take(MaxPerSweep).ToListAsync(ct);
            foreach (var id in waiting)
            {
                if (await AssignAsync(id, ct) is null) break; // nobody available in this team now
                assigned++;
            }
        }
        return assigned;
    }
}

/// Queues conversations that a save put in a team without an assignee (created there, or moved there), for
/// the <see cref="AutoAssigner"/> to look at once the save is done.
public sealed class QueueAutoAssignment(AssignmentQueue queue) : SaveChangesInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<Guid>> _pending = new();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        Release(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Release(eventData.Context);
        return result;
    }

    private void Collect(DbContext? db)
    {
        if (db is null) return;
        var ids = db.ChangeTracker.Entries<Conversation>()
            .Where(e => e.Entity is { TeamId: not null, AssigneeId: null, MergedIntoId: null }
                        && (e.State == EntityState.Added || (e.State == EntityState.Modified && e.Property(c => c.TeamId).IsModified)))
            .Select(e => e.Entity.Id).ToList();
        if (ids.Count > 0) _pending.AddOrUpdate(db, ids);
    }

    private void Release(DbContext? db)
    {
        if (db is null || !_pending.TryGetValue(db, out var ids)) return;
        _pending.Remove(db);
        foreach (var id in ids) queue.Enqueue(id);
    }
}

/// Assigns queued conversations in the background, and sweeps every <c>Chorus:Assignment:SweepSeconds</c>
/// (30 by default) for those nobody could take before.
public sealed class AutoAssigner(AssignmentQueue queue, IServiceScopeFactory scopes, IConfiguration config, ILogger<AutoAssigner> log) : BackgroundService
{
    private TimeSpan Interval => TimeSpan.FromSeconds(config.GetValue("Chorus:Assignment:SweepSeconds", 30.0));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(ConsumeAsync(stoppingToken), SweepLoopAsync(stoppingToken));

    private async Task ConsumeAsync(CancellationToken ct)
    {
        try
        {
            var ids = new List<Guid>();
            while (await queue.Reader.WaitToReadAsync(ct))
            {
                ids.Clear();
                while (ids.Count < MaxPerLook && queue.Reader.TryRead(out var queued)) ids.Add(queued);
                // Most teams hand out conversations by hand: one look at the settings for everything queued spares
                // each new conversation two reads (a burst of inbound messages queues thousands a second).
                if (!await AnyTeamAssignsAsync(ct)) continue;
                foreach (var id in ids)
                {
                    try
                    {
                        await using var scope = scopes.CreateAsyncScope();
                        await scope.ServiceProvider.GetRequiredService<AssignConversations>().AssignAsync(id, ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        log.LogError(e, "Auto-assignment of conversation {Id} failed; the sweep tries again", id);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private const int MaxPerLook = 500;

    private async Task<bool> AnyTeamAssignsAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ChorusDb>().Set<TeamAssignment>().AnyAsync(a => a.Mode != AssignmentMode.Off, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Auto-assignment settings could not be read; the sweep tries again");
            return false;
        }
    }

    private async Task SweepLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(Interval, ct);
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<AssignConversations>().SweepAsync(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogError(e, "Auto-assignment sweep failed; trying again in {Interval}", Interval);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }
}
