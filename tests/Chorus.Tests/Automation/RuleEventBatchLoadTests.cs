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

/// A batch of rule events reads its conversations in one query. Each event still sees its conversation as the
/// events before it left it: after a change the next event of that conversation reads it afresh, and when the rules
/// changed nothing it carries on with the same one and can still change it.
public class RuleEventBatchLoadTests
{
    [Theory, Providers]
    public async Task Each_event_of_a_batch_sees_what_the_events_before_it_did_to_its_conversation(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Rules:ProcessEvents"] = "false"; // the events wait, so whole batches are evaluated below
        var admin = await app.StaffAsync("admin");
        await admin.CreateRuleAsync(new
        {
            name = "Triage", enabled = true, trigger = "ConversationCreated",
            conditions = new[] { Condition("Text", "Contains", "triage me") }, actions = new[] { Action("AddTags", "triaged") },
        });
        await admin.CreateRuleAsync(new
        {
            name = "Follow-up after triage", enabled = true, trigger = "MessageReceived",
            conditions = new[] { Condition("Tag", "Is", "triaged"), Condition("Text", "Contains", "follow-up") },
            actions = new[] { Action("AddNote", "Follow-up on a triaged conversation") },
        });
        await admin.CreateRuleAsync(new
        {
            name = "Escalate", enabled = true, trigger = "MessageReceived",
            conditions = new[] { Condition("Text", "Contains", "escalate") }, actions = new[] { Action("AddTags", "escalated") },
        });

        // 120 conversations of two messages: half triaged by the first (a change the second must see), half untouched by
        // the first and escalated by the second (the same conversation carried on, then changed and saved).
        var channel = await app.ChannelIdAsync(ChannelKind.Api);
        const int conversations = 120;
        var envelopes = Enumerable.Range(0, conversations).SelectMany(i => new[]
        {
            new InboundEnvelope(channel, $"batch-{i}-0", $"batch-{i}", new InboundAuthor(IdentityKind.Email, $"batch{i}@customer.test", null),
                Api.T0, "Order", i % 2 == 0 ? "Please triage me" : "Just saying hello", null),
            new InboundEnvelope(channel, $"batch-{i}-1", $"batch-{i}", new InboundAuthor(IdentityKind.Email, $"batch{i}@customer.test", null),
                Api.T0.AddSeconds(1), "Order", i % 2 == 0 ? "A follow-up" : "Please escalate", null),
        }).ToList();
        var results = await app.Services.GetRequiredService<IngestPipeline>().IngestManyAsync(envelopes);
        Assert.All(results, r => Assert.True(r.Status is IngestStatus.Created or IngestStatus.Appended, r.Error));
        Assert.Equal(conversations * 2, await app.DbAsync(db => db.RuleEvents.CountAsync()));

        var process = app.Services.GetRequiredService<ProcessRuleEvents>();
        while (await process.RunRoundAsync("node-a", CancellationToken.None) > 0) { }

        Assert.Equal(0, await app.DbAsync(db => db.RuleEvents.CountAsync()));
        var seen = await app.DbAsync(db => db.Conversations.AsNoTracking().Where(c => c.Subject == "Order")
            .Select(c => new
            {
                c.Number,
                Tags = c.Tags.Select(t => t.Tag).OrderBy(t => t).ToList(),
                Notes = db.Messages.Count(m => m.ConversationId == c.Id && m.Kind == MessageKind.Note && m.Text == "Follow-up on a triaged conversation"),
            }).ToListAsync());
        Assert.Equal(conversations, seen.Count);
        Assert.Equal(conversations / 2, seen.Count(c => c.Tags is ["triaged"] && c.Notes == 1));
        Assert.Equal(conversations / 2, seen.Count(c => c.Tags is ["escalated"] && c.Notes == 0));
        Assert.Equal(conversations / 2 * 3, await app.DbAsync(db => db.Rules.SumAsync(r => r.FireCount))); // triage, follow-up, escalate: 60 each
    }
}
