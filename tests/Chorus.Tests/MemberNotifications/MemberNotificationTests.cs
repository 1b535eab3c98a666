using System.Net;
using System.Text.RegularExpressions;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Forum;
using Chorus.Features.MemberNotifications;
using Chorus.Tests.Email;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Chorus.Tests.MemberNotifications;

/// Members hear about replies and @mentions by e-mail, through the outbox and the real Postfix/Dovecot
/// (read back over IMAP): each time or in one daily digest, never about a post waiting for review, never
/// about their own post, and a one-click unsubscribe link stops it all.
public class MemberNotificationTests
{
    private const string PublicUrl = "https://community.example.test";

    private static async Task<(ChorusFactory App, StaffClient Admin)> CreateAsync(Provider provider)
    {
        var app = MailApp.Create(provider);
        app.Settings["Chorus:PublicUrl"] = PublicUrl;
        app.Settings["Chorus:RateLimits:ForumPostsPerMinute"] = "1000";
        app.Settings["Chorus:RateLimits:ForumNewMemberPostsPerMinute"] = "1000";
        var admin = await app.StaffAsync("admin");
        await MailApp.AddMailboxAsync(admin, Mail.NewAddress("community"));
        await ForumKit.CategoryAsync(admin, "General", "general");
        return (app, admin);
    }

    private static Task<MemberBrowser> MemberAsync(ChorusFactory app, string name, TrustLevel trust = TrustLevel.Basic) =>
        ForumKit.MemberAsync(app, name, trust, Mail.NewAddress(name));

    /// Member e-mails queued for an address: every e-mail leaves through the outbox, so none queued means none sent.
    private static Task<int> QueuedForAsync(ChorusFactory app, string email) =>
        app.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.MemberEmail && o.Payload.Contains(email)));

    /// The background fan-out has told everyone it will tell about the posts so far: no notification job is left.
    internal static Task FannedOutAsync(ChorusFactory app) =>
        Eventually.TrueAsync(async () => !await app.DbAsync(db => db.MemberNotificationJobs.AnyAsync()), "the posts' notifications fanned out", 60);

    private static async Task<MimeMessage> OnlyMailAsync(string email, string what) =>
        await Eventually.GetAsync(async () => await Mail.ReadAsync(email, SearchQuery.All) is [var one] ? one.Message : null, what, StaffEmailNotificationTests.Arrival);

    private static async Task<Guid> ReplyAsync(ChorusFactory app, MemberBrowser who, Guid topicId, string body)
    {
        var response = await ForumKit.PostReplyAsync(who.Http, topicId, body);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"the reply answered {(int)response.StatusCode}");
        Assert.DoesNotContain("posted=held", response.Headers.Location!.ToString()); // published: this is what members hear about
        return Guid.Parse(Regex.Match(response.Headers.Location!.ToString(), "#post-([0-9a-f-]{36})").Groups[1].Value);
    }

    [MailTheory, Providers]
    public async Task A_reply_reaches_the_topics_starter_and_a_mention_reaches_the_mentioned_member_with_links_to_the_post(Provider provider)
    {
        var (app, _) = await CreateAsync(provider);
        await using var _app = app;
        var ann = await MemberAsync(app, "ann");
        var bob = await MemberAsync(app, "bob");
        var cara = await MemberAsync(app, "cara");
        var dan = await MemberAsync(app, "dan");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Export to CSV?", "Can I export my reports to CSV?");
        // Dan replied earlier but muted the topic afterwards.
        await ReplyAsync(app, dan, topicId, "Following this one.");
        Assert.Equal(HttpStatusCode.Redirect, (await ForumKit.ActAsync(dan.Http, $"/forum/t/{topicId}", $"/forum/topics/{topicId}/watch", new() { ["level"] = "Muted" })).StatusCode);
        Assert.Contains("Muted: you get no e-mails about this topic.", await ForumKit.PageAsync(dan.Http, $"/forum/t/{topicId}"));
        // Ann heard about Dan's reply.
        Assert.Contains("dan replied", (await OnlyMailAsync(ann.Email, "the mail about Dan's reply")).TextBody);

        var replyId = await ReplyAsync(app, bob, topicId, "Yes: Reports → Export. @cara wrote the guide for it.");

        var toAnn = await Eventually.GetAsync(async () =>
            (await Mail.ReadAsync(ann.Email, SearchQuery.All)).Select(m => m.Message).FirstOrDefault(m => (m.TextBody ?? "").Contains("bob replied")), "the reply e-mail", StaffEmailNotificationTests.Arrival);
        Assert.Equal("New reply to “Export to CSV?”", toAnn.Subject);
        Assert.Contains("Yes: Reports → Export.", toAnn.TextBody);
        Assert.Contains($"{PublicUrl}/forum/p/{replyId}", toAnn.TextBody);
        Assert.Contains($"href=\"{PublicUrl}/forum/p/{replyId}\"", toAnn.HtmlBody);
        Assert.Equal("auto-generated", toAnn.Headers["Auto-Submitted"]);
        Assert.Matches($"^<{Regex.Escape(PublicUrl)}/forum/unsubscribe/one-click\\?token=[^>]+>$", toAnn.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", toAnn.Headers["List-Unsubscribe-Post"]);
        // The reply page opens at the post the link names.
        var landing = await ann.Http.GetAsync($"/forum/p/{replyId}");
        Assert.Equal($"/forum/t/{topicId}#post-{replyId}", landing.Headers.Location!.ToString());

        var toCara = await OnlyMailAsync(cara.Email, "the mention e-mail");
        Assert.Equal("bob mentioned you in “Export to CSV?”", toCara.Subject);
        Assert.Contains($"{PublicUrl}/forum/p/{replyId}", toCara.TextBody);

        // Never to the post's author; not to a member who muted the topic; one e-mail per member and post.
        await FannedOutAsync(app);
        Assert.Equal(0, await QueuedForAsync(app, bob.Email));
        Assert.Equal(0, await QueuedForAsync(app, dan.Email));
        Assert.Equal(2, await QueuedForAsync(app, ann.Email));
        Assert.Equal(1, await QueuedForAsync(app, cara.Email));
    }

    [MailTheory, Providers]
    public async Task The_daily_digest_gathers_a_days_notifications_into_one_email_sent_once(Provider provider)
    {
        var (app, admin) = await CreateAsync(provider);
        await using var _app = app;
        var ann = await MemberAsync(app, "ann");
        var bob = await MemberAsync(app, "bob");
        var cara = await MemberAsync(app, "cara");
        var first = await ForumKit.StartTopicAsync(ann.Http, "general", "Export to CSV?", "Can I export my reports to CSV?");
        var second = await ForumKit.StartTopicAsync(ann.Http, "general", "Dark mode", "Is there a dark mode?");

        // Ann chooses the daily digest on her settings page, for both kinds.
        var settings = await Forms.OpenAsync(ann.Http, "/forum/settings");
        settings["Input.Replies"] = "Daily";
        settings["Input.Mentions"] = "Daily";
        var saved = await Forms.PostAsync(ann.Http, "/forum/settings", settings);
        Assert.Equal("/forum/settings?saved=1", saved.Headers.Location!.ToString());
        Assert.Contains("id=\"settings-saved\"", await ForumKit.PageAsync(ann.Http, "/forum/settings?saved=1"));
        var chosen = await app.DbAsync(db => db.MemberEmailPreferences.SingleAsync(p => p.MemberId == ann.MemberId));
        Assert.Equal((MemberEmailMode.Daily, MemberEmailMode.Daily), (chosen.Replies, chosen.Mentions));

        await ReplyAsync(app, bob, first, "Reports → Export, top right.");
        await ReplyAsync(app, cara, first, "It also exports to Excel.");
        await ReplyAsync(app, bob, second, "Settings → Appearance. Ask @ann if it is not there.");
        var hidden = await ReplyAsync(app, cara, second, "Buy cheap watches here.");
        await FannedOutAsync(app);
        // A moderator takes one reply down before the digest: it is not in it.
        await (await admin.PostAsync($"/api/v1/forum/posts/{hidden}/moderation", new { action = "Hide", reason = "Spam" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, await QueuedForAsync(app, ann.Email)); // nothing yet: Ann waits for her digest
        Assert.Equal(4, await app.DbAsync(db => db.MemberNotifications.CountAsync(n => n.MemberId == ann.MemberId && n.SentAt == null)));

        // The day ends: two nodes run the digest at the same moment; one e-mail leaves.
        var tomorrow = DateTimeOffset.UtcNow.AddHours(25);
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var digest = ActivatorUtilities.CreateInstance<SendDailyDigests>(scope.ServiceProvider, new Chorus.Features.Channels.Email.PollerNode());
            return await digest.RunAsync(tomorrow);
        }));
        Assert.Equal(1, runs.Sum());
        using (var scope = app.Services.CreateScope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<SendDailyDigests>().RunAsync(tomorrow.AddDays(1)));

        var digestMail = await OnlyMailAsync(ann.Email, "the digest");
        Assert.Equal("Your community digest: 2 new replies and 1 mention", digestMail.Subject);
        var text = digestMail.TextBody ?? "";
        Assert.Contains("== Export to CSV? ==", text);
        Assert.Contains("== Dark mode ==", text);
        Assert.Contains("Reports → Export, top right.", text);
        Assert.Contains("It also exports to Excel.", text);
        Assert.Contains("bob mentioned you", text);
        Assert.DoesNotContain("cheap watches", text + digestMail.HtmlBody);
        Assert.True(text.IndexOf("== Export to CSV? ==", StringComparison.Ordinal) < text.IndexOf("== Dark mode ==", StringComparison.Ordinal));
        Assert.Contains($"{PublicUrl}/forum/p/", text);
        Assert.NotNull(digestMail.Headers["List-Unsubscribe"]);
        Assert.Equal(1, await QueuedForAsync(app, ann.Email));
    }

    [MailTheory, Providers]
    public async Task The_unsubscribe_link_works_without_signing_in_and_stops_further_email(Provider provider)
    {
        var (app, _) = await CreateAsync(provider);
        await using var _app = app;
        var ann = await MemberAsync(app, "ann");
        var bob = await MemberAsync(app, "bob");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Export to CSV?", "Can I export my reports to CSV?");
        await ReplyAsync(app, bob, topicId, "Yes: Reports → Export. @ann, the guide explains it.");
        var mail = await OnlyMailAsync(ann.Email, "the mention e-mail");

        // The footer's link opens a page with one button; opening it alone changes nothing (mail scanners open links).
        var pageLink = Regex.Match(mail.TextBody ?? "", Regex.Escape(PublicUrl) + @"(/forum/unsubscribe\?token=\S+)").Groups[1].Value;
        Assert.NotEmpty(pageLink);
        var stranger = ForumKit.Browser(app); // no cookie: no sign-in needed
        var page = await ForumKit.PageAsync(stranger, pageLink);
        Assert.Contains("id=\"confirm-unsubscribe\"", page);
        Assert.Contains("ann will get no more e-mails", page);
        Assert.Equal(0, await app.DbAsync(db => db.MemberEmailPreferences.CountAsync()));

        // A forged or cut link is refused and changes nothing.
        Assert.Contains("id=\"unsubscribe-invalid\"", await ForumKit.PageAsync(stranger, "/forum/unsubscribe?token=CfDJ8forged", HttpStatusCode.BadRequest));
        var forged = await stranger.PostAsync($"/forum/unsubscribe/one-click?token={pageLink[^20..]}", new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);

        // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the header's address: no cookie, no form token.
        var oneClick = new Uri(mail.Headers["List-Unsubscribe"]!.Trim('<', '>')).PathAndQuery;
        var posted = await stranger.PostAsync(oneClick, new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var prefs = await app.DbAsync(db => db.MemberEmailPreferences.SingleAsync(p => p.MemberId == ann.MemberId));
        Assert.Equal((MemberEmailMode.Off, MemberEmailMode.Off), (prefs.Replies, prefs.Mentions));
        // The page's button does the same (a second click changes nothing and says so).
        var fields = Forms.HiddenFields(page);
        var button = await Forms.PostAsync(stranger, Regex.Match(page, "action=\"([^\"]+one-click[^\"]+)\"").Groups[1].Value.Replace("&amp;", "&"), fields);
        Assert.Equal(HttpStatusCode.Redirect, button.StatusCode);
        Assert.Contains("id=\"unsubscribe-done\"", await ForumKit.PageAsync(stranger, button.Headers.Location!.ToString()));

        // Further replies and mentions send nothing.
        await ReplyAsync(app, bob, topicId, "And @ann, it exports to Excel too.");
        await FannedOutAsync(app);
        Assert.Equal(1, await QueuedForAsync(app, ann.Email));
        Assert.Single(await Mail.ReadAsync(ann.Email, SearchQuery.All));
    }

    [MailTheory, Providers]
    public async Task A_held_post_sends_nothing_until_a_moderator_approves_it_and_suspended_members_get_nothing(Provider provider)
    {
        var (app, admin) = await CreateAsync(provider);
        await using var _app = app;
        var ann = await MemberAsync(app, "ann");
        var cara = await MemberAsync(app, "cara");
        var newbie = await MemberAsync(app, "newbie", TrustLevel.New);
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Export to CSV?", "Can I export my reports to CSV?");
        await (await admin.PostAsync($"/api/v1/forum/members/{cara.MemberId}/sanctions", new { kind = "Suspend", reason = "Spam", days = 3 })).JsonAsync(HttpStatusCode.Created);

        // A new member's first post waits for review: nobody hears about it yet.
        var held = await ForumKit.PostReplyAsync(newbie.Http, topicId, "Try the export button, @cara knows it.");
        Assert.Contains("posted=held", held.Headers.Location!.ToString());
        var heldId = await ForumKit.PostIdAsync(app, topicId, 2);
        await FannedOutAsync(app);
        Assert.Equal(PostState.Held, await app.DbAsync(db => db.ForumPosts.Where(p => p.Id == heldId).Select(p => p.State).SingleAsync()));
        Assert.Equal(0, await app.DbAsync(db => db.MemberNotifications.CountAsync()));
        Assert.Equal(0, await QueuedForAsync(app, ann.Email));

        // Approved: it is announced as if just posted, once; the suspended member mentioned in it gets nothing.
        await (await admin.PostAsync($"/api/v1/forum/posts/{heldId}/moderation", new { action = "Approve" })).JsonAsync(HttpStatusCode.OK);
        var mail = await OnlyMailAsync(ann.Email, "the reply e-mail after approval");
        Assert.Contains($"{PublicUrl}/forum/p/{heldId}", mail.TextBody);
        await (await admin.PostAsync($"/api/v1/forum/posts/{heldId}/moderation", new { action = "Hide", reason = "Other" })).JsonAsync(HttpStatusCode.OK);
        await (await admin.PostAsync($"/api/v1/forum/posts/{heldId}/moderation", new { action = "Approve" })).JsonAsync(HttpStatusCode.OK);
        await FannedOutAsync(app);
        Assert.Equal(1, await QueuedForAsync(app, ann.Email));
        Assert.Equal(0, await QueuedForAsync(app, cara.Email));
    }

    [MailTheory, Providers]
    public async Task A_mention_added_by_a_later_edit_reaches_only_the_newly_mentioned_members_by_their_own_settings(Provider provider)
    {
        var (app, admin) = await CreateAsync(provider);
        await using var _app = app;
        var ann = await MemberAsync(app, "ann");
        var bob = await MemberAsync(app, "bob");
        var cara = await MemberAsync(app, "cara");
        var dan = await MemberAsync(app, "dan");
        var erin = await MemberAsync(app, "erin");
        var fay = await MemberAsync(app, "fay");
        foreach (var (who, mentions) in new[] { (erin, "Off"), (fay, "Daily") })
        {
            var settings = await Forms.OpenAsync(who.Http, "/forum/settings");
            settings["Input.Replies"] = "Immediately";
            settings["Input.Mentions"] = mentions;
            Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(who.Http, "/forum/settings", settings)).StatusCode);
        }
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Export to CSV?", "Can I export my reports to CSV?");
        var replyId = await ReplyAsync(app, bob, topicId, "Yes: Reports → Export. @cara wrote the guide for it.");
        Assert.Equal("bob mentioned you in “Export to CSV?”", (await OnlyMailAsync(cara.Email, "the first mention")).Subject);
        Assert.Equal(1, await QueuedForAsync(app, ann.Email)); // the reply, to the topic's starter

        // A moderator adds the members who tested it: Dan, Erin (mentions off), Fay (daily digest), Ann (already told),
        // and Bob himself; Cara stays mentioned.
        var edited = await admin.PatchAsync($"/api/v1/forum/posts/{replyId}", new
        {
            body = "Yes: Reports → Export. @cara wrote the guide for it; @dan, @erin, @fay and @ann tested it (thanks @bob).",
            reason = "Credited the testers",
        });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);

        var toDan = await OnlyMailAsync(dan.Email, "the mention added by the edit");
        Assert.Equal("bob mentioned you in “Export to CSV?”", toDan.Subject);
        Assert.Contains($"{PublicUrl}/forum/p/{replyId}", toDan.TextBody);
        Assert.Contains("@dan, @erin, @fay and @ann tested it", toDan.TextBody);
        await FannedOutAsync(app);
        Assert.Equal(1, await QueuedForAsync(app, dan.Email));
        // Nobody already told hears again, the author never, Erin (mentions off) not at all, Fay in her digest.
        Assert.Equal(1, await QueuedForAsync(app, cara.Email));
        Assert.Equal(1, await QueuedForAsync(app, ann.Email));
        Assert.Equal(0, await QueuedForAsync(app, bob.Email));
        Assert.Equal(0, await QueuedForAsync(app, erin.Email));
        Assert.Equal(0, await app.DbAsync(db => db.MemberNotifications.CountAsync(n => n.MemberId == erin.MemberId)));
        Assert.Equal(0, await QueuedForAsync(app, fay.Email));
        var forFay = await app.DbAsync(db => db.MemberNotifications.SingleAsync(n => n.MemberId == fay.MemberId));
        Assert.Equal((replyId, MemberNotificationKind.Mention, MemberEmailMode.Daily, (DateTimeOffset?)null), (forFay.PostId, forFay.Kind, forFay.Delivery, forFay.SentAt));

        // A second edit that keeps the same mentions sends nothing more.
        var again = await admin.PatchAsync($"/api/v1/forum/posts/{replyId}", new
        {
            body = "Yes: Reports → Export (top right). @cara wrote the guide for it; @dan, @erin, @fay and @ann tested it (thanks @bob).",
        });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await FannedOutAsync(app);
        Assert.Equal(1, await QueuedForAsync(app, dan.Email));
        Assert.Equal(1, await QueuedForAsync(app, cara.Email));
        Assert.Equal(1, await app.DbAsync(db => db.MemberNotifications.CountAsync(n => n.MemberId == fay.MemberId)));
        Assert.Single(await Mail.ReadAsync(dan.Email, SearchQuery.All));
    }
}
