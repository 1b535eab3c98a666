using Chorus.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// A button that waits for a field opens as the field is typed in: a person who types and reaches for the button
/// never finds it grey because the field has not been left yet.
public class TypedFieldsBrowserTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Add_category_opens_as_the_name_is_typed()
    {
        var name = "Press kit " + Guid.NewGuid().ToString("N")[..4];
        var page = await InboxTestData.OpenAsync(fx, ChorusFactory.AdminEmail, "/admin/forum");
        var save = page.Locator("#category-save");
        await Expect(save).ToBeDisabledAsync();
        await page.Locator("#category-name").ClickAsync();
        await page.Keyboard.TypeAsync(name, new() { Delay = 20 });
        await Expect(page.Locator("#category-name")).ToBeFocusedAsync();
        await Expect(save).ToBeEnabledAsync();
        await BrowserFixture.ScreenshotAsync(page, "forum-category-typed");
        await save.ClickAsync();
        await Expect(page.Locator("[data-test=category-row]", new() { HasText = name })).ToContainTextAsync("/forum/c/press-kit-");
    }
}
