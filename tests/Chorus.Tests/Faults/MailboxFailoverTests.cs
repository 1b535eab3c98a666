using Chorus.Features.Inbox;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using MailKit;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Faults;

/// kill -9 the node reading a mailbox in the middle of a large backlog: on PostgreSQL a second node takes
/// the mailbox over when the dead node's lease runs out; on SQLite the one node is started again. Either
/// way every message in the mailbox is filed exactly once.
public class MailboxFailoverTests
{
    /// 10,000 in the suite; CHORUS_CRASH_MAIL=100000 runs the full size.
    private static readonly int Mails = int.TryParse(Environment.GetEnvironmentVariable("CHORUS_CRASH_MAIL"), out var n) ? n : 10_000;

    [MailTheory, Providers]
    public async Task The_node_holding_a_mailbox_is_killed_mid_backlog_and_every_message_is_filed_exactly_once(Provider provider)
    {
        var desk = Mail.NewAddress("failover-desk");
        await AppendAsync(desk, Mails);
        await using var workspace = new ProcessWorkspace(provider);
        var token = await workspace.AdminTokenAsync();
        string[] settings = ["--Chorus:Email:LeaseSeconds=5", "--Chorus:Email:ReconcileSeconds=0.5", "--Chorus:Email:Idle=false"];
        var nodes = new List<ChorusServerProcess> { await ChorusServerProcess.StartAsync(workspace, settings) };
        if (provider == Provider.Postgres) nodes.Add(await ChorusServerProcess.StartAsync(workspace, settings)); // a second node, same database
        try
        {
            await MailApp.AddMailboxAsync(ProcessWorkspace.Client(nodes[0], token), desk);
            await Eventually.TrueAsync(async () => await FiledAsync(workspace) >= Mails * 3 / 10, "a third filed", seconds: 300);

            // The lease names its holder "machine:pid:…": kill exactly that process.
            string owner;
            await using (var db = workspace.OpenDb())
                owner = (await db.Mailboxes.Select(m => m.PollLeaseOwner).SingleAsync())!;
            var holder = nodes.Single(node => node.ProcessId == int.Parse(owner.Split(':')[1]));
            holder.Kill();
            if (nodes.Count == 1) await holder.RestartAsync();

            await Eventually.TrueAsync(async () => await FiledAsync(workspace) >= Mails, "every message filed", seconds: 600);
            await using (var db = workspace.OpenDb())
            {
                var inbound = db.Messages.Where(m => m.Kind == MessageKind.Inbound);
                Assert.Equal(Mails, await inbound.CountAsync());
                Assert.Equal(Mails, await inbound.Select(m => m.ExternalId).Distinct().CountAsync());
                Assert.Equal(0, await db.Conversations.CountAsync(c => !db.Messages.Any(m => m.ConversationId == c.Id)));
                if (nodes.Count == 2)
                {
                    var survivor = nodes.Single(node => node != holder);
                    var now = (await db.Mailboxes.Select(m => m.PollLeaseOwner).SingleAsync())!;
                    Assert.Equal(survivor.ProcessId, int.Parse(now.Split(':')[1]));
                }
            }
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    private static async Task<int> FiledAsync(ProcessWorkspace workspace)
    {
        await using var db = workspace.OpenDb();
        return await db.Messages.CountAsync(m => m.Kind == MessageKind.Inbound);
    }

    /// Fills a mailbox quickly: IMAP APPEND in batches (MULTIAPPEND on Dovecot).
    private static async Task AppendAsync(string user, int count)
    {
        using var imap = await Mail.ConnectImapAsync(user);
        for (var start = 0; start < count; start += 500)
        {
            var batch = Enumerable.Range(start, Math.Min(500, count - start))
                .Select(i => (IAppendRequest)new AppendRequest(Mail.Compose($"customer{i % 1000}@example.test", user, $"Backlog {i}", $"Message {i} of the backlog.")))
                .ToList();
            await imap.Inbox.AppendAsync(batch);
        }
    }
}
