using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests;

/// chorus backup while Chorus serves, chorus restore into an empty workspace: the conversations, the
/// staff and their API tokens, and the attachment files are all back.
public class BackupTests
{
    [Theory, Providers]
    public async Task A_backup_taken_while_serving_restores_into_an_empty_workspace_with_its_conversations_and_files(Provider provider)
    {
        var folder = Path.Combine(Path.GetTempPath(), "chorus-backup-" + Guid.NewGuid().ToString("N"));
        try
        {
            string token;
            Guid file;
            await using (var original = new ProcessWorkspace(provider))
            {
                token = await original.AdminTokenAsync();
                await using var server = await ChorusServerProcess.StartAsync(original);
                var admin = ProcessWorkspace.Client(server, token);
                var first = await admin.DeliverAsync("backup-1", subject: "Broken hinge");
                await admin.DeliverAsync("backup-2", subject: "Refund please", handle: "bo@customer.test");
                await admin.DeliverAsync("backup-3", subject: "Invoice copy", handle: "cy@customer.test");
                var form = new MultipartFormDataContent { { new StringContent("Here is the form."), "text" }, { new ByteArrayContent("the form, filled in"u8.ToArray()), "files", "form.txt" } };
                Assert.Equal(HttpStatusCode.Created, (await admin.Http.PostAsync($"/api/v1/conversations/{first.Number}/replies", form)).StatusCode);
                var detail = await admin.ConversationAsync(first.Number);
                file = detail.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("attachments").ValueKind == JsonValueKind.Array)
                    .SelectMany(m => m.GetProperty("attachments").EnumerateArray()).Single().GetProperty("id").GetGuid();

                var backup = await ChorusCliProcess.RunAsync(original.DataDirectory, ["backup", "--to", folder, .. original.Settings()]);
                Assert.True(backup.Exit == 0, backup.Out + backup.Err);
                Assert.Contains("Backup complete: 3 conversations", backup.Out);
            }

            await using var restored = new ProcessWorkspace(provider);
            var restore = await ChorusCliProcess.RunAsync(restored.DataDirectory, ["restore", "--from", folder, .. restored.Settings()]);
            Assert.True(restore.Exit == 0, restore.Out + restore.Err);
            // A second restore would replace live conversations: only with --force.
            var again = await ChorusCliProcess.RunAsync(restored.DataDirectory, ["restore", "--from", folder, .. restored.Settings()]);
            Assert.Equal(2, again.Exit);
            Assert.Contains("--force", again.Err);

            await using var back = await ChorusServerProcess.StartAsync(restored);
            var sameAdmin = ProcessWorkspace.Client(back, token); // staff and their tokens came back too
            var list = await sameAdmin.Http.GetFromJsonAsync<JsonElement>("/api/v1/conversations?status=New&status=Open&status=Pending&status=OnHold&status=Solved&status=Closed");
            Assert.Equal(["Broken hinge", "Invoice copy", "Refund please"],
                list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("subject").GetString()!).Order());
            Assert.Equal("the form, filled in", await sameAdmin.Http.GetStringAsync($"/api/v1/attachments/{file}"));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (DirectoryNotFoundException) { }
        }
    }

    [Fact]
    public async Task Restoring_something_that_is_not_a_backup_says_so_and_changes_nothing()
    {
        await using var workspace = new ProcessWorkspace(Provider.Sqlite);
        var result = await ChorusCliProcess.RunAsync(workspace.DataDirectory, ["restore", "--from", workspace.DataDirectory]);
        Assert.Equal(1, result.Exit);
        Assert.Contains("is not a Chorus backup", result.Err);
    }
}
