using System.Net;
using System.Net.Http.Json;
using Chorus.Features.Forum;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// Community moderation in a real browser: members flag without JavaScript, moderators decide in the staff app.
public class CommunityBrowserTests(ForumBrowserFixture fx) : IClassFixture<ForumBrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_post_flagged_by_trusted_members_hides_from_readers_and_waits_for_a_moderator()
    {
        var admin = await fx.App.StaffAsync("admin");
        Assert.True((await admin.Http.PutAsJsonAsync("/api/v1/community/settings", new { flagThreshold = 2 })).IsSuccessStatusCode);
        var ann = await ForumKit.MemberAsync(fx.App, "ann" + ForumKit.Suffix(), server: fx.BaseAddress);
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Exporting invoices", "How do I export last year's invoices?");
        var bob = await ForumKit.MemberAsync(fx.App, "bob" + ForumKit.Suffix(), server: fx.BaseAddress);
        await ForumKit.PostReplyAsync(bob.Http, topicId, "Anyway, here is my recipe for pasta with tomatoes and basil.");
        var replyId = await ForumKit.PostIdAsync(fx.App, topicId, 2);
        Assert.Equal(PostState.Visible, await fx.App.DbAsync(db => db.ForumPosts.Where(p => p.Id == replyId).Select(p => p.State).SingleAsync()));

        async Task<IPage> FlagAsync(string name)
        {
            var member = await ForumKit.MemberAsync(fx.App, name + ForumKit.Suffix(), TrustLevel.Basic, server: fx.BaseAddress);
            var page = await fx.NewPageAsync(javaScript: false);
            await ForumBrowserFixture.SignInMemberAsync(page, member.Email, ForumKit.Password);
            await page.GotoAsync($"/forum/t/{topicId}");
            var post = page.Locator($"#post-{replyId}");
            await post.Locator("[data-test=flag-open]").ClickAsync();
            await post.Locator("[data-test=flag-offtopic]").CheckAsync();
            await post.Locator("[data-test=flag-note]").FillAsync("Nothing to do with invoices");
            if (name == "cat") await BrowserFixture.ScreenshotAsync(page, "community-flag-form");
            await post.Locator("[data-test=flag-send]").ClickAsync();
            return page;
        }

        var first = await FlagAsync("cat");
        await Expect(first.Locator("#topic-notice")).ToContainTextAsync("the moderators will look at the post");
        await Expect(first.Locator($"#post-{replyId}")).ToBeVisibleAsync();
        var second = await FlagAsync("dan");
        await Expect(second.Locator("#topic-notice")).ToContainTextAsync("the post is hidden until a moderator looks at it");
        await Expect(second.Locator($"#post-{replyId}")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(second, "community-flag-hidden");

        var reader = await fx.NewPageAsync(javaScript: false);
        await reader.GotoAsync($"/forum/t/{topicId}");
        await Expect(reader.Locator("[data-test=post]")).ToHaveCountAsync(1);
        await Expect(reader.Locator("#posts")).Not.ToContainTextAsync("pasta");

        var moderator = await fx.NewPageAsync();
        await fx.SignInStaffAsync(moderator, admin.Email, ChorusFactory.Password);
        await moderator.GotoAsync("/moderation");
        await moderator.Locator("#circuit[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });
        var item = moderator.Locator("[data-test=review-item]", new() { HasText = "pasta with tomatoes" });
        await Expect(item.Locator("[data-test=review-reason]")).ToContainTextAsync("Hidden by member flags: off-topic ×2");
        await Expect(item.Locator("[data-test=review-flag]")).ToHaveCountAsync(2);
        await Expect(item.Locator("[data-test=review-flags]")).ToContainTextAsync("Nothing to do with invoices");
        await item.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(moderator, "community-review-queue-flags");
        await item.Locator("[data-test=review-hide]").ClickAsync();
        await Expect(item).ToHaveCountAsync(0);
        await Expect(moderator.Locator("[data-test=review-decision]", new() { HasText = "Exporting invoices" }).First).ToContainTextAsync("Hidden: Off-topic");
        Assert.Equal(2, await fx.App.DbAsync(db => db.ForumFlags.CountAsync(f => f.PostId == replyId && f.Resolution == Chorus.Features.Community.FlagResolution.Agreed)));
        var audit = await (await admin.GetAsync("/api/v1/audit?action=forum.post-auto-hidden")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), a => a.Str("targetId") == replyId.ToString());
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_agent_blocks_a_person_from_their_profile_and_their_contact_form_message_is_kept_in_the_admins_blocked_list()
    {
        var admin = await fx.App.StaffAsync("admin");
        var member = await ForumKit.MemberAsync(fx.App, "pest" + ForumKit.Suffix(), server: fx.BaseAddress);

        var staff = await fx.NewPageAsync();
        await fx.SignInStaffAsync(staff, admin.Email, ChorusFactory.Password);
        await staff.GotoAsync($"/people/{member.PersonId}");
        await staff.Locator("#circuit[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });
        await staff.ClickAsync("#person-block");
        await staff.Locator("#person-block-reason").FillAsync("Threatening messages");
        await staff.ClickAsync("#person-block-confirm");
        await Expect(staff.Locator("#person-blocked")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(staff, "community-person-blocked");

        var visitor = await fx.NewPageAsync(javaScript: false);
        await visitor.GotoAsync("/contact");
        await visitor.FillAsync("#name", "Pest");
        await visitor.FillAsync("#email", member.Email);
        await visitor.FillAsync("#subject", "Listen to me");
        await visitor.FillAsync("#message", "I will keep writing until you answer.");
        await visitor.ClickAsync("#send");
        await Expect(visitor.Locator("#form-error")).ToContainTextAsync("could not be sent");

        await staff.GotoAsync("/admin/community");
        await Expect(staff.Locator("[data-test=block]", new() { HasText = "Threatening messages" })).ToBeVisibleAsync();
        await Expect(staff.Locator("[data-test=blocked-message]", new() { HasText = "Listen to me" })).ToContainTextAsync("I will keep writing");
        await BrowserFixture.ScreenshotAsync(staff, "community-admin-blocked");
        Assert.Equal(0, await fx.App.DbAsync(db => db.Conversations.CountAsync(c => c.RequesterId == member.PersonId)));
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Staff_see_the_community_health_with_its_charts()
    {
        var admin = await fx.App.StaffAsync("admin");
        var ann = await ForumKit.MemberAsync(fx.App, "ann" + ForumKit.Suffix(), server: fx.BaseAddress);
        var bob = await ForumKit.MemberAsync(fx.App, "bob" + ForumKit.Suffix(), server: fx.BaseAddress);
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Keyboard shortcuts", "Is there a list of keyboard shortcuts?");
        await ForumKit.PostReplyAsync(bob.Http, topicId, "Press the question mark key anywhere to see them.");

        var staff = await fx.NewPageAsync();
        await fx.SignInStaffAsync(staff, admin.Email, ChorusFactory.Password);
        await staff.GotoAsync("/community/health");
        await Expect(staff.Locator("#health-figures")).ToContainTextAsync("Active members");
        await Expect(staff.Locator("#health-per-day svg").First).ToBeVisibleAsync();
        await Expect(staff.Locator("[data-test=top-contributor]", new() { HasText = bob.Username })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(staff, "community-health");
    }
}
