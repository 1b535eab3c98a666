using System.Net;
using Chorus.Features.Forum;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Community;

/// Silence, suspend and ban through the forum's own forms and the API; moderators' edits keep the
/// text before; topics move between categories. Everything audited.
public class CommunitySanctionTests
{
    private static async Task<HttpClient> StaffBrowserAsync(ChorusFactory app)
    {
        var browser = ForumKit.Browser(app);
        var login = await Forms.OpenAsync(browser, "/account/login");
        login["Input.Email"] = ChorusFactory.AdminEmail;
        login["Input.Password"] = ChorusFactory.Password;
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(browser, "/account/login", login)).StatusCode);
        return browser;
    }

    private static Task<int> PostsByAsync(ChorusFactory app, Guid memberId) =>
        app.DbAsync(db => db.ForumPosts.CountAsync(p => p.AuthorMemberId == memberId));

    [Theory, Providers]
    public async Task A_silenced_member_reads_but_cannot_post_until_the_silence_ends(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var troll = await ForumKit.MemberAsync(app, "troll");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Export to CSV?", "Can I export my reports to CSV?");

        // Staff silence the member from the profile page's form (antiforgery token and all).
        var staff = await StaffBrowserAsync(app);
        var profile = await ForumKit.PageAsync(staff, "/forum/u/troll");
        Assert.Contains("id=\"sanction-form\"", profile);
        Assert.DoesNotContain("id=\"staff\"", await ForumKit.PageAsync(ann.Http, "/forum/u/troll")); // members never see the staff part
        var silenced = await ForumKit.ActAsync(staff, "/forum/u/troll", $"/forum/members/{troll.MemberId}/sanctions",
            new() { ["kind"] = "Silence", ["days"] = "3", ["hours"] = "0", ["reason"] = "Insulting other members" });
        Assert.Equal(HttpStatusCode.Redirect, silenced.StatusCode);
        Assert.Contains("Silenced", await ForumKit.PageAsync(staff, "/forum/u/troll"));

        // Reading works; posting is refused with the reason, and nothing is stored.
        Assert.Contains("Export to CSV?", await ForumKit.PageAsync(troll.Http, $"/forum/t/{topicId}"));
        var reply = await ForumKit.PostReplyAsync(troll.Http, topicId, "Nobody cares about CSV.");
        Assert.Equal(HttpStatusCode.Forbidden, reply.StatusCode);
        Assert.Contains("You are silenced until", await reply.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await ForumKit.PostTopicAsync(troll.Http, "general", "Another topic", "Let me post here anyway")).StatusCode);
        Assert.Equal(0, await PostsByAsync(app, troll.MemberId));

        // A silence ends on time: no job needed, the clock decides.
        await app.DbAsync(db => db.MemberSanctions.Where(s => s.MemberId == troll.MemberId).ExecuteUpdateAsync(s => s.SetProperty(x => x.EndsAt, DateTimeOffset.UtcNow.AddMinutes(-1))));
        Assert.Equal(HttpStatusCode.Redirect, (await ForumKit.PostReplyAsync(troll.Http, topicId, "Sorry, CSV export is under Reports.")).StatusCode);
        Assert.Equal(1, await PostsByAsync(app, troll.MemberId));

        var audit = await (await admin.GetAsync("/api/v1/audit?action=forum.member")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), a => a.Str("action") == "forum.member-silenced" && a.Str("details").Contains("Insulting other members"));
    }

    [Theory, Providers]
    public async Task A_suspended_member_is_signed_out_cannot_post_or_sign_in_and_can_again_once_lifted(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var sam = await ForumKit.MemberAsync(app, "sam");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Keyboard shortcuts", "Is there a list of shortcuts?");
        // Sam has the reply form open when the suspension lands.
        var form = await Forms.OpenAsync(sam.Http, $"/forum/t/{topicId}");

        await (await viewer.PostAsync($"/api/v1/forum/members/{sam.MemberId}/sanctions", new { kind = "Suspend", reason = "Spamming", days = 1 })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await agent.PostAsync($"/api/v1/forum/members/{sam.MemberId}/sanctions", new { kind = "Suspend", reason = "Spamming" })).ProblemAsync(HttpStatusCode.BadRequest);
        var sanction = await (await agent.PostAsync($"/api/v1/forum/members/{sam.MemberId}/sanctions", new { kind = "Suspend", reason = "Spamming links", days = 7 }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.True(sanction.GetProperty("inForce").GetBoolean());

        // The open session is gone: the page has no reply form for Sam any more, the posted one is refused, nothing is stored.
        Assert.Contains("id=\"reply-sign-in\"", await ForumKit.PageAsync(sam.Http, $"/forum/t/{topicId}"));
        form["Input.Body"] = "Press ? to see them all.";
        Assert.Equal(HttpStatusCode.BadRequest, (await Forms.PostAsync(sam.Http, $"/forum/t/{topicId}", form)).StatusCode);
        Assert.Equal(0, await PostsByAsync(app, sam.MemberId));

        // Signing in again is refused, with the reason.
        var browser = ForumKit.Browser(app);
        var signIn = await Forms.PostAsync(browser, "/forum/sign-in", new Dictionary<string, string>(await Forms.OpenAsync(browser, "/forum/sign-in"))
        {
            ["Input.Email"] = sam.Email, ["Input.Password"] = ForumKit.Password,
        });
        Assert.Equal(HttpStatusCode.Forbidden, signIn.StatusCode);
        Assert.Contains("suspended until", await signIn.Content.ReadAsStringAsync());

        await (await agent.PostAsync($"/api/v1/forum/sanctions/{sanction.Str("id")}/lift", new { })).JsonAsync(HttpStatusCode.OK);
        await (await agent.PostAsync($"/api/v1/forum/sanctions/{sanction.Str("id")}/lift", new { })).ProblemAsync(HttpStatusCode.Conflict);
        var again = ForumKit.Browser(app);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(again, "/forum/sign-in", new Dictionary<string, string>(await Forms.OpenAsync(again, "/forum/sign-in"))
        {
            ["Input.Email"] = sam.Email, ["Input.Password"] = ForumKit.Password,
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await ForumKit.PostReplyAsync(again, topicId, "Press ? to see them all.")).StatusCode);
        Assert.Equal(1, await PostsByAsync(app, sam.MemberId));

        // A ban has no end, and ends the session too.
        var open = await Forms.OpenAsync(again, $"/forum/t/{topicId}");
        var ban = await (await agent.PostAsync($"/api/v1/forum/members/{sam.MemberId}/sanctions", new { kind = "Ban", reason = "Came back spamming" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, ban.GetProperty("endsAt").ValueKind);
        Assert.True(ban.GetProperty("inForce").GetBoolean());
        open["Input.Body"] = "One more.";
        Assert.Equal(HttpStatusCode.BadRequest, (await Forms.PostAsync(again, $"/forum/t/{topicId}", open)).StatusCode);
        Assert.Contains("id=\"reply-sign-in\"", await ForumKit.PageAsync(again, $"/forum/t/{topicId}"));
        Assert.Equal(1, await PostsByAsync(app, sam.MemberId));

        var audit = (await (await admin.GetAsync("/api/v1/audit?action=forum.member")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().Select(a => a.Str("action")).ToList();
        Assert.Contains("forum.member-suspended", audit);
        Assert.Contains("forum.member-suspended-lifted", audit);
        Assert.Contains("forum.member-banned", audit);
    }

    [Theory, Providers]
    public async Task Moderators_edit_posts_keeping_the_earlier_text_and_move_topics(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ideas = await ForumKit.CategoryAsync(admin, "Ideas", "ideas");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Login trouble", "My password is hunter2 and it does not work");
        var postId = await ForumKit.PostIdAsync(app, topicId, 1);

        var edited = await (await agent.PatchAsync($"/api/v1/forum/posts/{postId}", new { body = "My password [removed by a moderator] does not work", title = "Cannot sign in", reason = "Removed a password" }))
            .JsonAsync(HttpStatusCode.OK);
        var revision = Assert.Single(edited.GetProperty("revisions").EnumerateArray());
        Assert.Equal("My password is hunter2 and it does not work", revision.Str("markdown"));
        Assert.Equal("ann", revision.Str("authorName"));
        var page = await ForumKit.PageAsync(ForumKit.Browser(app), $"/forum/t/{topicId}");
        Assert.DoesNotContain("hunter2", page);
        Assert.Contains("Cannot sign in", page);
        Assert.Contains("data-test=\"edited\"", page);
        await (await agent.PatchAsync($"/api/v1/forum/posts/{postId}", new { body = "My password [removed by a moderator] does not work" })).ProblemAsync(HttpStatusCode.BadRequest);
        // Members never reach the edit page (it wants a staff sign-in).
        Assert.Equal(HttpStatusCode.Redirect, (await ann.Http.GetAsync($"/forum/p/{postId}/edit")).StatusCode);

        // Staff move the topic with the topic page's form.
        var staff = await StaffBrowserAsync(app);
        Assert.Contains("id=\"move-topic\"", await ForumKit.PageAsync(staff, $"/forum/t/{topicId}"));
        var moved = await ForumKit.ActAsync(staff, $"/forum/t/{topicId}", $"/forum/topics/{topicId}/move", new() { ["categoryId"] = ideas.Str("id") });
        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        Assert.Contains("Cannot sign in", await ForumKit.PageAsync(ForumKit.Browser(app), "/forum/c/ideas"));
        Assert.DoesNotContain("Cannot sign in", await ForumKit.PageAsync(ForumKit.Browser(app), "/forum/c/general"));
        // A member cannot use the form.
        Assert.Equal(HttpStatusCode.Redirect, (await ForumKit.ActAsync(ann.Http, $"/forum/t/{topicId}", $"/forum/topics/{topicId}/move", new() { ["categoryId"] = ideas.Str("id") })).StatusCode);

        var audit = (await (await admin.GetAsync("/api/v1/audit?action=forum.")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        Assert.Contains(audit, a => a.Str("action") == "forum.post-edited" && a.Str("details").Contains("Removed a password"));
        Assert.Contains(audit, a => a.Str("action") == "forum.topic-moved" && a.Str("details").Contains("from General to Ideas"));
    }
}
