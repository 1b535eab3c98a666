using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Chorus.BrowserTests;

/// One Chorus on a real Kestrel port and one headless Debian Chromium for a test class.
public sealed class BrowserFixture : IAsyncLifetime
{
    public static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    // A shared 2-core machine: give the server time, never assert on durations. Set here, before any test class
    // runs (ForumBrowserFixture reads ChromiumArgs, which runs it too), rather than by whichever helper a test
    // happened to touch first: a class that ran before those had Playwright's 5 s.
    static BrowserFixture() => Assertions.SetDefaultExpectTimeout(20_000);

    public ChorusFactory App { get; } = new(Provider.Sqlite, kestrel: true);
    public IPlaywright Playwright { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    public Uri BaseAddress { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        await App.PrepareAsync();
        BaseAddress = App.ServerAddress;
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = TestEnv.Get("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 }, BaseURL = BaseAddress.ToString() });
        return await context.NewPageAsync();
    }

    /// Signs in through the real form and waits until the staff app's circuit is interactive.
    public async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#sign-in");
        await page.Locator("#circuit[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var dir = TestEnv.Get("SCREENSHOT_DIR") ?? Path.Combine(Path.GetTempPath(), "chorus-screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, name + ".png"), FullPage = false });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await App.DisposeAsync();
    }
}
