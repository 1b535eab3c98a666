using System.Net;
using Chorus.Features.Forum;
using Chorus.Features.Forum.Moderation;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Forum;

/// What waits for review and who sees it: new members' first posts and links, likely spam; approve,
/// hide and delete from the queue, audited, and the classifier learns from each decision.
public class ForumModerationTests
{
    private const string Spam = "WIN a FREE iPhone!!! Click now http://free-prizes.example.com claim your prize, call 08001234567 txt WIN";

    [Theory, Providers]
    public async Task A_new_members_first_post_waits_for_review_seen_only_by_them_and_staff_until_approved(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await ForumKit.CategoryAsync(admin, "Help", "help");
        var newbie = await ForumKit.MemberAsync(app, "newbie", TrustLevel.New);
        var other = await ForumKit.MemberAsync(app, "other", TrustLevel.Basic);

        var posted = await ForumKit.PostTopicAsync(newbie.Http, "help", "My first question here", "How do I change my avatar?");
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Contains("posted=held", posted.Headers.Location!.ToString());
        var topicId = ForumKit.TopicId(posted);
        var path = $"/forum/t/{topicId}";

        var own = await ForumKit.PageAsync(newbie.Http, path + "?posted=held");
        Assert.Contains("id=\"topic-notice\"", own);
        Assert.Contains("Awaiting review by a moderator", own);
        await ForumKit.PageAsync(other.Http, path, HttpStatusCode.NotFound);
        await ForumKit.PageAsync(ForumKit.Browser(app), path, HttpStatusCode.NotFound);
        Assert.DoesNotContain("My first question here", await ForumKit.PageAsync(ForumKit.Browser(app), "/forum/c/help"));
        Assert.DoesNotContain("My first question here", await ForumKit.PageAsync(ForumKit.Browser(app), "/forum/search?q=avatar"));

        var queue = await (await agent.GetAsync("/api/v1/forum/moderation/queue")).JsonAsync(HttpStatusCode.OK);
        var item = Assert.Single(queue.EnumerateArray());
        Assert.Equal("First posts of a new member", item.Str("heldReason"));
        Assert.True(item.GetProperty("isTopicStart").GetBoolean());

        var postId = item.GetProperty("postId").GetGuid();
        await (await agent.PostAsync($"/api/v1/forum/posts/{postId}/moderation", new { action = "Approve" })).JsonAsync(HttpStatusCode.OK);
        Assert.Contains("How do I change my avatar?", await ForumKit.PageAsync(ForumKit.Browser(app), path));
        Assert.Empty((await (await agent.GetAsync("/api/v1/forum/moderation/queue")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());

        // One approval ends the new-member hold; links still wait until they earn Basic.
        var reply = await ForumKit.PostReplyAsync(newbie.Http, topicId, "Found it myself, thanks anyway.");
        Assert.Contains("posted=1", reply.Headers.Location!.ToString());
        var link = await ForumKit.PostReplyAsync(newbie.Http, topicId, "The guide is at https://docs.example.com/avatars if anyone needs it.");
        Assert.Contains("posted=held", link.Headers.Location!.ToString());
        Assert.Equal("Links from a new member", await app.DbAsync(db => db.ForumPosts.Where(p => p.TopicId == topicId && p.Position == 3).Select(p => p.HeldReason).SingleAsync()));

        var audit = await (await admin.GetAsync("/api/v1/audit?action=forum.post")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), a => a.Str("action") == "forum.post-approved" && a.Str("targetId") == postId.ToString());
        Assert.Equal(1, await app.DbAsync(db => db.ModerationExamples.CountAsync(e => e.PostId == postId && e.Spam == false && e.Toxic == false)));
    }

    [Theory, Providers]
    public async Task Likely_spam_waits_even_from_a_trusted_member_and_deleting_it_as_spam_hides_it_from_everyone_but_staff(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var spammer = await ForumKit.MemberAsync(app, "spammer", TrustLevel.Member);
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Favourite shortcuts", "Share your favourite keyboard shortcuts.");

        var posted = await ForumKit.PostReplyAsync(spammer.Http, topicId, Spam);
        Assert.Contains("posted=held", posted.Headers.Location!.ToString());
        var queued = Assert.Single((await (await agent.GetAsync("/api/v1/forum/moderation/queue")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal("Likely spam", queued.Str("heldReason"));
        Assert.True(queued.GetProperty("spamScore").GetDouble() >= 0.7);
        var postId = queued.GetProperty("postId").GetGuid();

        // Viewers read but do not moderate; a take-down needs a reason.
        await (await viewer.GetAsync("/api/v1/forum/moderation/queue")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync($"/api/v1/forum/posts/{postId}/moderation", new { action = "Delete", reason = "Spam" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await agent.PostAsync($"/api/v1/forum/posts/{postId}/moderation", new { action = "Delete" })).ProblemAsync(HttpStatusCode.BadRequest);

        await (await agent.PostAsync($"/api/v1/forum/posts/{postId}/moderation", new { action = "Delete", reason = "Spam", note = "prize spam" })).JsonAsync(HttpStatusCode.OK);
        foreach (var reader in new[] { ForumKit.Browser(app), ann.Http, spammer.Http })
            Assert.DoesNotContain("free-prizes", await ForumKit.PageAsync(reader, $"/forum/t/{topicId}"));
        Assert.Equal(HttpStatusCode.NotFound, (await spammer.Http.GetAsync($"/forum/p/{postId}")).StatusCode);
        // Staff still see it, marked, with the reason.
        var staffView = await (await agent.GetAsync($"/api/v1/forum/topics/{topicId}")).JsonAsync(HttpStatusCode.OK);
        var deleted = staffView.GetProperty("posts").EnumerateArray().Single(p => p.GetProperty("id").GetGuid() == postId);
        Assert.Equal("Deleted", deleted.Str("state"));
        Assert.Equal("Spam: prize spam", deleted.Str("moderationReason"));
        Assert.Equal(0, await app.DbAsync(db => db.ForumTopics.Where(t => t.Id == topicId).Select(t => t.ReplyCount).SingleAsync()));

        var audit = await (await admin.GetAsync("/api/v1/audit?action=forum.post")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), a => a.Str("action") == "forum.post-deleted" && a.Str("details").Contains("Spam: prize spam"));
        Assert.Equal(1, await app.DbAsync(db => db.ModerationExamples.CountAsync(e => e.PostId == postId && e.Spam == true)));
    }

    [Theory, Providers]
    public async Task Hiding_a_published_reply_takes_it_from_readers_and_approving_brings_it_back(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Dark mode when?", "Is dark mode coming?");
        await ForumKit.PostReplyAsync(bob.Http, topicId, "Please add a high-contrast theme too.");
        var replyId = await ForumKit.PostIdAsync(app, topicId, 2);

        await (await agent.PostAsync($"/api/v1/forum/posts/{replyId}/moderation", new { action = "Hide", reason = "OffTopic" })).JsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain("high-contrast", await ForumKit.PageAsync(ForumKit.Browser(app), $"/forum/t/{topicId}"));
        Assert.DoesNotContain("high-contrast", await ForumKit.PageAsync(bob.Http, $"/forum/t/{topicId}"));
        // Off-topic teaches the classifier nothing: it is not about spam or abuse.
        Assert.Equal(0, await app.DbAsync(db => db.ModerationExamples.CountAsync()));

        await (await agent.PostAsync($"/api/v1/forum/posts/{replyId}/moderation", new { action = "Approve" })).JsonAsync(HttpStatusCode.OK);
        Assert.Contains("high-contrast", await ForumKit.PageAsync(ForumKit.Browser(app), $"/forum/t/{topicId}"));
        Assert.Equal(1, await app.DbAsync(db => db.ForumTopics.Where(t => t.Id == topicId).Select(t => t.ReplyCount).SingleAsync()));
    }

    [Theory, Providers]
    public async Task Staff_moderate_from_the_topic_page_with_the_page_forms(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Release notes", "Where are the release notes?");
        await ForumKit.PostReplyAsync(bob.Http, topicId, "Shut up you stupid idiot");
        var abusive = await ForumKit.PostIdAsync(app, topicId, 2);
        Assert.Equal(PostState.Held, await app.DbAsync(db => db.ForumPosts.Where(p => p.Id == abusive).Select(p => p.State).SingleAsync()));
        Assert.Equal("Possibly abusive", await app.DbAsync(db => db.ForumPosts.Where(p => p.Id == abusive).Select(p => p.HeldReason).SingleAsync()));

        // A member cannot use the moderation form, whatever they post: it wants a staff sign-in.
        var forged = await ForumKit.ActAsync(ann.Http, $"/forum/t/{topicId}", $"/forum/posts/{abusive}/moderate", new() { ["action"] = "Approve" });
        Assert.Equal(HttpStatusCode.Redirect, forged.StatusCode);
        Assert.Contains("/account/login", forged.Headers.Location?.OriginalString);
        Assert.Equal(PostState.Held, await app.DbAsync(db => db.ForumPosts.Where(p => p.Id == abusive).Select(p => p.State).SingleAsync()));

        // Staff signed in to the staff app see the tools on the public page.
        var staffBrowser = ForumKit.Browser(app);
        var login = await Forms.OpenAsync(staffBrowser, "/account/login");
        login["Input.Email"] = ChorusFactory.AdminEmail;
        login["Input.Password"] = ChorusFactory.Password;
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(staffBrowser, "/account/login", login)).StatusCode);
        var page = await ForumKit.PageAsync(staffBrowser, $"/forum/t/{topicId}");
        Assert.Contains("id=\"topic-staff-tools\"", page);
        Assert.Contains("Possibly abusive", page);
        var removed = await ForumKit.ActAsync(staffBrowser, $"/forum/t/{topicId}", $"/forum/posts/{abusive}/moderate", new() { ["action"] = "Delete", ["reason"] = "Abusive" });
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal(PostState.Deleted, await app.DbAsync(db => db.ForumPosts.Where(p => p.Id == abusive).Select(p => p.State).SingleAsync()));
        Assert.Equal(1, await app.DbAsync(db => db.ModerationExamples.CountAsync(e => e.Toxic == true)));
    }

    [Fact]
    public async Task The_classifier_learns_from_decisions_and_a_new_node_catches_up_from_the_store()
    {
        await using var app = new ChorusFactory();
        await app.PrepareAsync();
        const string Text = "grab the zorblax deal at zorblax dot shop before friday zorblax zorblax";
        var model = app.Services.GetRequiredService<ModerationModel>();
        var before = model.Score(Text).Spam;
        var example = new ModerationExample { Text = Text, Spam = true };
        await app.DbAsync(async db => { db.ModerationExamples.Add(example); return await db.SaveChangesAsync(); });

        // A node that did not make the decision learns it from the store.
        var other = new ModerationModel();
        Assert.Equal(before, other.Score(Text).Spam, 6);
        using (var scope = app.Services.CreateScope())
            await other.CatchUpAsync(scope.ServiceProvider.GetRequiredService<Chorus.Data.ChorusDb>());
        var after = other.Score(Text).Spam;
        Assert.True(after > before, $"spam probability {before:F3} → {after:F3}");
        // Applying the same decision again changes nothing.
        other.Apply(example);
        Assert.Equal(after, other.Score(Text).Spam, 9);
    }
}
