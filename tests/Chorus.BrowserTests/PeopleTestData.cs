using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chorus.BrowserTests;

/// Data made through the public API, the way an integration would, plus the page helpers the staff-app tests share.
public static class PeopleTestData
{
    public sealed record Delivered(Guid PersonId, long ConversationNumber);

    /// A staff user with an API client aimed at the fixture's real server (the factory's own client
    /// addresses http://localhost, which nothing listens on when the app runs on Kestrel).
    public static async Task<StaffClient> StaffAsync(this BrowserFixture fx, string role, params string[] teams)
    {
        var client = await fx.App.StaffAsync(role, teams);
        client.Http.BaseAddress = fx.BaseAddress;
        return client;
    }

    /// Delivers one inbound e-mail message through POST /api/v1/inbound on the given channel (the API channel when null).
    public static async Task<Delivered> InboundAsync(StaffClient client, string handle, string name, string subject, string text, string? channel = null)
    {
        var response = await client.PostAsync("/api/v1/inbound", new
        {
            channel, externalId = "ext-" + Guid.NewGuid().ToString("N"), threadId = "thread-" + Guid.NewGuid().ToString("N"),
            author = new { kind = "Email", handle, name }, subject, text,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Delivered(body.GetProperty("personId").GetGuid(), body.GetProperty("conversationNumber").GetInt64());
    }

    /// A unique, valid e-mail address, so tests never see each other's people.
    public static string Email(string who) => $"{who}.{Guid.NewGuid().ToString("N")[..8]}@example.test";

    /// Loads a staff page and waits for its circuit: clicks on the prerendered HTML would be lost.
    public static async Task GotoInteractiveAsync(this IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.Locator("#circuit[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });
    }
}
