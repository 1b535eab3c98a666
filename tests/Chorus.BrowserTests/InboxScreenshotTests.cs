using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Common;
using Chorus.Features.Admin;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Chorus.BrowserTests.InboxTestData;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Builds a small, realistic workspace through the API and photographs the inbox and a conversation
/// (docs/inbox.png and docs/conversation.png come from SCREENSHOT_DIR). It checks what the pictures
/// must show, so a page that renders badly fails here rather than in the README.
public class InboxScreenshotTests(BrowserFixture fx) : IClassFixture<BrowserFixture>
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Inbox_and_conversation_screenshots_show_a_working_team()
    {
        var dana = await NamedStaffAsync("dana", "Dana Whitfield", Roles.Admin, "Support", "PR", "Marketing");
        var maya = await NamedStaffAsync("maya", "Maya Okafor", Roles.Agent, "Support", "Marketing");
        var tom = await NamedStaffAsync("tom", "Tom Becker", Roles.Agent, "Support");
        var priya = await NamedStaffAsync("priya", "Priya Nair", Roles.Agent, "PR");
        var teams = (await dana.Http.GetFromJsonAsync<JsonElement>("/api/v1/teams")).EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("id").GetGuid());

        var crash = await InboundAsync(dana, "Game crashes on startup after the 1.4.2 patch",
            "Since this morning's patch Starfall closes right after the splash screen.\n\nUbuntu 24.04, RTX 3060, driver 550. Verified the files twice.",
            "Sven Dubois", "sven@dubois.test", Now.AddHours(-7), "shot-crash");
        await Change(dana, crash.Number, new { teamId = teams["Support"], assigneeId = maya.UserId, priority = "High", addTags = new[] { "crash", "linux", "1.4.2" } });
        await PostAsync(maya, $"/api/v1/conversations/{crash.Number}/replies",
            new { text = "Thanks Sven, sorry about this. Could you send the log from `~/.local/share/starfall/crash.log`? It tells us which driver call fails." });
        await InboundAsync(dana, null, "Here it is: it stops at vkCreateDevice. The 1.4.1 build worked fine on the same machine.",
            "Sven Dubois", "sven@dubois.test", thread: "shot-crash");
        await PostAsync(maya, $"/api/v1/conversations/{crash.Number}/notes",
            new { text = "Same stack as the 12 other Linux reports today. @tom can you link it to the engine bug so we can reply with an ETA?" });

        var press = await InboundAsync(dana, "Request for comment: the 85 GB patch and the reddit thread",
            "I'm writing about the patch-size mix-up that is trending on reddit. Does Lumen have a comment? Deadline 9 AM ET.",
            "Morgan Chen", "m.chen@gamesdaily.test", Now.AddMinutes(-70));
        await Change(dana, press.Number, new { teamId = teams["PR"], assigneeId = priya.UserId, priority = "Urgent", addTags = new[] { "statement" } });
        await MarkAsync(dana, press.PersonId, "Press");

        var vip = await InboundAsync(dana, "Collector's edition shipping to Canada?",
            "Pre-ordered the collector's edition twice for my studio. Will it ship to Canada before launch?",
            "Alex Rivera", "alex@riverastudio.test", Now.AddHours(-30));
        await Change(dana, vip.Number, new { teamId = teams["Support"], priority = "High", addTags = new[] { "pre-order" } });
        await MarkAsync(dana, vip.PersonId, "Vip");

        var fan = await InboundAsync(dana, "Loved the trailer!", "The new trailer gave me chills. Any chance of a soundtrack release?",
            "Yara Moreau", "yara@moreau.test", Now.AddHours(-5));
        await Change(dana, fan.Number, new { teamId = teams["Marketing"], assigneeId = maya.UserId, addTags = new[] { "soundtrack" } });
        await PostAsync(maya, $"/api/v1/conversations/{fan.Number}/replies", new { text = "Thank you Yara! The soundtrack lands on launch day." });
        await MarkAsync(dana, fan.PersonId, "Fan");

        var refund = await InboundAsync(dana, "Refund for a double charge", "I was charged twice for the deluxe upgrade. Please refund one of them.",
            "Lena Fischer", "lena@fischer.test", Now.AddMinutes(-40));
        await Change(dana, refund.Number, new { teamId = teams["Support"], assigneeId = tom.UserId, addTags = new[] { "billing" } });

        await InboundAsync(dana, "Download stuck at 99%", "The 1.4.2 download has been stuck at 99% for two days now.",
            "Jade Nakamura", "jade@nakamura.test", Now.AddDays(-2));
        await InboundAsync(dana, "Partnership: streaming Starfall at TwitchCon", "We'd love to feature Starfall on our booth stream. Who should we talk to?",
            "Rae Holloway", "rae@pixelhound.test", Now.AddHours(-3));
        var influencer = await InboundAsync(dana, "Subtitles out of sync in chapter 3", "Streaming the story tonight to 40k viewers; subtitles drift by two seconds after the train scene.",
            "Nia Okonkwo", "nia@nialive.test", Now.AddHours(-2));
        await Change(dana, influencer.Number, new { teamId = teams["Marketing"], assigneeId = maya.UserId, priority = "High", addTags = new[] { "subtitles", "stream" } });
        await MarkAsync(dana, influencer.PersonId, "Influencer");
        var partner = await InboundAsync(dana, "Invoice for the studio license", "Could you resend the invoice for our studio license with our VAT number on it?",
            "Hugo Lindqvist", "hugo@northwind.test", Now.AddHours(-26));
        await Change(dana, partner.Number, new { teamId = teams["Support"], assigneeId = tom.UserId, addTags = new[] { "billing" } });
        await MarkAsync(dana, partner.PersonId, "Partner");
        await InboundAsync(dana, "Can't link my Steam account", "Linking fails with error 0x3F every time.",
            "Mateo Silva", "mateo@silva.test", Now.AddMinutes(-18));
        await InboundAsync(dana, "Controller not detected", "My Xbox controller is not detected since the update.",
            "Kai Nakamura", "kai@nakamura.test", Now.AddMinutes(-6));

        var page = await OpenAsync(fx, "maya@shots.test", "/inbox?view=all");
        await Expect(page.Locator("[data-test=inbox-row]")).ToHaveCountAsync(11);
        await Expect(Row(page, press.Number).Locator("[data-test=row-kind]")).ToHaveTextAsync("press");
        await Expect(Row(page, vip.Number).Locator("[data-test=row-kind]")).ToHaveTextAsync("VIP");
        await Expect(Row(page, crash.Number).Locator("[data-test=row-assignee]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("Maya Okafor"));
        await Row(page, refund.Number).Locator("[data-test=row-select]").CheckAsync();
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("1 selected");
        await BrowserFixture.ScreenshotAsync(page, "inbox");

        var colleague = await OpenAsync(fx, "tom@shots.test", $"/conversations/{crash.Number}");
        await GoAsync(page, $"/conversations/{crash.Number}");
        await colleague.Locator("#composer-text").PressSequentiallyAsync("Linked to ENG-2291");
        await Expect(page.Locator("#presence [data-test=presence]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("Tom is typing"));
        await Expect(Messages(page, "note")).ToContainTextAsync("@tom");
        await Expect(Messages(page, "inbound")).ToHaveCountAsync(2);
        await page.Locator("#tab-note").ClickAsync();
        await page.Locator("#composer-text").FillAsync("@to");
        await Expect(page.Locator("[data-test=mention-option]")).ToContainTextAsync("Tom Becker");
        await page.Locator("#composer-text").FillAsync("Thanks Tom! I'll reply to Sven once we have the ETA.");
        await BrowserFixture.ScreenshotAsync(page, "conversation");
    }

    /// A staff user with a real-looking name (ChorusFactory.StaffAsync names them after their role) and an API client.
    private async Task<StaffClient> NamedStaffAsync(string handle, string name, string role, params string[] teamNames)
    {
        await fx.App.PrepareAsync();
        using var scope = fx.App.Services.CreateScope();
        var sp = scope.ServiceProvider;
        var teams = await sp.GetRequiredService<ManageTeams>().ListAsync();
        var email = $"{handle}@shots.test";
        var added = await sp.GetRequiredService<ManageStaff>().AddAsync(null,
            new NewStaff(email, name, role, ChorusFactory.Password, teamNames.Select(n => teams.Single(t => t.Name == n).Id).ToList()));
        if (added is not Outcome<StaffView>.Ok ok) throw new InvalidOperationException(added.Error);
        var actor = (await sp.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(ok.Value.Id))!;
        var token = await sp.GetRequiredService<ManageApiTokens>().IssueAsync(actor, "screenshots");
        var client = fx.App.CreateClient(new() { BaseAddress = fx.BaseAddress });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Token);
        return new StaffClient(client, ok.Value.Id, email, role);
    }

    private static Task Change(StaffClient api, long number, object change) => PatchAsync(api, $"/api/v1/conversations/{number}", change);

    private static Task MarkAsync(StaffClient api, Guid personId, string kind) => PatchAsync(api, $"/api/v1/people/{personId}", new { kind });
}
