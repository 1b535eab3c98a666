using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation;

/// The enabled rules, compiled and in order, with the actions of every macro a rule may reply with.
public sealed class RuleSet(IReadOnlyList<CompiledRule> rules, IReadOnlyDictionary<Guid, IReadOnlyList<RuleAction>> macroActions)
{
    public static readonly RuleSet Empty = new([], new Dictionary<Guid, IReadOnlyList<RuleAction>>());

    public IReadOnlyList<CompiledRule> Rules { get; } = rules;
    public IReadOnlyDictionary<Guid, IReadOnlyList<RuleAction>> MacroActions { get; } = macroActions;
    public IReadOnlySet<RuleTrigger> Triggers { get; } = rules.Select(r => r.Trigger).ToHashSet();

    /// Whether any rule runs on the trigger.
    public bool ListensTo(RuleTrigger trigger) => Hears(Triggers, trigger);

    /// Whether rules on <paramref name="triggers"/> run on <paramref name="trigger"/> (rules on "a message received"
    /// also run on the first message).
    public static bool Hears(IReadOnlySet<RuleTrigger> triggers, RuleTrigger trigger) =>
        triggers.Contains(trigger) || (trigger == RuleTrigger.ConversationCreated && triggers.Contains(RuleTrigger.MessageReceived));
}

/// Keeps the compiled rules of this node. Edits on this node take effect at once; edits made on
/// another node within <see cref="MaxAge"/>.
public sealed class RuleSetCache(IServiceScopeFactory scopes, RuleTriggers triggers, ILogger<RuleSetCache> log)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private RuleSet? _set;
    private long _loadedAt;

    /// After an edit: the next event reloads the rules, and meanwhile every event is queued (a new rule may listen to it).
    public void Invalidate()
    {
        _set = null;
        triggers.Listen(null);
    }

    public async Task<RuleSet> GetAsync(CancellationToken ct = default)
    {
        if (_set is { } fresh && Environment.TickCount64 - _loadedAt < MaxAge.TotalMilliseconds) return fresh;
        await _gate.WaitAsync(ct);
        try
        {
            if (_set is { } again && Environment.TickCount64 - _loadedAt < MaxAge.TotalMilliseconds) return again;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            var rules = await db.Set<Rule>().AsNoTracking().Where(r => r.Enabled).OrderBy(r => r.Position).ThenBy(r => r.CreatedAt).ToListAsync(ct);
            var compiled = new List<CompiledRule>();
            foreach (var rule in rules)
            {
                try
                {
                    var c = new CompiledRule(rule);
                    c.OnRegexTimeout = message => log.LogWarning("{Message}", message);
                    compiled.Add(c);
                }
                catch (ArgumentException e)
                {
                    // Saving refuses invalid patterns; this is a rule written around the API. It is skipped, not guessed at.
                    log.LogError(e, "Rule '{Rule}' cannot be compiled and is skipped", rule.Name);
                }
            }
            var macroIds = rules.SelectMany(r => r.Actions).Where(a => a.Kind == ActionKind.ReplyWithMacro)
                .Select(a => Guid.TryParse(a.Value, out var id) ? id : Guid.Empty).Distinct().ToList();
            var macros = await db.Set<Macro>().AsNoTracking().Where(m => macroIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => (IReadOnlyList<RuleAction>)m.Actions, ct);
            var set = new RuleSet(compiled, macros);
            triggers.Listen(set.Triggers);
            _set = set;
            _loadedAt = Environment.TickCount64;
            return set;
        }
        finally
        {
            _gate.Release();
        }
    }
}
