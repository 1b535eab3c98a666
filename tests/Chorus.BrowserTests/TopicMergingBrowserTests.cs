using Chorus.Features.Forum;
using Chorus.Features.MemberNotifications;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// A moderator splits off-topic replies into a topic of their own from the topic page; a member chooses how
/// they hear about replies and mentions, and mutes a topic.
public class TopicMergingBrowserTests(ForumBrowserFixture fx) : IClassFixture<ForumBrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_moderator_splits_selected_replies_into_a_new_topic_from_the_topic_page()
    {
        var admin = await fx.App.StaffAsync("admin");
        var suffix = ForumKit.Suffix();
        var ann = await ForumKit.MemberAsync(fx.App, "ann" + suffix, server: fx.BaseAddress);
        var bob = await ForumKit.MemberAsync(fx.App, "bob" + suffix, server: fx.BaseAddress);
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Exporting invoices " + suffix, "How do I export last year's invoices?");
        await ForumKit.PostReplyAsync(bob.Http, topicId, "Billing → Invoices → Export, pick the year.");
        await ForumKit.PostReplyAsync(bob.Http, topicId, "Unrelated, but a dark mode would be lovely.");
        await ForumKit.PostReplyAsync(ann.Http, topicId, "Thanks, that worked!");
        await ForumKit.PostReplyAsync(ann.Http, topicId, "And yes to dark mode, my eyes hurt at night.");
        var darkOne = await ForumKit.PostIdAsync(fx.App, topicId, 3);
        var darkTwo = await ForumKit.PostIdAsync(fx.App, topicId, 5);

        var page = await fx.NewPageAsync();
        await fx.SignInStaffAsync(page, admin.Email, ChorusFactory.Password);
        await page.GotoAsync($"/forum/t/{topicId}");
        await Expect(page.Locator("#split-topic")).ToBeVisibleAsync();
        await page.Locator($"#post-{darkOne} [data-test=split-select]").CheckAsync();
        await page.Locator($"#post-{darkTwo} [data-test=split-select]").CheckAsync();
        await page.FillAsync("#split-title", "Dark mode, please " + suffix);
        await page.SelectOptionAsync("#split-category", new Microsoft.Playwright.SelectOptionValue { Label = "Ideas & feedback" });
        await page.Locator("#split-topic").ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "community2-split-form");
        await page.ClickAsync("#split-send");

        await Expect(page.Locator("#topic-notice")).ToContainTextAsync("a topic of their own");
        await Expect(page.Locator("#topic-title")).ToHaveTextAsync("Dark mode, please " + suffix);
        await Expect(page.Locator("[data-test=post]")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-test=post]").First).ToContainTextAsync("dark mode would be lovely");
        await Expect(page.Locator(".crumbs")).ToContainTextAsync("Ideas & feedback");
        await BrowserFixture.ScreenshotAsync(page, "community2-split-done");

        // The original keeps its question and the answers about invoices.
        var reader = await fx.NewPageAsync(javaScript: false);
        await reader.GotoAsync($"/forum/t/{topicId}");
        await Expect(reader.Locator("[data-test=post]")).ToHaveCountAsync(3);
        await Expect(reader.Locator("#posts")).Not.ToContainTextAsync("dark mode");
        Assert.Equal(1, await fx.App.DbAsync(db => db.AuditEntries.CountAsync(a => a.Action == "forum.topic-split" && a.Details!.Contains(suffix))));
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_member_chooses_a_daily_digest_and_mutes_a_topic_without_javascript()
    {
        var suffix = ForumKit.Suffix();
        var ann = await ForumKit.MemberAsync(fx.App, "ann" + suffix, server: fx.BaseAddress);
        var bob = await ForumKit.MemberAsync(fx.App, "bob" + suffix, server: fx.BaseAddress);
        var topicId = await ForumKit.StartTopicAsync(bob.Http, "general", "Keyboard shortcuts " + suffix, "Which shortcuts do you use?");
        await ForumKit.PostReplyAsync(ann.Http, topicId, "J and K to move between conversations.");

        var page = await fx.NewPageAsync(javaScript: false);
        await ForumBrowserFixture.SignInMemberAsync(page, ann.Email, ForumKit.Password);
        await page.ClickAsync("#forum-email-settings");
        await page.CheckAsync("#replies-Daily");
        await page.CheckAsync("#mentions-Immediately");
        await page.ClickAsync("#save-email-settings");
        await Expect(page.Locator("#settings-saved")).ToBeVisibleAsync();
        await Expect(page.Locator("#replies-Daily")).ToBeCheckedAsync();
        await BrowserFixture.ScreenshotAsync(page, "community2-email-settings");

        await page.GotoAsync($"/forum/t/{topicId}");
        await Expect(page.Locator("#watch-state")).ToContainTextAsync("You posted here");
        await BrowserFixture.ScreenshotAsync(page, "community2-watch-bar");
        await page.ClickAsync("#mute-topic");
        await Expect(page.Locator("#watch-state")).ToContainTextAsync("Muted");
        await page.GotoAsync("/forum/settings");
        await Expect(page.Locator("[data-test=watched-topic]")).ToContainTextAsync("Keyboard shortcuts " + suffix);
        var prefs = await fx.App.DbAsync(db => db.MemberEmailPreferences.SingleAsync(p => p.MemberId == ann.MemberId));
        Assert.Equal((MemberEmailMode.Daily, MemberEmailMode.Immediately), (prefs.Replies, prefs.Mentions));
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_moderator_splits_a_reply_and_all_after_it_across_pages_from_its_split_from_here_link()
    {
        var admin = await fx.App.StaffAsync("admin");
        var suffix = ForumKit.Suffix();
        var ann = await ForumKit.MemberAsync(fx.App, "ann" + suffix, server: fx.BaseAddress);
        var bob = await ForumKit.MemberAsync(fx.App, "bob" + suffix, server: fx.BaseAddress);
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Export schedules " + suffix, "Can reports be exported every Monday?");
        for (var i = 2; i <= 45; i++) // three pages of 20, written through the forum's own posting service
        {
            await using var scope = fx.App.Services.CreateAsyncScope();
            var who = i % 2 == 0 ? bob : ann;
            var reply = await scope.ServiceProvider.GetRequiredService<Chorus.Features.Forum.Posting.PostToForum>().ReplyAsync(
                new Chorus.Features.Forum.Posting.ForumAuthor(who.MemberId, null, who.Username, TrustLevel.Basic, who.PersonId), topicId,
                new Chorus.Features.Forum.Posting.ReplyInput { Body = $"Reply number {i}.", RequestId = Guid.NewGuid() });
            Assert.Null(reply.Error);
        }

        var page = await fx.NewPageAsync();
        await fx.SignInStaffAsync(page, admin.Email, ChorusFactory.Password);
        await page.GotoAsync($"/forum/t/{topicId}?page=2");
        var thirty = page.Locator("[data-test=post][data-position='30']");
        await thirty.Locator("[data-test=split-from]").ClickAsync();
        await Expect(page.Locator("#split-from")).ToHaveValueAsync("30");
        await page.FillAsync("#split-title", "Monday exports, continued " + suffix);
        await page.Locator("#split-topic").ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "community3-split-range");
        await page.ClickAsync("#split-send");

        // Replies #30 to #45, from pages 2 and 3, are the new topic, in order.
        await Expect(page.Locator("#topic-notice")).ToContainTextAsync("a topic of their own");
        await Expect(page.Locator("#topic-title")).ToHaveTextAsync("Monday exports, continued " + suffix);
        await Expect(page.Locator("[data-test=post]")).ToHaveCountAsync(16);
        await Expect(page.Locator("[data-test=post]").First).ToContainTextAsync("Reply number 30.");
        await Expect(page.Locator("[data-test=post]").Last).ToContainTextAsync("Reply number 45.");
        await BrowserFixture.ScreenshotAsync(page, "community3-split-range-done");
        var reader = await fx.NewPageAsync(javaScript: false);
        await reader.GotoAsync($"/forum/t/{topicId}?page=2");
        await Expect(reader.Locator("[data-test=post]")).ToHaveCountAsync(9); // #21 to #29
        await Expect(reader.Locator(".pager")).Not.ToContainTextAsync("3");
    }
}
