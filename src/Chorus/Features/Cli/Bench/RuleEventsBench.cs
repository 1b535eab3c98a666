using System.CommandLine;
using Chorus.Data;
using Chorus.Features.Automation;
using Chorus.Features.Channels;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Cli.Bench;

/// `chorus bench rule-events`: stored rule events evaluated through the database, as the rule runner does it.
/// A burst of messages is ingested with the processor held back (every message stores an event: one rule
/// listens to messages, a few more to new conversations), then <see cref="ProcessRuleEvents"/> drains them:
/// events per second end to end (claim, the rules' reads, what they did, commit).
public static class RuleEventsBench
{
    public static Command Create()
    {
        var messages = new Option<int>("--messages") { Description = "Messages to ingest (each stores a rule event)", DefaultValueFactory = _ => 10_000 };
        var perConversation = new Option<int>("--per-conversation") { Description = "Messages per conversation", DefaultValueFactory = _ => 2 };
        var dataDir = new Option<string?>("--data-dir") { Description = "Fresh directory for the benchmark workspace (default: a new one under /tmp)" };
        var results = new Option<string?>("--results") { Description = "Also write the figures as Markdown to this file" };
        var cmd = new Command("rule-events", "Measure stored rule events evaluated per second through the database (claim, rules, save, commit).")
        {
            messages, perConversation, dataDir, results,
        };
        cmd.TreatUnmatchedTokensAsErrors = false; // --Database:Provider=Postgres --ConnectionStrings:Chorus=… run it on PostgreSQL (an empty database)
        cmd.SetAction(async (parse, ct) =>
        {
            int n = parse.GetValue(messages), each = parse.GetValue(perConversation);
            if (n < 1 || each < 1)
            {
                Console.Error.WriteLine("--messages and --per-conversation must be at least 1.");
                return 2;
            }
            var dir = Path.GetFullPath(parse.GetValue(dataDir) ?? Path.Combine(Path.GetTempPath(), $"chorus-bench-rule-events-{DateTime.UtcNow:yyyyMMdd-HHmmss}"));
            return await RunAsync(n, each, dir, parse.GetValue(results), [.. parse.UnmatchedTokens], ct);
        });
        return cmd;
    }

    private static async Task<int> RunAsync(int count, int each, string dir, string? resultsPath, string[] hostArgs, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var report = new BenchReport();
        var postgres = hostArgs.Any(a => a.Contains("Postgres", StringComparison.OrdinalIgnoreCase));
        Console.WriteLine($"chorus bench rule-events: {count:N0} messages, {each} per conversation, on {(postgres ? "PostgreSQL" : "SQLite")}");
        Console.WriteLine($"  machine: {Machine.Describe()}; data: {dir}; load {Machine.Load()}");
        try
        {
            string[] args =
            [
                $"--Chorus:DataDirectory={Path.Combine(dir, "app")}", "--Chorus:DemoWorkspace=false", "--Chorus:Rules:ProcessEvents=false",
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Warning", .. hostArgs,
            ];
            await using var app = ChorusApp.Build(args);
            await BenchWorkspace.CreateAsync(app.Services, ct);
            await AddRulesAsync(app.Services, ct);

            var channel = await DbAsync(app.Services, db => db.Channels.Where(c => c.Kind == ChannelKind.Api).Select(c => c.Id).SingleAsync(ct));
            var pipeline = app.Services.GetRequiredService<IngestPipeline>();
            var t0 = DateTimeOffset.UtcNow.AddDays(-1);
            var envelopes = Enumerable.Range(0, count).Select(i =>
            {
                var conversation = i / each;
                return new InboundEnvelope(channel, $"bench-{i}", $"bench-thread-{conversation}", new InboundAuthor(IdentityKind.Email, $"bench{conversation}@customer.test", null),
                    t0.AddSeconds(i), $"Order {conversation}", i % 7 == 0 ? "Where is my refund? This is urgent." : $"Message {i % each} about my order {conversation}", null);
            }).ToList();
            foreach (var chunk in envelopes.Chunk(1_000)) await pipeline.IngestManyAsync(chunk, ct);
            var stored = await DbAsync(app.Services, db => db.RuleEvents.CountAsync(ct));
            Console.WriteLine($"  {stored:N0} rule events stored; evaluating (load {Machine.Load()})");

            var process = app.Services.GetRequiredService<ProcessRuleEvents>();
            var clock = new CpuClock();
            clock.Start();
            while (await process.RunRoundAsync("bench", ct) > 0) { }
            clock.Stop();
            var left = await DbAsync(app.Services, db => db.RuleEvents.CountAsync(ct));
            var fired = await DbAsync(app.Services, db => db.Rules.SumAsync(r => r.FireCount, ct));
            var load = Machine.Load();

            report.Add($"rule events evaluated ({(postgres ? "PostgreSQL" : "SQLite")})", BenchReport.Rate(stored / clock.Wall.TotalSeconds, "events/s") + $" ({stored:N0} in {clock.Wall.TotalSeconds:N1} s)");
            report.Add("CPU per event", $"{clock.Cpu.TotalMilliseconds / stored:0.00} ms");
            report.Note($"{fired:N0} rule firings, {left:N0} events left; load average {load} at the end.");
            Console.WriteLine(report.ToMarkdown("Rule events"));
            if (resultsPath is not null) await File.WriteAllTextAsync(resultsPath, report.ToMarkdown($"Rule events bench, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()}"), ct);
            return left == 0 ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// A rule that tags every message that mentions a refund, one that notes every new conversation, and one that raises the priority of urgent ones.
    private static async Task AddRulesAsync(IServiceProvider services, CancellationToken ct)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            db.Rules.AddRange(
                new Rule
                {
                    Name = "Refunds", Position = 0, Trigger = RuleTrigger.MessageReceived,
                    Conditions = [new RuleCondition(ConditionField.Text, ConditionOperator.Contains, "refund")], Actions = [new RuleAction(ActionKind.AddTags, "refund")],
                },
                new Rule
                {
                    Name = "Urgent", Position = 1, Trigger = RuleTrigger.MessageReceived,
                    Conditions = [new RuleCondition(ConditionField.Text, ConditionOperator.Contains, "urgent")], Actions = [new RuleAction(ActionKind.SetPriority, "High")],
                },
                new Rule { Name = "Every message", Position = 2, Trigger = RuleTrigger.MessageReceived, Actions = [new RuleAction(ActionKind.AddTags, "seen")] },
                new Rule { Name = "Welcome note", Position = 3, Trigger = RuleTrigger.ConversationCreated, Actions = [new RuleAction(ActionKind.AddNote, "New: {{conversation.reference}}")] });
            await db.SaveChangesAsync(ct);
        }
        services.GetRequiredService<RuleSetCache>().Invalidate();
        await services.GetRequiredService<RuleSetCache>().GetAsync(ct);
    }

    private static async Task<T> DbAsync<T>(IServiceProvider services, Func<ChorusDb, Task<T>> read)
    {
        await using var scope = services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<ChorusDb>());
    }
}
