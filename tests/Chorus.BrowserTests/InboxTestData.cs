using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chorus.BrowserTests;

/// Data for the inbox and conversation browser tests, made the way an integration makes it (through
/// the API), plus the few page steps every one of those tests takes.
internal static class InboxTestData
{
    public sealed record Created(long Number, Guid PersonId);

    /// A staff user with an API token. ChorusFactory's client is made for the in-memory host
    /// (http://localhost); browser tests run on a real Kestrel port, so point it there.
    public static async Task<StaffClient> StaffAsync(BrowserFixture fx, string role, params string[] teamNames)
    {
        var staff = await fx.App.StaffAsync(role, teamNames);
        staff.Http.BaseAddress = fx.BaseAddress;
        return staff;
    }

    /// Delivers an inbound e-mail through POST /api/v1/inbound; a new thread id starts a new conversation.
    public static async Task<Created> InboundAsync(StaffClient api, string? subject, string text, string name = "Robin Requester",
        string? handle = null, DateTimeOffset? at = null, string? thread = null)
    {
        var id = Guid.NewGuid().ToString("N");
        var response = await api.PostAsync("/api/v1/inbound", new
        {
            externalId = id, threadId = thread ?? id,
            author = new { kind = "Email", handle = handle ?? $"{id[..10]}@example.test", name },
            at, subject, text,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Created(body.GetProperty("conversationNumber").GetInt64(), body.GetProperty("personId").GetGuid());
    }

    public static async Task<JsonElement> GetConversationAsync(StaffClient api, long number)
    {
        var response = await api.GetAsync($"/api/v1/conversations/{number}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task PatchAsync(StaffClient api, string path, object body)
    {
        var response = await api.PatchAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task PostAsync(StaffClient api, string path, object body)
    {
        var response = await api.PostAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// A fresh browser context signed in as the user, on `path`, with its circuit live.
    public static async Task<IPage> OpenAsync(BrowserFixture fx, string email, string path)
    {
        var page = await fx.NewPageAsync();
        await fx.SignInAsync(page, email, ChorusFactory.Password);
        await GoAsync(page, path);
        return page;
    }

    public static async Task GoAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.Locator("#circuit[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });
    }

    /// Picks an option of a MudSelect (its id lands on an input inside; the field around it opens the list).
    public static async Task PickAsync(IPage page, string selectId, string option)
    {
        await page.Locator($".mud-input-control:has({selectId})").ClickAsync();
        await page.Locator(".mud-popover-open [role=option]").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex($"^\\s*{System.Text.RegularExpressions.Regex.Escape(option)}\\s*$") }).ClickAsync();
    }

    public static ILocator Row(IPage page, long number) => page.Locator($"#row-{number}");

    public static ILocator Messages(IPage page, string kind) => page.Locator($"#thread [data-test=message][data-kind={kind}]");

    /// The handle `@name` that PostMessage resolves for a staff user: the part of the e-mail before '@'.
    public static string Handle(StaffClient staff) => staff.Email.Split('@')[0];
}
