using System.Net;
using System.Text.RegularExpressions;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Chorus.Features.Search;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Search;

/// A common search term, newest first, is answered by walking the inbox and reading the term's matches
/// newest first (ReadNewestFirst, SQLite) instead of building the set of every match. These pin that it
/// is exact: the same conversations in the same order as the full set gives, page after page, with every
/// filter, private teams hidden, queued (not yet indexed) messages, prefixes, revived and merged
/// conversations, and when it gives up and falls back. Expectations come from a model of what was
/// delivered, not from either plan; PostgreSQL runs the same expectations on its own plan.
public class CommonWordSearchTests
{
    private sealed class Conv
    {
        public required int Index;
        public long Number;
        public Guid Id;
        public Guid PersonId;
        public required string Subject;
        public required string Name;
        public required string Handle;
        public string RootId = "";
        public DateTimeOffset LastAt = DateTimeOffset.MinValue;
        public List<string> Texts { get; } = [];
        public string Status = "New";
        public string Priority = "Normal";
        public bool Billing;
        public bool Mine;
        public bool Legal;
        public bool MergedAway;
    }

    private sealed record World(ChorusFactory App, StaffClient Agent, StaffClient Insider, Guid LegalId, List<Conv> Conversations);

    private static readonly string[] Filler = ["parcel", "thanks", "invoice", "hello", "late", "delivery", "refund", "please", "again", "today"];
    private static readonly string[] Matching = ["order", "orders", "ordering", "Order"];

    /// ~50 conversations delivered with explicit times, follow-ups interleaved; two thirds indexed, the
    /// rest still queued; then revived old threads, a message that arrives late with an old time, a merge,
    /// statuses, priorities, tags, assignees and a private team. The term "order" is in about half the messages.
    private static async Task<World> BuildAsync(Provider provider, Dictionary<string, string?>? settings = null)
    {
        var app = new ChorusFactory(provider);
        app.Settings["Chorus:Search:CommonMessages"] = "1"; // every term that matches a message is common here
        foreach (var (k, v) in settings ?? []) app.Settings[k] = v;
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var insider = await app.StaffAsync("agent", "Support");
        var legal = await (await admin.PostAsync("/api/v1/teams", new { name = "Legal", isPrivate = true, memberIds = new[] { insider.UserId } })).JsonAsync(HttpStatusCode.Created);
        var legalId = legal.GetProperty("id").GetGuid();
        var indexer = app.Services.GetRequiredService<IndexMessages>();
        await indexer.StopAsync(CancellationToken.None); // indexing happens when the test says

        var rng = new Random(20261130);
        var at = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(-10).ToUnixTimeSeconds());
        var conversations = new List<Conv>();
        var message = 0;
        async Task SendAsync(Conv c, string text, DateTimeOffset? when = null)
        {
            var time = when ?? (at = at.AddMinutes(1));
            var first = c.Texts.Count == 0;
            var id = $"cw-{c.Index}-{message++}";
            var d = await admin.DeliverAsync(id, thread: first ? null : c.RootId, handle: c.Handle, name: c.Name, subject: first ? c.Subject : null, text: text, at: time);
            if (first) (c.Number, c.Id, c.PersonId, c.RootId) = (d.Number, d.ConversationId, d.PersonId, id);
            Assert.Equal(c.Number, d.Number);
            c.Texts.Add(text);
            if (time > c.LastAt) c.LastAt = time;
        }
        string Sentence(bool matching, string? word = null) =>
            string.Join(' ', Enumerable.Range(0, 4).Select(_ => Filler[rng.Next(Filler.Length)]).Append(word ?? (matching ? Matching[rng.Next(Matching.Length)] : Filler[rng.Next(Filler.Length)])));

        for (var i = 0; i < 48; i++)
        {
            var c = new Conv
            {
                Index = i, Handle = $"cw{i}@example.test", Name = i == 5 ? "Jo Border" : $"Customer {i}",
                Subject = i % 9 == 4 ? $"Order {i} status" : $"Question {i}",
            };
            conversations.Add(c);
            // Conversation 1's only match is its first message, conversation 2 never matches, 20 is merged into 33 below.
            await SendAsync(c, i is 1 or 20 ? Sentence(true, "order") : Sentence(i is not (2 or 33) && rng.Next(2) == 0));
            if (rng.Next(3) == 0 && conversations.Count > 3)
            {
                var earlier = conversations[rng.Next(3, conversations.Count)];
                await SendAsync(earlier, Sentence(earlier.Index is not (1 or 2 or 33) && rng.Next(2) == 0));
            }
            if (i == 31) Assert.Equal(provider == Provider.Sqlite ? conversations.Sum(x => x.Texts.Count) : 0, (int)await indexer.IndexAllAsync());
        }
        // Long-lived threads come back to the top with a message that does not match.
        foreach (var i in new[] { 2, 3, 7, 1 }) await SendAsync(conversations[i], Sentence(false));
        // A message arriving late, dated long ago: the newest row, but it does not move the conversation.
        await SendAsync(conversations[10], "an old order resent", at.AddDays(-30));
        // A matching conversation merged into one that had no match: the target now matches through old rows.
        await (await admin.PostAsync($"/api/v1/conversations/{conversations[20].Number}/merge", new { into = conversations[33].Number })).JsonAsync(HttpStatusCode.OK);
        conversations[20].MergedAway = true;
        conversations[33].Texts.AddRange(conversations[20].Texts);
        if (conversations[20].LastAt > conversations[33].LastAt) conversations[33].LastAt = conversations[20].LastAt;

        foreach (var c in conversations.Where(c => !c.MergedAway))
        {
            var patch = new Dictionary<string, object>();
            if (c.Index % 5 == 0) patch["status"] = c.Status = "Solved";
            else if (c.Index % 5 == 1) patch["status"] = c.Status = "Pending";
            if (c.Index % 7 == 3) patch["priority"] = c.Priority = "High";
            if (c.Index % 6 == 2) { patch["addTags"] = new[] { "billing" }; c.Billing = true; }
            if (c.Index % 8 == 6) { patch["teamId"] = legalId; c.Legal = true; }
            else if (c.Index % 4 == 3) { patch["assigneeId"] = agent.UserId; c.Mine = true; }
            if (patch.Count > 0) await admin.PatchConversationAsync(c.Number, patch);
        }
        // Statuses as stored (a follow-up may reopen); the model's times must be the stored ones.
        var stored = await app.DbAsync(db => db.Conversations.Select(c => new { c.Id, c.Status, c.LastMessageAt, c.AssigneeId, c.TeamId }).ToListAsync());
        foreach (var c in conversations)
        {
            var s = stored.Single(x => x.Id == c.Id);
            c.Status = s.Status.ToString();
            Assert.Equal(c.LastAt, s.LastMessageAt);
            Assert.Equal(c.Mine, s.AssigneeId == agent.UserId);
            Assert.True(s.AssigneeId is null || c.Mine, "only the test assigns");
            Assert.Equal(c.Legal, s.TeamId == legalId);
        }
        return new World(app, agent, insider, legalId, conversations);
    }

    /// What the full-text index and the people search match (every word, the last one as a prefix, on both
    /// providers; or a substring of the requester's name or handle), newest first as the inbox orders.
    private static List<long> Expected(World w, string query, Func<Conv, bool> filter, bool insider = false)
    {
        var words = Regex.Split(query.ToLowerInvariant(), "[^a-z0-9]+").Where(x => x.Length > 0).ToList();
        bool InText(string text)
        {
            var tokens = Regex.Split(text.ToLowerInvariant(), "[^a-z0-9]+");
            return words.SkipLast(1).All(tokens.Contains) && tokens.Any(t => t.StartsWith(words[^1], StringComparison.Ordinal));
        }
        var q = query.Trim().ToLowerInvariant();
        return w.Conversations
            .Where(c => !c.MergedAway && (insider || !c.Legal) && filter(c))
            .Where(c => c.Texts.Any(InText) || InText(c.Subject) || c.Name.ToLowerInvariant().Contains(q) || c.Handle.Contains(q))
            .OrderByDescending(c => c.LastAt).ThenByDescending(c => c.Number).Select(c => c.Number).ToList();
    }

    /// Every page of a search, in order, checking each page's size and "has more".
    private static async Task<List<long>> AllPagesAsync(StaffClient who, string query, string more = "", int pageSize = 5)
    {
        var all = new List<long>();
        for (var page = 1; ; page++)
        {
            var json = await who.ListAsync($"q={Uri.EscapeDataString(query)}{more}&pageSize={pageSize}&page={page}");
            var numbers = json.Numbers();
            var hasMore = json.GetProperty("hasMore").GetBoolean();
            Assert.True(numbers.Length == pageSize || !hasMore, $"page {page} has {numbers.Length} rows and says there are more");
            all.AddRange(numbers);
            if (!hasMore) return all;
            Assert.True(page < 100, "paging never ends");
        }
    }

    private static async Task<int> CountAsync(World w, StaffClient who, InboxFilter filter)
    {
        using var scope = w.App.Services.CreateScope();
        var actor = (await scope.ServiceProvider.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(who.UserId))!;
        return await scope.ServiceProvider.GetRequiredService<InboxQuery>().CountAsync(actor, filter);
    }

    private static void Configure(World w, string key, string? value) => w.App.Services.GetRequiredService<IConfiguration>()[key] = value;

    [Theory, Providers]
    public async Task A_common_word_finds_exactly_the_newest_matching_conversations_page_after_page(Provider provider)
    {
        var w = await BuildAsync(provider);
        await using var _ = w.App;
        var expected = Expected(w, "order", _ => true);
        Assert.InRange(expected.Count, 10, 45); // common, but not everything

        // The revived thread whose only match is its oldest message comes first; the one that never matched is absent.
        var first = (await w.Agent.ListAsync("q=order&pageSize=5")).Numbers();
        Assert.Equal(expected.Take(5), first);
        Assert.Equal(w.Conversations[1].Number, first[0]);
        Assert.DoesNotContain(w.Conversations[2].Number, expected);
        Assert.Contains(w.Conversations[33].Number, expected); // through the messages merged into it
        Assert.DoesNotContain(w.Conversations[20].Number, expected); // merged away
        Assert.Contains(w.Conversations[5].Number, expected);  // through the requester's name (Jo Border)

        Assert.Equal(expected, await AllPagesAsync(w.Agent, "order"));
        Assert.Equal(expected, await AllPagesAsync(w.Agent, "order", pageSize: 50));
        Assert.Empty((await w.Agent.ListAsync($"q=order&pageSize=5&page={expected.Count / 5 + 2}")).Numbers()); // past the end
        Assert.Equal(expected.Count, await CountAsync(w, w.Agent, new InboxFilter { Query = "order" })); // the inbox's total
    }

    [Theory, Providers]
    public async Task Prefixes_and_several_words_match_as_before(Provider provider)
    {
        var w = await BuildAsync(provider);
        await using var _ = w.App;
        foreach (var query in new[] { "ord", "orders", "ORDERING", "late order", "late ord", "thanks please", "border" })
        {
            var expected = Expected(w, query, _ => true);
            Assert.Equal(expected, await AllPagesAsync(w.Agent, query));
            Assert.Equal(expected.Count, await CountAsync(w, w.Agent, new InboxFilter { Query = query }));
        }
        Assert.True(Expected(w, "ord", _ => true).Count > Expected(w, "orders", _ => true).Count);
    }

    [Theory, Providers]
    public async Task Every_inbox_filter_combines_with_a_common_word(Provider provider)
    {
        var w = await BuildAsync(provider);
        await using var _ = w.App;
        var jo = w.Conversations[5].PersonId;
        var filters = new (string Query, Func<Conv, bool> Filter)[]
        {
            ("&status=Solved", c => c.Status == "Solved"),
            ("&status=New&status=Pending", c => c.Status is "New" or "Pending"),
            ("&status=Closed", c => c.Status == "Closed"),
            ("&view=Mine", c => c.Mine),
            ("&view=Unassigned", c => !c.Mine),
            ("&priority=High", c => c.Priority == "High"),
            ("&tag=billing", c => c.Billing),
            ($"&requester={jo}", c => c.PersonId == jo),
            ("&view=Mine&status=Pending", c => c.Mine && c.Status == "Pending"),
        };
        foreach (var (more, filter) in filters)
        {
            var expected = Expected(w, "order", filter);
            Assert.Equal(expected, await AllPagesAsync(w.Agent, "order", more, pageSize: 3));
        }
        // Other orders than newest use the full set: the same conversations.
        Assert.Equal(Expected(w, "order", _ => true).Order(), (await AllPagesAsync(w.Agent, "order", "&sort=LongestWaiting")).Order());
        Assert.Equal(Expected(w, "order", _ => true).Order(), (await AllPagesAsync(w.Agent, "order", "&sort=Priority")).Order());
    }

    [Theory, Providers]
    public async Task A_private_teams_conversations_are_found_only_by_its_members(Provider provider)
    {
        var w = await BuildAsync(provider);
        await using var _ = w.App;
        var hidden = Expected(w, "order", c => c.Legal, insider: true);
        Assert.NotEmpty(hidden);

        var outside = await AllPagesAsync(w.Agent, "order");
        Assert.Equal(Expected(w, "order", _ => true), outside);
        Assert.Empty(outside.Intersect(hidden));
        Assert.Equal(Expected(w, "order", _ => true, insider: true), await AllPagesAsync(w.Insider, "order"));
        Assert.Equal(hidden, await AllPagesAsync(w.Insider, "order", $"&view=Team&team={w.LegalId}"));
        Assert.Empty(await AllPagesAsync(w.Agent, "order", $"&view=Team&team={w.LegalId}"));
        Assert.Equal(Expected(w, "order", _ => true, insider: true).Count, await CountAsync(w, w.Insider, new InboxFilter { Query = "order" }));
    }

    [Theory, Providers]
    public async Task Queued_messages_are_found_before_and_after_the_index_catches_up(Provider provider)
    {
        var w = await BuildAsync(provider);
        await using var _ = w.App;
        var indexer = w.App.Services.GetRequiredService<IndexMessages>();
        Assert.Equal(provider == Provider.Sqlite, await indexer.BacklogAsync() > 0); // a third of the messages still queued
        var expected = Expected(w, "order", _ => true);
        var queued = await AllPagesAsync(w.Agent, "order");

        await indexer.IndexAllAsync();
        Assert.Equal(0, await indexer.BacklogAsync());
        Assert.Equal(expected, queued);
        Assert.Equal(expected, await AllPagesAsync(w.Agent, "order"));
        Assert.Equal(Expected(w, "late ord", _ => true), await AllPagesAsync(w.Agent, "late ord"));
    }

    [Theory, Providers]
    public async Task Giving_up_on_reading_newest_first_falls_back_to_the_same_pages(Provider provider)
    {
        var w = await BuildAsync(provider);
        await using var _ = w.App;
        var expected = Expected(w, "order", _ => true);
        foreach (var (key, value) in new[] { ("Chorus:Search:NewestFirstMaxRows", "1"), ("Chorus:Search:NewestFirstMaxConversations", "1"), ("Chorus:Search:NewestFirst", "false") })
        {
            Configure(w, key, value);
            Assert.Equal(expected, await AllPagesAsync(w.Agent, "order"));
            Assert.Equal(Expected(w, "order", c => c.Status == "Solved"), await AllPagesAsync(w.Agent, "order", "&status=Solved"));
        }
    }

    [Theory, Providers]
    public async Task Many_matching_people_are_checked_in_the_walk(Provider provider)
    {
        // One matching person is "many" here: the people are read into memory for the walk, or (more than
        // NewestFirstMaxPeople) checked by the database at each step of it.
        var w = await BuildAsync(provider, new() { ["Chorus:Search:CommonPeople"] = "1" });
        await using var _ = w.App;
        foreach (var maxPeople in new[] { "50000", "0" })
        {
            Configure(w, "Chorus:Search:NewestFirstMaxPeople", maxPeople);
            foreach (var query in new[] { "border", "order", "customer 1" })
                Assert.Equal(Expected(w, query, _ => true), await AllPagesAsync(w.Agent, query));
            Assert.Equal(Expected(w, "customer", c => c.Status == "Solved"), await AllPagesAsync(w.Agent, "customer", "&status=Solved"));
        }
    }

    [Theory, Providers]
    public async Task The_newest_first_reading_is_what_answers_on_sqlite(Provider provider)
    {
        var w = await BuildAsync(provider);
        await using var _ = w.App;
        using var scope = w.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var match = await scope.ServiceProvider.GetRequiredService<SearchConversations>().MatchesAsync("order", newestFirst: true);
        if (provider == Provider.Postgres)
        {
            Assert.Null(match.NewestFirst); // PostgreSQL keeps its one plan
            return;
        }
        var fast = match.NewestFirst!;
        var everything = Expected(w, "order", _ => true, insider: true);
        var numbers = w.Conversations.ToDictionary(c => c.Id, c => c.Number);
        await using (await db.BeginSnapshotAsync(CancellationToken.None))
        {
            var ids = await fast.FirstAsync([db.Conversations.Where(c => c.MergedIntoId == null)], 10);
            Assert.NotNull(ids);
            Assert.False(fast.LastRead.GaveUp);
            Assert.Equal(everything.Take(10), ids.Select(id => numbers[id]));
            Assert.True(fast.LastRead.Conversations < w.Conversations.Count, "the walk stops once the page is full");

            var all = await fast.FirstAsync([db.Conversations.Where(c => c.MergedIntoId == null)], 1_000);
            Assert.Equal(everything, all!.Select(id => numbers[id]));
        }

        Configure(w, "Chorus:Search:NewestFirstMaxRows", "1");
        var stingy = (await scope.ServiceProvider.GetRequiredService<SearchConversations>().MatchesAsync("order", newestFirst: true)).NewestFirst!;
        await using (await db.BeginSnapshotAsync(CancellationToken.None))
        {
            Assert.Null(await stingy.FirstAsync([db.Conversations.Where(c => c.MergedIntoId == null)], 10));
            Assert.True(stingy.LastRead.GaveUp);
        }
    }
}
