using System.Net;
using Chorus.Features.Search;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

/// Search in the inbox (q=): message words, subjects, requesters, #numbers; any text a person types is safe.
public class SearchTests
{
    private static async Task<long[]> SearchAsync(StaffClient c, string q, string more = "") =>
        (await c.ListAsync("q=" + Uri.EscapeDataString(q) + more)).Numbers().Order().ToArray();

    [Theory, Providers]
    public async Task Search_finds_conversations_by_message_words_subject_requester_and_number(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var invoice = (await agent.DeliverAsync("s-1", handle: "olga@invoices.test", name: "Olga Ledger", subject: "Billing question", text: "My invoice shows the wrong amount")).Number;
        var crash = (await agent.DeliverAsync("s-2", handle: "pete@crashes.test", name: "Pete Crash", subject: "Application crashes on startup", text: "It stops right away")).Number;
        var later = (await agent.DeliverAsync("s-3", thread: "s-2", handle: "pete@crashes.test", text: "Also the telemetry dialog freezes")).Number;
        Assert.Equal(crash, later);

        Assert.Equal([invoice], await SearchAsync(agent, "invoice"));
        Assert.Equal([invoice], await SearchAsync(agent, "wrong amount"));
        Assert.Equal([crash], await SearchAsync(agent, "telemetry"));           // any message of the thread, not just the first
        Assert.Equal([crash], await SearchAsync(agent, "startup"));             // subject
        Assert.Equal([invoice], await SearchAsync(agent, "Ledger"));            // requester name
        Assert.Equal([crash], await SearchAsync(agent, "pete@crashes.test"));  // requester e-mail
        Assert.Equal([invoice], await SearchAsync(agent, $"#{invoice}"));
        Assert.Equal([crash], await SearchAsync(agent, $"{crash}"));
        Assert.Empty(await SearchAsync(agent, "kangaroo"));
    }

    [Theory, Providers]
    public async Task A_message_is_found_the_moment_it_is_stored_and_after_the_index_catches_up(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var indexer = app.Services.GetRequiredService<IndexMessages>();
        await indexer.StopAsync(CancellationToken.None); // hold the background index back: the message stays queued
        var quoted = (await agent.DeliverAsync("q-1", subject: "Hello", text: "The quasar edition arrived without its poster")).Number;

        Assert.Equal(provider == Provider.Sqlite ? 1 : 0, await indexer.BacklogAsync());
        Assert.Equal([quoted], await SearchAsync(agent, "quasar"));          // read from the queue
        Assert.Equal([quoted], await SearchAsync(agent, "quasar poster"));
        Assert.Equal([quoted], await SearchAsync(agent, "quasar", "&sort=LongestWaiting"));
        Assert.Empty(await SearchAsync(agent, "quasar hoodie"));

        Assert.Equal(provider == Provider.Sqlite ? 1 : 0, await indexer.IndexAllAsync());
        Assert.Equal(0, await indexer.BacklogAsync());
        Assert.Equal([quoted], await SearchAsync(agent, "quasar"));          // now from the index, and only once
        Assert.Equal([quoted], await SearchAsync(agent, "quasar", "&sort=LongestWaiting"));
    }

    [Theory, Providers]
    public async Task Part_of_a_requesters_name_or_handle_finds_them_through_renames_merges_and_undo(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var zora = await agent.DeliverAsync("pn-1", handle: "zora@quist.test", name: "Zora Quistwell", text: "Hello");
        var marek = await agent.DeliverAsync("pn-2", handle: "zq@other.test", name: "Marek Brightwater", text: "Hi");

        Assert.Equal([zora.Number], await SearchAsync(agent, "ISTWEL"));
        await (await agent.PatchAsync($"/api/v1/people/{zora.PersonId}", new { name = "Zora Fenwick" })).JsonAsync(HttpStatusCode.OK);
        Assert.Empty(await SearchAsync(agent, "istwel"));
        Assert.Equal([zora.Number], await SearchAsync(agent, "fenwi"));

        var mergeId = (await (await agent.PostAsync($"/api/v1/people/{zora.PersonId}/merge", new { other = marek.PersonId })).JsonAsync(HttpStatusCode.OK))
            .GetProperty("mergeId").GetGuid();
        Assert.Empty(await SearchAsync(agent, "brightwat"));                               // a merged profile's name no longer matches
        Assert.Equal(new[] { zora.Number, marek.Number }.Order(), await SearchAsync(agent, "zq@other")); // its handle moved with it

        await (await agent.PostAsync($"/api/v1/people/merges/{mergeId}/undo", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal([marek.Number], await SearchAsync(agent, "brightwat"));
        Assert.Equal([marek.Number], await SearchAsync(agent, "zq@other"));
    }

    [Fact]
    public async Task Deleting_queued_and_indexed_messages_keeps_the_sqlite_index_consistent()
    {
        await using var app = new ChorusFactory(Provider.Sqlite);
        var agent = await app.StaffAsync("agent", "Support");
        var indexer = app.Services.GetRequiredService<IndexMessages>();
        await indexer.StopAsync(CancellationToken.None);
        await agent.DeliverAsync("d-1", text: "Indexed zeppelin message");
        await indexer.IndexAllAsync();
        await agent.DeliverAsync("d-2", text: "Queued zeppelin message");
        Assert.Equal(1, await indexer.BacklogAsync());

        await app.DbAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("""DELETE FROM "Messages" WHERE "ExternalId" IN ('d-1', 'd-2')""");
            // FTS5 checks its index against the Messages table and fails loudly on any difference.
            await db.Database.ExecuteSqlRawAsync("""INSERT INTO "MessageSearch"("MessageSearch") VALUES ('integrity-check')""");
            return 0;
        });
        Assert.Equal(0, await indexer.BacklogAsync());
        Assert.Empty(await SearchAsync(agent, "zeppelin"));
    }

    [Theory, Providers]
    public async Task Search_combines_with_a_status_filter_and_covers_solved_ones_by_default(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var open = (await agent.DeliverAsync("st-1", text: "The printer is on fire")).Number;
        var solved = (await agent.DeliverAsync("st-2", text: "The printer is jammed")).Number;
        await agent.PatchConversationAsync(solved, new { status = "Solved" });

        Assert.Equal(new[] { open, solved }.Order(), await SearchAsync(agent, "printer"));
        Assert.Equal([solved], await SearchAsync(agent, "printer", "&status=Solved"));
        Assert.Equal([open], await SearchAsync(agent, "printer", "&status=New&status=Open"));
    }

    [Theory, Providers]
    public async Task The_last_word_typed_matches_as_a_prefix_and_syntax_around_it_is_just_text(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var subscription = (await agent.DeliverAsync("p-1", subject: "Renewal", text: "Please cancel my subscription before it renews")).Number;
        var subscriber = (await agent.DeliverAsync("p-2", subject: "Newsletter", text: "I am a new subscriber to the letter")).Number;
        var other = (await agent.DeliverAsync("p-3", subject: "Hello", text: "The subway map is wrong")).Number;
        await app.Services.GetRequiredService<IndexMessages>().IndexAllAsync(); // the index's word rules, not the queue's substrings

        Assert.Equal(new[] { subscription, subscriber }.Order(), await SearchAsync(agent, "subscr"));
        Assert.Equal([subscription], await SearchAsync(agent, "cancel subscr"));
        Assert.Empty(await SearchAsync(agent, "subscr cancel"));                   // only the last word is a prefix
        Assert.Equal([subscription], await SearchAsync(agent, "renew"));           // "renews" in the text, "Renewal" in the subject
        Assert.Equal([other], await SearchAsync(agent, "subw"));
        Assert.Empty(await SearchAsync(agent, "subscriptions"));

        // tsquery's and FTS5's syntax typed around the word is text, never an error and never an operator.
        foreach (var q in new[] { "subscr'", "'subscr'", "subscr&", "subscr |", "!subscr", "subscr:*", "subscr\\", "(subscr)", "subscr!", "subscr*" })
            Assert.Equal(new[] { subscription, subscriber }.Order(), await SearchAsync(agent, q));
        foreach (var q in new[] { "'", "&", "|", "!", ":*", "\\", "'&|!:*\\", "':*'", "subscr':* | !" })
            Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync("/api/v1/conversations?q=" + Uri.EscapeDataString(q))).StatusCode);
    }

    private static readonly string[] HostileQueries =
    [
        "\"", "\"unbalanced", "'", "-", "--", "- printer", "printer -fire", "a:b", "subject:printer", ":", "*", "print*", "**", "NEAR", "NEAR(a b)",
        "printer NEAR fire", "AND", "OR", "NOT", "a AND OR b", "(", ")", "()", "^", "{}", "[", "\\", "%", "_", "'; DROP TABLE \"Messages\"; --",
        "!", "&", "|", "<->", "a & b | !c", "😀", "#", "#abc", "#99999999999999999999", "\u0000", "x\u0000y", new string('a', 2000),
    ];

    [Theory, Providers]
    public async Task Search_syntax_characters_in_a_query_never_cause_a_server_error(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var fire = (await agent.DeliverAsync("h-1", text: "The printer is on fire")).Number;
        var failures = new List<string>();
        foreach (var q in HostileQueries)
        {
            var response = await agent.GetAsync("/api/v1/conversations?q=" + Uri.EscapeDataString(q));
            if (response.StatusCode != HttpStatusCode.OK) failures.Add($"q={Show(q)} → {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // Syntax characters around a real word still find it.
        Assert.Equal([fire], await SearchAsync(agent, "\"printer\""));
        Assert.Equal([fire], await SearchAsync(agent, "printer:"));
        Assert.Equal([fire], await SearchAsync(agent, "(fire)"));
        var people = await agent.GetAsync("/api/v1/people?q=" + Uri.EscapeDataString("\"%_\\*:-\u0000"));
        Assert.Equal(HttpStatusCode.OK, people.StatusCode);
    }

    private static string Show(string q) => q.Length > 40 ? q[..40] + "…" : q.Replace("\u0000", "\\0");
}
