using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation.Pages;

/// What the rule and macro editors offer in their pickers, and how rules read in the UI.
public sealed class AutomationChoices
{
    public List<TeamView> Teams { get; init; } = [];
    public List<StaffView> Staff { get; init; } = [];
    public List<(Guid Id, string Name)> Channels { get; init; } = [];
    public List<(Guid Id, string Name)> Organizations { get; init; } = [];
    public List<MacroView> Macros { get; init; } = [];
    public List<HelpCenter.PlaybookChoice> Playbooks { get; init; } = [];
    /// Problems a rule or macro can link to: open and known errors first, newest first.
    public List<ProblemChoice> Problems { get; init; } = [];

    public const int MaxProblems = 500;

    public const int MaxOrganizations = 500;

    public static async Task<AutomationChoices> LoadAsync(WorkScope w) => new()
    {
        Teams = await w.Get<ManageTeams>().ListAsync(),
        Staff = await w.Get<ManageStaff>().ListAsync(),
        Channels = (await w.Db.Channels.AsNoTracking().OrderBy(c => c.Name).Select(c => new { c.Id, c.Name }).ToListAsync()).Select(c => (c.Id, c.Name)).ToList(),
        Organizations = (await w.Db.Organizations.AsNoTracking().OrderBy(o => o.Name).Take(MaxOrganizations).Select(o => new { o.Id, o.Name }).ToListAsync())
            .Select(o => (o.Id, o.Name)).ToList(),
        Macros = await w.Get<ManageMacros>().ListAsync(),
        Playbooks = await HelpCenter.PlaybookLinks.ChoicesAsync(w.Db),
        Problems = await w.Db.Set<Chorus.Features.Problems.Problem>().AsNoTracking()
            .OrderBy(p => p.Status == Chorus.Features.Problems.ProblemStatus.Solved).ThenByDescending(p => p.Number).Take(MaxProblems)
            .Select(p => new ProblemChoice(p.Id, p.Number, p.Title, p.Status)).ToListAsync(),
    };

    /// "P-3 “Login fails after update”", or what became of it.
    public string ProblemName(string value) => Problems.FirstOrDefault(p => p.Number == ProblemAction.Number(value)) is { } p ? p.Name : $"P-{ProblemAction.Number(value)} (removed)";

    public List<StaffView> Agents => Staff.Where(s => s.Role is Roles.Admin or Roles.Agent).OrderBy(s => s.DisplayName).ToList();

    /// The readable name of a condition or action value.
    public string ValueName(ConditionField field, string value) => field switch
    {
        ConditionField.Channel => Channels.FirstOrDefault(c => c.Id.ToString() == value).Name ?? "(removed channel)",
        ConditionField.Team => value.Length == 0 ? "no team" : Teams.FirstOrDefault(t => t.Id.ToString() == value)?.Name ?? "(removed team)",
        ConditionField.Organization => value.Length == 0 ? "no organization" : Organizations.FirstOrDefault(o => o.Id.ToString() == value).Name ?? "an organization",
        ConditionField.Assignee => value.Length == 0 ? "nobody" : StaffName(value),
        ConditionField.PersonKind => Enum.TryParse<PersonKind>(value, out var k) ? k.ToDisplay() : value,
        ConditionField.Priority => value.ToLowerInvariant(),
        ConditionField.Status => Enum.TryParse<ConversationStatus>(value, out var s) ? s.ToDisplay() : value,
        ConditionField.BusinessHours => value.Equals(CompiledRule.BusinessHoursOutside, StringComparison.OrdinalIgnoreCase) ? "outside business hours" : "inside business hours",
        _ => $"“{value}”",
    };

    public string StaffName(string id) => Staff.FirstOrDefault(s => s.Id == id)?.DisplayName ?? "(former colleague)";

    public string Describe(RuleCondition c) =>
        $"{AutomationLabels.Field(c.Field).ToLowerInvariant()} {AutomationLabels.Operator(c.Operator).ToLowerInvariant()} {ValueName(c.Field, c.Value)}";

    public string Describe(RuleAction a) => a.Kind switch
    {
        ActionKind.SetTeam => $"move to {ValueName(ConditionField.Team, a.Value)}",
        ActionKind.Assign => a.Value.Length == 0 ? "unassign" : $"assign to {StaffName(a.Value)}",
        ActionKind.SetPriority => $"set priority {a.Value.ToLowerInvariant()}",
        ActionKind.SetStatus => $"set status {ValueName(ConditionField.Status, a.Value)}",
        ActionKind.AddTags => $"add tags {a.Value}",
        ActionKind.RemoveTags => $"remove tags {a.Value}",
        ActionKind.AddNote => "add an internal note",
        ActionKind.ReplyWithMacro => $"reply with “{Macros.FirstOrDefault(m => m.Id.ToString() == a.Value)?.Name ?? "(removed macro)"}”",
        ActionKind.NotifyByEmail => a.Value == "assignee" ? "e-mail the assignee" : $"e-mail {StaffName(a.Value)}",
        ActionKind.SendWebhook => $"call webhook {CarryOutActions.WebhookHost(a.Value)}",
        ActionKind.Solve => "solve",
        ActionKind.LinkToProblem => $"link to {ProblemName(a.Value)}",
        ActionKind.ReplyWithArticles => $"reply with up to {(a.Value.Length == 0 ? HelpCenter.SuggestArticlesReply.DefaultArticles.ToString() : a.Value)} suggested articles",
        _ => a.Kind.ToString(),
    };

    public string When(RuleView r) => r.Trigger == RuleTrigger.TimeInStatus
        ? $"{r.TriggerStatus?.ToDisplay()} with no change for {AutomationLabels.Hours(r.TriggerHours ?? 0)}"
        : AutomationLabels.Trigger(r.Trigger).ToLowerInvariant();
}

public static class AutomationLabels
{
    /// The triggers an admin can choose.
    public static readonly RuleTrigger[] Triggers =
        [RuleTrigger.ConversationCreated, RuleTrigger.MessageReceived, RuleTrigger.StatusChanged, RuleTrigger.Assigned, RuleTrigger.TimeInStatus, RuleTrigger.SlaAboutToBreach, RuleTrigger.SlaBreach];

    public static string Trigger(RuleTrigger t) => t switch
    {
        RuleTrigger.ConversationCreated => "A conversation is created",
        RuleTrigger.MessageReceived => "A message is received (the first one too)",
        RuleTrigger.StatusChanged => "The status changes",
        RuleTrigger.Assigned => "The conversation is assigned",
        RuleTrigger.TimeInStatus => "Time passes: a status with no change for some hours",
        RuleTrigger.SlaBreach => "An SLA target is breached",
        RuleTrigger.SlaAboutToBreach => "An SLA target is about to breach",
        _ => t.ToString(),
    };

    public static string Field(ConditionField f) => f switch
    {
        ConditionField.Text => "Subject or message",
        ConditionField.PersonKind => "Person kind",
        ConditionField.BusinessHours => "Business hours",
        _ => f.ToString(),
    };

    public static ConditionOperator[] OperatorsFor(ConditionField f) => f == ConditionField.Text
        ? [ConditionOperator.Contains, ConditionOperator.DoesNotContain, ConditionOperator.Matches]
        : [ConditionOperator.Is, ConditionOperator.IsNot];

    public static string Operator(ConditionOperator o) => o switch
    {
        ConditionOperator.IsNot => "Is not",
        ConditionOperator.Contains => "Contains any of",
        ConditionOperator.DoesNotContain => "Contains none of",
        ConditionOperator.Matches => "Matches pattern",
        _ => "Is",
    };

    public static string Action(ActionKind k) => k switch
    {
        ActionKind.SetTeam => "Move to team",
        ActionKind.Assign => "Assign to",
        ActionKind.SetPriority => "Set priority",
        ActionKind.SetStatus => "Set status",
        ActionKind.AddTags => "Add tags",
        ActionKind.RemoveTags => "Remove tags",
        ActionKind.AddNote => "Add internal note",
        ActionKind.ReplyWithMacro => "Reply with macro",
        ActionKind.NotifyByEmail => "E-mail a colleague",
        ActionKind.SendWebhook => "Call a webhook",
        ActionKind.Solve => "Solve",
        ActionKind.ReplyWithArticles => "Reply with suggested articles",
        ActionKind.LinkToProblem => "Link to problem",
        _ => k.ToString(),
    };

    public static string Hours(int hours) => hours % 24 == 0 ? $"{hours / 24} day{(hours == 24 ? "" : "s")}" : $"{hours} hour{(hours == 1 ? "" : "s")}";
}

public sealed record ProblemChoice(Guid Id, long Number, string Title, Chorus.Features.Problems.ProblemStatus Status)
{
    public string Name => $"P-{Number} “{Title}”";
}

/// An editable condition or action row (the saved records are immutable).
public sealed class EditableCondition
{
    public ConditionField Field { get; set; } = ConditionField.Text;
    public ConditionOperator Operator { get; set; } = ConditionOperator.Contains;
    public string Value { get; set; } = "";
    public RuleCondition ToCondition() => new(Field, Operator, Value);
}

public sealed class EditableAction
{
    public ActionKind Kind { get; set; } = ActionKind.AddTags;
    public string Value { get; set; } = "";
    public RuleAction ToAction() => new(Kind, Kind == ActionKind.Solve ? "" : Value);
}
