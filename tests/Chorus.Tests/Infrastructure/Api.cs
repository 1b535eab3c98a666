using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Infrastructure;

/// What POST /api/v1/inbound answered.
public sealed record Delivered(HttpStatusCode Code, string Status, long Number, Guid ConversationId, Guid PersonId, Guid MessageId);

/// Small helpers that keep the specs readable: deliver a message, read a conversation, list a view,
/// assert problem details.
public static class Api
{
    /// A fixed moment two hours ago (whole seconds), so explicit message times sort before anything done "now".
    public static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds());

    /// Delivers one inbound message through the public API (as a channel integration would).
    public static async Task<Delivered> DeliverAsync(this StaffClient c, string externalId, string? thread = null,
        string handle = "ann@customer.test", string? name = "Ann Customer", string text = "Hello, my order is late",
        string? subject = "Late order", string kind = "Email", DateTimeOffset? at = null, string? channel = null, string? html = null)
    {
        var response = await c.PostAsync("/api/v1/inbound", new
        {
            channel, externalId, threadId = thread, author = new { kind, handle, name }, at, subject, text, html,
        });
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
            throw new Xunit.Sdk.XunitException($"Delivering {externalId} answered {(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement;
        return new Delivered(response.StatusCode, json.GetProperty("status").GetString()!, json.GetProperty("conversationNumber").GetInt64(),
            json.GetProperty("conversationId").GetGuid(), json.GetProperty("personId").GetGuid(), json.GetProperty("messageId").GetGuid());
    }

    /// An e-mail mailbox whose servers are never reached (.invalid hosts, hourly polling): for replies and
    /// outreach that only need somewhere to be queued. Returns its id.
    public static async Task<Guid> OfflineMailboxAsync(this StaffClient admin, string name, string address) =>
        (await (await admin.PostAsync("/api/v1/channels/mailboxes", new
        {
            name, address, imapHost = "imap.invalid", imapUser = address.Split('@')[0], imapPassword = "x", smtpHost = "smtp.invalid", pollIntervalSeconds = 3600,
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();

    public static async Task<JsonElement> ConversationAsync(this StaffClient c, long number) =>
        await (await c.GetAsync($"/api/v1/conversations/{number}")).JsonAsync(HttpStatusCode.OK);

    /// GET /api/v1/conversations?{query} → the page.
    public static async Task<JsonElement> ListAsync(this StaffClient c, string query = "") =>
        await (await c.GetAsync("/api/v1/conversations?" + query)).JsonAsync(HttpStatusCode.OK);

    /// The conversation numbers of a list page, in order.
    public static long[] Numbers(this JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt64()).ToArray();

    public static async Task<JsonElement> PatchConversationAsync(this StaffClient c, long number, object patch) =>
        await (await c.PatchAsync($"/api/v1/conversations/{number}", patch)).JsonAsync(HttpStatusCode.OK);

    /// Asserts the status code (showing the body when it differs) and parses the JSON body.
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
            throw new Xunit.Sdk.XunitException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// Asserts an RFC 9457 problem details response with the given status; returns it.
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var json = await response.JsonAsync(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, json.GetProperty("status").GetInt32());
        return json;
    }

    public static string Str(this JsonElement e, string property) => e.GetProperty(property).ValueKind == JsonValueKind.Null ? null! : e.GetProperty(property).ToString();

    /// Messages of a conversation detail as (kind, text).
    public static (string Kind, string Text)[] Messages(this JsonElement detail) =>
        detail.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("kind").GetString()!, m.GetProperty("text").GetString()!)).ToArray();

    public static JsonElement Summary(this JsonElement detail) => detail.GetProperty("summary");

    public static async Task<Guid> TeamIdAsync(this ChorusFactory app, string name)
    {
        await app.PrepareAsync();
        using var scope = app.Services.CreateScope();
        var teams = await scope.ServiceProvider.GetRequiredService<Chorus.Features.Admin.ManageTeams>().ListAsync();
        return teams.Single(t => t.Name == name).Id;
    }

    public static async Task<Guid> ChannelIdAsync(this ChorusFactory app, Chorus.Features.Channels.ChannelKind kind)
    {
        await app.PrepareAsync();
        return await app.DbAsync(db => Task.FromResult(db.Channels.Where(c => c.Kind == kind).Select(c => c.Id).First()));
    }

    /// Runs a query against the app's database in a fresh scope (for exact counts behind the API).
    public static async Task<T> DbAsync<T>(this ChorusFactory app, Func<ChorusDb, Task<T>> query)
    {
        using var scope = app.Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<ChorusDb>());
    }

    /// The @handle a colleague is mentioned by: the part of their sign-in e-mail before the @.
    public static string Handle(this StaffClient c) => c.Email.Split('@')[0];
}
