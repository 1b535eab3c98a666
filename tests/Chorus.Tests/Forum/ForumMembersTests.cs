using System.Net;
using System.Text.RegularExpressions;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Forum;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using MailKit.Search;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Forum;

/// Members sign up with an e-mail they confirm (through the real Postfix/Dovecot), sign in with their
/// own cookie (never as staff), and are rate-limited as new members.
public class ForumMembersTests
{
    private const string PublicUrl = "https://community.example.test";

    private static Dictionary<string, string> SignUp(Dictionary<string, string> hidden, string username, string email, string password = "a-long-password", string website = "") =>
        new(hidden) { ["Input.Username"] = username, ["Input.Email"] = email, ["Input.Password"] = password, ["Input.Website"] = website };

    [MailTheory, Providers]
    public async Task Signing_up_sends_a_confirmation_and_its_link_makes_the_member_a_person_and_signs_them_in(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        app.Settings["Chorus:PublicUrl"] = PublicUrl;
        var admin = await app.StaffAsync("admin");
        await MailApp.AddMailboxAsync(admin, Mail.NewAddress("community"));
        var email = Mail.NewAddress("dana");
        // Dana wrote to support before: her forum account joins that person.
        var earlier = await admin.DeliverAsync("before-forum-1", handle: email, name: "Dana Customer");

        var browser = ForumKit.Browser(app);
        var posted = await Forms.PostAsync(browser, "/forum/sign-up", SignUp(await Forms.OpenAsync(browser, "/forum/sign-up"), "dana", email));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains("id=\"sign-up-sent\"", await posted.Content.ReadAsStringAsync());

        // Not confirmed yet: sign-in says so (and sends the link again).
        var early = await Forms.PostAsync(browser, "/forum/sign-in", new Dictionary<string, string>(await Forms.OpenAsync(browser, "/forum/sign-in")) { ["Input.Email"] = email, ["Input.Password"] = "a-long-password" });
        Assert.Equal(HttpStatusCode.Forbidden, early.StatusCode);
        Assert.Contains("Confirm your e-mail address first", await early.Content.ReadAsStringAsync());

        var mail = await Eventually.GetAsync(async () => (await Mail.ReadAsync(email, SearchQuery.All)).Select(m => m.Message).FirstOrDefault(), "the confirmation e-mail", StaffEmailNotificationTests.Arrival);
        Assert.Equal("Confirm your e-mail address for the community", mail.Subject);
        var link = Regex.Match(mail.TextBody ?? "", Regex.Escape(PublicUrl) + @"(/forum/confirm\?token=\S+)").Groups[1].Value;
        Assert.NotEmpty(link);
        Assert.Equal(0, await app.DbAsync(db => db.Outbox.CountAsync(o => o.Purpose == OutboxPurpose.MemberEmail && o.ConversationId != null)));

        // The link shows a button (a mail scanner opening it confirms nothing); the button confirms and signs in.
        var confirmPage = await ForumKit.PageAsync(browser, link);
        Assert.Contains("id=\"confirm-username\"", confirmPage);
        Assert.Null(await app.DbAsync(db => db.ForumMembers.Where(m => m.Username == "dana").Select(m => m.EmailConfirmedAt).SingleAsync()));
        var confirmed = await Forms.PostAsync(browser, link, Forms.HiddenFields(confirmPage));
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal("/forum?welcome=1", confirmed.Headers.Location!.ToString());
        Assert.Contains("id=\"forum-me\"", await ForumKit.PageAsync(browser, "/forum"));

        var member = await app.DbAsync(db => db.ForumMembers.SingleAsync(m => m.Username == "dana"));
        Assert.Equal(earlier.PersonId, member.PersonId);
        var person = await (await admin.GetAsync($"/api/v1/people/{earlier.PersonId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(person.GetProperty("identities").EnumerateArray(), i => i.Str("kind") == "Forum" && i.Str("handle") == "dana");
        Assert.Contains(person.GetProperty("timeline").EnumerateArray(), t => t.Str("kind") == "forum.joined");

        // A member's cookie opens nothing of the staff app.
        var staffPage = await browser.GetAsync("/inbox");
        Assert.Equal(HttpStatusCode.Redirect, staffPage.StatusCode);
        Assert.StartsWith("/account/login", staffPage.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/forum/moderation/queue")).StatusCode);
    }

    [Theory, Providers]
    public async Task Sign_up_explains_what_is_wrong_and_creates_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        var browser = ForumKit.Browser(app);
        // Without a mailbox to send the confirmation, sign-up says it is closed.
        var closed = await Forms.PostAsync(browser, "/forum/sign-up", SignUp(await Forms.OpenAsync(browser, "/forum/sign-up"), "erin", "erin@members.test"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, closed.StatusCode);
        Assert.Contains("cannot send e-mail yet", await closed.Content.ReadAsStringAsync());

        var badName = await Forms.PostAsync(browser, "/forum/sign-up", SignUp(await Forms.OpenAsync(browser, "/forum/sign-up"), "<b>x</b>", "erin@members.test"));
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Contains("letters, digits, dots, dashes or underscores", await badName.Content.ReadAsStringAsync());
        var shortPassword = await Forms.PostAsync(browser, "/forum/sign-up", SignUp(await Forms.OpenAsync(browser, "/forum/sign-up"), "erin", "erin@members.test", "short"));
        Assert.Equal(HttpStatusCode.BadRequest, shortPassword.StatusCode);
        var bot = await Forms.PostAsync(browser, "/forum/sign-up", SignUp(await Forms.OpenAsync(browser, "/forum/sign-up"), "erin", "erin@members.test", website: "http://spam.example"));
        Assert.Equal(HttpStatusCode.BadRequest, bot.StatusCode);
        Assert.Equal(0, await app.DbAsync(db => db.ForumMembers.CountAsync()));

        Assert.Contains("id=\"confirm-error\"", await ForumKit.PageAsync(browser, "/forum/confirm?token=CfDJ8forged", HttpStatusCode.BadRequest));
    }

    [Theory, Providers]
    public async Task Five_wrong_passwords_lock_the_account_for_a_while(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var ann = await ForumKit.MemberAsync(app, "ann");
        var browser = ForumKit.Browser(app);
        async Task<HttpResponseMessage> Try(string password) =>
            await Forms.PostAsync(browser, "/forum/sign-in", new Dictionary<string, string>(await Forms.OpenAsync(browser, "/forum/sign-in")) { ["Input.Email"] = ann.Email, ["Input.Password"] = password });
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.BadRequest, (await Try("wrong-password")).StatusCode);
        var locked = await Try(ForumKit.Password);
        Assert.Equal(HttpStatusCode.Forbidden, locked.StatusCode);
        Assert.Contains("locked for a few minutes", await locked.Content.ReadAsStringAsync());
    }

    [Theory, Providers]
    public async Task New_members_may_post_only_a_few_times_a_minute(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:RateLimits:ForumNewMemberPostsPerMinute"] = "2";
        var admin = await app.StaffAsync("admin");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var newbie = await ForumKit.MemberAsync(app, "newbie", TrustLevel.New);
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Introduce yourself", "Say hello!");

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) codes.Add((await ForumKit.PostReplyAsync(newbie.Http, topicId, $"Hello number {i}")).StatusCode);
        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, (HttpStatusCode)429], codes);
        var refused = await ForumKit.PostReplyAsync(newbie.Http, topicId, "One more");
        Assert.Contains("posting faster than this forum allows", await refused.Content.ReadAsStringAsync());
        Assert.Equal(3, await app.DbAsync(db => db.ForumPosts.CountAsync(p => p.TopicId == topicId)));
        // Members past New are not held back by the new-member limit.
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Redirect, (await ForumKit.PostReplyAsync(ann.Http, topicId, $"Welcome {i}")).StatusCode);
    }

    [Theory, Providers]
    public async Task Reading_five_topics_and_thirty_posts_makes_a_new_member_basic_and_their_links_are_published(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:RateLimits:ForumPostsPerMinute"] = "1000";
        await ForumKit.CategoryAsync(await app.StaffAsync("admin"), "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var newbie = await ForumKit.MemberAsync(app, "newbie", TrustLevel.New);
        var topics = new List<Guid>();
        for (var t = 0; t < 5; t++)
        {
            var id = await ForumKit.StartTopicAsync(ann.Http, "general", $"Topic number {t}", "Opening post.");
            for (var r = 0; r < 6; r++) await ForumKit.PostReplyAsync(ann.Http, id, $"Reply {r} in topic {t}.");
            topics.Add(id);
        }
        var held = await ForumKit.PostReplyAsync(newbie.Http, topics[0], "See https://docs.example.com/start for the guide.");
        Assert.Contains("posted=held", held.Headers.Location!.ToString());

        foreach (var id in topics.Take(4)) await ForumKit.PageAsync(newbie.Http, $"/forum/t/{id}");
        Assert.Equal(TrustLevel.New, await app.DbAsync(db => db.ForumMembers.Where(m => m.Id == newbie.MemberId).Select(m => m.Trust).SingleAsync()));
        await ForumKit.PageAsync(newbie.Http, $"/forum/t/{topics[4]}");
        Assert.Equal(TrustLevel.Basic, await app.DbAsync(db => db.ForumMembers.Where(m => m.Id == newbie.MemberId).Select(m => m.Trust).SingleAsync()));
        Assert.Contains("Basic member", await ForumKit.PageAsync(ForumKit.Browser(app), "/forum/u/newbie"));

        var published = await ForumKit.PostReplyAsync(newbie.Http, topics[1], "The guide at https://docs.example.com/start helped me.");
        Assert.Contains("posted=1", published.Headers.Location!.ToString());
    }
}
