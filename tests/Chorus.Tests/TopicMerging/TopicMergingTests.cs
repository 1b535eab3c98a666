using System.Net;
using System.Text.Json;
using Chorus.Features.Forum;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.TopicMerging;

/// Moderators merge a duplicate topic into the one that stays (posts in the order written, the old address,
/// feed and post links lead there) and split replies off into a topic of their own. Both audited.
public class TopicMergingTests
{
    private static async Task<List<(Guid Id, int Position, string Author)>> PostsAsync(ChorusFactory app, Guid topicId) =>
        (await app.DbAsync(db => db.ForumPosts.AsNoTracking().Where(p => p.TopicId == topicId).OrderBy(p => p.Position)
            .Select(p => new { p.Id, p.Position, p.AuthorName }).ToListAsync())).Select(p => (p.Id, p.Position, p.AuthorName)).ToList();

    private static async Task<Guid> ReplyAsync(ChorusFactory app, MemberBrowser who, Guid topicId, string body)
    {
        var response = await ForumKit.PostReplyAsync(who.Http, topicId, body);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return Guid.Parse(response.Headers.Location!.ToString().Split("#post-")[1]);
    }

    [Theory, Providers]
    public async Task Merging_moves_every_post_into_the_topic_that_stays_in_the_order_written_and_old_links_lead_there(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:RateLimits:ForumPostsPerMinute"] = "1000";
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");

        var duplicate = await ForumKit.StartTopicAsync(ann.Http, "general", "CSV export missing", "Where did the CSV export go?");
        var keeper = await ForumKit.StartTopicAsync(bob.Http, "general", "How do I export to CSV?", "I need my reports as CSV.");
        var a2 = await ReplyAsync(app, bob, duplicate, "Same question here, following.");
        var k2 = await ReplyAsync(app, ann, keeper, "Reports → Export, top right.");
        var a3 = await ReplyAsync(app, ann, duplicate, "Found it: Reports → Export.");
        var a1 = await ForumKit.PostIdAsync(app, duplicate, 1);
        var k1 = await ForumKit.PostIdAsync(app, keeper, 1);
        await ann.Http.GetAsync($"/forum/t/{duplicate}"); // nothing special: just a reader

        var merged = await (await agent.PostAsync($"/api/v1/forum/topics/{duplicate}/merge", new { intoTopicId = keeper })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, merged.GetProperty("movedPosts").GetInt32());
        Assert.Equal(5, merged.GetProperty("postCount").GetInt32());

        // The keeper's first post stays first; the rest in the order written, numbered 1..5 without gaps.
        var posts = await PostsAsync(app, keeper);
        Assert.Equal([k1, a1, a2, k2, a3], posts.Select(p => p.Id).ToList());
        Assert.Equal([1, 2, 3, 4, 5], posts.Select(p => p.Position).ToList());
        var topic = await app.DbAsync(db => db.ForumTopics.AsNoTracking().SingleAsync(t => t.Id == keeper));
        Assert.Equal(4, topic.ReplyCount);
        Assert.Equal(5, topic.LastPosition);

        // The old address and feed lead to the topic that stays; post links find their posts there.
        var reader = ForumKit.Browser(app);
        var old = await reader.GetAsync($"/forum/t/{duplicate}");
        Assert.Equal(HttpStatusCode.MovedPermanently, old.StatusCode);
        Assert.Equal($"/forum/t/{keeper}", old.Headers.Location!.ToString());
        var oldFeed = await reader.GetAsync($"/forum/t/{duplicate}/feed.rss");
        Assert.Equal(HttpStatusCode.MovedPermanently, oldFeed.StatusCode);
        Assert.Equal($"/forum/t/{keeper}/feed.rss", oldFeed.Headers.Location!.ToString());
        Assert.Contains("Found it: Reports → Export.", await ForumKit.PageAsync(reader, $"/forum/t/{keeper}/feed.rss"));
        Assert.Equal($"/forum/t/{keeper}#post-{a3}", (await reader.GetAsync($"/forum/p/{a3}")).Headers.Location!.ToString());
        var page = await ForumKit.PageAsync(reader, $"/forum/t/{keeper}");
        Assert.True(page.IndexOf("Where did the CSV export go?", StringComparison.Ordinal) < page.IndexOf("Reports → Export, top right.", StringComparison.Ordinal));
        // The category lists one topic now, for readers and for staff.
        var category = await ForumKit.PageAsync(reader, "/forum/c/general");
        Assert.DoesNotContain("CSV export missing", category);
        Assert.Contains("How do I export to CSV?", category);
        var staffView = await (await agent.GetAsync($"/api/v1/forum/topics/{duplicate}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("CSV export missing", staffView);

        // A reply still addressed to the old topic (an API client, the inbox bridge) lands in the one that stays.
        var late = (await (await agent.PostAsync($"/api/v1/forum/topics/{duplicate}/replies", new { body = "Glad it works: we also documented it." })).JsonAsync(HttpStatusCode.Created))
            .GetProperty("postId").GetGuid();
        Assert.Equal(6, (await PostsAsync(app, keeper)).Single(p => p.Id == late).Position);

        // Merging again, into itself or into nothing: a clear refusal and nothing changes.
        Assert.Equal(HttpStatusCode.Conflict, (await agent.PostAsync($"/api/v1/forum/topics/{duplicate}/merge", new { intoTopicId = keeper })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await agent.PostAsync($"/api/v1/forum/topics/{keeper}/merge", new { intoTopicId = keeper })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await agent.PostAsync($"/api/v1/forum/topics/{keeper}/merge", new { intoTopicId = Guid.NewGuid() })).StatusCode);
        Assert.Equal(6, (await PostsAsync(app, keeper)).Count);

        var audit = await (await admin.GetAsync("/api/v1/audit?action=forum.topics-merged")).JsonAsync(HttpStatusCode.OK);
        var entry = Assert.Single(audit.EnumerateArray());
        Assert.Contains("“CSV export missing” (3 posts) into “How do I export to CSV?”", entry.Str("details"));
    }

    [Theory, Providers]
    public async Task Splitting_moves_the_selected_replies_into_a_new_topic_in_the_chosen_category(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:RateLimits:ForumPostsPerMinute"] = "1000";
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ideas = (await ForumKit.CategoryAsync(admin, "Ideas", "ideas")).GetProperty("id").GetGuid();
        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");
        var cara = await ForumKit.MemberAsync(app, "cara");

        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "How do I export to CSV?", "I need my reports as CSV.");
        var r2 = await ReplyAsync(app, bob, topicId, "Reports → Export, top right.");
        var r3 = await ReplyAsync(app, cara, topicId, "Side note: a dark mode would be lovely.");
        var r4 = await ReplyAsync(app, ann, topicId, "Thanks, found it.");
        var r5 = await ReplyAsync(app, bob, topicId, "Agreed on dark mode, my eyes hurt.");

        // Bad selections are refused with a reason, and nothing moves.
        async Task<HttpResponseMessage> Split(object body) => await agent.PostAsync($"/api/v1/forum/topics/{topicId}/split", body);
        var first = await ForumKit.PostIdAsync(app, topicId, 1);
        Assert.Contains("first post stays", (await (await Split(new { postIds = new[] { first, r3 }, title = "Dark mode", categoryId = ideas })).JsonAsync(HttpStatusCode.BadRequest)).GetRawText());
        Assert.Contains("not in this topic", (await (await Split(new { postIds = new[] { Guid.NewGuid() }, title = "Dark mode", categoryId = ideas })).JsonAsync(HttpStatusCode.BadRequest)).GetRawText());
        Assert.Equal(HttpStatusCode.BadRequest, (await Split(new { postIds = new[] { r3 }, title = "DM", categoryId = ideas })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Split(new { postIds = new[] { r3 }, title = "Dark mode", categoryId = Guid.NewGuid() })).StatusCode);
        Assert.Equal(5, (await PostsAsync(app, topicId)).Count);

        var split = await (await Split(new { postIds = new[] { r5, r3 }, title = "Dark mode, please", categoryId = ideas })).JsonAsync(HttpStatusCode.Created);
        var newId = split.GetProperty("newTopicId").GetGuid();
        Assert.Equal(2, split.GetProperty("movedPosts").GetInt32());

        var created = await app.DbAsync(db => db.ForumTopics.AsNoTracking().SingleAsync(t => t.Id == newId));
        Assert.Equal(("Dark mode, please", ideas, "cara", cara.MemberId), (created.Title, created.CategoryId, created.AuthorName, created.AuthorMemberId));
        Assert.Equal(PostState.Visible, created.State);
        Assert.Equal(1, created.ReplyCount);
        Assert.Equal([(r3, 1, "cara"), (r5, 2, "bob")], await PostsAsync(app, newId));
        var source = await app.DbAsync(db => db.ForumTopics.AsNoTracking().SingleAsync(t => t.Id == topicId));
        Assert.Equal(2, source.ReplyCount);
        Assert.Equal([first, r2, r4], (await PostsAsync(app, topicId)).Select(p => p.Id).ToList());

        // Links to the moved replies find them in the new topic; the new topic is listed in its category.
        var reader = ForumKit.Browser(app);
        Assert.Equal($"/forum/t/{newId}#post-{r5}", (await reader.GetAsync($"/forum/p/{r5}")).Headers.Location!.ToString());
        Assert.Contains("Dark mode, please", await ForumKit.PageAsync(reader, "/forum/c/ideas"));
        Assert.DoesNotContain("my eyes hurt", await ForumKit.PageAsync(reader, $"/forum/t/{topicId}"));
        // Both topics keep taking replies (the source's numbers go on after the gap).
        await ReplyAsync(app, ann, topicId, "One more question about CSV.");
        await ReplyAsync(app, ann, newId, "Dark mode is on the roadmap.");
        Assert.Equal(3, (await PostsAsync(app, newId)).Count);

        var audit = await (await admin.GetAsync("/api/v1/audit?action=forum.topic-split")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains("2 replies from “How do I export to CSV?” into the new topic “Dark mode, please” in Ideas & feedback", Assert.Single(audit.EnumerateArray()).Str("details"));
    }

    [Theory, Providers]
    public async Task Merge_and_split_forms_are_for_staff_only_and_check_their_token(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var one = await ForumKit.StartTopicAsync(ann.Http, "general", "First topic here", "Opening post.");
        var two = await ForumKit.StartTopicAsync(ann.Http, "general", "Second topic here", "Opening post.");
        await ReplyAsync(app, ann, one, "A reply to split.");

        // Members see no staff tools and are refused.
        var memberPage = await ForumKit.PageAsync(ann.Http, $"/forum/t/{one}");
        Assert.DoesNotContain("id=\"merge-topic\"", memberPage);
        Assert.DoesNotContain("id=\"split-topic\"", memberPage);
        var refused = await ForumKit.ActAsync(ann.Http, $"/forum/t/{one}", $"/forum/topics/{one}/merge", new() { ["into"] = two.ToString() });
        Assert.Contains("/account/login", refused.Headers.Location?.ToString() ?? ""); // a member's cookie is not a staff sign-in
        Assert.Null(await app.DbAsync(db => db.ForumTopics.Where(t => t.Id == one).Select(t => t.MergedIntoId).SingleAsync()));

        // Staff merge from the page's form by pasting the other topic's address; a form without its token is refused.
        var staff = ForumKit.Browser(app);
        var login = await Forms.OpenAsync(staff, "/account/login");
        login["Input.Email"] = ChorusFactory.AdminEmail;
        login["Input.Password"] = ChorusFactory.Password;
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(staff, "/account/login", login)).StatusCode);
        Assert.Contains("id=\"split-topic\"", await ForumKit.PageAsync(staff, $"/forum/t/{one}"));
        var forged = await staff.PostAsync($"/forum/topics/{one}/merge", new FormUrlEncodedContent(new Dictionary<string, string> { ["into"] = two.ToString() }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var notATopic = await ForumKit.ActAsync(staff, $"/forum/t/{one}", $"/forum/topics/{one}/merge", new() { ["into"] = "the other one" });
        Assert.Equal(HttpStatusCode.BadRequest, notATopic.StatusCode);
        Assert.Contains("Paste the address", await notATopic.Content.ReadAsStringAsync());
        var merged = await ForumKit.ActAsync(staff, $"/forum/t/{one}", $"/forum/topics/{one}/merge", new() { ["into"] = $"https://community.example.test/forum/t/{two}?page=1" });
        Assert.Equal($"/forum/t/{two}?notice=merged", merged.Headers.Location!.ToString());
        Assert.Contains("The topics are merged", await ForumKit.PageAsync(staff, merged.Headers.Location!.ToString()));
        Assert.Equal(two, await app.DbAsync(db => db.ForumTopics.Where(t => t.Id == one).Select(t => t.MergedIntoId).SingleAsync()));
    }
}
