using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

public class HealthTests
{
    private static async Task<JsonElement> ReadyAsync(HttpClient client)
    {
        var response = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // degraded still serves: never 503 for mail
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Theory, Providers]
    public async Task A_failing_mailbox_makes_chorus_degraded_and_only_admins_read_the_error(Provider provider)
    {
        await using var closed = new FlakyPort(); // nothing listens: every poll fails at once
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Email:ReconcileSeconds"] = "0.2";
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var anonymous = app.CreateClient();

        var fresh = await ReadyAsync(anonymous);
        Assert.Equal("ready", fresh.GetProperty("status").GetString());
        Assert.Empty(fresh.GetProperty("mailboxes").EnumerateArray());
        Assert.Equal(0, fresh.GetProperty("outbox").GetProperty("queued").GetInt32());

        var failing = await MailApp.AddMailboxAsync(admin, "down@acme.test", new { imapHost = "127.0.0.1", imapPort = closed.Port });
        var off = await MailApp.AddMailboxAsync(admin, "off@acme.test", new { imapHost = "127.0.0.1", imapPort = closed.Port, enabled = false });
        var seen = await Eventually.GetAsync<object>(async () =>
            await ReadyAsync(anonymous) is var h && h.GetProperty("status").GetString() == "degraded" ? h : null, "degraded") is JsonElement j ? j : default;

        var mailbox = Assert.Single(seen.GetProperty("mailboxes").EnumerateArray()); // the disabled one is not watched
        Assert.Equal(failing, mailbox.GetProperty("id").GetGuid());
        Assert.NotEqual(off, mailbox.GetProperty("id").GetGuid());
        Assert.Equal("failing", mailbox.GetProperty("status").GetString());
        Assert.True(mailbox.GetProperty("consecutiveFailures").GetInt32() >= 1);
        Assert.Equal(JsonValueKind.Null, mailbox.GetProperty("lastPolledAt").ValueKind);
        // Anonymous callers learn the state, not the address, server or error text.
        var anonymousBody = seen.ToString();
        Assert.DoesNotContain("down@acme.test", anonymousBody);
        Assert.DoesNotContain("could not connect", anonymousBody);
        Assert.Contains(seen.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains(failing.ToString()));
        // Nor does an agent: the details are for admins.
        Assert.DoesNotContain("could not connect", (await ReadyAsync(agent.Http)).ToString());

        var detailed = Assert.Single((await ReadyAsync(admin.Http)).GetProperty("mailboxes").EnumerateArray());
        Assert.Equal("down@acme.test", detailed.GetProperty("address").GetString());
        Assert.Contains("could not connect", detailed.GetProperty("lastError").GetString());

        // Switched off, it no longer counts.
        await admin.PatchAsync($"/api/v1/channels/mailboxes/{failing}", new { enabled = false });
        Assert.Equal("ready", (await ReadyAsync(anonymous)).GetProperty("status").GetString());
    }

    [Theory, Providers]
    public async Task A_mailbox_nobody_has_read_for_a_while_is_stale(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Email:Poll"] = "false"; // no node polls: as when every poller is down
        var admin = await app.StaffAsync("admin");
        var id = await MailApp.AddMailboxAsync(admin, "quiet@acme.test", new { imapHost = "imap.acme.test" });
        var fresh = Assert.Single((await ReadyAsync(app.CreateClient())).GetProperty("mailboxes").EnumerateArray());
        Assert.Equal("pending", fresh.GetProperty("status").GetString());

        using (var scope = app.Services.CreateScope())
        {
            var hourAgo = DateTimeOffset.UtcNow.AddHours(-1);
            await scope.ServiceProvider.GetRequiredService<ChorusDb>().Mailboxes.Where(m => m.ChannelId == id)
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.LastPolledAt, hourAgo).SetProperty(m => m.UpdatedAt, hourAgo));
        }
        var stale = await ReadyAsync(app.CreateClient());
        Assert.Equal("degraded", stale.GetProperty("status").GetString());
        var mailbox = Assert.Single(stale.GetProperty("mailboxes").EnumerateArray());
        Assert.Equal("stale", mailbox.GetProperty("status").GetString());
        Assert.InRange(mailbox.GetProperty("lastPollAgeSeconds").GetDouble(), 3500, 3700);
    }

    [Theory, Providers]
    public async Task The_outbox_backlog_is_counted_and_a_reply_waiting_too_long_degrades(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Outbox:Dispatch"] = "false"; // the items below stay where the test puts them
        var admin = await app.StaffAsync("admin");
        var messages = new List<(Guid Message, Guid Channel, Guid Conversation)>();
        foreach (var n in Enumerable.Range(1, 3))
        {
            var d = await admin.DeliverAsync($"health-{n}");
            var detail = await admin.ConversationAsync(d.Number);
            messages.Add((detail.GetProperty("messages")[0].GetProperty("id").GetGuid(), detail.GetProperty("summary").GetProperty("channelId").GetGuid(), d.ConversationId));
        }
        async Task AddAsync(int i, DeliveryStatus status, TimeSpan age)
        {
            using var scope = app.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            db.Outbox.Add(new OutboxItem { ChannelId = messages[i].Channel, ConversationId = messages[i].Conversation, MessageId = messages[i].Message, IdempotencyKey = $"<health-{i}@test>", Status = status, CreatedAt = DateTimeOffset.UtcNow - age });
            await db.SaveChangesAsync();
        }

        await AddAsync(0, DeliveryStatus.Queued, TimeSpan.FromMinutes(1));
        await AddAsync(1, DeliveryStatus.Failed, TimeSpan.FromHours(1));
        var recent = await ReadyAsync(app.CreateClient());
        Assert.Equal("ready", recent.GetProperty("status").GetString()); // a failed reply is shown on its message, not an outage
        var outbox = recent.GetProperty("outbox");
        Assert.Equal(1, outbox.GetProperty("queued").GetInt32());
        Assert.Equal(1, outbox.GetProperty("failed").GetInt32());
        Assert.InRange(outbox.GetProperty("oldestQueuedAgeSeconds").GetDouble(), 55, 600);

        await AddAsync(2, DeliveryStatus.Queued, TimeSpan.FromMinutes(20));
        var stuck = await ReadyAsync(app.CreateClient());
        Assert.Equal("degraded", stuck.GetProperty("status").GetString());
        Assert.Equal(2, stuck.GetProperty("outbox").GetProperty("queued").GetInt32());
        Assert.True(stuck.GetProperty("outbox").GetProperty("oldestQueuedAgeSeconds").GetDouble() >= 1200);
        Assert.Contains(stuck.GetProperty("problems").EnumerateArray(), p => p.GetString()!.StartsWith("Outbox: the oldest of 2 queued"));
    }
}
