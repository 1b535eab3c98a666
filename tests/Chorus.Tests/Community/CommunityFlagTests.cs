using System.Net.Http.Json;
using System.Net;
using Chorus.Features.Community;
using Chorus.Features.Forum;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Community;

/// Members flag posts; enough weight from trusted members takes a post out of sight until a moderator
/// agrees (it comes down, the classifier learns) or disagrees (it is back, flags cleared).
public class CommunityFlagTests
{
    private static Task<HttpResponseMessage> FlagAsync(MemberBrowser member, Guid topicId, Guid postId, string reason, string? note = null) =>
        ForumKit.ActAsync(member.Http, $"/forum/t/{topicId}", $"/forum/posts/{postId}/flag",
            new() { ["reason"] = reason, ["note"] = note ?? "" });

    private static Task<PostState> StateAsync(ChorusFactory app, Guid postId) =>
        app.DbAsync(db => db.ForumPosts.Where(p => p.Id == postId).Select(p => p.State).SingleAsync());

    [Theory, Providers]
    public async Task Flags_from_new_members_weigh_nothing_and_flags_from_trusted_members_hide_the_post_until_a_moderator_disagrees(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Which plan for a school?", "We are a school of 40 people: which plan fits?");
        await ForumKit.PostReplyAsync(bob.Http, topicId, "The team plan, and ask sales about the education discount.");
        var replyId = await ForumKit.PostIdAsync(app, topicId, 2);

        // Three fresh accounts (the default threshold is 3) flag it: still published, but listed for a moderator.
        foreach (var name in new[] { "fresh1", "fresh2", "fresh3" })
        {
            var fresh = await ForumKit.MemberAsync(app, name, TrustLevel.New);
            var flagged = await FlagAsync(fresh, topicId, replyId, "Spam");
            Assert.Equal(HttpStatusCode.Redirect, flagged.StatusCode);
            Assert.Contains("notice=flagged", flagged.Headers.Location!.ToString());
        }
        Assert.Equal(PostState.Visible, await StateAsync(app, replyId));
        Assert.Contains("education discount", await ForumKit.PageAsync(ForumKit.Browser(app), $"/forum/t/{topicId}"));
        var queued = Assert.Single((await (await agent.GetAsync("/api/v1/forum/moderation/queue")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal("Visible", queued.Str("state"));
        Assert.Equal(3, queued.GetProperty("flags").GetArrayLength());

        // One flag per member and post.
        var carol = await ForumKit.MemberAsync(app, "carol", TrustLevel.Basic);
        Assert.Contains("notice=flagged", (await FlagAsync(carol, topicId, replyId, "OffTopic")).Headers.Location!.ToString());
        Assert.Contains("notice=already-flagged", (await FlagAsync(carol, topicId, replyId, "Spam")).Headers.Location!.ToString());
        Assert.Equal(1, await app.DbAsync(db => db.ForumFlags.CountAsync(f => f.PostId == replyId && f.MemberId == carol.MemberId)));
        // The author cannot flag their own post; "something else" needs a note.
        Assert.Equal(HttpStatusCode.Forbidden, (await FlagAsync(bob, topicId, replyId, "Spam")).StatusCode);
        var dave = await ForumKit.MemberAsync(app, "dave", TrustLevel.Basic);
        Assert.Equal(HttpStatusCode.BadRequest, (await FlagAsync(dave, topicId, replyId, "Other")).StatusCode);
        Assert.Equal(PostState.Visible, await StateAsync(app, replyId));

        // Basic members weigh 1 each: carol, dave and erin make 3, and the post is out of sight.
        Assert.Contains("notice=flagged", (await FlagAsync(dave, topicId, replyId, "Other", "Looks like an ad to me")).Headers.Location!.ToString());
        var erin = await ForumKit.MemberAsync(app, "erin", TrustLevel.Basic);
        var hiding = await FlagAsync(erin, topicId, replyId, "Spam");
        Assert.Equal($"/forum/t/{topicId}?notice=flag-hidden", hiding.Headers.Location!.ToString());
        Assert.Equal(PostState.Held, await StateAsync(app, replyId));
        foreach (var reader in new[] { ForumKit.Browser(app), ann.Http, erin.Http })
            Assert.DoesNotContain("education discount", await ForumKit.PageAsync(reader, $"/forum/t/{topicId}"));
        Assert.Equal(0, await app.DbAsync(db => db.ForumTopics.Where(t => t.Id == topicId).Select(t => t.ReplyCount).SingleAsync()));
        queued = Assert.Single((await (await agent.GetAsync("/api/v1/forum/moderation/queue")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal("Held", queued.Str("state"));
        Assert.StartsWith("Hidden by member flags: spam ×4", queued.Str("heldReason"));
        var audit = await (await admin.GetAsync("/api/v1/audit?action=forum.post-auto-hidden")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), a => a.Str("targetId") == replyId.ToString() && a.Str("actorName") == "system");

        // The moderator disagrees: published again, every flag closed, and the classifier learns it was fine.
        await (await agent.PostAsync($"/api/v1/forum/posts/{replyId}/moderation", new { action = "Approve" })).JsonAsync(HttpStatusCode.OK);
        Assert.Contains("education discount", await ForumKit.PageAsync(ForumKit.Browser(app), $"/forum/t/{topicId}"));
        Assert.Equal(1, await app.DbAsync(db => db.ForumTopics.Where(t => t.Id == topicId).Select(t => t.ReplyCount).SingleAsync()));
        Assert.Equal(6, await app.DbAsync(db => db.ForumFlags.CountAsync(f => f.PostId == replyId && f.Resolution == FlagResolution.Disagreed)));
        Assert.Empty((await (await agent.GetAsync("/api/v1/forum/moderation/queue")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal(1, await app.DbAsync(db => db.ModerationExamples.CountAsync(e => e.PostId == replyId && e.Spam == false)));
    }

    [Theory, Providers]
    public async Task Agreeing_with_flags_takes_the_topic_down_for_readers_but_not_for_staff_and_teaches_the_classifier(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await ForumKit.CategoryAsync(admin, "General", "general");
        // A lower threshold: one Member-level flag (weight 2) is enough.
        await (await admin.Http.PutAsJsonAsync("/api/v1/community/settings", new { flagThreshold = 2 })).JsonAsync(HttpStatusCode.OK);
        await (await agent.Http.PutAsJsonAsync("/api/v1/community/settings", new { flagThreshold = 1 })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await admin.Http.PutAsJsonAsync("/api/v1/community/settings", new { flagThreshold = 0 })).ProblemAsync(HttpStatusCode.BadRequest);

        var seller = await ForumKit.MemberAsync(app, "seller");
        var topicId = await ForumKit.StartTopicAsync(seller.Http, "general", "Cheap watches for sale", "Selling my old watches, write to me if you want one.");
        var postId = await ForumKit.PostIdAsync(app, topicId, 1);
        Assert.Equal(PostState.Visible, await StateAsync(app, postId));
        var mia = await ForumKit.MemberAsync(app, "mia", TrustLevel.Member);
        var flagged = await FlagAsync(mia, topicId, postId, "Spam", "Selling watches");
        // The whole topic went with its first post: back to the category.
        Assert.Equal("/forum/c/general?notice=flag-hidden", flagged.Headers.Location!.ToString());
        await ForumKit.PageAsync(mia.Http, $"/forum/t/{topicId}", HttpStatusCode.NotFound);

        await (await agent.PostAsync($"/api/v1/forum/posts/{postId}/moderation", new { action = "Delete", reason = "Spam" })).JsonAsync(HttpStatusCode.OK);
        foreach (var reader in new[] { ForumKit.Browser(app), mia.Http, seller.Http })
        {
            await ForumKit.PageAsync(reader, $"/forum/t/{topicId}", HttpStatusCode.NotFound);
            Assert.DoesNotContain("Cheap watches", await ForumKit.PageAsync(reader, "/forum/c/general"));
        }
        var staffView = await (await agent.GetAsync($"/api/v1/forum/topics/{topicId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Deleted", staffView.Str("state"));
        Assert.Equal(1, await app.DbAsync(db => db.ForumFlags.CountAsync(f => f.PostId == postId && f.Resolution == FlagResolution.Agreed && f.ResolvedByName != null)));
        Assert.Equal(1, await app.DbAsync(db => db.ModerationExamples.CountAsync(e => e.PostId == postId && e.Spam == true)));
        var audit = await (await admin.GetAsync("/api/v1/audit?action=forum.post-deleted")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), a => a.Str("details").Contains("1 flag agreed with"));
    }
}
