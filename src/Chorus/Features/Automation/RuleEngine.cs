using System.Text.RegularExpressions;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.People;

namespace Chorus.Features.Automation;

/// What rules look at: a conversation's fields, its requester, and the text of the message at hand
/// (subject and body). Rules change the facts as they act, so a later rule sees an earlier one's work.
public sealed class ConversationFacts
{
    public Guid ChannelId { get; set; }
    public Guid? TeamId { get; set; }
    public string? AssigneeId { get; set; }
    public ConversationStatus Status { get; set; }
    public Priority Priority { get; set; }
    public HashSet<string> Tags { get; set; } = [];
    public PersonKind PersonKind { get; set; }
    public Guid? OrganizationId { get; set; }
    public string Text { get; set; } = "";
    /// Whether the workspace is inside its business hours as the rule runs.
    public bool InsideBusinessHours { get; set; } = true;
}

/// One rule's action that changed something (or, for notes, replies, e-mails and webhooks, will).
public sealed record RuleEffect(Guid RuleId, string RuleName, RuleAction Action, Guid? MacroId = null);

/// What a run of the rules did: the effects in order, the rules that fired, and why it stopped early (a loop).
public sealed record RuleOutcome(IReadOnlyList<RuleEffect> Effects, IReadOnlyList<string> Fired, string? Stopped);

/// A rule ready to run: conditions parsed once (regexes compiled), actions as saved.
public sealed class CompiledRule
{
    /// Long enough for any sane pattern on a 200,000-character message; short enough that a runaway one cannot stall the pipeline.
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(200);

    /// Values of a business-hours condition.
    public const string BusinessHoursInside = "inside", BusinessHoursOutside = "outside";

    private readonly Func<ConversationFacts, bool>[] _tests;

    public Guid Id { get; }
    public string Name { get; }
    public RuleTrigger Trigger { get; }
    public ConversationStatus? TriggerStatus { get; }
    public int? TriggerHours { get; }
    public IReadOnlyList<RuleAction> Actions { get; }
    /// The playbook the thread points to when the rule acts (so a run without one need not look).
    public Guid? PlaybookId { get; }

    /// Called when a regex ran out of time (the condition then does not hold).
    public Action<string>? OnRegexTimeout { get; set; }

    public CompiledRule(Rule rule)
    {
        Id = rule.Id;
        Name = rule.Name;
        Trigger = rule.Trigger;
        TriggerStatus = rule.TriggerStatus;
        TriggerHours = rule.TriggerHours;
        Actions = rule.Actions.ToList();
        PlaybookId = rule.PlaybookId;
        _tests = rule.Conditions.Select(Compile).ToArray();
    }

    public bool Matches(ConversationFacts f)
    {
        foreach (var test in _tests)
            if (!test(f)) return false;
        return true;
    }

    /// Compiles a pattern the way rules run it: linear-time where .NET can (no backtracking, so no
    /// catastrophic patterns), with a timeout where the pattern needs backtracking (backreferences, lookarounds).
    /// Throws <see cref="ArgumentException"/> for an invalid pattern.
    public static Regex CompilePattern(string pattern)
    {
        const RegexOptions options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        try { return new Regex(pattern, options | RegexOptions.NonBacktracking, RegexTimeout); }
        catch (NotSupportedException) { return new Regex(pattern, options, RegexTimeout); }
    }

    /// Words or phrases of a Contains condition: comma-separated, any of them matches.
    public static string[] Phrases(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private Func<ConversationFacts, bool> Compile(RuleCondition c)
    {
        var negate = c.Operator is ConditionOperator.IsNot or ConditionOperator.DoesNotContain;
        var id = Guid.TryParse(c.Value, out var parsed) ? parsed : (Guid?)null; // "" is "none" for team and organization
        // Any of the phrases, case-insensitive, in one vectorized pass over the text (Aho-Corasick/Teddy) instead of one scan per phrase.
        var phrases = System.Buffers.SearchValues.Create(Phrases(c.Value), StringComparison.OrdinalIgnoreCase);
        Func<ConversationFacts, bool> test = c.Field switch
        {
            ConditionField.Channel => f => f.ChannelId == id,
            ConditionField.Team => f => f.TeamId == id,
            ConditionField.Organization => f => f.OrganizationId == id,
            ConditionField.Assignee => f => (f.AssigneeId ?? "") == c.Value,
            ConditionField.PersonKind => Enum.TryParse<PersonKind>(c.Value, true, out var kind) ? f => f.PersonKind == kind : _ => false,
            ConditionField.Priority => Enum.TryParse<Priority>(c.Value, true, out var priority) ? f => f.Priority == priority : _ => false,
            ConditionField.Status => Enum.TryParse<ConversationStatus>(c.Value, true, out var status) ? f => f.Status == status : _ => false,
            ConditionField.Tag => UpdateConversation.NormalizeTags([c.Value]).FirstOrDefault() is { } tag ? f => f.Tags.Contains(tag) : _ => false,
            ConditionField.Text when c.Operator == ConditionOperator.Matches => MatchesPattern(CompilePattern(c.Value)),
            ConditionField.Text => f => f.Text.AsSpan().IndexOfAny(phrases) >= 0,
            ConditionField.BusinessHours => c.Value.Equals(BusinessHoursOutside, StringComparison.OrdinalIgnoreCase) ? f => !f.InsideBusinessHours : f => f.InsideBusinessHours,
            _ => _ => false,
        };
        return negate ? f => !test(f) : test;
    }

    private Func<ConversationFacts, bool> MatchesPattern(Regex regex) => f =>
    {
        try { return regex.IsMatch(f.Text); }
        catch (RegexMatchTimeoutException)
        {
            OnRegexTimeout?.Invoke($"Rule '{Name}': the pattern {regex} took longer than {RegexTimeout.TotalMilliseconds:0} ms and was treated as not matching.");
            return false;
        }
    };
}

/// Runs rules against one event. Pure (no database), so it is unit-tested and benchmarked alone.
/// Rules run in order; each change a rule makes to the status or assignee is itself an event that
/// the rules see in the next round. Loop-safe: each rule fires at most once per event, and a rule
/// that would fire again (A sets what triggers B, B sets what triggers A) stops the run with a message.
public static class RuleEngine
{
    public const int MaxRounds = 10;

    public static RuleOutcome Run(IReadOnlyList<CompiledRule> rules, RuleTrigger trigger, ConversationFacts facts,
        IReadOnlyDictionary<Guid, IReadOnlyList<RuleAction>> macroActions, Guid? onlyRule = null)
    {
        var effects = new List<RuleEffect>();
        var fired = new List<string>();
        var firedIds = new HashSet<Guid>();
        string? stopped = null;
        var pending = new HashSet<RuleTrigger> { trigger };
        for (var round = 1; pending.Count > 0 && stopped is null; round++)
        {
            if (round > MaxRounds)
            {
                stopped = $"Rules stopped after {MaxRounds} rounds of changes ({string.Join(" → ", fired.Select(Quote))}).";
                break;
            }
            var next = new HashSet<RuleTrigger>();
            foreach (var rule in rules)
            {
                if (!Listens(rule.Trigger, pending)) continue;
                if (round == 1 && onlyRule is { } only && rule.Id != only) continue;
                if (!rule.Matches(facts)) continue;
                if (!firedIds.Add(rule.Id))
                {
                    stopped = $"Rules stopped: {Quote(rule.Name)} would run again after {string.Join(" → ", fired.Select(Quote))} changed the conversation, " +
                              "and each rule runs once per event. Check these rules for a loop.";
                    break;
                }
                fired.Add(rule.Name);
                foreach (var action in rule.Actions)
                {
                    Apply(rule, action, null, facts, effects, next);
                    if (action.Kind == ActionKind.ReplyWithMacro && Guid.TryParse(action.Value, out var macroId) && macroActions.TryGetValue(macroId, out var more))
                        foreach (var m in more.Where(a => a.Kind != ActionKind.ReplyWithMacro)) Apply(rule, m, macroId, facts, effects, next);
                }
            }
            pending = next;
        }
        return new RuleOutcome(effects, fired, stopped);
    }

    private static bool Listens(RuleTrigger ruleTrigger, HashSet<RuleTrigger> pending) =>
        pending.Contains(ruleTrigger) || (ruleTrigger == RuleTrigger.MessageReceived && pending.Contains(RuleTrigger.ConversationCreated));

    /// Applies one action to the facts; records it when it changed something or has an effect outside them.
    public static void Apply(CompiledRule rule, RuleAction action, Guid? macroId, ConversationFacts facts, List<RuleEffect> effects, HashSet<RuleTrigger> raised)
    {
        var changed = true;
        switch (action.Kind)
        {
            case ActionKind.SetTeam:
                var team = Guid.TryParse(action.Value, out var t) && t != Guid.Empty ? t : (Guid?)null;
                changed = facts.TeamId != team;
                facts.TeamId = team;
                break;
            case ActionKind.Assign:
                var assignee = string.IsNullOrEmpty(action.Value) ? null : action.Value;
                changed = facts.AssigneeId != assignee;
                facts.AssigneeId = assignee;
                if (changed && assignee is not null) raised.Add(RuleTrigger.Assigned);
                break;
            case ActionKind.SetPriority:
                changed = Enum.TryParse<Priority>(action.Value, true, out var p) && p != facts.Priority;
                if (changed) facts.Priority = p;
                break;
            case ActionKind.SetStatus or ActionKind.Solve:
                var status = action.Kind == ActionKind.Solve ? ConversationStatus.Solved
                    : Enum.TryParse<ConversationStatus>(action.Value, true, out var s) ? s : facts.Status;
                changed = status != facts.Status;
                facts.Status = status;
                if (changed) raised.Add(RuleTrigger.StatusChanged);
                break;
            case ActionKind.AddTags:
                changed = false;
                foreach (var tag in UpdateConversation.NormalizeTags(CompiledRule.Phrases(action.Value))) changed |= facts.Tags.Add(tag);
                break;
            case ActionKind.RemoveTags:
                changed = false;
                foreach (var tag in UpdateConversation.NormalizeTags(CompiledRule.Phrases(action.Value))) changed |= facts.Tags.Remove(tag);
                break;
        }
        if (changed) effects.Add(new RuleEffect(rule.Id, rule.Name, action, macroId));
    }

    private static string Quote(string name) => $"'{name}'";
}
