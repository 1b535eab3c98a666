using Chorus.Features.Automation;
using Chorus.Features.Inbox;
using Chorus.Features.People;

namespace Chorus.Tests.Automation;

/// Rule matching and the rule engine on their own: conditions, order, cascades, regex time limits, loops.
public class RuleEngineTests
{
    private static readonly Guid Support = Guid.NewGuid(), Billing = Guid.NewGuid(), Email = Guid.NewGuid(), Acme = Guid.NewGuid();
    private static readonly Dictionary<Guid, IReadOnlyList<RuleAction>> NoMacros = [];

    private static ConversationFacts Facts(string text = "Late order\nMy parcel has not arrived", PersonKind kind = PersonKind.Customer) => new()
    {
        ChannelId = Email, TeamId = Support, AssigneeId = null, Status = ConversationStatus.New, Priority = Priority.Normal,
        Tags = ["shipping"], PersonKind = kind, OrganizationId = Acme, Text = text,
    };

    private static CompiledRule Rule(string name, RuleTrigger trigger, RuleCondition[] conditions, params RuleAction[] actions) =>
        new(new Rule { Id = Guid.NewGuid(), Name = name, Trigger = trigger, Conditions = [.. conditions], Actions = [.. actions] });

    private static RuleCondition C(ConditionField field, ConditionOperator op, string value) => new(field, op, value);

    private static bool Matches(params RuleCondition[] conditions) =>
        Rule("r", RuleTrigger.MessageReceived, conditions).Matches(Facts(kind: PersonKind.Vip));

    [Fact]
    public void Each_condition_field_checks_what_it_names()
    {
        Assert.True(Matches(C(ConditionField.Channel, ConditionOperator.Is, Email.ToString())));
        Assert.False(Matches(C(ConditionField.Channel, ConditionOperator.IsNot, Email.ToString())));
        Assert.True(Matches(C(ConditionField.Team, ConditionOperator.Is, Support.ToString())));
        Assert.False(Matches(C(ConditionField.Team, ConditionOperator.Is, Billing.ToString())));
        Assert.False(Matches(C(ConditionField.Team, ConditionOperator.Is, ""))); // "no team"
        Assert.True(Matches(C(ConditionField.Assignee, ConditionOperator.Is, ""))); // unassigned
        Assert.True(Matches(C(ConditionField.PersonKind, ConditionOperator.Is, "Vip")));
        Assert.False(Matches(C(ConditionField.PersonKind, ConditionOperator.Is, "Press")));
        Assert.True(Matches(C(ConditionField.Organization, ConditionOperator.Is, Acme.ToString())));
        Assert.True(Matches(C(ConditionField.Tag, ConditionOperator.Is, "Shipping")));
        Assert.True(Matches(C(ConditionField.Tag, ConditionOperator.IsNot, "refund")));
        Assert.True(Matches(C(ConditionField.Priority, ConditionOperator.Is, "normal")));
        Assert.True(Matches(C(ConditionField.Status, ConditionOperator.IsNot, "Solved")));
        // All conditions must hold.
        Assert.False(Matches(C(ConditionField.Priority, ConditionOperator.Is, "Normal"), C(ConditionField.Status, ConditionOperator.Is, "Open")));
    }

    [Fact]
    public void Text_conditions_look_at_subject_and_message_case_insensitively()
    {
        Assert.True(Matches(C(ConditionField.Text, ConditionOperator.Contains, "refund, PARCEL")));   // any of the phrases
        Assert.True(Matches(C(ConditionField.Text, ConditionOperator.Contains, "late order")));      // the subject counts
        Assert.False(Matches(C(ConditionField.Text, ConditionOperator.Contains, "refund, invoice")));
        Assert.True(Matches(C(ConditionField.Text, ConditionOperator.DoesNotContain, "refund, invoice")));
        Assert.False(Matches(C(ConditionField.Text, ConditionOperator.DoesNotContain, "invoice, arrived")));
        Assert.True(Matches(C(ConditionField.Text, ConditionOperator.Matches, @"has\s+not\s+ARRIVED")));
        Assert.False(Matches(C(ConditionField.Text, ConditionOperator.Matches, @"order\s+#\d+")));
    }

    [Fact]
    public void A_regex_that_runs_too_long_is_stopped_and_does_not_match()
    {
        // A backreference forces the backtracking engine; nested quantifiers make it exponential on this input.
        var rule = Rule("Runaway", RuleTrigger.MessageReceived, [new(ConditionField.Text, ConditionOperator.Matches, @"^(a+)+\1$")]);
        string? warning = null;
        rule.OnRegexTimeout = w => warning = w;
        Assert.False(rule.Matches(Facts(text: new string('a', 40) + "!")));
        Assert.NotNull(warning);
        Assert.Contains("'Runaway'", warning);

        // Patterns without backreferences run on the linear-time engine: the classic catastrophic one is harmless.
        var linear = Rule("Linear", RuleTrigger.MessageReceived, [new(ConditionField.Text, ConditionOperator.Matches, @"^(a+)+$")]);
        Assert.False(linear.Matches(Facts(text: new string('a', 5000) + "!")));
    }

    [Fact]
    public void An_invalid_pattern_is_refused_when_compiled()
    {
        Assert.ThrowsAny<ArgumentException>(() => CompiledRule.CompilePattern("order (#"));
    }

    [Fact]
    public void Rules_run_in_order_and_a_later_rule_sees_an_earlier_rules_change()
    {
        var first = Rule("VIP to priority", RuleTrigger.MessageReceived, [new(ConditionField.PersonKind, ConditionOperator.Is, "Vip")],
            new RuleAction(ActionKind.SetPriority, "High"));
        var second = Rule("High gets a tag", RuleTrigger.MessageReceived, [new(ConditionField.Priority, ConditionOperator.Is, "High")],
            new RuleAction(ActionKind.AddTags, "vip-queue"));
        var facts = Facts(kind: PersonKind.Vip);
        var outcome = RuleEngine.Run([first, second], RuleTrigger.ConversationCreated, facts, NoMacros); // message rules see new conversations too
        Assert.Equal(["VIP to priority", "High gets a tag"], outcome.Fired);
        Assert.Equal(Priority.High, facts.Priority);
        Assert.Contains("vip-queue", facts.Tags);

        // In the other order the tag rule looks before the priority changed.
        var reversed = Facts(kind: PersonKind.Vip);
        Assert.Equal(["VIP to priority"], RuleEngine.Run([second, first], RuleTrigger.MessageReceived, reversed, NoMacros).Fired);
    }

    [Fact]
    public void A_status_change_made_by_a_rule_is_an_event_for_status_rules()
    {
        var solve = Rule("Thanks solves", RuleTrigger.MessageReceived, [new(ConditionField.Text, ConditionOperator.Contains, "arrived")], new RuleAction(ActionKind.Solve, ""));
        var tag = Rule("Tag solved", RuleTrigger.StatusChanged, [new(ConditionField.Status, ConditionOperator.Is, "Solved")], new RuleAction(ActionKind.AddTags, "auto-solved"));
        var other = Rule("Assigned only", RuleTrigger.Assigned, [], new RuleAction(ActionKind.AddTags, "never"));
        var facts = Facts();
        var outcome = RuleEngine.Run([tag, other, solve], RuleTrigger.MessageReceived, facts, NoMacros);
        Assert.Equal(["Thanks solves", "Tag solved"], outcome.Fired);
        Assert.Equal(ConversationStatus.Solved, facts.Status);
        Assert.Contains("auto-solved", facts.Tags);
        Assert.DoesNotContain("never", facts.Tags);
        Assert.Null(outcome.Stopped);
    }

    [Fact]
    public void Actions_that_change_nothing_are_not_effects()
    {
        var rule = Rule("Already", RuleTrigger.MessageReceived, [], new RuleAction(ActionKind.SetPriority, "Normal"), new RuleAction(ActionKind.AddTags, "shipping"),
            new RuleAction(ActionKind.AddNote, "Looked at by a rule"));
        var outcome = RuleEngine.Run([rule], RuleTrigger.MessageReceived, Facts(), NoMacros);
        Assert.Equal([ActionKind.AddNote], outcome.Effects.Select(e => e.Action.Kind));
    }

    [Fact]
    public void Rules_that_trigger_each_other_stop_with_a_message_naming_them()
    {
        // A reopens what is pending; B sets open conversations pending: each status change triggers the other.
        var a = Rule("Reopen pending", RuleTrigger.StatusChanged, [new(ConditionField.Status, ConditionOperator.Is, "Pending")], new RuleAction(ActionKind.SetStatus, "Open"));
        var b = Rule("Park open", RuleTrigger.StatusChanged, [new(ConditionField.Status, ConditionOperator.Is, "Open")], new RuleAction(ActionKind.SetStatus, "Pending"));
        var facts = Facts();
        facts.Status = ConversationStatus.Pending;
        var outcome = RuleEngine.Run([a, b], RuleTrigger.StatusChanged, facts, NoMacros);
        Assert.Equal(["Reopen pending", "Park open"], outcome.Fired);
        Assert.Equal(2, outcome.Effects.Count);
        Assert.NotNull(outcome.Stopped);
        Assert.StartsWith("Rules stopped: 'Reopen pending' would run again after 'Reopen pending' → 'Park open' changed the conversation", outcome.Stopped);
        Assert.Contains("loop", outcome.Stopped);
    }

    [Fact]
    public void A_macro_reply_carries_the_macros_actions()
    {
        var macro = Guid.NewGuid();
        var rule = Rule("Answer shipping", RuleTrigger.MessageReceived, [], new RuleAction(ActionKind.ReplyWithMacro, macro.ToString()));
        var facts = Facts();
        var outcome = RuleEngine.Run([rule], RuleTrigger.MessageReceived, facts,
            new Dictionary<Guid, IReadOnlyList<RuleAction>> { [macro] = [new(ActionKind.SetStatus, "Pending"), new(ActionKind.AddTags, "answered")] });
        Assert.Equal([ActionKind.ReplyWithMacro, ActionKind.SetStatus, ActionKind.AddTags], outcome.Effects.Select(e => e.Action.Kind));
        Assert.All(outcome.Effects.Skip(1), e => Assert.Equal(macro, e.MacroId));
        Assert.Equal(ConversationStatus.Pending, facts.Status);
    }

    [Fact]
    public void Unknown_placeholders_are_named()
    {
        Assert.Null(Placeholders.Check("Hi {{ person.first_name }}, about {{conversation.reference}} — {{agent.name}}"));
        Assert.Contains("{{person.nmae}}", Placeholders.Check("Hi {{person.nmae}}"));
        Assert.Equal("Hi Ann, about #7", Placeholders.Fill("Hi {{person.first_name}}, about {{ conversation.reference }}",
            new Dictionary<string, string> { ["person.first_name"] = "Ann", ["conversation.reference"] = "#7" }));
    }
}
