using System.CommandLine;
using System.Diagnostics;
using Chorus.Features.Automation;
using Chorus.Features.Inbox;
using Chorus.Features.People;

namespace Chorus.Features.Cli.Bench;

/// `chorus bench rules`: the rule engine alone, as the rule runner uses it (one event at a time, in
/// order): N active rules with a realistic mix of conditions (text phrases, a few regexes, team,
/// priority, person kind, tags, channel, status) against M events on varied conversations.
public static class RulesBench
{
    private static readonly string[] Words =
    [
        "order", "parcel", "refund", "invoice", "login", "password", "broken", "late", "shipping", "return", "label", "account", "billing", "charge",
        "thanks", "hello", "please", "urgent", "cancel", "subscription", "upgrade", "price", "discount", "journalist", "press", "interview", "partner",
        "feature", "bug", "crash", "error", "slow", "mobile", "app", "website", "delivery", "address", "change", "help", "question", "support", "team",
    ];

    /// What rules look for: words that appear in a few messages only, as real routing words do.
    private static readonly string[] Rare = Enumerable.Range(0, 60).Select(i => $"{Words[i % Words.Length]}{(char)('a' + i / Words.Length)}x").ToArray();

    public static Command Create()
    {
        var events = new Option<int>("--events") { Description = "Events to evaluate", DefaultValueFactory = _ => 1_000_000 };
        var rules = new Option<int>("--rules") { Description = "Active rules", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic rules and events", DefaultValueFactory = _ => 20261129 };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };
        var cmd = new Command("rules", "Measure rule evaluation: active rules against synthetic events, events per second.") { events, rules, seed, results };
        cmd.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(events), parse.GetValue(rules), parse.GetValue(seed), parse.GetValue(results))));
        return cmd;
    }

    public static int Run(int eventCount, int ruleCount, int seed, string? resultsPath)
    {
        if (eventCount < 1 || ruleCount < 1)
        {
            Console.Error.WriteLine("--events and --rules must be at least 1.");
            return 2;
        }
        var random = new Random(seed);
        var teams = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();
        var channels = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToArray();
        var compiled = Enumerable.Range(0, ruleCount).Select(i => new CompiledRule(MakeRule(i, random, teams, channels))).ToList();
        var macros = new Dictionary<Guid, IReadOnlyList<RuleAction>>();

        // A pool of conversations; each event copies one (rules change the facts they see).
        var pool = Enumerable.Range(0, 10_000).Select(_ => MakeFacts(random, teams, channels)).ToArray();
        var triggers = new[] { RuleTrigger.ConversationCreated, RuleTrigger.MessageReceived, RuleTrigger.MessageReceived, RuleTrigger.MessageReceived, RuleTrigger.StatusChanged, RuleTrigger.Assigned };
        var report = new BenchReport();
        Console.WriteLine($"Rules bench: {ruleCount:N0} active rules, {eventCount:N0} events (seed {seed})");

        long fired = 0, effects = 0, stopped = 0;
        for (var i = 0; i < Math.Min(20_000, eventCount); i++) RuleEngine.Run(compiled, triggers[i % triggers.Length], Copy(pool[i % pool.Length]), macros); // warm-up (JIT)
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < eventCount; i++)
        {
            var outcome = RuleEngine.Run(compiled, triggers[i % triggers.Length], Copy(pool[(int)((uint)(i * 2654435761u) % (uint)pool.Length)]), macros);
            fired += outcome.Fired.Count;
            effects += outcome.Effects.Count;
            if (outcome.Stopped is not null) stopped++;
        }
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var perSecond = eventCount / clock.Elapsed.TotalSeconds;
        report.Add($"rule evaluation, {ruleCount} active rules", BenchReport.Rate(perSecond, "events/s"));
        // CPU time is what the engine costs whatever else runs on the machine (wall time is not, on a shared one).
        report.Add("per CPU-second (one core)", BenchReport.Rate(eventCount / cpu.TotalSeconds, "events/s") + $" ({cpu.TotalMilliseconds * 1000 / eventCount:0.00} µs CPU per event)");
        report.Add("time for all events", $"{clock.Elapsed.TotalSeconds:0.0} s ({clock.Elapsed.TotalMilliseconds * 1000 / eventCount:0.00} µs per event)");
        report.Note($"{fired:N0} rule firings, {effects:N0} effects, {stopped:N0} runs stopped as loops; {ruleCount} rules: {compiled.Count(r => r.Trigger == RuleTrigger.MessageReceived)} on messages, "
                    + $"{compiled.Count(r => r.Trigger == RuleTrigger.ConversationCreated)} on new conversations, {compiled.Count(r => r.Trigger == RuleTrigger.StatusChanged)} on status changes, "
                    + $"{compiled.Count(r => r.Trigger == RuleTrigger.Assigned)} on assignment.");
        report.Note("The engine alone (one core, one event at a time, as the rule runner works); saving what rules did is one conversation read and one write per event that changed something.");
        if (resultsPath is not null) File.WriteAllText(resultsPath, report.ToMarkdown($"Rules bench, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores"));
        return 0;
    }

    private static Rule MakeRule(int i, Random random, Guid[] teams, Guid[] channels)
    {
        var trigger = (i % 10) switch { < 6 => RuleTrigger.MessageReceived, < 8 => RuleTrigger.ConversationCreated, 8 => RuleTrigger.StatusChanged, _ => RuleTrigger.Assigned };
        string Phrases(int n) => string.Join(", ", Enumerable.Range(0, n).Select(_ => Rare[random.Next(Rare.Length)]));
        var conditions = new List<RuleCondition>();
        // Most rules look at the text, some with a pattern; the rest at fields.
        conditions.Add((i % 10) switch
        {
            0 => new RuleCondition(ConditionField.Text, ConditionOperator.Matches, $@"\b{Rare[random.Next(Rare.Length)]}\s+(#?\d+|{Words[random.Next(Words.Length)]})"),
            < 7 => new RuleCondition(ConditionField.Text, ConditionOperator.Contains, Phrases(3)),
            7 => new RuleCondition(ConditionField.PersonKind, ConditionOperator.Is, PersonKind.Vip.ToString()),
            8 => new RuleCondition(ConditionField.Status, ConditionOperator.Is, ConversationStatus.Solved.ToString()),
            _ => new RuleCondition(ConditionField.Team, ConditionOperator.Is, teams[random.Next(teams.Length)].ToString()),
        });
        if (i % 3 == 0) conditions.Add(new RuleCondition(ConditionField.Channel, ConditionOperator.Is, channels[random.Next(channels.Length)].ToString()));
        if (i % 4 == 1) conditions.Add(new RuleCondition(ConditionField.Priority, ConditionOperator.IsNot, Priority.Low.ToString()));
        if (i % 5 == 2) conditions.Add(new RuleCondition(ConditionField.Tag, ConditionOperator.IsNot, "spam"));
        var actions = new List<RuleAction> { new(ActionKind.AddTags, $"auto-{i % 20}") };
        if (i % 7 == 0) actions.Add(new RuleAction(ActionKind.SetPriority, Priority.High.ToString()));
        if (i % 11 == 0) actions.Add(new RuleAction(ActionKind.SetTeam, teams[random.Next(teams.Length)].ToString()));
        if (i % 13 == 0) actions.Add(new RuleAction(ActionKind.AddNote, "Looked at by a rule"));
        return new Rule { Id = Guid.NewGuid(), Name = $"Rule {i + 1}", Trigger = trigger, Conditions = conditions, Actions = actions };
    }

    private static ConversationFacts MakeFacts(Random random, Guid[] teams, Guid[] channels)
    {
        var words = Enumerable.Range(0, random.Next(15, 80))
            .Select(_ => random.Next(10) == 0 ? random.Next(10_000, 999_999).ToString() : random.Next(100) == 0 ? Rare[random.Next(Rare.Length)] : Words[random.Next(Words.Length)]);
        return new ConversationFacts
        {
            ChannelId = channels[random.Next(channels.Length)], TeamId = teams[random.Next(teams.Length)],
            Status = (ConversationStatus)random.Next(0, 5), Priority = (Priority)random.Next(0, 4),
            Tags = random.Next(4) == 0 ? ["billing"] : [], PersonKind = random.Next(20) == 0 ? PersonKind.Vip : PersonKind.Customer,
            Text = "Subject line\n" + string.Join(' ', words),
        };
    }

    private static ConversationFacts Copy(ConversationFacts f) => new()
    {
        ChannelId = f.ChannelId, TeamId = f.TeamId, AssigneeId = f.AssigneeId, Status = f.Status, Priority = f.Priority,
        Tags = [.. f.Tags], PersonKind = f.PersonKind, OrganizationId = f.OrganizationId, Text = f.Text,
    };
}
