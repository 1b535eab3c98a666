using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// E-mail through the real Postfix and Dovecot, worked from the browser.
public class EmailBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH", "TEST_IMAP", "TEST_SMTP")]
    public async Task A_customer_mail_is_answered_in_the_browser_and_their_answer_appears_in_the_same_conversation_live()
    {
        var admin = await fx.StaffAsync("admin");
        var agent = await fx.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var customer = Mail.NewAddress("ann");
        var channel = await MailApp.AddMailboxAsync(admin, support);
        var first = Mail.Compose(customer, support, "Save file lost", "My save file vanished after the update. Can you help?");
        await Mail.SendAsync(first);
        var number = (await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(agent, channel) is [var n] ? (object)n : null, "the conversation", 60) as long?)!.Value;

        var page = await InboxTestData.OpenAsync(fx, agent.Email, $"/conversations/{number}");
        await Expect(InboxTestData.Messages(page, "inbound")).ToContainTextAsync("My save file vanished");
        await page.FillAsync("#composer-text", "Sorry about that! Your saves are backed up; restore them from Settings > Cloud.");
        await page.Keyboard.PressAsync("Control+Enter");
        var reply = InboxTestData.Messages(page, "reply").Last;
        await Expect(reply.Locator("[data-test=delivery]")).ToHaveAttributeAsync("data-status", "sent", new() { Timeout = 60_000 });

        // The customer's mailbox has the reply, threaded under their message.
        var received = await Eventually.GetAsync(async () =>
            await Mail.ReadAsync(customer, SearchQuery.SubjectContains("Save file lost")) is [var one] ? one.Message : null, "the reply in the customer's mailbox", 60);
        Assert.Equal(first.MessageId, received.InReplyTo);
        Assert.Contains("restore them from Settings", received.TextBody);

        // Their answer lands in the same conversation, on the open page, without a reload.
        await Mail.SendAsync(Mail.Compose(customer, support, "Re: Save file lost", "That worked, thank you!", inReplyTo: received.MessageId));
        await Expect(InboxTestData.Messages(page, "inbound")).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        await Expect(InboxTestData.Messages(page, "inbound").Last).ToContainTextAsync("That worked, thank you!");
        Assert.Equal([number], await MailApp.ConversationNumbersAsync(agent, channel));
    }

    [NeedsEnvFact("CHROMIUM_PATH", "TEST_IMAP", "TEST_SMTP")]
    public async Task Hostile_html_in_a_mail_runs_nothing_and_loads_nothing_when_an_agent_opens_it()
    {
        var admin = await fx.StaffAsync("admin");
        var agent = await fx.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var channel = await MailApp.AddMailboxAsync(admin, support);
        var hostile = Mail.Compose(Mail.NewAddress("mallory"), support, "Invoice attached", "See the HTML part.");
        hostile.Body = new MimeKit.BodyBuilder
        {
            TextBody = "See the HTML part.",
            HtmlBody = """
                <html><head><script>window.__pwned = 'head script';</script><meta http-equiv="refresh" content="0;url=javascript:window.__pwned='refresh'"></head>
                <body onload="window.__pwned = 'body onload'">
                <p>Your invoice is ready.</p>
                <script>window.__pwned = 'script';</script>
                <img src="x" onerror="window.__pwned = 'onerror'">
                <img src="http://127.0.0.1:9/track.png?user=agent" alt="tracker">
                <svg onload="window.__pwned = 'svg'"><circle r="5"/></svg>
                <iframe src="javascript:parent.__pwned='iframe'"></iframe>
                <a href="javascript:window.__pwned='link'" id="evil-link">Pay now</a>
                <form action="http://127.0.0.1:9/steal"><input name="card"><button>Send</button></form>
                <div style="background:url(javascript:window.__pwned='css')">styled</div>
                </body></html>
                """,
        }.ToMessageBody();
        await Mail.SendAsync(hostile);
        var number = (await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(agent, channel) is [var n] ? (object)n : null, "the conversation", 60) as long?)!.Value;

        var page = await fx.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += (_, d) => { dialogs.Add(d.Message); _ = d.DismissAsync(); };
        var remote = new List<string>();
        page.Request += (_, r) => { if (r.Url.Contains("127.0.0.1:9")) remote.Add(r.Url); };
        await fx.SignInAsync(page, agent.Email, ChorusFactory.Password);
        await InboxTestData.GoAsync(page, $"/conversations/{number}");
        var body = InboxTestData.Messages(page, "inbound").Locator("[data-test=message-body]");
        await Expect(body).ToContainTextAsync("Your invoice is ready.");

        // What the sanitizer left cannot run: no script elements, no event handlers, no javascript: links.
        var html = await body.InnerHTMLAsync();
        Assert.True(await body.Locator("script, iframe, form, input, button, svg, meta").CountAsync() == 0, html);
        Assert.True(await body.Locator("[onerror], [onload], [onclick]").CountAsync() == 0, html);
        Assert.True(await body.Locator("a[href^='javascript']").CountAsync() == 0, html);
        if (await body.Locator("text=Pay now").CountAsync() > 0) await body.Locator("text=Pay now").ClickAsync();
        await page.WaitForTimeoutAsync(500); // give anything that slipped through a moment to run
        Assert.Null(await page.EvaluateAsync<string?>("() => window.__pwned ?? null"));
        Assert.Empty(dialogs);
        Assert.Empty(remote); // the remote tracking image was never requested
        Assert.Contains($"/conversations/{number}", page.Url);
    }
}
