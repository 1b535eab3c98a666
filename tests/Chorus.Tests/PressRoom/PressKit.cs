using System.Net;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.PressRoom;

/// A clock the test moves: embargoes end when the test says so, not when a timer fires.
public sealed class TestClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// A press room for specs: an author and a reviewer in the PR team, the app on a test clock.
public sealed class PressKit : IAsyncDisposable
{
    public required ChorusFactory App { get; init; }
    public required TestClock Clock { get; init; }
    public required StaffClient Author { get; init; }
    public required StaffClient Reviewer { get; init; }

    public static async Task<PressKit> StartAsync(Provider provider, Func<Provider, ChorusFactory>? create = null)
    {
        var clock = new TestClock();
        var app = create?.Invoke(provider) ?? new ChorusFactory(provider);
        app.Settings["Chorus:PublicUrl"] = "https://chorus.example.test";
        app.TestServices = s => s.AddSingleton<TimeProvider>(clock);
        return new PressKit { App = app, Clock = clock, Author = await app.StaffAsync("agent", "PR"), Reviewer = await app.StaffAsync("agent", "PR") };
    }

    public async Task<JsonElement> DraftAsync(string title = "Starfall ships on 1 December", string summary = "Lumen Games' space sim leaves early access.",
        string body = "Lumen Games today announced that **Starfall** ships worldwide.\n\n- 40 star systems\n- co-op for four")
        => await (await Author.PostAsync("/api/v1/press-releases", new { title, summary, body })).JsonAsync(HttpStatusCode.Created);

    /// Drafted by the author, approved by the reviewer.
    public async Task<Guid> ApprovedAsync(string title = "Starfall ships on 1 December")
    {
        var id = (await DraftAsync(title)).GetProperty("id").GetGuid();
        await (await Reviewer.PostAsync($"/api/v1/press-releases/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);
        return id;
    }

    public async Task<JsonElement> PublishAsync(Guid id, string? embargoUntil = null, string? timeZone = null) =>
        await (await Author.PostAsync($"/api/v1/press-releases/{id}/publish", new { embargoUntil, timeZone })).JsonAsync(HttpStatusCode.OK);

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
