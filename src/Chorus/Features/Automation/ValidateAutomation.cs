using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation;

/// Checks rules and macros before they are saved, so a rule never fails for a reason known at save
/// time: unknown ids, invalid regexes, conditions that can never all hold, actions that undo each other.
public sealed class ValidateAutomation(ChorusDb db)
{
    public const int MaxConditions = 50;
    public const int MaxActions = 20;
    public const int MaxHours = 24 * 365;

    public sealed class Errors
    {
        public Dictionary<string, List<string>> ByField { get; } = [];
        public void Add(string field, string error)
        {
            if (!ByField.TryGetValue(field, out var list)) ByField[field] = list = [];
            list.Add(error);
        }
        public bool Any => ByField.Count > 0;
        public IReadOnlyDictionary<string, string[]> ToDictionary() => ByField.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    public async Task CheckTriggerAndConditionsAsync(RuleTrigger trigger, ConversationStatus? triggerStatus, int? triggerHours, IReadOnlyList<RuleCondition> conditions, Errors errors, CancellationToken ct)
    {
        if (!Enum.IsDefined(trigger)) errors.Add("trigger", "Choose when the rule runs.");
        if (trigger == RuleTrigger.TimeInStatus)
        {
            if (triggerStatus is null) errors.Add("triggerStatus", "Choose the status the conversation has been in (e.g. pending).");
            if (triggerHours is not (>= 1 and <= MaxHours)) errors.Add("triggerHours", $"Give the hours without a change: 1 to {MaxHours:N0} (a year).");
        }
        if (conditions.Count > MaxConditions) errors.Add("conditions", $"A rule has at most {MaxConditions} conditions.");

        for (var i = 0; i < conditions.Count; i++)
        {
            var c = conditions[i];
            var field = $"conditions[{i}]";
            var label = $"Condition {i + 1}";
            if (c is null) { errors.Add(field, $"{label} is empty."); continue; }
            var value = c.Value ?? "";
            var textOps = c.Operator is ConditionOperator.Contains or ConditionOperator.DoesNotContain or ConditionOperator.Matches;
            if ((c.Field == ConditionField.Text) != textOps)
            {
                errors.Add(field, c.Field == ConditionField.Text
                    ? $"{label}: text conditions use contains, does not contain or matches."
                    : $"{label}: {Name(c.Field)} conditions use is or is not.");
                continue;
            }
            switch (c.Field)
            {
                case ConditionField.Text when c.Operator == ConditionOperator.Matches:
                    if (value.Length is 0 or > 1000) { errors.Add(field, $"{label}: give a pattern of 1 to 1,000 characters."); break; }
                    try { CompiledRule.CompilePattern(value); }
                    catch (ArgumentException e) { errors.Add(field, $"{label}: '{value}' is not a valid regular expression: {e.Message}"); }
                    break;
                case ConditionField.Text:
                    if (CompiledRule.Phrases(value).Length == 0 || value.Length > 1000) errors.Add(field, $"{label}: give one or more words or phrases, separated by commas (at most 1,000 characters).");
                    break;
                case ConditionField.Channel:
                    if (!Guid.TryParse(value, out var ch) || !await db.Channels.AnyAsync(x => x.Id == ch, ct)) errors.Add(field, $"{label}: that channel does not exist.");
                    break;
                case ConditionField.Team:
                    if (value.Length > 0 && (!Guid.TryParse(value, out var team) || !await db.Teams.AnyAsync(x => x.Id == team, ct))) errors.Add(field, $"{label}: that team does not exist.");
                    break;
                case ConditionField.Organization:
                    if (value.Length > 0 && (!Guid.TryParse(value, out var org) || !await db.Organizations.AnyAsync(x => x.Id == org, ct))) errors.Add(field, $"{label}: that organization does not exist.");
                    break;
                case ConditionField.Assignee:
                    if (value.Length > 0 && !await db.Users.AnyAsync(u => u.Id == value, ct)) errors.Add(field, $"{label}: that staff user does not exist.");
                    break;
                case ConditionField.PersonKind:
                    if (!Enum.TryParse<PersonKind>(value, true, out _)) errors.Add(field, $"{label}: '{value}' is not a kind of person ({string.Join(", ", Enum.GetNames<PersonKind>())}).");
                    break;
                case ConditionField.Priority:
                    if (!Enum.TryParse<Priority>(value, true, out _)) errors.Add(field, $"{label}: '{value}' is not a priority ({string.Join(", ", Enum.GetNames<Priority>())}).");
                    break;
                case ConditionField.Status:
                    if (!Enum.TryParse<ConversationStatus>(value, true, out _)) errors.Add(field, $"{label}: '{value}' is not a status ({string.Join(", ", Enum.GetNames<ConversationStatus>())}).");
                    break;
                case ConditionField.Tag:
                    if (UpdateConversation.NormalizeTags([value]).FirstOrDefault() is not { Length: <= 50 }) errors.Add(field, $"{label}: give a tag of 1 to 50 characters.");
                    break;
                case ConditionField.BusinessHours:
                    if (!value.Equals(CompiledRule.BusinessHoursInside, StringComparison.OrdinalIgnoreCase) && !value.Equals(CompiledRule.BusinessHoursOutside, StringComparison.OrdinalIgnoreCase))
                        errors.Add(field, $"{label}: choose inside or outside business hours.");
                    break;
                default:
                    errors.Add(field, $"{label}: unknown field.");
                    break;
            }
        }
        if (!errors.Any) CheckContradictions(trigger, triggerStatus, conditions, errors);
    }

    /// All conditions must hold at once; refuse a set that never can, naming the two that disagree.
    private static void CheckContradictions(RuleTrigger trigger, ConversationStatus? triggerStatus, IReadOnlyList<RuleCondition> conditions, Errors errors)
    {
        var all = conditions.Select((c, i) => (c, i, Key: Key(c))).ToList();
        foreach (var (a, i, ka) in all)
            foreach (var (b, j, kb) in all.Where(x => x.i > i))
            {
                if (a.Field != b.Field || a.Field == ConditionField.Text && a.Operator == ConditionOperator.Matches) continue;
                var single = a.Field is not (ConditionField.Tag or ConditionField.Text);
                var contradicts =
                    (ka == kb && a.Operator != b.Operator && Opposite(a.Operator, b.Operator))
                    || (single && a.Operator == ConditionOperator.Is && b.Operator == ConditionOperator.Is && ka != kb);
                if (contradicts)
                    errors.Add("conditions", $"Conditions {i + 1} and {j + 1} can never both hold ({Describe(a)}; {Describe(b)}), so the rule would never run.");
            }
        if (trigger == RuleTrigger.TimeInStatus && triggerStatus is { } s)
            foreach (var (c, i, k) in all.Where(x => x.c.Field == ConditionField.Status))
                if ((c.Operator == ConditionOperator.Is && !k.Equals(s.ToString(), StringComparison.OrdinalIgnoreCase))
                    || (c.Operator == ConditionOperator.IsNot && k.Equals(s.ToString(), StringComparison.OrdinalIgnoreCase)))
                    errors.Add("conditions", $"Condition {i + 1} ({Describe(c)}) contradicts the trigger, which looks at {s.ToDisplay()} conversations.");
    }

    private static bool Opposite(ConditionOperator a, ConditionOperator b) =>
        (a, b) is (ConditionOperator.Is, ConditionOperator.IsNot) or (ConditionOperator.IsNot, ConditionOperator.Is)
            or (ConditionOperator.Contains, ConditionOperator.DoesNotContain) or (ConditionOperator.DoesNotContain, ConditionOperator.Contains);

    private static string Key(RuleCondition c) => c.Field switch
    {
        ConditionField.Tag => UpdateConversation.NormalizeTags([c.Value ?? ""]).FirstOrDefault() ?? "",
        ConditionField.Text => string.Join(",", CompiledRule.Phrases(c.Value ?? "").Select(p => p.ToLowerInvariant()).Order()),
        ConditionField.Priority or ConditionField.Status or ConditionField.PersonKind or ConditionField.BusinessHours => (c.Value ?? "").ToLowerInvariant(),
        _ => c.Value ?? "",
    };

    public static string Name(ConditionField f) => f switch
    {
        ConditionField.PersonKind => "person kind",
        ConditionField.BusinessHours => "business hours",
        _ => f.ToString().ToLowerInvariant(),
    };

    public static string Describe(RuleCondition c) => c.Field == ConditionField.BusinessHours
        ? (c.Operator == ConditionOperator.IsNot) == (c.Value ?? "").Equals(CompiledRule.BusinessHoursOutside, StringComparison.OrdinalIgnoreCase)
            ? "inside business hours" : "outside business hours"
        : c.Operator switch
    {
        ConditionOperator.Is => $"{Name(c.Field)} is {Shown(c.Value)}",
        ConditionOperator.IsNot => $"{Name(c.Field)} is not {Shown(c.Value)}",
        ConditionOperator.Contains => $"text contains {c.Value}",
        ConditionOperator.DoesNotContain => $"text does not contain {c.Value}",
        _ => $"text matches {c.Value}",
    };

    private static string Shown(string? value) => string.IsNullOrEmpty(value) ? "none" : value;

    /// Checks actions of a rule (<paramref name="forMacro"/> false) or a macro.
    public async Task CheckActionsAsync(IReadOnlyList<RuleAction> actions, bool forMacro, Errors errors, CancellationToken ct)
    {
        if (!forMacro && actions.Count == 0) errors.Add("actions", "Add at least one action: what should the rule do?");
        if (actions.Count > MaxActions) errors.Add("actions", $"At most {MaxActions} actions.");
        for (var i = 0; i < actions.Count; i++)
        {
            var a = actions[i];
            var field = $"actions[{i}]";
            var label = $"Action {i + 1}";
            if (a is null) { errors.Add(field, $"{label} is empty."); continue; }
            var value = a.Value ?? "";
            switch (a.Kind)
            {
                case ActionKind.SetTeam:
                    if (value.Length > 0 && (!Guid.TryParse(value, out var team) || !await db.Teams.AnyAsync(t => t.Id == team, ct))) errors.Add(field, $"{label}: that team does not exist.");
                    break;
                case ActionKind.Assign:
                    if (value.Length == 0) break;
                    var canWork = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id
                                         where ur.UserId == value && (r.Name == Roles.Admin || r.Name == Roles.Agent) select ur).AnyAsync(ct);
                    if (!canWork) errors.Add(field, $"{label}: conversations can be assigned only to agents and admins.");
                    break;
                case ActionKind.SetPriority:
                    if (!Enum.TryParse<Priority>(value, true, out _)) errors.Add(field, $"{label}: '{value}' is not a priority.");
                    break;
                case ActionKind.SetStatus:
                    if (!Enum.TryParse<ConversationStatus>(value, true, out _)) errors.Add(field, $"{label}: '{value}' is not a status.");
                    break;
                case ActionKind.AddTags or ActionKind.RemoveTags:
                    var tags = UpdateConversation.NormalizeTags(CompiledRule.Phrases(value)).ToList();
                    if (tags.Count == 0) errors.Add(field, $"{label}: give one or more tags, separated by commas.");
                    else if (tags.Any(t => t.Length > 50)) errors.Add(field, $"{label}: a tag is at most 50 characters.");
                    break;
                case ActionKind.AddNote:
                    if (string.IsNullOrWhiteSpace(value) || value.Length > 10_000) errors.Add(field, $"{label}: write the note (at most 10,000 characters).");
                    else if (Placeholders.Check(value) is { } bad) errors.Add(field, $"{label}: {bad}");
                    break;
                case ActionKind.ReplyWithMacro when forMacro:
                    errors.Add(field, $"{label}: a macro cannot reply with another macro; write the reply in this macro.");
                    break;
                case ActionKind.ReplyWithMacro:
                    if (!Guid.TryParse(value, out var macro) || !await db.Set<Macro>().AnyAsync(m => m.Id == macro, ct)) errors.Add(field, $"{label}: that macro does not exist.");
                    break;
                case ActionKind.NotifyByEmail:
                    if (value != "assignee" && !await db.Users.AnyAsync(u => u.Id == value, ct)) errors.Add(field, $"{label}: choose the assignee or a colleague to e-mail.");
                    break;
                case ActionKind.SendWebhook:
                    if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || value.Length > 2000)
                        errors.Add(field, $"{label}: give the webhook's full http:// or https:// address.");
                    break;
                case ActionKind.Solve:
                    break;
                case ActionKind.LinkToProblem:
                    if (ProblemAction.Number(value) is not { } problem) errors.Add(field, $"{label}: choose a problem to link to (its number, such as P-3).");
                    else if (!await db.Set<Problems.Problem>().AnyAsync(p => p.Number == problem, ct)) errors.Add(field, $"{label}: there is no problem P-{problem}.");
                    break;
                case ActionKind.ReplyWithArticles when forMacro:
                    errors.Add(field, $"{label}: only rules suggest articles; a macro's reply is written by an agent who can link them.");
                    break;
                case ActionKind.ReplyWithArticles:
                    if (value.Length > 0 && (!int.TryParse(value, out var count) || count is < 1 or > HelpCenter.SuggestArticlesReply.MaxArticles))
                        errors.Add(field, $"{label}: suggest 1 to {HelpCenter.SuggestArticlesReply.MaxArticles} articles.");
                    break;
                default:
                    errors.Add(field, $"{label}: unknown action.");
                    break;
            }
        }
        if (errors.Any) return;

        // Two actions that set the same thing differently: the rule would say one thing and do another.
        string? Target(RuleAction a) => a.Kind switch
        {
            ActionKind.SetTeam => "team", ActionKind.Assign => "assignee", ActionKind.SetPriority => "priority",
            ActionKind.SetStatus or ActionKind.Solve => "status", _ => null,
        };
        string Val(RuleAction a) => a.Kind == ActionKind.Solve ? "solved" : (a.Value ?? "").ToLowerInvariant();
        foreach (var group in actions.Where(a => Target(a) is not null).GroupBy(a => Target(a)!))
            if (group.Select(Val).Distinct().Count() > 1)
                errors.Add("actions", $"Two actions set the {group.Key} to different values; keep one.");
        var added = actions.Where(a => a.Kind == ActionKind.AddTags).SelectMany(a => UpdateConversation.NormalizeTags(CompiledRule.Phrases(a.Value ?? ""))).ToHashSet();
        var removed = actions.Where(a => a.Kind == ActionKind.RemoveTags).SelectMany(a => UpdateConversation.NormalizeTags(CompiledRule.Phrases(a.Value ?? ""))).ToHashSet();
        if (added.Intersect(removed).FirstOrDefault() is { } both) errors.Add("actions", $"The tag {both} is both added and removed; keep one.");
    }

    /// A macro's or rule's playbook: an internal help-center article (how the team handles the case).
    public async Task CheckPlaybookAsync(Guid? playbookId, Errors errors, CancellationToken ct)
    {
        if (playbookId is not { } id) return;
        if (!await db.Set<HelpCenter.HelpArticle>().AnyAsync(a => a.Id == id && a.Internal, ct))
            errors.Add("playbookId", "That playbook does not exist: choose an internal help-center article.");
    }

    public static Outcome<T> Invalid<T>(Errors errors) => new Outcome<T>.Invalid(errors.ToDictionary());
}
