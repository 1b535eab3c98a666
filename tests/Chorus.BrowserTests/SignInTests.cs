using Chorus.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

public class SignInTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Staff_sign_in_with_the_form_and_reach_the_inbox()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));

        await page.FillAsync("#email", ChorusFactory.AdminEmail);
        await page.FillAsync("#password", "wrong password!");
        await page.ClickAsync("#sign-in");
        await Expect(page.Locator("#login-error")).ToContainTextAsync("not right");

        await fx.SignInAsync(page, ChorusFactory.AdminEmail, ChorusFactory.Password);
        await Expect(page.Locator("#signed-in-as")).ToHaveTextAsync(ChorusFactory.AdminEmail);
    }
}
