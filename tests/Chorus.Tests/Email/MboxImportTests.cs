using System.Diagnostics;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Email;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Chorus.Tests.Email;

/// `chorus import mbox` on a real mailing-list archive (users@httpd.apache.org, July 2020, 108 messages).
public class MboxImportTests
{
    private static string Archive => Path.Combine(AppContext.BaseDirectory, "Data", "email", "httpd-users-2020-07.mbox");

    private static async Task<Guid> AddChannelAsync(ChorusFactory app, string name)
    {
        await app.PrepareAsync();
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var channel = new Channel { Kind = ChannelKind.Email, Name = name };
        db.Channels.Add(channel);
        await db.SaveChangesAsync();
        return channel.Id;
    }

    private static async Task<MboxImportResult> ImportAsync(ChorusFactory app, bool fromStart = false, int? max = null)
    {
        using var scope = app.Services.CreateScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<ImportMbox>().RunAsync(Archive, "httpd-users", fromStart, max);
        return Assert.IsType<Outcome<MboxImportResult>.Ok>(outcome).Value;
    }

    [Theory, Providers]
    public async Task An_archive_imports_in_resumable_steps_threads_its_replies_and_never_twice(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var channel = await AddChannelAsync(app, "httpd-users");

        var first = await ImportAsync(app, max: 50);
        Assert.Equal(50, first.Read);
        Assert.False(first.Finished);

        var rest = await ImportAsync(app);
        Assert.True(rest.ResumedAt > 0);
        Assert.Equal(58, rest.Read);
        Assert.Equal(0, rest.Duplicates);
        Assert.True(rest.Finished);
        Assert.Equal(108, first.Filed + first.Skipped + rest.Filed + rest.Skipped);

        var again = await ImportAsync(app);
        Assert.Equal(0, again.Read);
        var everything = await ImportAsync(app, fromStart: true);
        Assert.Equal(108, everything.Read);
        Assert.Equal(0, everything.Filed);
        Assert.Equal(first.Filed + rest.Filed, everything.Duplicates);

        // Every reply whose parent is in the archive sits in its parent's conversation.
        var parents = new Dictionary<string, string>();
        using (var stream = File.OpenRead(Archive))
        {
            var parser = new MimeParser(stream, MimeFormat.Mbox);
            while (!parser.IsEndOfStream)
            {
                var m = await parser.ParseMessageAsync();
                if (m.InReplyTo is { } parent && m.MessageId is { } id) parents[id] = parent;
            }
        }
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var conversationOf = await db.Messages.Where(m => m.ChannelId == channel).ToDictionaryAsync(m => m.ExternalId!, m => m.ConversationId);
        var threaded = parents.Where(p => conversationOf.ContainsKey(p.Key) && conversationOf.ContainsKey(p.Value)).ToList();
        Assert.True(threaded.Count >= 50, $"only {threaded.Count} replies have their parent in the archive");
        Assert.All(threaded, p => Assert.Equal(conversationOf[p.Value], conversationOf[p.Key]));
        Assert.True(await db.Conversations.CountAsync(c => c.ChannelId == channel) < 60);
    }

    [Fact]
    public async Task The_command_shows_progress_and_a_summary_and_a_second_run_files_nothing()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "chorus-mbox-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var app = new ChorusFactory())
            {
                app.Settings["Chorus:DataDirectory"] = dataDir;
                await AddChannelAsync(app, "httpd-users");
            }

            var (exit, output, error) = await ChorusCliProcess.RunAsync(dataDir, "import", "mbox", Archive, "--channel", "httpd-users");
            Assert.True(exit == 0, error);
            Assert.Contains("100 %", output);
            Assert.Matches(@"Read 108 messages: \d+ filed, 0 already there, \d+ skipped\.", output);

            (exit, output, _) = await ChorusCliProcess.RunAsync(dataDir, "import", "mbox", Archive, "--channel", "httpd-users", "--from-start");
            Assert.Equal(0, exit);
            Assert.Matches(@"Read 108 messages: 0 filed, \d+ already there", output);

            (exit, _, error) = await ChorusCliProcess.RunAsync(dataDir, "import", "mbox", Archive, "--channel", "nope");
            Assert.Equal(2, exit);
            Assert.Contains("httpd-users", error);
        }
        finally
        {
            try { Directory.Delete(dataDir, true); } catch (IOException) { }
        }
    }
}
