using Chorus.Features.Automation;
using Chorus.Features.Channels;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Chorus.Tests.Automation.AutomationTestKit;

namespace Chorus.Tests.Automation;

/// Rule events are rows written with the change that raised them, not an in-memory queue: a burst of any
/// size waits in the database, a restart loses none, and each is evaluated once however many processors run.
public class DurableRuleEventsTests
{
    private const string NoteRule = "Note every message";

    /// A rule that writes one note per event it sees: counting notes counts evaluations.
    private static Task CreateNoteRuleAsync(StaffClient admin) => admin.CreateRuleAsync(new
    {
        name = NoteRule, enabled = true, trigger = "MessageReceived",
        conditions = Array.Empty<object>(),
        actions = new[] { Action("AddNote", "Seen {{conversation.reference}}") },
    });

    private static async Task<IReadOnlyList<IngestResult>> IngestAsync(ChorusFactory app, int conversations, string prefix, int messagesEach = 1)
    {
        var channel = await app.ChannelIdAsync(ChannelKind.Api);
        var envelopes = Enumerable.Range(0, conversations).SelectMany(i => Enumerable.Range(0, messagesEach).Select(m =>
            new InboundEnvelope(channel, $"{prefix}-{i}-{m}", $"{prefix}-{i}", new InboundAuthor(IdentityKind.Email, $"{prefix}{i}@customer.test", null),
                Api.T0.AddSeconds(m), "Burst", $"Message {m} of conversation {i}", null))).ToList();
        var results = await app.Services.GetRequiredService<IngestPipeline>().IngestManyAsync(envelopes);
        Assert.All(results, r => Assert.True(r.Status is IngestStatus.Created or IngestStatus.Appended, r.Error));
        return results;
    }

    /// Evaluates stored events as a node named <paramref name="owner"/> would, until none is due.
    private static async Task DrainAsync(ChorusFactory app, string owner)
    {
        var process = app.Services.GetRequiredService<ProcessRuleEvents>();
        while (await process.RunRoundAsync(owner, CancellationToken.None) > 0) { }
    }

    private static Task<int> NotesAsync(ChorusFactory app) =>
        app.DbAsync(db => db.Messages.CountAsync(m => m.Kind == MessageKind.Note && m.Text.StartsWith("Seen #")));

    private static Task<int> FireCountAsync(ChorusFactory app) =>
        app.DbAsync(db => db.Rules.Where(r => r.Name == NoteRule).Select(r => r.FireCount).SingleAsync());

    [Theory, Providers]
    public async Task A_burst_is_stored_with_the_messages_and_every_event_is_evaluated(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Rules:ProcessEvents"] = "false"; // nothing evaluates while the burst arrives: it all waits
        var admin = await app.StaffAsync("admin");
        await CreateNoteRuleAsync(admin);

        // More events than one round of the processor takes, in ingest batches of the pipeline's size.
        const int conversations = 600, messagesEach = 2;
        var results = await IngestAsync(app, conversations, "burst", messagesEach);
        Assert.Equal(conversations * messagesEach, await app.DbAsync(db => db.RuleEvents.CountAsync()));
        Assert.Equal(conversations, await app.DbAsync(db => db.RuleEvents.CountAsync(e => e.Trigger == RuleTrigger.ConversationCreated)));
        Assert.Equal(0, await NotesAsync(app));

        await DrainAsync(app, "node-a");

        Assert.Equal(0, await app.DbAsync(db => db.RuleEvents.CountAsync()));
        Assert.Equal(conversations * messagesEach, await NotesAsync(app));
        Assert.Equal(conversations * messagesEach, await FireCountAsync(app));
        // Every conversation got one note per message, in order: the note of the first message before the second arrived's.
        var perConversation = await app.DbAsync(db => db.Messages.Where(m => m.Kind == MessageKind.Note).GroupBy(m => m.ConversationId).Select(g => g.Count()).ToListAsync());
        Assert.Equal(conversations, perConversation.Count);
        Assert.All(perConversation, n => Assert.Equal(messagesEach, n));
        var sample = await admin.ConversationAsync(results[0].ConversationNumber);
        Assert.Equal(["Inbound", "Inbound", "Note", "Note"], sample.Messages().Where(m => m.Kind != "Event").Select(m => m.Kind).Order());
    }

    [Theory, Providers]
    public async Task Events_stored_before_a_restart_are_evaluated_after_it(Provider provider)
    {
        var before = new ChorusFactory(provider);
        before.Settings["Chorus:Rules:ProcessEvents"] = "false"; // as if the node died before its processor got to them
        var admin = await before.StaffAsync("admin");
        var agent = await before.StaffAsync("agent", "Support");
        await CreateNoteRuleAsync(admin);
        await admin.CreateRuleAsync(new
        {
            name = "Solved means thanks", enabled = true, trigger = "StatusChanged",
            conditions = new[] { Condition("Status", "Is", "Solved") }, actions = new[] { Action("AddTags", "thanked") },
        });
        var delivered = await admin.DeliverAsync("restart-1", text: "My order is late");
        await agent.PatchConversationAsync(delivered.Number, new { status = "Solved" });
        Assert.Equal(2, await before.DbAsync(db => db.RuleEvents.CountAsync()));

        await using var after = ChorusFactory.RestartOf(before);
        await before.DisposeAsync();
        var again = await after.StaffAsync("admin");
        var detail = await again.EventuallyAsync(delivered.Number, d => d.Tags().Contains("thanked"));
        Assert.Contains(detail.Messages(), m => m.Kind == "Note" && m.Text == $"Seen #{delivered.Number}");
        Assert.Equal(["Rule 'Note every message' added an internal note.", "Rule 'Solved means thanks' added tag thanked."], detail.RuleEvents().Order());
        Assert.Equal(0, await after.DbAsync(db => db.RuleEvents.CountAsync()));
    }

    [Theory, Providers]
    public async Task Two_processors_working_at_once_never_evaluate_one_event_twice(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Rules:ProcessEvents"] = "false";
        app.Settings["Chorus:Rules:LeaseSeconds"] = "0"; // the lease never keeps the other out: only the per-event claim does
        var admin = await app.StaffAsync("admin");
        await CreateNoteRuleAsync(admin);
        const int conversations = 400;
        await IngestAsync(app, conversations, "pair");

        await Task.WhenAll(Task.Run(() => DrainAsync(app, "node-a")), Task.Run(() => DrainAsync(app, "node-b")));

        Assert.Equal(0, await app.DbAsync(db => db.RuleEvents.CountAsync()));
        var perConversation = await app.DbAsync(db => db.Messages.Where(m => m.Kind == MessageKind.Note).GroupBy(m => m.ConversationId).Select(g => g.Count()).ToListAsync());
        Assert.Equal(conversations, perConversation.Count);
        Assert.All(perConversation, n => Assert.Equal(1, n));
        Assert.Equal(conversations, await FireCountAsync(app));
    }

    [Theory, Providers]
    public async Task A_failing_event_waits_alone_while_the_rest_of_its_batch_is_evaluated_once(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Rules:ProcessEvents"] = "false";
        app.Settings["Chorus:Rules:RetryBaseSeconds"] = "0"; // a failed event is due again at once
        app.Settings["Chorus:Rules:MaxAttempts"] = "3";
        var admin = await app.StaffAsync("admin");
        await CreateNoteRuleAsync(admin);
        const int conversations = 150, messagesEach = 2;
        var results = await IngestAsync(app, conversations, "faulty", messagesEach);
        var bad = results[41].ConversationNumber; // in the middle of the first batch
        // The database refuses this conversation's note (as a broken constraint or a full disk would): each evaluation of its events fails.
        await RefuseNoteAsync(app, provider, $"Seen #{bad}");

        await DrainAsync(app, "node-a");

        Assert.Equal(0, await app.DbAsync(db => db.RuleEvents.CountAsync()));
        // Every other conversation: one note per message, none twice although the batch it was in was rolled back and done again.
        var perConversation = await app.DbAsync(db => db.Messages.Where(m => m.Kind == MessageKind.Note).GroupBy(m => m.ConversationId).Select(g => g.Count()).ToListAsync());
        Assert.Equal(conversations - 1, perConversation.Count);
        Assert.All(perConversation, n => Assert.Equal(messagesEach, n));
        Assert.Equal((conversations - 1) * messagesEach, await FireCountAsync(app));
        // The bad one: its events were tried, in order, then the thread says the rules did not run, once per event.
        var detail = await admin.ConversationAsync(bad);
        Assert.DoesNotContain(detail.Messages(), m => m.Kind == "Note");
        var gaveUp = detail.Messages().Where(m => m.Text.StartsWith("Rules did not run")).Select(m => m.Text).ToList();
        Assert.Equal(2, gaveUp.Count);
        Assert.All(gaveUp, t => Assert.Contains("(tried 3 times)", t));
    }

    /// A database trigger that refuses to store the note with exactly this text.
    private static Task RefuseNoteAsync(ChorusFactory app, Provider provider, string text) => app.DbAsync(db => db.Database.ExecuteSqlRawAsync(provider == Provider.Sqlite
        ? $"""CREATE TRIGGER refuse_note BEFORE INSERT ON "Messages" WHEN NEW."Text" = '{text}' BEGIN SELECT RAISE(ABORT, 'note refused by the test'); END;"""
        : $"""
           CREATE FUNCTION refuse_note() RETURNS trigger LANGUAGE plpgsql AS $f$
           BEGIN IF NEW."Text" = '{text}' THEN RAISE EXCEPTION 'note refused by the test'; END IF; RETURN NEW; END $f$;
           CREATE TRIGGER refuse_note BEFORE INSERT ON "Messages" FOR EACH ROW EXECUTE FUNCTION refuse_note();
           """));

    [Theory, Providers]
    public async Task Events_no_rule_listens_to_are_not_stored(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Rules:ProcessEvents"] = "false";
        var admin = await app.StaffAsync("admin");
        await admin.CreateRuleAsync(new
        {
            name = "Assigned", enabled = true, trigger = "Assigned", conditions = Array.Empty<object>(), actions = new[] { Action("AddTags", "assigned") },
        });
        using (var scope = app.Services.CreateScope()) await scope.ServiceProvider.GetRequiredService<RuleSetCache>().GetAsync();

        await IngestAsync(app, 3, "quiet");
        Assert.Equal(0, await app.DbAsync(db => db.RuleEvents.CountAsync()));
    }
}
