using System.Net;
using System.Text.Json;
using Chorus.Features.Channels;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

/// The ingest pipeline every channel uses: dedupe, threading, reopening, people and organizations, load.
public class IngestTests
{
    [Theory, Providers]
    public async Task A_batch_with_repeated_deliveries_stores_each_message_once(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var channel = await app.ChannelIdAsync(ChannelKind.Api);
        var pipeline = app.Services.GetRequiredService<IngestPipeline>();
        InboundEnvelope Envelope(string id, string text) =>
            new(channel, id, null, new InboundAuthor(IdentityKind.Email, "batch@customer.test", "Bea Batch"), Api.T0, "Batch", text, null);

        var results = await pipeline.IngestManyAsync([Envelope("a", "one"), Envelope("a", "one again"), Envelope("b", "two"), Envelope("a", "one, third time")]);
        Assert.Equal([IngestStatus.Created, IngestStatus.Duplicate, IngestStatus.Created, IngestStatus.Duplicate], results.Select(r => r.Status));
        Assert.Equal(results[0].ConversationNumber, results[1].ConversationNumber);
        Assert.Equal(results[0].MessageId, results[3].MessageId);

        var retried = await pipeline.IngestManyAsync([Envelope("b", "two"), Envelope("c", "three")]);
        Assert.Equal([IngestStatus.Duplicate, IngestStatus.Created], retried.Select(r => r.Status));
        Assert.Equal(results[2].ConversationNumber, retried[0].ConversationNumber);

        Assert.Equal(3, await app.DbAsync(db => db.Messages.CountAsync(m => m.Kind == MessageKind.Inbound)));
        Assert.Equal(3, await app.DbAsync(db => db.Conversations.CountAsync()));
        Assert.Equal(1, await app.DbAsync(db => db.People.CountAsync()));
        Assert.Equal("one", (await agent.ConversationAsync(results[0].ConversationNumber)).Messages().Single().Text);
    }

    [Theory, Providers]
    public async Task A_message_threads_by_thread_id_and_a_first_message_id_is_its_own_thread(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var first = await agent.DeliverAsync("<first@mail>", at: Api.T0);
        var reply = await agent.DeliverAsync("<second@mail>", thread: "<first@mail>", at: Api.T0.AddMinutes(1), text: "Following up");
        var other = await agent.DeliverAsync("<third@mail>", thread: "another-thread", at: Api.T0.AddMinutes(2));

        Assert.Equal("Created", first.Status);
        Assert.Equal("Appended", reply.Status);
        Assert.Equal(first.Number, reply.Number);
        Assert.NotEqual(first.Number, other.Number);
        var detail = await agent.ConversationAsync(first.Number);
        Assert.Equal(2, detail.Summary().GetProperty("messageCount").GetInt32());
        Assert.Equal("Following up", detail.Summary().GetProperty("preview").GetString());
        Assert.Equal(Api.T0.AddMinutes(1), detail.Summary().GetProperty("lastMessageAt").GetDateTimeOffset());
        Assert.Equal(Api.T0, detail.Summary().GetProperty("waitingSince").GetDateTimeOffset());
    }

    [Theory, Providers]
    public async Task A_new_message_reopens_a_solved_conversation(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var number = (await agent.DeliverAsync("ro-1", thread: "t-reopen")).Number;
        await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "Fixed!", statusAfter = "Solved" })).JsonAsync(HttpStatusCode.Created);

        var again = await agent.DeliverAsync("ro-2", thread: "t-reopen", text: "It broke again");

        Assert.Equal("Appended", again.Status);
        Assert.Equal(number, again.Number);
        var detail = await agent.ConversationAsync(number);
        Assert.Equal("Open", detail.Summary().GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, detail.Summary().GetProperty("waitingSince").ValueKind);
        Assert.Contains(detail.Messages(), m => m.Kind == "Event" && m.Text.Contains("Reopened"));
    }

    [Theory, Providers]
    public async Task A_message_on_a_closed_conversation_starts_a_new_one(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var closed = await agent.DeliverAsync("cl-1", thread: "t-closed");
        await agent.PatchConversationAsync(closed.Number, new { status = "Closed" });

        var next = await agent.DeliverAsync("cl-2", thread: "t-closed", text: "New problem");
        Assert.Equal("Created", next.Status);
        Assert.NotEqual(closed.Number, next.Number);
        Assert.Equal(closed.PersonId, next.PersonId);
        Assert.Equal("Closed", (await agent.ConversationAsync(closed.Number)).Summary().GetProperty("status").GetString());
        Assert.Equal(1, (await agent.ConversationAsync(closed.Number)).Messages().Count(m => m.Kind == "Inbound"));

        var third = await agent.DeliverAsync("cl-3", thread: "t-closed", text: "And more");
        Assert.Equal(next.Number, third.Number);
    }

    [Theory, Providers]
    public async Task The_same_handle_is_the_same_person_and_email_handles_ignore_case(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var a = await agent.DeliverAsync("pp-1", handle: "Pat.Person@Example-Shop.test");
        var b = await agent.DeliverAsync("pp-2", handle: "pat.person@example-shop.test");
        var c = await agent.DeliverAsync("pp-3", handle: "PAT.PERSON@EXAMPLE-SHOP.TEST");
        var reddit = await agent.DeliverAsync("pp-4", handle: "pat.person", kind: "Reddit");
        var forum = await agent.DeliverAsync("pp-5", handle: "pat.person", kind: "Forum");
        var reddit2 = await agent.DeliverAsync("pp-6", handle: "Pat.Person", kind: "Reddit");

        Assert.Equal(a.PersonId, b.PersonId);
        Assert.Equal(a.PersonId, c.PersonId);
        Assert.NotEqual(a.PersonId, reddit.PersonId); // a different channel kind is a different identity until someone merges them
        Assert.NotEqual(reddit.PersonId, forum.PersonId);
        Assert.Equal(reddit.PersonId, reddit2.PersonId);

        var person = await (await agent.GetAsync($"/api/v1/people/{a.PersonId}")).JsonAsync(HttpStatusCode.OK);
        var identity = Assert.Single(person.GetProperty("identities").EnumerateArray());
        Assert.Equal("pat.person@example-shop.test", identity.GetProperty("handle").GetString());
        Assert.Equal(3, person.GetProperty("conversations").GetArrayLength());
        Assert.Equal(3, await app.DbAsync(db => db.People.CountAsync()));
    }

    [Theory, Providers]
    public async Task People_join_the_organization_of_their_email_domain_except_free_mail(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var ada = await agent.DeliverAsync("o-1", handle: "ada@acme-rockets.test", name: "Ada");
        var bo = await agent.DeliverAsync("o-2", handle: "bo@ACME-rockets.test", name: "Bo");
        var gmail = await agent.DeliverAsync("o-3", handle: "someone@gmail.com", name: "Gee");
        var gmail2 = await agent.DeliverAsync("o-4", handle: "other@gmail.com", name: "Gee Two");

        async Task<JsonElement> Person(Guid id) => await (await agent.GetAsync($"/api/v1/people/{id}")).JsonAsync(HttpStatusCode.OK);
        var pa = await Person(ada.PersonId);
        var pb = await Person(bo.PersonId);
        Assert.Equal("acme-rockets.test", pa.GetProperty("organizationDomain").GetString());
        Assert.Equal("Acme-rockets", pa.GetProperty("organizationName").GetString());
        Assert.Equal(pa.GetProperty("organizationId").GetGuid(), pb.GetProperty("organizationId").GetGuid());
        Assert.Equal(JsonValueKind.Null, (await Person(gmail.PersonId)).GetProperty("organizationId").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await Person(gmail2.PersonId)).GetProperty("organizationId").ValueKind);
        Assert.Equal(1, await app.DbAsync(db => db.Organizations.CountAsync()));
    }

    [Theory, Providers]
    public async Task Fifty_parallel_deliveries_and_twenty_parallel_retries_store_exactly_what_was_sent(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");

        var distinct = Enumerable.Range(0, 50).Select(i => agent.PostAsync("/api/v1/inbound", new
        {
            externalId = $"load-{i}", author = new { kind = "Email", handle = $"load{i % 10}@load.test", name = $"Load {i % 10}" }, subject = $"Load {i}", text = $"Message {i}",
        }));
        var duplicates = Enumerable.Range(0, 20).Select(_ => agent.PostAsync("/api/v1/inbound", new
        {
            externalId = "the-retried-one", author = new { kind = "Email", handle = "retry@load.test", name = "Retry" }, subject = "Retry", text = "Once only",
        }));
        var responses = await Task.WhenAll(distinct.Concat(duplicates));

        var bodies = await Task.WhenAll(responses.Select(async r => (r.StatusCode, Json: JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement)));
        Assert.All(bodies.Take(50), b => Assert.Equal(HttpStatusCode.Created, b.StatusCode));
        var retried = bodies.Skip(50).ToList();
        Assert.Single(retried, b => b.StatusCode == HttpStatusCode.Created);
        Assert.Equal(19, retried.Count(b => b.StatusCode == HttpStatusCode.OK && b.Json.GetProperty("status").GetString() == "Duplicate"));
        Assert.Single(retried.Select(b => b.Json.GetProperty("conversationNumber").GetInt64()).Distinct());

        Assert.Equal(51, await app.DbAsync(db => db.Conversations.CountAsync()));
        Assert.Equal(51, await app.DbAsync(db => db.Messages.CountAsync(m => m.Kind == MessageKind.Inbound)));
        Assert.Equal(11, await app.DbAsync(db => db.People.CountAsync()));
        Assert.Equal(11, await app.DbAsync(db => db.Identities.CountAsync()));
        var numbers = await app.DbAsync(db => db.Conversations.Select(c => c.Number).ToListAsync());
        Assert.Equal(51, numbers.Distinct().Count());
    }

    [Theory, Providers]
    public async Task Html_only_messages_are_stored_sanitized_with_a_plain_text_version(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var d = await agent.PostAsync("/api/v1/inbound", new
        {
            externalId = "h-1", author = new { kind = "Email", handle = "html@customer.test" }, subject = "Html",
            html = "<p>Hello <b>there</b></p><script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">click</a>",
        });
        var number = (await d.JsonAsync(HttpStatusCode.Created)).GetProperty("conversationNumber").GetInt64();
        var message = (await agent.ConversationAsync(number)).GetProperty("messages")[0];
        var html = message.GetProperty("html").GetString()!;
        Assert.Contains("<b>there</b>", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("Hello there", message.GetProperty("text").GetString());
        Assert.DoesNotContain("alert", message.GetProperty("text").GetString());
    }

    [Theory, Providers]
    public async Task An_author_name_longer_than_a_profile_name_does_not_lose_the_message(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var name = "Dr. " + string.Join(' ', Enumerable.Repeat("Bartholomew", 25)); // 303 characters; a profile name holds 200

        var response = await agent.PostAsync("/api/v1/inbound", new { externalId = "long-name", author = new { kind = "Email", handle = "bart@long.test", name }, text = "hello" });

        var body = await response.JsonAsync(HttpStatusCode.Created);
        var person = await (await agent.GetAsync($"/api/v1/people/{body.GetProperty("personId").GetGuid()}")).JsonAsync(HttpStatusCode.OK);
        Assert.StartsWith("Dr. Bartholomew", person.GetProperty("name").GetString());
        Assert.True(person.GetProperty("name").GetString()!.Length <= 200);
    }

    [Theory, Providers]
    public async Task Shortened_previews_and_subjects_never_cut_a_character_in_half(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        // An emoji is two UTF-16 units; these put one across the 197-character preview cut and the 77-character subject cut.
        var longText = new string('a', 196) + "😀 and more words after the emoji";
        var noSubject = new string('b', 76) + "😀 rest of the first line";

        var preview = await agent.PostAsync("/api/v1/inbound", new { externalId = "emoji-1", author = new { kind = "Email", handle = "e@emoji.test" }, subject = "Emoji", text = longText });
        var subject = await agent.PostAsync("/api/v1/inbound", new { externalId = "emoji-2", author = new { kind = "Email", handle = "e@emoji.test" }, text = noSubject });

        var p = await agent.ConversationAsync((await preview.JsonAsync(HttpStatusCode.Created)).GetProperty("conversationNumber").GetInt64());
        var s = await agent.ConversationAsync((await subject.JsonAsync(HttpStatusCode.Created)).GetProperty("conversationNumber").GetInt64());
        Assert.Equal(longText, p.Messages().Single().Text);
        AssertWhole(p.Summary().GetProperty("preview").GetString()!);
        AssertWhole(s.Summary().GetProperty("subject").GetString()!);
    }

    /// No lone surrogate and no replacement character where a character was cut in half.
    internal static void AssertWhole(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            Assert.False(text[i] == '\uFFFD', $"replacement character in '{text}'");
            if (char.IsHighSurrogate(text[i])) Assert.True(i + 1 < text.Length && char.IsLowSurrogate(text[++i]), $"half a character in '{text}'");
            else Assert.False(char.IsLowSurrogate(text[i]), $"half a character in '{text}'");
        }
    }
}
