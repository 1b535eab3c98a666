using System.Net;
using System.Text.RegularExpressions;
using Chorus.Features.Forum;
using Chorus.Tests.Email;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chorus.BrowserTests;

/// The community forum in a real browser: members without JavaScript, moderators in the staff app.
public class ForumBrowserTests(ForumBrowserFixture fx) : IClassFixture<ForumBrowserFixture>
{
    [NeedsEnvFact("CHROMIUM_PATH", "TEST_SMTP", "TEST_IMAP")]
    public async Task A_visitor_signs_up_confirms_asks_a_moderator_approves_a_member_answers_and_the_answer_is_accepted()
    {
        var email = Mail.NewAddress("amy");
        var username = "amy" + ForumKit.Suffix();
        var amy = await fx.NewPageAsync(javaScript: false, width: 1000);

        await amy.GotoAsync("/forum");
        await BrowserFixture.ScreenshotAsync(amy, "forum-index");
        await amy.ClickAsync("#forum-sign-up");
        await amy.FillAsync("#username", username);
        await amy.FillAsync("#email", email);
        await amy.FillAsync("#password", "amy-long-password");
        await amy.ClickAsync("#sign-up");
        await Expect(amy.Locator("#sign-up-sent")).ToContainTextAsync(email);

        // The confirmation arrives through Postfix in Amy's Dovecot mailbox.
        var mail = await Eventually.GetAsync(async () => (await Mail.ReadAsync(email, SearchQuery.All)).Select(m => m.Message).FirstOrDefault(), "the confirmation e-mail", 90);
        var link = Regex.Match(mail.TextBody ?? "", @"https?://\S+/forum/confirm\?token=\S+").Value;
        Assert.NotEmpty(link);
        await amy.GotoAsync(link);
        await Expect(amy.Locator("#confirm-username")).ToHaveTextAsync(username);
        await amy.ClickAsync("#confirm");
        await Expect(amy.Locator("#forum-welcome")).ToBeVisibleAsync();
        await Expect(amy.Locator("#forum-me")).ToHaveTextAsync("@" + username);

        // Her first topic waits for review: she sees it marked, nobody else does.
        await amy.ClickAsync("a.category-name[href='/forum/c/help']");
        await amy.ClickAsync("#new-topic");
        await amy.FillAsync("#topic-title", "Invoices show the wrong currency");
        await amy.FillAsync("#topic-body", "Since Monday my **invoices** show USD instead of EUR. Where do I change it?");
        await amy.ClickAsync("#post-topic");
        await Expect(amy.Locator("#topic-notice")).ToContainTextAsync("waits for a moderator");
        await Expect(amy.Locator("[data-test=post-state]")).ToContainTextAsync("Awaiting review");
        var topicUrl = new Uri(amy.Url).AbsolutePath;
        var reader = await fx.NewPageAsync(javaScript: false);
        var hidden = await reader.GotoAsync(topicUrl);
        Assert.Equal(404, hidden!.Status);

        // A moderator approves it from the review queue.
        var moderator = await fx.NewPageAsync();
        var agent = await fx.App.StaffAsync("agent", "Support");
        await fx.SignInStaffAsync(moderator, agent.Email, ChorusFactory.Password);
        await moderator.ClickAsync("#nav-moderation");
        var item = moderator.Locator("[data-test=review-item]", new() { HasText = "Invoices show the wrong currency" });
        await Expect(item.Locator("[data-test=review-reason]")).ToHaveTextAsync("First posts of a new member");
        await BrowserFixture.ScreenshotAsync(moderator, "forum-review-queue");
        await item.Locator("[data-test=review-approve]").ClickAsync();
        await Expect(item).ToHaveCountAsync(0);
        await Expect(moderator.Locator("[data-test=review-decision]", new() { HasText = "Invoices show the wrong currency" })).ToContainTextAsync("Approved");

        // Now everyone reads it; Bob answers, staff add an official note.
        await reader.GotoAsync(topicUrl);
        await Expect(reader.Locator("#topic-title")).ToHaveTextAsync("Invoices show the wrong currency");
        var bob = await ForumKit.MemberAsync(fx.App, "bob" + ForumKit.Suffix(), server: fx.BaseAddress);
        var bobPage = await fx.NewPageAsync(javaScript: false);
        await ForumBrowserFixture.SignInMemberAsync(bobPage, bob.Email, ForumKit.Password);
        await bobPage.GotoAsync(topicUrl);
        await bobPage.FillAsync("#reply-body", $"@{username} it is under *Settings → Billing → Currency*.");
        await bobPage.ClickAsync("#send-reply");
        await Expect(bobPage.Locator("[data-test=post]")).ToHaveCountAsync(2);
        await Expect(bobPage.Locator("[data-test=post] .post-body a[href='/forum/u/" + username + "']")).ToHaveTextAsync("@" + username);
        await (await agent.PostAsync($"/api/v1/forum/topics/{topicUrl.Split('/').Last()}/replies", new { body = "Thanks Bob! We also fixed the default for new accounts." })).JsonAsync(HttpStatusCode.Created);

        // Amy accepts Bob's answer; readers see it marked.
        await amy.GotoAsync(topicUrl);
        var answer = amy.Locator("[data-test=post]", new() { HasText = "Settings → Billing → Currency" });
        await answer.Locator("[data-test=accept]").ClickAsync();
        await Expect(amy.Locator("#topic-answered")).ToBeVisibleAsync();
        await reader.GotoAsync(topicUrl);
        await Expect(reader.Locator("[data-test=post].accepted [data-test=post-author]")).ToHaveTextAsync(bob.Username);
        await Expect(reader.Locator("[data-test=post].official [data-test=official]")).ToHaveTextAsync("Staff");
        await BrowserFixture.ScreenshotAsync(reader, "forum-topic");

        // Bob likes Amy's question.
        await bobPage.GotoAsync(topicUrl);
        await bobPage.Locator("[data-test=post][data-position='1'] [data-test=like]").ClickAsync();
        await Expect(bobPage.Locator("[data-test=post][data-position='1'] [data-test=like]")).ToHaveTextAsync("♥ 1");
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task A_new_members_spam_lands_in_the_queue_and_a_moderator_deletes_it_as_spam()
    {
        var admin = await fx.App.StaffAsync("admin");
        var ann = await ForumKit.MemberAsync(fx.App, "ann" + ForumKit.Suffix(), server: fx.BaseAddress);
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Tips for new users", "Share your best tip.");
        var spammer = await ForumKit.MemberAsync(fx.App, "spam" + ForumKit.Suffix(), TrustLevel.New, server: fx.BaseAddress);
        var spammerPage = await fx.NewPageAsync(javaScript: false);
        await ForumBrowserFixture.SignInMemberAsync(spammerPage, spammer.Email, ForumKit.Password);
        await spammerPage.GotoAsync($"/forum/t/{topicId}");
        await spammerPage.FillAsync("#reply-body", "URGENT! You have WON a £1000 prize. Call 09061701461 now or text CLAIM to 80082 www.cheap-prizes.example");
        await spammerPage.ClickAsync("#send-reply");
        await Expect(spammerPage.Locator("#topic-notice")).ToContainTextAsync("waits for a moderator");

        var moderator = await fx.NewPageAsync();
        await fx.SignInStaffAsync(moderator, admin.Email, ChorusFactory.Password);
        await moderator.GotoAsync("/moderation");
        // A full page load starts a new circuit: clicks count once it is interactive.
        await moderator.Locator("#circuit[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });
        var item = moderator.Locator("[data-test=review-item]", new() { HasText = "cheap-prizes" });
        await Expect(item.Locator("[data-test=review-reason]")).ToHaveTextAsync("Likely spam");
        await Expect(item.Locator("[data-test=review-author]")).ToHaveTextAsync(spammer.Username);
        await item.Locator("[data-test=review-delete]").ClickAsync();
        await Expect(item).ToHaveCountAsync(0);
        await Expect(moderator.Locator("[data-test=review-decision]", new() { HasText = "Tips for new users" }).First).ToContainTextAsync("Deleted: Spam");

        var reader = await fx.NewPageAsync(javaScript: false);
        await reader.GotoAsync($"/forum/t/{topicId}");
        await Expect(reader.Locator("[data-test=post]")).ToHaveCountAsync(1);
        Assert.Equal(1, await fx.App.DbAsync(db => db.ModerationExamples.CountAsync(e => e.Spam == true && e.Text.Contains("cheap-prizes"))));
        var audit = await (await admin.GetAsync("/api/v1/audit?action=forum.post-deleted")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), a => a.Str("details").Contains(spammer.Username));
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task Hostile_posts_run_nothing_for_readers_or_moderators()
    {
        var payloads = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "forum-xss.txt")).Where(l => l.Trim().Length > 1).ToList();
        var author = await ForumKit.MemberAsync(fx.App, "xss" + ForumKit.Suffix(), TrustLevel.Regular, server: fx.BaseAddress);
        var topics = new List<Guid>();
        // Some payloads as topic titles (with the payload as the body too), the rest as replies to one topic.
        foreach (var title in payloads.Take(8))
        {
            var response = await ForumKit.PostTopicAsync(author.Http, "general", ("XSS " + title)[..Math.Min(150, title.Length + 4)].PadRight(5, '.'), title);
            Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.BadRequest, $"{(int)response.StatusCode} for {title}");
            if (response.StatusCode == HttpStatusCode.Redirect) topics.Add(ForumKit.TopicId(response));
        }
        var thread = await ForumKit.StartTopicAsync(author.Http, "general", "Hostile replies", "Every reply below is an XSS payload.");
        topics.Add(thread);
        foreach (var payload in payloads)
        {
            var reply = await ForumKit.PostReplyAsync(author.Http, thread, payload);
            Assert.True(reply.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.BadRequest, $"{(int)reply.StatusCode} for {payload}");
        }
        var stored = await fx.App.DbAsync(db => db.ForumPosts.CountAsync(p => p.TopicId == thread));
        Assert.True(stored > payloads.Count / 2, $"only {stored} of {payloads.Count} payloads were stored");
        // Moderators must also be safe on the held ones: hold a few on purpose.
        await fx.App.DbAsync(db => db.ForumPosts.Where(p => p.TopicId == thread && p.Position % 7 == 0)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.State, PostState.Held).SetProperty(p => p.HeldReason, "Likely spam")));

        var reader = await fx.NewPageAsync(javaScript: true);
        await WatchForScriptsAsync(reader);
        foreach (var id in topics)
        {
            var pages = id == thread ? (stored + 19) / 20 : 1;
            for (var p = 1; p <= pages; p++) await AssertInertAsync(reader, $"/forum/t/{id}?page={p}");
        }
        await AssertInertAsync(reader, "/forum/c/general");
        await AssertInertAsync(reader, "/forum/search?q=script");
        await AssertInertAsync(reader, $"/forum/u/{author.Username}");

        var moderator = await fx.NewPageAsync();
        await WatchForScriptsAsync(moderator);
        var agent = await fx.App.StaffAsync("agent", "Support");
        await fx.SignInStaffAsync(moderator, agent.Email, ChorusFactory.Password);
        await moderator.GotoAsync("/moderation");
        await Expect(moderator.Locator("[data-test=review-item]").First).ToBeVisibleAsync();
        await AssertNothingRanAsync(moderator, "/moderation");
        for (var p = 1; p <= (stored + 19) / 20; p++) await AssertInertAsync(moderator, $"/forum/t/{thread}?page={p}");
    }

    [NeedsEnvFact("CHROMIUM_PATH")]
    public async Task An_admin_adds_a_category_that_members_then_see()
    {
        var name = "Integrations " + Guid.NewGuid().ToString("N")[..4];
        var admin = await fx.NewPageAsync();
        await fx.SignInStaffAsync(admin, ChorusFactory.AdminEmail, ChorusFactory.Password);
        await admin.ClickAsync("#nav-admin-forum");
        await Expect(admin.Locator("#forum-categories-title")).ToBeVisibleAsync();
        await admin.Locator("#category-name").FillAsync(name);
        await admin.Locator("#category-description").FillAsync("Webhooks, the API and the apps that talk to us.");
        await admin.ClickAsync("#category-save");
        var row = admin.Locator("[data-test=category-row]", new() { HasText = name });
        await Expect(row).ToContainTextAsync("/forum/c/integrations-");
        await BrowserFixture.ScreenshotAsync(admin, "forum-admin-categories");

        var reader = await fx.NewPageAsync(javaScript: false);
        await reader.GotoAsync("/forum");
        await Expect(reader.Locator("[data-test=category]", new() { HasText = name })).ToContainTextAsync("Webhooks, the API");
    }

    /// Any way a payload could announce itself: a dialog, or a call to alert/confirm/prompt.
    private static async Task WatchForScriptsAsync(IPage page)
    {
        await page.AddInitScriptAsync("window.__ran = []; for (const f of ['alert','confirm','prompt','print']) window[f] = (...a) => window.__ran.push(f + ':' + a.join(','));");
        page.Dialog += async (_, d) => { await d.DismissAsync(); throw new Xunit.Sdk.XunitException($"a dialog opened on {page.Url}: {d.Message}"); };
    }

    private static async Task AssertInertAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path);
        Assert.True(response!.Status is 200, $"{path} answered {response.Status}");
        await AssertNothingRanAsync(page, path);
    }

    private static async Task AssertNothingRanAsync(IPage page, string path)
    {
        // Give timers and load handlers a moment; then nothing may have run and nothing runnable may be in the posts.
        await page.WaitForTimeoutAsync(150);
        var ran = await page.EvaluateAsync<string[]>("window.__ran || []");
        Assert.True(ran.Length == 0, $"script ran on {path}: {string.Join(" | ", ran)}");
        var runnable = await page.EvaluateAsync<int>("""
            [...document.querySelectorAll('.post-body *, [data-test=review-body] *, .hits *')].filter(e =>
                ['SCRIPT','IFRAME','OBJECT','EMBED','BASE','META','FORM','SVG'].includes(e.tagName.toUpperCase()) ||
                [...e.attributes].some(a => a.name.startsWith('on') || /^\s*(javascript|vbscript|data):/i.test(a.value))).length
            """);
        Assert.True(runnable == 0, $"{runnable} runnable elements in posts on {path}");
    }
}
