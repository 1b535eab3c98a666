using System.Net;
using Chorus.Data;
using Chorus.Features.Campaigns;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Newsletter;
using Chorus.Tests.Campaigns;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Newsletter;

/// Answers to a newsletter that arrive in an mbox import (a mailbox's history, mail fetched elsewhere)
/// are routed by the same rule as those the mailbox poller reads: to the campaign's team, one
/// conversation per person and newsletter; other mail in the archive stays with the mailbox's team.
public class NewsletterImportTests
{
    [MailTheory, Providers]
    public async Task A_reply_to_a_newsletter_in_an_mbox_import_belongs_to_the_campaigns_team_like_a_polled_one(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider);
        var news = Mail.NewAddress("news");
        var support = await kit.App.TeamIdAsync("Support");
        var marketing = await kit.App.TeamIdAsync("Marketing");
        var mailbox = await MailApp.AddMailboxAsync(kit.Admin, news, new { name = "Chorus news", defaultTeamId = support });
        var ann = Mail.NewAddress("ann");
        var ben = Mail.NewAddress("ben");
        var annId = (await kit.Admin.DeliverAsync(Guid.NewGuid().ToString("N"), handle: ann, name: "Ann Archer", kind: "Email", text: "Hello")).PersonId;
        var list = (await (await kit.Admin.PostAsync("/api/v1/people/lists", new { name = "Subscribers", personIds = new[] { annId } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var channel = (await (await kit.Admin.PostAsync("/api/v1/publishing-channels", new { name = "Newsletter", kind = "Newsletter", mailboxId = mailbox, personListId = list }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await (await kit.Author.PatchAsync($"/api/v1/campaigns/{kit.Campaign}", new { channelIds = new[] { channel } })).JsonAsync(HttpStatusCode.OK);
        var postId = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("December news", "The winter edition is out.", (channel, null)));
        Assert.Equal("Published", (await kit.SettledAsync(postId)).Str("status"));
        var delivery = await kit.App.DbAsync(db => db.Set<PostDelivery>().AsNoTracking().SingleAsync(d => d.PostId == postId));
        var sent = await kit.App.DbAsync(db => db.Outbox.Where(o => o.Purpose == OutboxPurpose.Newsletter).Select(o => o.IdempotencyKey).SingleAsync());

        // The archive: Ann's answer to the newsletter (naming it in In-Reply-To), then Ben's unrelated question.
        var archive = Path.Combine(Path.GetTempPath(), $"chorus-newsletter-import-{Guid.NewGuid():N}.mbox");
        await File.WriteAllTextAsync(archive, $"""
            From {ann} Mon Nov 30 09:00:00 2026
            From: Ann Archer <{ann}>
            To: Chorus news <{news}>
            Subject: Re: December news
            Date: Mon, 30 Nov 2026 09:00:00 +0000
            Message-ID: <ann-answer-{Guid.NewGuid():N}@example.test>
            In-Reply-To: <{sent}>
            References: <{sent}>

            Love it! When does the soundtrack come out?

            From {ben} Mon Nov 30 09:05:00 2026
            From: Ben Brook <{ben}>
            To: Chorus news <{news}>
            Subject: Order question
            Date: Mon, 30 Nov 2026 09:05:00 +0000
            Message-ID: <ben-order-{Guid.NewGuid():N}@example.test>

            Where is my order?

            """.Replace("\r\n", "\n"));
        try
        {
            await using var scope = kit.App.Services.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<ImportMbox>().RunAsync(archive, mailbox);
            var result = Assert.IsType<Chorus.Common.Outcome<MboxImportResult>.Ok>(outcome).Value;
            Assert.Equal((2, 2, 0), (result.Read, result.Filed, result.Skipped));
        }
        finally { File.Delete(archive); }

        var conversations = await kit.App.DbAsync(db => db.Conversations.AsNoTracking().Where(c => c.ChannelId == mailbox)
            .Select(c => new { c.Subject, c.TeamId, c.ExternalThreadId, c.RequesterId }).ToListAsync());
        var answer = Assert.Single(conversations, c => c.RequesterId == annId);
        Assert.Equal((marketing, NewsletterReplies.ThreadId(delivery.Id, annId)), (answer.TeamId, answer.ExternalThreadId));
        var order = Assert.Single(conversations, c => c.Subject == "Order question");
        Assert.Equal(support, order.TeamId);
        // The campaign's report counts the imported answer as the live one would be.
        var totals = (await (await kit.Author.GetAsync($"/api/v1/reports/campaigns/{kit.Campaign}")).JsonAsync(HttpStatusCode.OK)).GetProperty("totals");
        Assert.Equal((1, 1), (totals.GetProperty("conversations").GetInt32(), totals.GetProperty("conversions").GetInt32()));
    }
}
