using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Channels.Outbox;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Email;

/// Colleagues hear about @mentions (and, when they ask for it, assignments) by e-mail, through the
/// outbox and the real Postfix/Dovecot. Note text reaches staff only, never the requester.
public class StaffEmailNotificationTests
{
    private const string PublicUrl = "https://chorus.example.test";
    /// Bound on waiting for a sent e-mail: one attempt may wait out the SMTP timeout (30 s) before its retry.
    internal const int Arrival = 90;

    private static ChorusFactory Create(Provider provider)
    {
        var app = MailApp.Create(provider);
        app.Settings["Chorus:PublicUrl"] = PublicUrl + "/";
        return app;
    }

    [MailTheory, Providers]
    public async Task A_mentioned_colleague_gets_the_note_by_email_the_requester_never_does(Provider provider)
    {
        await using var app = Create(provider);
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        var channel = await MailApp.AddMailboxAsync(admin, support);
        var author = await app.StaffWithEmailAsync(Mail.NewAddress("alex"), "agent", "Support");
        var maya = await app.StaffWithEmailAsync(Mail.NewAddress("maya"), "agent", "Marketing");
        var nina = await app.StaffWithEmailAsync(Mail.NewAddress("nina"), "agent", "PR");
        var customer = Mail.NewAddress("ann");
        var ninaPrefs = await (await nina.Http.PutAsJsonAsync("/api/v1/me/notification-preferences", new { mentionEmails = false })).JsonAsync(HttpStatusCode.OK);
        Assert.False(ninaPrefs.GetProperty("mentionEmails").GetBoolean());

        var delivered = await admin.DeliverAsync("first-" + Guid.NewGuid().ToString("N") + "@customer.example.test", channel: channel.ToString(), handle: customer, subject: "Charged twice", text: "My card was charged twice.");
        const string secret = "card ending 4242 shows two captures";
        var note = await NoteAsync(author, delivered.Number, $"@{maya.Handle()} and @{nina.Handle()}: {secret}. Refund one?");
        Assert.Equal(2, note.GetProperty("mentionedStaffIds").GetArrayLength());

        var mail = await Eventually.GetAsync(async () =>
            await Mail.ReadAsync(maya.Email, SearchQuery.All) is [var one] ? one.Message : null, "the mention e-mail in Maya's mailbox", Arrival);
        Assert.Contains($"#{delivered.Number}", mail.Subject);
        Assert.Contains("Charged twice", mail.Subject);
        Assert.Equal(support, mail.From.Mailboxes.Single().Address);
        Assert.Equal(maya.Email, mail.To.Mailboxes.Single().Address);
        Assert.Equal("auto-generated", mail.Headers["Auto-Submitted"]);
        Assert.Contains(secret, mail.TextBody);
        Assert.Contains($"{PublicUrl}/conversations/{delivered.Number}", mail.TextBody);
        Assert.Contains($"href=\"{PublicUrl}/conversations/{delivered.Number}\"", mail.HtmlBody);

        // Nina turned mention e-mails off: in-app only. The author is never told about their own note.
        var items = await app.DbAsync(db => db.Outbox.AsNoTracking().ToListAsync());
        var staffMail = Assert.Single(items, i => i.Purpose == OutboxPurpose.StaffNotification);
        Assert.Contains(maya.Email, staffMail.Payload);
        Assert.Null(staffMail.MessageId); // not a message of the thread: no delivery badge on the note
        var ninasBell = await (await nina.GetAsync("/api/v1/notifications")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(ninasBell.EnumerateArray(), x => x.GetProperty("kind").GetString() == "mention");

        // The requester gets the public reply, and nothing of the note.
        await (await author.PostAsync($"/api/v1/conversations/{delivered.Number}/replies", new { text = "We are refunding the second charge." })).JsonAsync(HttpStatusCode.Created);
        await Eventually.TrueAsync(async () => (await Mail.ReadAsync(customer, SearchQuery.All)).Count == 1, "the reply in the customer's mailbox", Arrival);
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        var customerMail = Assert.Single(await Mail.ReadAsync(customer, SearchQuery.All));
        Assert.Contains("refunding the second charge", customerMail.Message.TextBody);
        Assert.DoesNotContain("4242", customerMail.Message.TextBody + customerMail.Message.HtmlBody);
        Assert.Empty(await Mail.ReadAsync(nina.Email, SearchQuery.All));
        Assert.Empty(await Mail.ReadAsync(author.Email, SearchQuery.All));
    }

    [MailTheory, Providers]
    public async Task Assignment_emails_are_off_until_the_agent_turns_them_on(Provider provider)
    {
        await using var app = Create(provider);
        var admin = await app.StaffAsync("admin");
        var channel = await MailApp.AddMailboxAsync(admin, Mail.NewAddress("support"));
        var lead = await app.StaffAsync("agent", "Support");
        var sam = await app.StaffWithEmailAsync(Mail.NewAddress("sam"), "agent", "Support");
        var first = await admin.DeliverAsync("a1-" + Guid.NewGuid().ToString("N") + "@customer.example.test", channel: channel.ToString(), handle: Mail.NewAddress("ann"), subject: "Broken hinge");
        var second = await admin.DeliverAsync("a2-" + Guid.NewGuid().ToString("N") + "@customer.example.test", channel: channel.ToString(), handle: Mail.NewAddress("bob"), subject: "Missing screws");

        await lead.PatchConversationAsync(first.Number, new { assigneeId = sam.UserId });
        Assert.False(await app.DbAsync(db => db.Outbox.AnyAsync(o => o.Purpose == OutboxPurpose.StaffNotification)));

        var prefs = await (await sam.Http.PutAsJsonAsync("/api/v1/me/notification-preferences", new { assignmentEmails = true })).JsonAsync(HttpStatusCode.OK);
        Assert.True(prefs.GetProperty("assignmentEmails").GetBoolean());
        Assert.True(prefs.GetProperty("mentionEmails").GetBoolean()); // untouched
        await lead.PatchConversationAsync(second.Number, new { assigneeId = sam.UserId });

        var mail = await Eventually.GetAsync(async () =>
            await Mail.ReadAsync(sam.Email, SearchQuery.All) is [var one] ? one.Message : null, "the assignment e-mail", Arrival);
        Assert.Contains($"#{second.Number}", mail.Subject);
        Assert.Contains("Assigned to you", mail.Subject);
        Assert.Contains($"{PublicUrl}/conversations/{second.Number}", mail.TextBody);
        // Taking a conversation yourself sends nothing.
        await sam.PatchConversationAsync(first.Number, new { assigneeId = sam.UserId });
        Assert.Equal(1, await app.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.StaffNotification)));
    }

    private static async Task<JsonElement> NoteAsync(StaffClient agent, long number, string text) =>
        await (await agent.PostAsync($"/api/v1/conversations/{number}/notes", new { text })).JsonAsync(HttpStatusCode.Created);
}
