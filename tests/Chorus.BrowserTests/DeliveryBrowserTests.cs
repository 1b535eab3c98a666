using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

public class DeliveryBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH", "TEST_IMAP", "TEST_SMTP")]
    public async Task An_agent_sees_a_reply_wait_for_the_mail_server_and_sends_it_with_retry_now()
    {
        await using var flaky = new FlakyPort(); // SMTP refuses until the test lets it through
        var admin = await fx.StaffAsync("admin");
        var agent = await fx.StaffAsync("agent", "Support");
        var support = Mail.NewAddress("support");
        var channel = await MailApp.AddMailboxAsync(admin, support, new { smtpPort = flaky.Port });
        await Mail.SendAsync(Mail.Compose(Mail.NewAddress("ann"), support, "Broken invoice", "The invoice total is wrong."));
        var number = (await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(agent, channel) is [var n] ? (object)n : null, "the conversation", 60) as long?)!.Value;

        var page = await InboxTestData.OpenAsync(fx, agent.Email, $"/conversations/{number}");
        await page.FillAsync("#composer-text", "We are fixing the invoice.");
        await page.Keyboard.PressAsync("Control+Enter");
        var delivery = InboxTestData.Messages(page, "reply").Last.Locator("[data-test=delivery]");
        // The first attempt is refused: the reply says so, when it tries next, and offers to retry now (live, no reload).
        await Expect(delivery).ToHaveAttributeAsync("data-status", "retrying", new() { Timeout = 30_000 });
        await Expect(delivery.Locator("[data-test=delivery-error]")).ToContainTextAsync("could not connect");
        await Expect(delivery.Locator("[data-test=delivery-next]")).ToContainTextAsync("Next attempt");
        await BrowserFixture.ScreenshotAsync(page, "delivery-retrying");

        flaky.StartForwardingTo(Mail.Smtp.Host, Mail.Smtp.Port);
        await delivery.Locator("[data-test=delivery-retry]").ClickAsync();
        await Expect(delivery).ToHaveAttributeAsync("data-status", "sent", new() { Timeout = 30_000 });
        await Expect(delivery).ToContainTextAsync("Sent just now");
        await Expect(delivery.Locator("[data-test=delivery-retry]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#thread [data-kind=event]").Filter(new() { HasText = "retried sending a reply" })).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(page, "delivery-sent");
    }
}
