using System.Text.Json;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Email;

/// IMAP IDLE through the real Dovecot: with a poll interval of an hour, only the server's announcement
/// can explain mail being filed while the test waits (a minute at most, generously).
public class MailboxIdleTests
{
    private const int AnHour = 3600;

    private static async Task WaitForFirstPollAsync(StaffClient admin, Guid channel) =>
        await Eventually.TrueAsync(async () => (await MailApp.MailboxAsync(admin, channel)).GetProperty("lastPolledAt").ValueKind != JsonValueKind.Null,
            "the first poll");

    [MailTheory, Providers]
    public async Task New_mail_is_filed_while_the_poller_idles_long_before_the_poll_interval(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        var channel = await MailApp.AddMailboxAsync(admin, support, new { pollIntervalSeconds = AnHour });
        await WaitForFirstPollAsync(admin, channel);
        Assert.Empty(await MailApp.ConversationNumbersAsync(admin, channel));

        // One after the other: after filing the first, the poller goes back to IDLE and hears the second.
        for (var i = 1; i <= 2; i++)
        {
            await Mail.SendAsync(Mail.Compose(Mail.NewAddress("ann"), support, $"Arrived while idling {i}", "Hello?"));
            var expected = i;
            await Eventually.TrueAsync(async () => (await MailApp.ConversationNumbersAsync(admin, channel)).Count == expected,
                $"message {i} filed without waiting an hour", seconds: 60);
        }

        // Each exactly once, and the checkpoint stands at the second.
        var mailbox = await MailApp.MailboxAsync(admin, channel);
        Assert.Equal(2, mailbox.GetProperty("lastUid").GetInt64());
        var subjects = new List<string>();
        foreach (var n in await MailApp.ConversationNumbersAsync(admin, channel))
        {
            var detail = await MailApp.ConversationAsync(admin, n);
            Assert.Single(detail.GetProperty("messages").EnumerateArray());
            subjects.Add(detail.GetProperty("summary").GetProperty("subject").GetString()!);
        }
        Assert.Equal(["Arrived while idling 1", "Arrived while idling 2"], subjects.Order());
        Assert.Empty(await MailApp.RejectionsAsync(admin, channel));
    }

    [MailTheory, Providers]
    public async Task Two_nodes_idling_on_one_mailbox_file_each_message_once(Provider provider)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "chorus-idle-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var one = MailApp.Create(provider);
            one.Settings["Chorus:DataDirectory"] = dataDir;
            var admin = await one.StaffAsync("admin");
            var support = Mail.NewAddress("support");
            var channel = await MailApp.AddMailboxAsync(admin, support, new { pollIntervalSeconds = AnHour });
            await using var two = MailApp.Create(provider);
            two.Settings["Chorus:DataDirectory"] = dataDir;
            if (provider == Provider.Postgres) two.Settings["ConnectionStrings:Chorus"] = one.Services.GetRequiredService<IConfiguration>()["ConnectionStrings:Chorus"];
            await two.PrepareAsync();
            await WaitForFirstPollAsync(admin, channel);

            for (var i = 0; i < 5; i++) await Mail.SendAsync(Mail.Compose(Mail.NewAddress("ann"), support, $"Both nodes hear {i}", "Hello."));
            await Eventually.TrueAsync(async () => (await MailApp.MailboxAsync(admin, channel)).GetProperty("lastUid").GetInt64() == 5, "all five read", seconds: 60);

            var numbers = await MailApp.ConversationNumbersAsync(admin, channel);
            Assert.Equal(5, numbers.Count);
            foreach (var n in numbers) Assert.Single((await MailApp.ConversationAsync(admin, n)).GetProperty("messages").EnumerateArray());
            // Two nodes reading one message at once would collide on its Message-ID, and the loser would record a rejection.
            Assert.Empty(await MailApp.RejectionsAsync(admin, channel));
        }
        finally
        {
            try { Directory.Delete(dataDir, true); } catch (IOException) { }
        }
    }
}
