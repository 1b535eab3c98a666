using System.Net;
using System.Text.Json;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using MailKit.Search;

namespace Chorus.Tests.PressRoom;

/// Distribution of a release to a media list through the real Postfix/Dovecot: one e-mail per
/// journalist, once; a journalist's reply becomes a conversation with them; pitch tracking follows.
public class DistributionTests
{
    [MailTheory, Providers]
    public async Task Each_journalist_gets_one_embargoed_email_and_a_reply_becomes_their_conversation_marked_replied(Provider provider)
    {
        await using var kit = await PressKit.StartAsync(provider, MailApp.Create);
        var admin = await kit.App.StaffAsync("admin");
        var press = Mail.NewAddress("press");
        var mailbox = await MailApp.AddMailboxAsync(admin, press, new { name = "Press office" });
        var maya = Mail.NewAddress("maya");
        var tomas = Mail.NewAddress("tomas");
        async Task<Guid> Journalist(string name, string email, string outlet) =>
            (await (await kit.Author.PostAsync("/api/v1/media-contacts", new { name, email, outlet })).JsonAsync(HttpStatusCode.Created)).GetProperty("contact").GetProperty("personId").GetGuid();
        var mayaId = await Journalist("Maya Lindqvist", maya, "Pixel Post");
        var tomasId = await Journalist("Tomás Ferreira", tomas, "GameWire");
        var list = (await (await kit.Author.PostAsync("/api/v1/media-lists", new { name = "Launch press", personIds = new[] { mayaId, tomasId } })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();

        var id = await kit.ApprovedAsync();
        // Not before it is published (under embargo here).
        await (await kit.Author.PostAsync($"/api/v1/press-releases/{id}/distribute", new { listId = list })).ProblemAsync(HttpStatusCode.Conflict);
        var at = kit.Clock.Now.AddDays(2).Date.AddHours(9);
        await kit.PublishAsync(id, at.ToString("yyyy-MM-ddTHH:mm"), "Europe/Paris");

        var result = await (await kit.Author.PostAsync($"/api/v1/press-releases/{id}/distribute", new { listId = list })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, result.GetProperty("sent").GetArrayLength());
        Assert.Empty(result.GetProperty("skipped").EnumerateArray());
        // The same list again sends nothing twice.
        var again = await (await kit.Author.PostAsync($"/api/v1/press-releases/{id}/distribute", new { listId = list, mailboxId = mailbox })).JsonAsync(HttpStatusCode.OK);
        Assert.Empty(again.GetProperty("sent").EnumerateArray());
        Assert.All(again.GetProperty("skipped").EnumerateArray(), s => Assert.StartsWith("Sent this release already", s.Str("reason")));

        await Eventually.TrueAsync(async () => (await PitchesAsync(kit, id)).All(p => p.Str("delivery") == "sent"), "both pitches sent", StaffEmailNotificationTests.Arrival);
        var embargo = $"EMBARGOED until {at:ddd d MMM yyyy}, 09:00 Europe/Paris";
        foreach (var address in new[] { maya, tomas })
        {
            var mails = await Mail.ReadAsync(address, SearchQuery.All);
            var mail = Assert.Single(mails).Message;
            Assert.Equal($"{embargo}: Starfall ships on 1 December", mail.Subject);
            Assert.Equal(press, mail.From.Mailboxes.Single().Address);
            Assert.Contains($"**{embargo}.** Please do not publish before then.", mail.TextBody);
            Assert.Contains("https://chorus.example.test/l/", mail.TextBody);
        }
        var mayaMail = (await Mail.ReadAsync(maya, SearchQuery.All)).Single().Message;
        Assert.StartsWith("Hello Maya,", mayaMail.TextBody);

        // Maya opens her link (a person's browser) and answers; Tomás does neither.
        var pitches = await PitchesAsync(kit, id);
        var mayaPitch = pitches.Single(p => p.Str("name") == "Maya Lindqvist");
        Assert.Contains(mayaPitch.Str("shortUrl"), mayaMail.TextBody);
        var browser = kit.App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        browser.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0");
        var click = await browser.GetAsync(new Uri(mayaPitch.Str("shortUrl")).AbsolutePath);
        Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
        Assert.StartsWith($"https://chorus.example.test/newsroom/", click.Headers.Location!.ToString());
        await Mail.SendAsync(Mail.Compose(maya, press, "Re: " + mayaMail.Subject, "Could I get an interview with the lead designer?", inReplyTo: mayaMail.MessageId));

        var number = mayaPitch.GetProperty("conversationNumber").GetInt64();
        await Eventually.TrueAsync(async () => (await PitchesAsync(kit, id)).Single(p => p.Str("name") == "Maya Lindqvist").GetProperty("replied").GetBoolean(),
            "Maya's pitch marked replied", StaffEmailNotificationTests.Arrival);
        var conversation = await kit.Author.ConversationAsync(number);
        Assert.Equal(mayaId, conversation.Summary().GetProperty("requesterId").GetGuid());
        Assert.Equal(await kit.App.TeamIdAsync("PR"), conversation.Summary().GetProperty("teamId").GetGuid());
        Assert.Contains(conversation.Messages(), m => m.Kind == "Inbound" && m.Text.Contains("interview with the lead designer"));
        Assert.Equal([number], (await MailApp.ConversationNumbersAsync(kit.Author, mailbox)).Where(n => n == number).ToList());

        // Tomás covers it: logging his article marks his pitch covered.
        await (await kit.Author.PostAsync("/api/v1/coverage", new
        {
            url = "https://gamewire.example.test/starfall-review", headline = "Starfall is a stunning, generous space sim", outlet = "GameWire",
            publishedOn = kit.Clock.Now.ToString("yyyy-MM-dd"), reach = 120000, releaseId = id, journalistId = tomasId,
        })).JsonAsync(HttpStatusCode.Created);

        var tracked = (await PitchesAsync(kit, id)).ToDictionary(p => p.Str("name"));
        Assert.Equal((true, true, false), (tracked["Maya Lindqvist"].GetProperty("opened").GetBoolean(), tracked["Maya Lindqvist"].GetProperty("replied").GetBoolean(), tracked["Maya Lindqvist"].GetProperty("covered").GetBoolean()));
        Assert.Equal((false, false, true), (tracked["Tomás Ferreira"].GetProperty("opened").GetBoolean(), tracked["Tomás Ferreira"].GetProperty("replied").GetBoolean(), tracked["Tomás Ferreira"].GetProperty("covered").GetBoolean()));
        var contact = await (await kit.Author.GetAsync($"/api/v1/media-contacts/{mayaId}")).JsonAsync(HttpStatusCode.OK);
        Assert.NotEqual(JsonValueKind.Null, contact.GetProperty("contact").GetProperty("lastContactAt").ValueKind);
        Assert.Equal(number, contact.GetProperty("pitches")[0].GetProperty("conversationNumber").GetInt64());
    }

    private static async Task<List<JsonElement>> PitchesAsync(PressKit kit, Guid id) =>
        (await (await kit.Author.GetAsync($"/api/v1/press-releases/{id}/pitches")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
}
