using System.Net;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Chorus.Features.Search;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Search;

/// The total above a searched inbox list is exact up to a cap (`Chorus:Search:CountCap`, 10,000 by default,
/// lowered here) and "more than the cap" beyond it, so a common word is not counted to its last message.
/// Whatever the cap, the total counts each conversation once, through every way a search matches (message
/// words, subject, requester, number, messages not yet indexed), and only those the view shows.
public class SearchTotalTests
{
    private sealed record World(ChorusFactory App, StaffClient Agent, StaffClient Insider, Dictionary<string, long> Numbers);

    /// Eleven conversations that match "renewal": five by a message (one of them in a private team, one with two
    /// matching messages), two by the subject only, one by both, two by the requester's name, one only by a
    /// message still queued for the index (SQLite); and two that do not match.
    private static async Task<World> BuildAsync(Provider provider)
    {
        var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var insider = await app.StaffAsync("agent", "Support");
        var legal = await (await admin.PostAsync("/api/v1/teams", new { name = "Legal", isPrivate = true, memberIds = new[] { insider.UserId } })).JsonAsync(HttpStatusCode.Created);
        var indexer = app.Services.GetRequiredService<IndexMessages>();
        await indexer.StopAsync(CancellationToken.None);

        var numbers = new Dictionary<string, long>();
        async Task DeliverAsync(string key, string subject, string text, string name = "Pat Customer", string? thread = null)
        {
            var d = await admin.DeliverAsync($"st-{key}", thread: thread, handle: $"{key}@customer.test", name: name, subject: subject, text: text);
            numbers.TryAdd(key, d.Number);
        }
        for (var i = 1; i <= 5; i++) await DeliverAsync($"message{i}", $"Question {i}", $"When is my renewal due, number {i}?");
        await DeliverAsync("message1b", "unused", "Another renewal question", thread: "st-message1");
        await DeliverAsync("subject1", "Renewal price", "How much is it?");
        await DeliverAsync("subject2", "My renewal", "Please call me");
        await DeliverAsync("both", "Renewal date", "The renewal failed");
        await DeliverAsync("person1", "Hello", "Can you help?", name: "Mara Renewalson");
        await DeliverAsync("person2", "Hi", "A question", name: "Theo Renewalson");
        await DeliverAsync("other1", "Shipping", "Where is my parcel?");
        await DeliverAsync("other2", "Refund", "I want my money back");
        await indexer.IndexAllAsync();
        await DeliverAsync("queued", "Late", "My renewal is late"); // stays queued on SQLite: the index is stopped
        await admin.PatchConversationAsync(numbers["message5"], new { teamId = legal.GetProperty("id").GetGuid() });
        foreach (var key in new[] { "message1", "subject1", "person1" }) await admin.PatchConversationAsync(numbers[key], new { status = "Solved" });
        return new World(app, agent, insider, numbers);
    }

    private static async Task<CappedTotal> TotalAsync(World w, StaffClient who, InboxFilter filter)
    {
        using var scope = w.App.Services.CreateScope();
        var actor = (await scope.ServiceProvider.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(who.UserId))!;
        return await scope.ServiceProvider.GetRequiredService<InboxQuery>().TotalAsync(actor, filter);
    }

    private static void Cap(World w, int cap) => w.App.Services.GetRequiredService<IConfiguration>()["Chorus:Search:CountCap"] = cap.ToString();

    [Theory, Providers]
    public async Task A_search_with_more_matches_than_the_cap_says_more_than_the_cap(Provider provider)
    {
        var w = await BuildAsync(provider);
        await using var _ = w.App;

        Cap(w, 5);
        Assert.Equal(new CappedTotal(5, true), await TotalAsync(w, w.Agent, new InboxFilter { Query = "renewal" }));
        Assert.Equal("5+", (await TotalAsync(w, w.Agent, new InboxFilter { Query = "renewal" })).ToString());
        Assert.Equal(new CappedTotal(5, true), await TotalAsync(w, w.Agent, new InboxFilter { Query = "renew" })); // a prefix too
        // Just over the cap, by one: the ten the agent may see, against a cap of nine.
        Cap(w, 9);
        Assert.Equal(new CappedTotal(9, true), await TotalAsync(w, w.Agent, new InboxFilter { Query = "renewal" }));
        // The requester's name alone can pass the cap.
        Cap(w, 1);
        Assert.Equal(new CappedTotal(1, true), await TotalAsync(w, w.Agent, new InboxFilter { Query = "renewalson" }));
    }

    [Theory, Providers]
    public async Task Under_the_cap_the_total_is_exact_once_per_conversation_and_only_what_the_view_shows(Provider provider)
    {
        var w = await BuildAsync(provider);
        await using var _ = w.App;

        // Messages 1-4 (not 5: a private team), two subjects, "both" once, two requesters, the queued message.
        Cap(w, 10);
        Assert.Equal(new CappedTotal(10, false), await TotalAsync(w, w.Agent, new InboxFilter { Query = "renewal" }));
        Assert.Equal(new CappedTotal(10, true), await TotalAsync(w, w.Insider, new InboxFilter { Query = "renewal" }));
        Cap(w, 11);
        Assert.Equal(new CappedTotal(11, false), await TotalAsync(w, w.Insider, new InboxFilter { Query = "renewal" })); // the private team's member sees it
        Assert.Equal(new CappedTotal(10, false), await TotalAsync(w, w.Agent, new InboxFilter { Query = "renewal" }));
        Assert.Equal("10", (await TotalAsync(w, w.Agent, new InboxFilter { Query = "renewal" })).ToString());

        // Filters narrow the count as they narrow the list, and the list agrees with it.
        var solved = new InboxFilter { Query = "renewal", Statuses = [ConversationStatus.Solved] };
        Assert.Equal(new CappedTotal(3, false), await TotalAsync(w, w.Agent, solved));
        Assert.Equal(3, (await w.Agent.ListAsync("q=renewal&status=Solved")).Numbers().Length);
        Assert.Equal(new CappedTotal(7, false), await TotalAsync(w, w.Agent, new InboxFilter { Query = "renewal", Statuses = InboxFilter.Active }));
        Assert.Equal(10, (await w.Agent.ListAsync("q=renewal")).Numbers().Length);

        Assert.Equal(new CappedTotal(2, false), await TotalAsync(w, w.Agent, new InboxFilter { Query = "renewalson" }));
        Assert.Equal(new CappedTotal(1, false), await TotalAsync(w, w.Agent, new InboxFilter { Query = $"#{w.Numbers["other1"]}" }));
        Assert.Equal(new CappedTotal(0, false), await TotalAsync(w, w.Agent, new InboxFilter { Query = "kangaroo" }));
        Assert.Equal(new CappedTotal(0, false), await TotalAsync(w, w.Agent, new InboxFilter { Query = "'&|!:*\\" }));
        Assert.Equal(new CappedTotal(1, false), await TotalAsync(w, w.Agent, new InboxFilter { Query = "renewal failed" }));

        // Without a search the view's total is its exact count, whatever the cap: the twelve the agent sees, less three solved.
        Cap(w, 1);
        Assert.Equal(new CappedTotal(9, false), await TotalAsync(w, w.Agent, new InboxFilter()));
    }
}
