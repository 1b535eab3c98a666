using System.Net;
using System.Text.RegularExpressions;
using Chorus.Features.Csat;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Csat;

/// The satisfaction survey by real mail: a customer writes in, an agent solves, the survey leaves through
/// the outbox and Postfix and lands in the customer's Dovecot mailbox, and the link in it, opened like a
/// customer's click on the running server, records the rating.
public partial class CsatEmailTests
{
    [GeneratedRegex(@"4 – Happy: (?<url>http\S+)")]
    private static partial Regex HappyLink();

    [MailTheory, Providers]
    public async Task The_survey_arrives_in_the_customers_mailbox_and_its_link_rates_the_solve(Provider provider)
    {
        await using var app = new ChorusFactory(provider, kestrel: true); // links in the mail point at this real server
        app.Settings["Chorus:Outbox:PollMilliseconds"] = "200";
        app.Settings["Chorus:Csat:SweepSeconds"] = "1";
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var customer = Mail.NewAddress("ann");
        var channel = await MailApp.AddMailboxAsync(admin, support);

        await Mail.SendAsync(Mail.Compose(customer, support, "Invoice missing", "Hello, I did not get my invoice for March."));
        var number = (await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(agent, channel) is [var n] ? (object)n : null, "the conversation") as long?)!.Value;
        await agent.PatchConversationAsync(number, new { status = "Solved" });

        var (_, mail, _) = (await Eventually.GetAsync(async () =>
            (await Mail.ReadAsync(customer, SearchQuery.SubjectContains("How did we do?"))) is [var m] ? (object)m : null, "the survey in the customer's mailbox", 60)
            as (MailKit.UniqueId, MimeKit.MimeMessage, MailKit.MessageFlags?)?)!.Value;
        Assert.Equal($"How did we do? [#{number}] Invoice missing", mail.Subject);
        Assert.Equal(support, mail.From.Mailboxes.Single().Address);
        Assert.Equal(customer, mail.To.Mailboxes.Single().Address);
        Assert.Equal("auto-generated", mail.Headers["Auto-Submitted"]); // the customer's auto-responder does not answer it
        Assert.Contains($"<a href=\"{app.ServerAddress.ToString().TrimEnd('/')}/csat/", mail.HtmlBody);

        // The customer clicks "4 – Happy": a plain browser on the real server, no sign-in.
        var url = HappyLink().Match(mail.TextBody ?? "").Groups["url"].Value;
        Assert.StartsWith(app.ServerAddress.ToString().TrimEnd('/') + "/csat/", url);
        using var browser = new HttpClient();
        var page = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("id=\"csat-thanks\"", await page.Content.ReadAsStringAsync());

        var survey = await app.DbAsync(db => db.Set<CsatSurvey>().AsNoTracking().SingleAsync());
        Assert.Equal(4, survey.Rating);
        Assert.True(survey.Emailed);
        var detail = await agent.ConversationAsync(number);
        Assert.Contains(detail.Messages(), m => m.Kind == "Event" && m.Text == "The requester rated 4/5 (happy).");
        var report = await (await agent.GetAsync("/api/v1/csat")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, report.GetProperty("overall").GetProperty("rated").GetInt32());
    }
}
