using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Chorus.Features.People;

namespace Chorus.Features.Automation;

/// The demo workspace's rules and macros: what a support team with a backlog automates first. Added after
/// the demo conversations, so they act on what arrives from then on.
public static class DemoAutomation
{
    public static void Add(ChorusDb db, IReadOnlyDictionary<string, Team> teams)
    {
        var refund = new Macro
        {
            Name = "Refund on its way",
            Body = "Hi {{person.first_name}},\n\nyour refund for {{conversation.reference}} is on its way: you will see it on your statement within 5 working days.\n\n{{agent.first_name}}, Lumen Games support",
            Actions = [new(ActionKind.AddTags, "refund"), new(ActionKind.SetStatus, nameof(ConversationStatus.Pending))],
        };
        var bug = new Macro
        {
            Name = "Thanks for the bug report",
            Body = "Hi {{person.first_name}},\n\nthank you: we could reproduce it and our engineers are on it. We will write here ({{conversation.reference}}) when the fix ships.\n\n{{agent.first_name}}",
            Actions = [new(ActionKind.AddTags, "bug")],
        };
        var received = new Macro
        {
            Name = "We got your message",
            Body = "Hi {{person.first_name}},\n\nthanks for writing to Lumen Games. Your reference is {{conversation.reference}}; an agent answers within one working day.",
        };
        db.Macros.AddRange(refund, bug, received);

        var position = 0;
        Rule Rule(string name, string description, RuleTrigger trigger, RuleCondition[] conditions, RuleAction[] actions, bool enabled = true,
            ConversationStatus? status = null, int? hours = null) =>
            new()
            {
                Name = name, Description = description, Position = ++position, Enabled = enabled, Trigger = trigger, TriggerStatus = status, TriggerHours = hours,
                Conditions = [.. conditions], Actions = [.. actions],
            };
        db.Rules.AddRange(
            Rule("VIP to priority", "VIPs never wait behind the queue.", RuleTrigger.MessageReceived,
                [new(ConditionField.PersonKind, ConditionOperator.Is, nameof(PersonKind.Vip))],
                [new(ActionKind.SetPriority, nameof(Priority.High)), new(ActionKind.AddTags, "vip")]),
            Rule("Journalists to PR", "Press questions go to PR, who check embargoes first.", RuleTrigger.ConversationCreated,
                [new(ConditionField.PersonKind, ConditionOperator.Is, nameof(PersonKind.Press))],
                [new(ActionKind.SetTeam, teams["PR"].Id.ToString()), new(ActionKind.AddNote, "{{person.name}} is press: check the embargo calendar before answering.")]),
            Rule("Crashes to engineering", "Crash reports go straight to the Product & Engineering Liaison team.", RuleTrigger.ConversationCreated,
                [new(ConditionField.Text, ConditionOperator.Matches, @"\b(crash(es|ed|ing)?|freez(e|es|ing)|black screen)\b")],
                [new(ActionKind.SetTeam, teams["Product & Engineering Liaison"].Id.ToString()), new(ActionKind.AddTags, "bug")]),
            Rule("Refund requests", "Tag refund requests so the weekly report counts them.", RuleTrigger.ConversationCreated,
                [new(ConditionField.Text, ConditionOperator.Contains, "refund, chargeback, money back")],
                [new(ActionKind.AddTags, "refund")]),
            Rule("Acknowledge support e-mail", "Tell customers we got their message (switch on when the mailbox sends).", RuleTrigger.ConversationCreated,
                [new(ConditionField.Team, ConditionOperator.Is, teams["Support"].Id.ToString())],
                [new(ActionKind.ReplyWithMacro, received.Id.ToString())], enabled: false),
            Rule("Solve pending after 5 days", "Customers who do not answer for five days are done; a new message reopens the conversation.", RuleTrigger.TimeInStatus,
                [], [new(ActionKind.AddNote, "No answer from {{person.first_name}} for 5 days: solved automatically."), new(ActionKind.Solve, "")],
                enabled: false, status: ConversationStatus.Pending, hours: 120));
    }
}
