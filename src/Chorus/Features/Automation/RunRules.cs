using Chorus.Data;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation;

/// Runs the rules for one event on one conversation and saves what they did, in one transaction.
/// A concurrent edit (an agent saving at the same moment) makes it start over from the fresh conversation.
public sealed class RunRules(ChorusDb db, RuleSetCache cache, CarryOutActions carry, InboxEvents events, ILogger<RunRules> log)
{
    public const int MaxConversationsPerSweep = 500;

    private readonly List<InboxChange> _changed = [];
    private Known? _known;
    /// The batch's conversations as read by <see cref="PrepareAsync"/>, each used by the first event that needs it (and
    /// by the next ones of the same conversation while the rules change nothing); after a change, or on a retry, read afresh.
    private Dictionary<Guid, Conversation>? _loaded;

    /// What a batch of events needs to read anyway, read once for the batch instead of once per event: their
    /// conversations with tags and followers, the conversations' requesters, the messages at hand, and the business
    /// hours (one schedule for the batch, which runs for a fraction of a second).
    public async Task PrepareAsync(IReadOnlyCollection<RuleEvent> batch, CancellationToken ct)
    {
        var conversationIds = batch.Select(e => e.ConversationId).Distinct().ToList();
        var messageIds = batch.Where(e => e.MessageId is not null).Select(e => e.MessageId!.Value).Distinct().ToList();
        _loaded = await db.Conversations.AsNoTracking().Include(x => x.Tags).Include(x => x.Followers)
            .Where(c => conversationIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var requesterIds = _loaded.Values.Select(c => c.RequesterId).Distinct().ToList();
        var requesters = await db.People.AsNoTracking().Where(p => requesterIds.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, p => (p.Kind, p.OrganizationId), ct);
        var texts = await db.Messages.AsNoTracking().Where(m => messageIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Text, ct);
        _known = new Known(requesters, texts, await Sla.SlaSettingsCache.ReadScheduleAsync(db, ct));
    }

    /// The conversation as the batch read it, now tracked, or null (not in the batch, or taken already).
    private Conversation? TakeLoaded(Guid id)
    {
        if (_loaded is null || !_loaded.Remove(id, out var c)) return null;
        db.Attach(c);
        return c;
    }

    /// Runs the rules in the caller's transaction, if it has one: call <see cref="PublishChanges"/> after it committed.
    public async Task<RuleOutcome?> RunAsync(RuleEvent e, CancellationToken ct = default)
    {
        var set = await cache.GetAsync(ct);
        if (!set.ListensTo(e.Trigger)) return null;
        for (var attempt = 1; ; attempt++)
        {
            try { return await RunOnceAsync(set, e, ct); }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<RuleOutcome?> RunOnceAsync(RuleSet set, RuleEvent e, CancellationToken ct)
    {
        var c = TakeLoaded(e.ConversationId)
                ?? await db.Conversations.Include(x => x.Tags).Include(x => x.Followers).SingleOrDefaultAsync(x => x.Id == e.ConversationId, ct);
        if (c is null || c.MergedIntoId is not null) return null;
        if (e is { Trigger: RuleTrigger.TimeInStatus, RuleId: { } timed } && !await StillDueAsync(set, timed, c, ct)) return null;
        var facts = await FactsAsync(db, c, e.MessageId, ct, _known);
        var outcome = RuleEngine.Run(set.Rules, e.Trigger, facts, set.MacroActions, e.RuleId);
        var changes = outcome.Effects.Count > 0 || outcome.Stopped is not null;
        if (!changes && _loaded is not null) _loaded[c.Id] = c; // unchanged: the batch's next event of it needs no new read
        if (changes)
        {
            var done = await carry.RunAsync(c, outcome.Effects, effect => $"Rule '{effect.RuleName}'", null, Describe(e.Trigger), ct);
            if (outcome.Stopped is { } stopped)
            {
                log.LogWarning("Rules stopped on conversation #{Number}: {Reason}", c.Number, stopped);
                var said = ConversationGuard.Event(c, stopped);
                said.CreatedAt = done.LastEventAt.AddMilliseconds(1); // after the changes it stopped
                db.Messages.Add(said);
            }
            await PointToPlaybooksAsync(set, c, outcome, done.LastEventAt, ct);
            await db.SaveChangesAsync(ct);
            var firedIds = outcome.Effects.Select(x => x.RuleId).Distinct().ToList();
            var now = DateTimeOffset.UtcNow;
            await db.Set<Rule>().Where(r => firedIds.Contains(r.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.FireCount, r => r.FireCount + 1).SetProperty(r => r.LastFiredAt, now), ct);
            _changed.Add(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
        }
        if (e is { Trigger: RuleTrigger.TimeInStatus, RuleId: { } ruleId })
        {
            // Whether or not it matched, this rule has looked at the conversation as it is now; it looks again after the next change.
            var firing = await db.Set<RuleFiring>().SingleOrDefaultAsync(f => f.RuleId == ruleId && f.ConversationId == c.Id, ct);
            if (firing is null) db.Add(firing = new RuleFiring { RuleId = ruleId, ConversationId = c.Id });
            firing.ConversationUpdatedAt = c.UpdatedAt;
            firing.At = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(ct);
        }
        return outcome;
    }

    /// Tells the inboxes about the conversations the rules changed (once what they did is committed).
    public void PublishChanges()
    {
        foreach (var change in _changed) events.Publish(change);
        _changed.Clear();
    }

    /// The thread points agents to the playbook of each rule that acted ("how we handle a refund"): one event per playbook.
    private async Task PointToPlaybooksAsync(RuleSet set, Conversation c, RuleOutcome outcome, DateTimeOffset after, CancellationToken ct)
    {
        var ruleIds = outcome.Effects.Select(x => x.RuleId).Distinct().ToList();
        if (!set.Rules.Any(r => r.PlaybookId is not null && ruleIds.Contains(r.Id))) return;
        var playbooks = await (from r in db.Set<Rule>().AsNoTracking()
                               join a in db.Set<HelpCenter.HelpArticle>().AsNoTracking() on r.PlaybookId equals a.Id
                               where ruleIds.Contains(r.Id)
                               select new { r.Name, a.Id, a.Title }).ToListAsync(ct);
        foreach (var p in playbooks)
        {
            var said = ConversationGuard.Event(c, $"Rule '{p.Name}' points to the playbook “{p.Title}”: {HelpCenter.PlaybookLinks.Path(p.Id)}");
            said.CreatedAt = after = after.AddMilliseconds(1);
            db.Messages.Add(said);
        }
    }

    /// Whether a time-based rule should still look at the conversation as loaded now: another node (or an
    /// agent) may have changed it, or the rule may have looked already, since the sweep found it.
    private async Task<bool> StillDueAsync(RuleSet set, Guid ruleId, Conversation c, CancellationToken ct)
    {
        if (set.Rules.FirstOrDefault(r => r.Id == ruleId) is not { TriggerStatus: { } status, TriggerHours: { } hours }) return false;
        if (c.Status != status || c.UpdatedAt > DateTimeOffset.UtcNow.AddHours(-hours)) return false;
        return !await db.Set<RuleFiring>().AnyAsync(f => f.RuleId == ruleId && f.ConversationId == c.Id && f.ConversationUpdatedAt == c.UpdatedAt, ct);
    }

    /// Finds conversations that sat long enough for each time-based rule and runs that rule on them.
    /// Returns how many conversations were looked at.
    public async Task<int> SweepAsync(CancellationToken ct = default)
    {
        var set = await cache.GetAsync(ct);
        var looked = 0;
        foreach (var rule in set.Rules.Where(r => r is { Trigger: RuleTrigger.TimeInStatus, TriggerStatus: not null, TriggerHours: not null }))
        {
            var cutoff = DateTimeOffset.UtcNow.AddHours(-rule.TriggerHours!.Value);
            var status = rule.TriggerStatus!.Value;
            var due = await db.Conversations.AsNoTracking()
                .Where(c => c.Status == status && c.UpdatedAt <= cutoff && c.MergedIntoId == null
                            && !db.Set<RuleFiring>().Any(f => f.RuleId == rule.Id && f.ConversationId == c.Id && f.ConversationUpdatedAt == c.UpdatedAt))
                .OrderBy(c => c.UpdatedAt).Select(c => c.Id).Take(MaxConversationsPerSweep).ToListAsync(ct);
            foreach (var id in due)
            {
                db.ChangeTracker.Clear();
                try
                {
                    await RunAsync(new RuleEvent(RuleTrigger.TimeInStatus, id, RuleId: rule.Id), ct);
                    PublishChanges();
                }
                catch (DbUpdateException ex) { log.LogWarning(ex, "Time-based rule '{Rule}' on conversation {Id} was not applied (another node may have)", rule.Name, id); }
                looked++;
            }
        }
        return looked;
    }

    /// The facts rules look at: the conversation, its requester, and the subject with the message at hand
    /// (the given one, else the newest from the requester). <paramref name="known"/>: what a batch read beforehand.
    public static async Task<ConversationFacts> FactsAsync(ChorusDb db, Conversation c, Guid? messageId, CancellationToken ct, Known? known = null)
    {
        var requester = known is not null && known.Requesters.TryGetValue(c.RequesterId, out var r) ? r
            : await db.People.AsNoTracking().Where(p => p.Id == c.RequesterId).Select(p => new ValueTuple<People.PersonKind, Guid?>(p.Kind, p.OrganizationId)).SingleAsync(ct);
        var text = messageId is { } id
            ? known is not null && known.Texts.TryGetValue(id, out var t) ? t
              : await db.Messages.AsNoTracking().Where(m => m.Id == id).Select(m => m.Text).FirstOrDefaultAsync(ct)
            : await db.Messages.AsNoTracking().Where(m => m.ConversationId == c.Id && m.Kind == MessageKind.Inbound)
                .OrderByDescending(m => m.CreatedAt).Select(m => m.Text).FirstOrDefaultAsync(ct);
        return new ConversationFacts
        {
            ChannelId = c.ChannelId, TeamId = c.TeamId, AssigneeId = c.AssigneeId, Status = c.Status, Priority = c.Priority,
            Tags = c.Tags.Select(t => t.Tag).ToHashSet(), PersonKind = requester.Item1, OrganizationId = requester.Item2,
            Text = c.Subject + "\n" + text,
            InsideBusinessHours = (known?.Schedule ?? await Sla.SlaSettingsCache.ReadScheduleAsync(db, ct)).IsOpen(DateTimeOffset.UtcNow),
        };
    }

    /// Facts read for a whole batch of events (<see cref="PrepareAsync"/>): requesters by person id, message texts by id.
    public sealed record Known(IReadOnlyDictionary<Guid, (People.PersonKind Kind, Guid? OrganizationId)> Requesters,
        IReadOnlyDictionary<Guid, string> Texts, Sla.BusinessSchedule Schedule);

    public static string Describe(RuleTrigger trigger) => trigger switch
    {
        RuleTrigger.ConversationCreated => "a new conversation",
        RuleTrigger.MessageReceived => "a message from the requester",
        RuleTrigger.StatusChanged => "the status changed",
        RuleTrigger.Assigned => "the conversation was assigned",
        RuleTrigger.TimeInStatus => "time passed without a change",
        RuleTrigger.SlaBreach => "an SLA target was breached",
        RuleTrigger.SlaAboutToBreach => "an SLA target is about to breach",
        _ => trigger.ToString(),
    };
}

/// Evaluates stored rule events in the background (<see cref="ProcessRuleEvents"/>), sweeps for
/// time-based rules, and rereads the rules now and then.
public sealed class RuleRunner(ProcessRuleEvents process, RuleTriggers triggers, RuleSetCache cache, IServiceScopeFactory scopes, IConfiguration config, ILogger<RuleRunner> log) : BackgroundService
{
    private TimeSpan SweepInterval => TimeSpan.FromSeconds(config.GetValue("Chorus:Rules:SweepSeconds", 60.0));
    private TimeSpan PollInterval => TimeSpan.FromMilliseconds(config.GetValue("Chorus:Rules:PollMilliseconds", 1000.0));

    /// This node, as the holder of the rule-event lease.
    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ProcessLoopAsync(stoppingToken), SweepLoopAsync(stoppingToken), RefreshLoopAsync(stoppingToken));

    /// Rereads the rules now and then, so edits made on another node reach this one's triggers.
    private async Task RefreshLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(RuleSetCache.MaxAge, ct);
                try { await cache.GetAsync(ct); }
                catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Could not reread the rules"); }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private async Task ProcessLoopAsync(CancellationToken ct)
    {
        // A node that only serves (or a test that holds events back to look at them) leaves them to the others.
        if (!config.GetValue("Chorus:Rules:ProcessEvents", true)) return;
        try
        {
            try { await cache.GetAsync(ct); } // tells the triggers which events to store
            catch (Exception e) when (e is not OperationCanceledException) { log.LogDebug(e, "Rules not readable yet (database still migrating)"); }
            while (!ct.IsCancellationRequested)
            {
                var worked = 0;
                try { worked = await process.RunRoundAsync(_owner, ct); }
                catch (Exception e) when (e is not OperationCanceledException) { log.LogError(e, "Evaluating rule events failed; trying again in {Interval}", PollInterval); }
                if (worked == 0) await triggers.WaitAsync(PollInterval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            // Stopping (a deploy): another node takes over now instead of when the lease runs out.
            try { await process.ReleaseAsync(_owner); }
            catch (Exception e) { log.LogDebug(e, "Could not hand back the rule-event lease; it runs out on its own"); }
        }
    }

    private async Task SweepLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(SweepInterval, ct);
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<RunRules>().SweepAsync(ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.LogError(ex, "Sweep for time-based rules failed; trying again in {Interval}", SweepInterval);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }
}
