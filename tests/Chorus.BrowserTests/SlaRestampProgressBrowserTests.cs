using Chorus.Features.Sla;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// A Chorus whose background re-stamp runner is held back (Chorus:Sla:RunRestamps=false): the test takes each
/// step of the job itself, so it can look at the page between steps.
public sealed class HeldRestampFixture : IAsyncLifetime
{
    public BrowserFixture Browser { get; } = new();

    public HeldRestampFixture() => Browser.App.Settings["Chorus:Sla:RunRestamps"] = "false";

    public Task InitializeAsync() => Browser.InitializeAsync();

    public Task DisposeAsync() => Browser.DisposeAsync();
}

/// The SLA page while a re-stamp runs: "Re-stamping due times: n of total" moves with each chunk the job finishes
/// (without a reload), and the running notice gives way to the finished one.
public class SlaRestampProgressBrowserTests(HeldRestampFixture held) : IClassFixture<HeldRestampFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task The_re_stamp_progress_moves_with_each_chunk_and_ends_in_the_summary()
    {
        var fx = held.Browser;
        const int open = 620; // two chunks of 500: 500 of 620, then done
        var page = await SlaRestampBrowserTests.SavePolicyOverBacklogAsync(fx, "heldrestamp", open);

        var running = page.Locator("#sla-restamp");
        await Expect(running).ToContainTextAsync("Re-stamping due times:");
        await Expect(running.Locator("[data-test=sla-restamp-done]")).ToHaveTextAsync("0");
        await Expect(running.Locator("[data-test=sla-restamp-total]")).ToHaveTextAsync(open.ToString("N0"));

        Assert.True(await StepAsync(fx)); // the first chunk
        await Expect(running.Locator("[data-test=sla-restamp-done]")).ToHaveTextAsync("500");
        await Expect(running.Locator("[data-test=sla-restamp-total]")).ToHaveTextAsync(open.ToString("N0"));
        await Expect(running.Locator("[role=progressbar]")).ToHaveAttributeAsync("aria-valuenow", new System.Text.RegularExpressions.Regex(@"^80\.6"));
        await page.WaitForTimeoutAsync(500); // the bar slides to its new width: let the picture show where it ends
        await BrowserFixture.ScreenshotAsync(page, "sla-restamp-running");
        await Expect(page.Locator("#sla-restamp-finished")).ToHaveCountAsync(0);

        Assert.True(await StepAsync(fx)); // the rest: finished
        await Expect(page.Locator("#sla-restamp-finished")).ToContainTextAsync($"{open} open conversations, {open} with new due times");
        await Expect(running).ToHaveCountAsync(0);
        Assert.False(await StepAsync(fx)); // nothing left to do
    }

    /// One step of the job, as the runner takes it.
    private static async Task<bool> StepAsync(BrowserFixture fx)
    {
        await using var scope = fx.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RestampSlaDueTimes>().StepAsync(CancellationToken.None);
    }
}
