using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests;

public class InboundApiTests
{
    private static object Envelope(string externalId, string? thread = null, string handle = "ann@customer.test", string text = "Hello, my order is late") => new
    {
        externalId, threadId = thread, author = new { kind = "Email", handle, name = "Ann Customer" }, subject = "Late order", text,
    };

    [Theory, Providers]
    public async Task A_retried_delivery_never_duplicates(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");

        var first = await agent.PostAsync("/api/v1/inbound", Envelope("msg-1"));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await first.Content.ReadFromJsonAsync<JsonElement>();

        var again = await agent.PostAsync("/api/v1/inbound", Envelope("msg-1"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var duplicate = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Duplicate", duplicate.GetProperty("status").GetString());
        Assert.Equal(created.GetProperty("conversationNumber").GetInt64(), duplicate.GetProperty("conversationNumber").GetInt64());

        var number = created.GetProperty("conversationNumber").GetInt64();
        var detail = await agent.Http.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{number}");
        Assert.Equal(1, detail.GetProperty("messages").GetArrayLength());
    }

    [Theory, Providers]
    public async Task Messages_with_the_same_thread_id_join_one_conversation(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");

        var a = await (await agent.PostAsync("/api/v1/inbound", Envelope("t-1", "thread-9"))).Content.ReadFromJsonAsync<JsonElement>();
        var b = await (await agent.PostAsync("/api/v1/inbound", Envelope("t-2", "thread-9", text: "Any news?"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Appended", b.GetProperty("status").GetString());
        Assert.Equal(a.GetProperty("conversationId").GetGuid(), b.GetProperty("conversationId").GetGuid());
        Assert.Equal(a.GetProperty("personId").GetGuid(), b.GetProperty("personId").GetGuid());
    }

    [Theory, Providers]
    public async Task Invalid_envelopes_get_problem_details_and_store_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");

        var noId = await agent.PostAsync("/api/v1/inbound", Envelope(""));
        Assert.Equal(HttpStatusCode.BadRequest, noId.StatusCode);
        Assert.Equal("application/problem+json", noId.Content.Headers.ContentType?.MediaType);

        var badEmail = await agent.PostAsync("/api/v1/inbound", Envelope("x-2", handle: "not an address"));
        Assert.Equal(HttpStatusCode.BadRequest, badEmail.StatusCode);

        var malformed = await agent.Http.PostAsync("/api/v1/inbound", new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        var list = await agent.Http.GetFromJsonAsync<JsonElement>("/api/v1/conversations?status=New&status=Open");
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_api_refuses_anonymous_callers()
    {
        await using var app = new ChorusFactory();
        await app.PrepareAsync();
        var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/inbound", Envelope("a"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/conversations")).StatusCode);
    }
}
