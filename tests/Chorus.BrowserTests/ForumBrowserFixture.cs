using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chorus.BrowserTests;

/// One Chorus (real Kestrel port, e-mail through the test Postfix/Dovecot, outbox polled fast, forum
/// rate limits out of the way) and one headless Chromium for the forum's browser tests.
public sealed class ForumBrowserFixture : IAsyncLifetime
{
    public ChorusFactory App { get; } = new(Provider.Sqlite, kestrel: true);
    public IPlaywright Playwright { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    public Uri BaseAddress { get; private set; } = default!;
    public bool MailReady { get; private set; }

    public ForumBrowserFixture()
    {
        // As MailApp sets them: mail polled and sent within moments.
        App.Settings["Chorus:Email:ReconcileSeconds"] = "0.2";
        App.Settings["Chorus:Outbox:PollMilliseconds"] = "200";
        App.Settings["Chorus:RateLimits:ForumPostsPerMinute"] = "10000";
        App.Settings["Chorus:RateLimits:ForumNewMemberPostsPerMinute"] = "10000";
    }

    public async Task InitializeAsync()
    {
        BaseAddress = App.ServerAddress;
        // No Chorus:PublicUrl: links in e-mails use the address Kestrel listens on, which is where the browser goes.
        await App.PrepareAsync();
        if (TestEnv.Get("TEST_SMTP") is not null && TestEnv.Get("TEST_IMAP") is not null)
        {
            await MailApp.AddMailboxAsync(await App.StaffAsync("admin"), Mail.NewAddress("community"));
            MailReady = true;
        }
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = TestEnv.Get("CHROMIUM_PATH") ?? "/usr/bin/chromium", Headless = true, Args = BrowserFixture.ChromiumArgs,
        });
    }

    /// A browser context of its own (its own cookies), optionally without JavaScript like a reader's plain browser.
    public async Task<IPage> NewPageAsync(bool javaScript = true, int width = 1200)
    {
        var context = await Browser.NewContextAsync(new() { JavaScriptEnabled = javaScript, ViewportSize = new() { Width = width, Height = 900 }, BaseURL = BaseAddress.ToString() });
        return await context.NewPageAsync();
    }

    public async Task SignInStaffAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#sign-in");
        await page.Locator("#circuit[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });
    }

    public static async Task SignInMemberAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/forum/sign-in");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#forum-sign-in-button");
        await page.Locator("#forum-me").WaitForAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await App.DisposeAsync();
    }
}
