using System.Net;
using Chorus.Data;
using Chorus.Features.Campaigns;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Newsletter;
using Chorus.Tests.Campaigns;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Newsletter;

/// A post sent as an e-mail newsletter through the real Postfix/Dovecot: every person of the list
/// with an e-mail address gets exactly one mail (however often it is sent), with a one-click
/// unsubscribe that later newsletters honour; a reply becomes a conversation with that person.
public class NewsletterTests
{
    [MailTheory, Providers]
    public async Task Each_list_member_gets_one_mail_unsubscribed_people_none_and_a_reply_becomes_their_conversation(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app =>
        {
            app.Settings["Chorus:Email:ReconcileSeconds"] = "0.2";
            app.Settings["Chorus:Outbox:PollMilliseconds"] = "200";
            app.Settings["Chorus:Outbox:RetryBaseSeconds"] = "0.3";
            app.Settings["Chorus:Outbox:MaxRetrySeconds"] = "1";
        });
        var news = Mail.NewAddress("news");
        var support = await kit.App.TeamIdAsync("Support");
        var mailbox = await MailApp.AddMailboxAsync(kit.Admin, news, new { name = "Chorus news", defaultTeamId = support });
        var ann = Mail.NewAddress("ann");
        var ben = Mail.NewAddress("ben");
        var cleo = Mail.NewAddress("cleo");
        async Task<Guid> Person(string handle, string name, string kind = "Email") =>
            (await kit.Admin.DeliverAsync(Guid.NewGuid().ToString("N"), handle: handle, name: name, kind: kind, text: "Hello")).PersonId;
        var annId = await Person(ann, "Ann Archer");
        var benId = await Person(ben, "Ben Brook");
        var cleoId = await Person(cleo, "Cleo Carter");
        var danId = await Person("dan@mastodon.example", "Dan (no e-mail)", "Mastodon");
        var list = (await (await kit.Admin.PostAsync("/api/v1/people/lists", new { name = "Subscribers", personIds = new[] { annId, benId, cleoId, danId } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();

        // A newsletter channel needs a mailbox and a list; saying which is missing.
        var refused = await (await kit.Admin.PostAsync("/api/v1/publishing-channels", new { name = "Newsletter", kind = "Newsletter" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("mailboxId", out _));
        Assert.True(refused.GetProperty("errors").TryGetProperty("personListId", out _));
        var channel = (await (await kit.Admin.PostAsync("/api/v1/publishing-channels", new { name = "Newsletter", kind = "Newsletter", mailboxId = mailbox, personListId = list }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await (await kit.Author.PatchAsync($"/api/v1/campaigns/{kit.Campaign}", new { channelIds = new[] { channel } })).JsonAsync(HttpStatusCode.OK);

        var first = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("December news", "The **winter edition** is out.\n\nReply and tell us what you think!", (channel, null)));
        var post = await kit.SettledAsync(first);
        Assert.Equal("Published", post.Str("status"));
        Assert.Contains(post.GetProperty("comments").EnumerateArray(), c => c.Str("text") == "Newsletter: Sent to 3 people; skipped 1 (unsubscribed 0, the rest without an e-mail address or merged).");

        // Sent again (a retry, or another node taking over): nobody gets it twice.
        var delivery = await kit.App.DbAsync(db => db.Set<PostDelivery>().AsNoTracking().SingleAsync(d => d.PostId == first));
        var again = await SendAsync(kit, channel, first, delivery);
        Assert.IsType<PublishResult.Published>(again);
        Assert.Equal(3, await NewsletterMailsAsync(kit));

        foreach (var (address, name) in new[] { (ann, "Ann Archer"), (ben, "Ben Brook"), (cleo, "Cleo Carter") })
        {
            var mail = Assert.Single(await Eventually.GetAsync(async () => await Mail.ReadAsync(address, SearchQuery.All) is { Count: > 0 } m ? m : null, $"the newsletter in {address}", 60)).Message;
            Assert.Equal("December news", mail.Subject);
            Assert.Equal(news, mail.From.Mailboxes.Single().Address);
            Assert.Equal(name, mail.To.Mailboxes.Single().Name);
            Assert.Contains("The **winter edition** is out.", mail.TextBody);
            Assert.Contains("<strong>winter edition</strong>", mail.HtmlBody);
            Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
            Assert.Matches("^<https://chorus.example.test/newsletter/unsubscribe/[A-Za-z0-9_-]+>$", mail.Headers["List-Unsubscribe"]);
        }

        // Cleo's mail program unsubscribes her with one click (RFC 8058). Opening the link only asks.
        var cleoMail = (await Mail.ReadAsync(cleo, SearchQuery.All)).Single().Message;
        var link = new Uri(cleoMail.Headers["List-Unsubscribe"]!.Trim('<', '>')).AbsolutePath;
        var anonymous = kit.App.CreateClient();
        Assert.Contains("Stop newsletters to Cleo Carter?", await anonymous.GetStringAsync(link));
        Assert.False(await kit.App.DbAsync(db => db.Set<NewsletterOptOut>().AnyAsync(o => o.PersonId == cleoId)));
        var click = await anonymous.PostAsync(link, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, click.StatusCode);
        Assert.Contains("Cleo Carter gets no more newsletters", await click.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync(link, null)).StatusCode); // twice changes nothing
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync(link[..^4] + "AAAA", null)).StatusCode);
        var timeline = (await (await kit.Admin.GetAsync($"/api/v1/people/{cleoId}")).JsonAsync(HttpStatusCode.OK)).GetProperty("timeline");
        Assert.Contains(timeline.EnumerateArray(), t => t.Str("text") == "Unsubscribed from newsletters (from Newsletter)");

        // Ann replies to the newsletter: a conversation with her in the newsletter's mailbox.
        var annMail = (await Mail.ReadAsync(ann, SearchQuery.All)).Single().Message;
        await Mail.SendAsync(Mail.Compose(ann, news, "Re: December news", "Love it! When does the soundtrack come out?", inReplyTo: annMail.MessageId));
        var number = await Eventually.GetAsync(async () => (object?)(await kit.App.DbAsync(db => db.Conversations.Where(c => c.ChannelId == mailbox && c.RequesterId == annId)
            .Select(c => (long?)c.Number).FirstOrDefaultAsync())), "Ann's reply filed", 60);
        var conversation = await kit.Admin.ConversationAsync((long)number);
        Assert.Contains(conversation.Messages(), m => m.Kind == "Inbound" && m.Text.Contains("When does the soundtrack come out?"));
        // It belongs to the campaign's team (Marketing), not the mailbox's (Support); her next answer to the newsletter joins it.
        Assert.Equal(await kit.App.TeamIdAsync("Marketing"), conversation.Summary().GetProperty("teamId").GetGuid());
        Assert.Equal(NewsletterReplies.ThreadId(delivery.Id, annId), await kit.App.DbAsync(db => db.Conversations.Where(c => c.Number == (long)number).Select(c => c.ExternalThreadId).SingleAsync()));
        await Mail.SendAsync(Mail.Compose(ann, news, "Re: December news (and the manual)", "Also: is there a printed manual?", inReplyTo: annMail.MessageId));
        await Eventually.TrueAsync(async () => (await kit.Admin.ConversationAsync((long)number)).Messages().Count(m => m.Kind == "Inbound") == 2, "Ann's second answer in her conversation", 60);
        // A new e-mail to the same mailbox that answers no newsletter stays with the mailbox's team.
        await Mail.SendAsync(Mail.Compose(ben, news, "Order question", "Where is my order?"));
        var benConversation = await Eventually.GetAsync(async () => (object?)(await kit.App.DbAsync(db => db.Conversations.Where(c => c.ChannelId == mailbox && c.RequesterId == benId)
            .Select(c => c.TeamId).FirstOrDefaultAsync())), "Ben's e-mail filed", 60);
        Assert.Equal(support, (Guid)benConversation);
        Assert.Equal(1, await kit.App.DbAsync(db => db.Conversations.CountAsync(c => c.ChannelId == mailbox && c.RequesterId == annId)));

        // The campaign's report: the newsletter reached its three recipients; Ann answered (one conversion, not new to us).
        var report = await (await kit.Author.GetAsync($"/api/v1/reports/campaigns/{kit.Campaign}")).JsonAsync(HttpStatusCode.OK);
        var totals = report.GetProperty("totals");
        Assert.Equal((3L, 1, 1, 0), (totals.GetProperty("reach").GetInt64(), totals.GetProperty("conversations").GetInt32(), totals.GetProperty("conversions").GetInt32(),
            totals.GetProperty("newPeople").GetInt32()));

        // The next newsletter skips Cleo; two senders at once still send each person one mail.
        var second = (await kit.DraftAsync("January news", "Soundtrack out on the 15th.", (channel, null))).GetProperty("id").GetGuid();
        var secondDelivery = await kit.App.DbAsync(db => db.Set<PostDelivery>().AsNoTracking().SingleAsync(d => d.PostId == second));
        var both = await Task.WhenAll(SendAsync(kit, channel, second, secondDelivery), SendAsync(kit, channel, second, secondDelivery));
        Assert.All(both, r => Assert.IsType<PublishResult.Published>(r));
        Assert.Equal("Sent to 2 people; skipped 2 (unsubscribed 1, the rest without an e-mail address or merged).", ((PublishResult.Published)both[0]).Note);
        Assert.Equal(5, await NewsletterMailsAsync(kit));
        foreach (var address in new[] { ann, ben })
            await Eventually.TrueAsync(async () => (await Mail.ReadAsync(address, SearchQuery.SubjectContains("January news"))).Count == 1, $"January news in {address}", 60);
        await Eventually.TrueAsync(async () => await kit.App.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.Newsletter && o.Status == DeliveryStatus.Sent)) == 5,
            "every newsletter mail sent", 60);
        Assert.Empty(await Mail.ReadAsync(cleo, SearchQuery.SubjectContains("January news")));
        Assert.Single(await Mail.ReadAsync(ann, SearchQuery.SubjectContains("December news")));
    }

    private static async Task<PublishResult> SendAsync(CampaignKit kit, Guid channelId, Guid postId, PostDelivery delivery)
    {
        await using var scope = kit.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var channel = await db.Set<PublishingChannel>().AsNoTracking().SingleAsync(c => c.Id == channelId);
        var post = await db.Set<Post>().AsNoTracking().SingleAsync(p => p.Id == postId);
        return await scope.ServiceProvider.GetRequiredService<SendNewsletter>().RunAsync(channel, post, delivery, post.Body, CancellationToken.None);
    }

    private static Task<int> NewsletterMailsAsync(CampaignKit kit) =>
        kit.App.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.Newsletter));
}
