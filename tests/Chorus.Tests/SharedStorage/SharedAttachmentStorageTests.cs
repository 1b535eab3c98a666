using System.Net;
using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Inbox.Attachments;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.SharedStorage;

/// `Chorus:Attachments:Store=Database`: attachment bytes in the database, so nodes keep nothing of their own.
public class SharedAttachmentStorageTests
{
    private static readonly byte[] Pdf = [.. "%PDF-1.4 shared storage "u8.ToArray(), .. Enumerable.Range(0, 200_000).Select(i => (byte)(i * 31 % 251))];

    [Theory, Providers]
    public async Task With_the_database_store_a_file_is_kept_in_the_database_once_and_served_back_byte_for_byte(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Attachments:Store"] = "Database";
        var agent = await app.StaffAsync("agent", "Support");
        var number = (await agent.DeliverAsync("shared-1")).Number;

        var first = await NoteWithFileAsync(agent, number, "contract.pdf");
        var second = await NoteWithFileAsync(agent, number, "contract-again.pdf"); // the same bytes again

        foreach (var url in new[] { first, second })
        {
            var download = await agent.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
        }
        using var scope = app.Services.CreateScope();
        var stored = await scope.ServiceProvider.GetRequiredService<ChorusDb>().AttachmentContents.ToListAsync();
        Assert.Equal(Pdf, Assert.Single(stored).Bytes);
        Assert.False(Directory.Exists(Path.Combine(app.DataDirectory, "attachments")) &&
                     Directory.EnumerateFiles(Path.Combine(app.DataDirectory, "attachments"), "*", SearchOption.AllDirectories).Any());
    }

    [NeedsEnvFact("TEST_PG")]
    public async Task A_file_stored_through_one_node_is_served_by_another_with_its_own_data_directory()
    {
        await using var a = new ChorusFactory(Provider.Postgres);
        a.Settings["Chorus:Attachments:Store"] = "Database";
        await a.PrepareAsync();
        await using var b = new ChorusFactory(a);
        b.Settings["Chorus:Attachments:Store"] = "Database";
        await b.PrepareAsync();
        Assert.NotEqual(a.DataDirectory, b.DataDirectory);

        var agentOnA = await a.StaffAsync("agent", "Support");
        var number = (await agentOnA.DeliverAsync("shared-2")).Number;
        var url = await NoteWithFileAsync(agentOnA, number, "invoice.pdf");

        var agentOnB = await b.StaffAsync("agent", "Support");
        var download = await agentOnB.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public void An_unknown_store_is_refused_with_what_to_write_instead()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Chorus:Attachments:Store"] = "S3" }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => new AttachmentStore(config, new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>()));
        Assert.Contains("Files", error.Message);
        Assert.Contains("Database", error.Message);
    }

    /// Adds a note with the PDF attached and returns the file's download URL.
    private static async Task<string> NoteWithFileAsync(StaffClient agent, long number, string fileName)
    {
        var form = new MultipartFormDataContent { { new StringContent("Signed copy attached."), "text" }, { new ByteArrayContent(Pdf), "files", fileName } };
        var posted = await (await agent.Http.PostAsync($"/api/v1/conversations/{number}/notes", form)).JsonAsync(HttpStatusCode.Created);
        var message = posted.GetProperty("messageId").GetGuid();
        var detail = await agent.ConversationAsync(number);
        var file = detail.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == message).GetProperty("attachments")[0];
        Assert.Equal(JsonValueKind.String, file.GetProperty("downloadUrl").ValueKind);
        return file.GetProperty("downloadUrl").GetString()!;
    }
}
