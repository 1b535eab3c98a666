using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests;

/// Oversized inbound bodies are refused with 413 before they are read into memory, on a real Kestrel socket.
public class InboundLimitsTests
{
    private static string BigEnvelope(int textBytes) => JsonSerializer.Serialize(new
    {
        externalId = "big-1", author = new { kind = "Email", handle = "big@customer.test" }, text = new string('x', textBytes),
    });

    [Fact]
    public async Task A_body_over_one_megabyte_is_refused_with_413_and_nothing_is_stored()
    {
        await using var app = new ChorusFactory(kestrel: true);
        var agent = await app.StaffAsync("agent", "Support");
        using var http = new HttpClient { BaseAddress = app.ServerAddress };
        http.DefaultRequestHeaders.Authorization = agent.Http.DefaultRequestHeaders.Authorization;

        var withLength = await http.PostAsync("/api/v1/inbound", new StringContent(BigEnvelope(2_000_000), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withLength.StatusCode);

        // Chunked: no Content-Length announced, so the limit must bite while reading.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(BigEnvelope(2_000_000))));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/inbound") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        var list = await http.GetFromJsonAsync<JsonElement>("/api/v1/conversations?view=All&status=New");
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }
}
