using Chorus.Data;
using Chorus.Features.Automation;
using Chorus.Features.Inbox;
using Chorus.Features.Operations;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Sla;

/// Finds conversations whose SLA target passed and records each breach once: a system event in the
/// thread, the SLA breach trigger for rules, and the breach counter. Any number of nodes may sweep: a
/// breach is claimed by inserting its (conversation, target) row, which only one node can do.
public sealed class WatchSlaTargets(ChorusDb db, SlaSettingsCache cache, RuleTriggers rules, ChorusMetrics metrics, InboxEvents events, ILogger<WatchSlaTargets> log)
{
    public const int MaxPerSweep = 500;

    private sealed record Due(Guid Id, long Number, Guid? TeamId, Guid ChannelId, Guid? PolicyId, DateTimeOffset DueAt, SlaTarget Target);

    /// Records the breaches due at <paramref name="now"/>; returns how many this node recorded.
    public async Task<int> SweepAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var breaches = db.Set<SlaBreach>();
        // SlaDueAt is the earliest running target, so it is due whenever either one is: the index narrows, the rest decides.
        var running = db.Conversations.AsNoTracking().Where(c => c.SlaDueAt <= now && c.MergedIntoId == null);
        var firstReply = await running
            .Where(c => c.FirstReplyDueAt <= now && c.FirstReplyAt == null && c.Status != ConversationStatus.Solved && c.Status != ConversationStatus.Closed
                        && !breaches.Any(b => b.ConversationId == c.Id && b.Target == SlaTarget.FirstReply))
            .OrderBy(c => c.SlaDueAt).Take(MaxPerSweep)
            .Select(c => new Due(c.Id, c.Number, c.TeamId, c.ChannelId, c.SlaPolicyId, c.FirstReplyDueAt!.Value, SlaTarget.FirstReply)).ToListAsync(ct);
        var resolution = await running
            .Where(c => c.ResolutionDueAt <= now && c.SlaPausedSince == null
                        && !breaches.Any(b => b.ConversationId == c.Id && b.Target == SlaTarget.Resolution))
            .OrderBy(c => c.SlaDueAt).Take(MaxPerSweep)
            .Select(c => new Due(c.Id, c.Number, c.TeamId, c.ChannelId, c.SlaPolicyId, c.ResolutionDueAt!.Value, SlaTarget.Resolution)).ToListAsync(ct);
        var policies = (await cache.GetAsync(ct)).Policies.ToDictionary(p => p.Id);
        await WarnAsync(now, policies, ct);
        if (firstReply.Count + resolution.Count == 0) return 0;

        var recorded = 0;
        foreach (var due in firstReply.Concat(resolution).OrderBy(d => d.DueAt))
        {
            db.ChangeTracker.Clear();
            var policy = due.PolicyId is { } pid && policies.TryGetValue(pid, out var p) ? p : null;
            db.Add(new SlaBreach { ConversationId = due.Id, Target = due.Target, PolicyId = policy?.Id, DueAt = due.DueAt, At = now });
            db.Messages.Add(new Message { ConversationId = due.Id, ChannelId = due.ChannelId, Kind = MessageKind.Event, Text = Describe(due.Target, policy), CreatedAt = now });
            rules.SlaBreached(db, due.Id); // stored with the breach: only the node that records it raises it
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException e)
            {
                // Another node recorded it first (or the conversation went away): nothing more to do here.
                log.LogDebug(e, "SLA breach of #{Number} ({Target}) not recorded by this node", due.Number, due.Target);
                continue;
            }
            recorded++;
            metrics.SlaBreached(due.Target);
            events.Publish(new InboxChange(due.Id, due.Number, due.TeamId, InboxChangeKind.Updated));
            log.LogInformation("Conversation #{Number} breached its {Target} target (due {Due:u})", due.Number, due.Target, due.DueAt);
        }
        db.ChangeTracker.Clear();
        return recorded;
    }

    /// Records, once per (conversation, target), that a running target is due within its policy's warning lead
    /// (wall-clock minutes before it is due): a system event and the rules' "about to breach" trigger. A target
    /// already past due gets no warning, only its breach. Returns how many warnings this node recorded.
    public async Task<int> WarnAsync(DateTimeOffset now, IReadOnlyDictionary<Guid, SlaPolicy> policies, CancellationToken ct = default)
    {
        var leads = policies.Values.Where(p => p.WarnMinutesBefore > 0).ToDictionary(p => p.Id, p => TimeSpan.FromMinutes(p.WarnMinutesBefore));
        if (leads.Count == 0) return 0;
        var horizon = now + leads.Values.Max();
        var warnings = db.Set<SlaWarning>();
        var soon = db.Conversations.AsNoTracking().Where(c => c.SlaDueAt <= horizon && c.MergedIntoId == null && c.SlaPolicyId != null);
        var firstReply = await soon
            .Where(c => c.FirstReplyDueAt > now && c.FirstReplyDueAt <= horizon && c.FirstReplyAt == null
                        && c.Status != ConversationStatus.Solved && c.Status != ConversationStatus.Closed
                        && !warnings.Any(w => w.ConversationId == c.Id && w.Target == SlaTarget.FirstReply))
            .OrderBy(c => c.SlaDueAt).Take(MaxPerSweep)
            .Select(c => new Due(c.Id, c.Number, c.TeamId, c.ChannelId, c.SlaPolicyId, c.FirstReplyDueAt!.Value, SlaTarget.FirstReply)).ToListAsync(ct);
        var resolution = await soon
            .Where(c => c.ResolutionDueAt > now && c.ResolutionDueAt <= horizon && c.SlaPausedSince == null
                        && !warnings.Any(w => w.ConversationId == c.Id && w.Target == SlaTarget.Resolution))
            .OrderBy(c => c.SlaDueAt).Take(MaxPerSweep)
            .Select(c => new Due(c.Id, c.Number, c.TeamId, c.ChannelId, c.SlaPolicyId, c.ResolutionDueAt!.Value, SlaTarget.Resolution)).ToListAsync(ct);

        var recorded = 0;
        foreach (var due in firstReply.Concat(resolution).OrderBy(d => d.DueAt))
        {
            if (due.PolicyId is not { } pid || !leads.TryGetValue(pid, out var lead) || due.DueAt - now > lead) continue;
            db.ChangeTracker.Clear();
            db.Add(new SlaWarning { ConversationId = due.Id, Target = due.Target, DueAt = due.DueAt, At = now });
            db.Messages.Add(new Message { ConversationId = due.Id, ChannelId = due.ChannelId, Kind = MessageKind.Event, Text = DescribeWarning(due.Target, policies[pid], due.DueAt - now), CreatedAt = now });
            rules.SlaAboutToBreach(db, due.Id);
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException e)
            {
                log.LogDebug(e, "SLA warning of #{Number} ({Target}) not recorded by this node", due.Number, due.Target);
                continue;
            }
            recorded++;
            events.Publish(new InboxChange(due.Id, due.Number, due.TeamId, InboxChangeKind.Updated));
        }
        db.ChangeTracker.Clear();
        return recorded;
    }

    /// "First-reply target about to breach: due in 25 min (Support · Urgent: 1 h)."
    public static string DescribeWarning(SlaTarget target, SlaPolicy policy, TimeSpan left)
    {
        var what = target == SlaTarget.FirstReply ? "First-reply" : "Resolution";
        var minutes = target == SlaTarget.FirstReply ? policy.FirstReplyMinutes : policy.ResolutionMinutes;
        return $"{what} target about to breach: due in {Inbox.Pages.InboxDisplay.Span(left)} ({policy.Name}: {BusinessSchedule.Duration(minutes ?? 0)}).";
    }

    /// "First-reply target breached (Support · Urgent: 1 h)".
    public static string Describe(SlaTarget target, SlaPolicy? policy)
    {
        var what = target == SlaTarget.FirstReply ? "First-reply" : "Resolution";
        var minutes = target == SlaTarget.FirstReply ? policy?.FirstReplyMinutes : policy?.ResolutionMinutes;
        return policy is null ? $"{what} target breached." : $"{what} target breached ({policy.Name}: {BusinessSchedule.Duration(minutes ?? 0)}).";
    }
}

/// Sweeps for SLA breaches every <c>Chorus:Sla:SweepSeconds</c> (30 by default).
public sealed class SlaWatcher(IServiceScopeFactory scopes, IConfiguration config, ILogger<SlaWatcher> log) : BackgroundService
{
    private TimeSpan Interval => TimeSpan.FromSeconds(config.GetValue("Chorus:Sla:SweepSeconds", 30.0));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, stoppingToken);
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<WatchSlaTargets>().SweepAsync(DateTimeOffset.UtcNow, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogError(e, "SLA sweep failed; trying again in {Interval}", Interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
