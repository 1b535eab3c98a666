using System.Net;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Forum;
using Chorus.Features.Forum.Members;
using Chorus.Features.MemberNotifications;
using Chorus.Tests.Email;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.MemberNotifications;

/// A reply to a topic many members follow: the reply's transaction stores one fan-out job instead of an
/// e-mail per follower, and the background fan-out tells every follower once, through the real
/// Postfix/Dovecot, even when the node stops half-way through and another start picks the job up.
public class FollowerFanOutTests
{
    private const int Followers = 30;
    private const int Batch = 10;

    [MailTheory, Providers]
    public async Task A_reply_to_a_topic_with_many_followers_is_one_job_and_each_follower_gets_exactly_one_email_across_a_restart_mid_fan_out(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        app.Settings["Chorus:PublicUrl"] = "https://community.example.test";
        app.Settings["Chorus:Community:FanOut"] = "false"; // this node stops before the fan-out finishes: the test drives it
        app.Settings["Chorus:Community:FanOutBatch"] = Batch.ToString();
        app.Settings["Chorus:Community:FanOutLeaseSeconds"] = "10";
        var admin = await app.StaffAsync("admin");
        await MailApp.AddMailboxAsync(admin, Mail.NewAddress("community"));
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann", TrustLevel.Basic, Mail.NewAddress("ann"));
        var bob = await ForumKit.MemberAsync(app, "bob", TrustLevel.Basic, Mail.NewAddress("bob"));
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Export to CSV?", "Can I export my reports to CSV?");

        // Thirty members watch the topic (as its Watch button does); one of them watches and then mutes it.
        var followers = new List<(Guid Id, string Email)>();
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            var accounts = scope.ServiceProvider.GetRequiredService<MemberAccounts>();
            var watch = scope.ServiceProvider.GetRequiredService<ManageMemberEmail>();
            for (var i = 0; i < Followers; i++)
            {
                var name = $"follower{i:D2}";
                var member = new ForumMember { Username = name, UsernameKey = name, Email = Mail.NewAddress(name) };
                member.PasswordHash = MemberAccounts.Hash(member, ForumKit.Password);
                db.ForumMembers.Add(member);
                await db.SaveChangesAsync();
                Assert.Null((await accounts.ConfirmAsync(accounts.ConfirmationToken(member))).Error);
                Assert.IsType<Outcome<TopicWatchState>.Ok>(await watch.WatchAsync(member.Id, topicId, TopicWatchLevel.Watching));
                followers.Add((member.Id, member.Email));
            }
            Assert.IsType<Outcome<TopicWatchState>.Ok>(await watch.WatchAsync(followers[^1].Id, topicId, TopicWatchLevel.Muted));
        }
        var muted = followers[^1];
        var told = followers[..^1].Append((ann.MemberId, ann.Email)).ToList(); // 29 watchers and the topic's starter

        // The reply stores its post and one job: not a notification, not an e-mail.
        var reply = await ForumKit.PostReplyAsync(bob.Http, topicId, "Reports → Export, top right. It can run every Monday too.");
        Assert.Equal(HttpStatusCode.Redirect, reply.StatusCode);
        Assert.DoesNotContain("posted=held", reply.Headers.Location!.ToString());
        var postId = await ForumKit.PostIdAsync(app, topicId, 2);
        var job = await app.DbAsync(db => db.MemberNotificationJobs.SingleAsync());
        Assert.Equal(postId, job.PostId); // the topic's first post mentions nobody: no job for it
        Assert.Equal(0, await app.DbAsync(db => db.MemberNotifications.CountAsync()));
        Assert.Equal(0, await MemberEmailsAsync(app));

        // The node fans out one batch and dies: ten members told, the job still stored, the lease still held.
        var fanOut = app.Services.GetRequiredService<FanOutMemberNotifications>();
        Assert.Equal(0, await fanOut.RunRoundAsync("node-that-dies", CancellationToken.None, maxBatches: 1));
        Assert.Equal(Batch, await app.DbAsync(db => db.MemberNotifications.CountAsync()));
        Assert.Equal(Batch, await MemberEmailsAsync(app));
        Assert.Equal(1, await app.DbAsync(db => db.MemberNotificationJobs.CountAsync()));
        // Another node finds the lease taken while it lasts, so it does not fan out beside the first.
        Assert.Equal(0, await fanOut.RunRoundAsync("other-node", CancellationToken.None));
        Assert.Equal(Batch, await app.DbAsync(db => db.MemberNotifications.CountAsync()));

        // Those ten e-mails leave before the node goes (a send cut off by the stop is the outbox's own concern, tested there).
        await Eventually.TrueAsync(async () => await app.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.MemberEmail && o.Status == DeliveryStatus.Sent)) == Batch,
            "the first batch's e-mails sent", StaffEmailNotificationTests.Arrival);

        // Started again (with its background fan-out): it takes the job over once the lease ran out and finishes it.
        var settings = new Dictionary<string, string?>(app.Settings) { ["Chorus:Community:FanOut"] = "true", ["Chorus:Community:FanOutPollMilliseconds"] = "200" };
        await using var restarted = ChorusFactory.RestartOf(app);
        await app.DisposeAsync();
        foreach (var (k, v) in settings) restarted.Settings[k] = v;
        await restarted.PrepareAsync();
        await MemberNotificationTests.FannedOutAsync(restarted);

        // Every follower exactly one e-mail, in the outbox and in their Dovecot mailbox; the muted member and the author none.
        Assert.Equal(told.Count, await restarted.DbAsync(db => db.MemberNotifications.CountAsync(n => n.PostId == postId)));
        Assert.Equal(told.Count, await MemberEmailsAsync(restarted));
        foreach (var (id, email) in told)
        {
            Assert.Equal(1, await restarted.DbAsync(db => db.MemberNotifications.CountAsync(n => n.MemberId == id)));
            var mail = await Eventually.GetAsync(async () => await Mail.ReadAsync(email, SearchQuery.All) is [var one] ? one.Message : null,
                $"the reply e-mail for {email}", StaffEmailNotificationTests.Arrival);
            Assert.Equal("New reply to “Export to CSV?”", mail.Subject);
            Assert.Contains($"https://community.example.test/forum/p/{postId}", mail.TextBody);
        }
        await Eventually.TrueAsync(async () => await restarted.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.MemberEmail && o.Status != DeliveryStatus.Sent)) == 0,
            "every member e-mail sent");
        foreach (var (_, email) in told) Assert.Single(await Mail.ReadAsync(email, SearchQuery.All)); // still one: nothing came twice
        Assert.Empty(await Mail.ReadAsync(muted.Email, SearchQuery.All));
        Assert.Empty(await Mail.ReadAsync(bob.Email, SearchQuery.All));
    }

    private static Task<int> MemberEmailsAsync(ChorusFactory app) =>
        app.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.MemberEmail));
}
