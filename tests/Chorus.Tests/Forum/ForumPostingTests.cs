using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Forum;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Forum;

/// The public forum as members and readers use it: static pages and forms, no JavaScript.
public class ForumPostingTests
{
    [Theory, Providers]
    public async Task A_member_starts_a_topic_others_reply_with_quotes_and_mentions_and_readers_see_safe_markdown(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await ForumKit.CategoryAsync(admin, "Help & support", "help");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");

        var topicId = await ForumKit.StartTopicAsync(ann.Http, "help", "Export stops at 99 %", "The **export** stops at 99 % every time.\n\n<script>alert(1)</script>");
        var reply = await ForumKit.PostReplyAsync(bob.Http, topicId, "@ann try `--resume`; it worked for me.\n\n[click](javascript:alert(2))");
        Assert.True(reply.StatusCode == HttpStatusCode.Redirect, await reply.Content.ReadAsStringAsync());
        Assert.Contains("posted=1", reply.Headers.Location!.ToString());

        // Quote: the reply form arrives filled with the quoted post.
        var firstPost = await ForumKit.PostIdAsync(app, topicId, 1);
        var quoting = await ForumKit.PageAsync(ann.Http, $"/forum/t/{topicId}?quote={firstPost}");
        Assert.Contains("&gt; **@ann** wrote:", quoting);

        var reader = ForumKit.Browser(app);
        var page = await ForumKit.PageAsync(reader, $"/forum/t/{topicId}");
        Assert.Contains("Export stops at 99 %", page);
        Assert.Contains("<strong>export</strong>", page);
        Assert.Contains("<code>--resume</code>", page);
        Assert.Contains("<a href=\"/forum/u/ann\">@ann</a>", page);
        Assert.DoesNotContain("<script>alert(1)</script>", page);
        Assert.DoesNotContain("javascript:alert", page);
        // Readers get no forms that change anything, only the way to sign in.
        Assert.Contains("id=\"reply-sign-in\"", page);
        Assert.DoesNotContain("data-test=\"like\"", page);

        var category = await ForumKit.PageAsync(reader, "/forum/c/help");
        Assert.Contains("Export stops at 99 %", category);
        var index = await ForumKit.PageAsync(reader, "/forum");
        Assert.Contains("Help &amp; support", index);
        Assert.Contains("Ideas &amp; feedback", index);

        // Ann's posts are on her person's timeline for staff.
        var person = await (await admin.GetAsync($"/api/v1/people/{ann.PersonId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(person.GetProperty("identities").EnumerateArray(), i => i.Str("kind") == "Forum" && i.Str("handle") == "ann");
        Assert.Contains(person.GetProperty("timeline").EnumerateArray(), t => t.Str("kind") == "forum.topic" && t.Str("text").Contains("Export stops at 99 %"));
    }

    [Theory, Providers]
    public async Task Submitting_the_same_reply_form_twice_posts_once(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await ForumKit.CategoryAsync(await app.StaffAsync("admin"), "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Hello everyone", "Glad to be here.");
        var fields = await Forms.OpenAsync(ann.Http, $"/forum/t/{topicId}");
        fields["Input.Body"] = "A reply sent with a double click.";
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(ann.Http, $"/forum/t/{topicId}", fields)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(ann.Http, $"/forum/t/{topicId}", fields)).StatusCode);
        Assert.Equal(2, await app.DbAsync(db => db.ForumPosts.CountAsync(p => p.TopicId == topicId)));
        Assert.Equal(1, await app.DbAsync(db => db.ForumTopics.Where(t => t.Id == topicId).Select(t => t.ReplyCount).SingleAsync()));
    }

    [Theory, Providers]
    public async Task Every_forum_form_refuses_a_post_without_its_antiforgery_token(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Hello everyone", "Glad to be here.");
        var postId = await ForumKit.PostIdAsync(app, topicId, 1);

        var reply = await Forms.OpenAsync(bob.Http, $"/forum/t/{topicId}");
        reply["Input.Body"] = "Forged reply";
        reply.Remove(Forms.AntiforgeryField);
        Assert.Equal(HttpStatusCode.BadRequest, (await Forms.PostAsync(bob.Http, $"/forum/t/{topicId}", reply)).StatusCode);
        var topic = await Forms.OpenAsync(bob.Http, "/forum/c/general/new");
        topic["Input.Title"] = "Forged topic";
        topic["Input.Body"] = "Forged";
        topic.Remove(Forms.AntiforgeryField);
        Assert.Equal(HttpStatusCode.BadRequest, (await Forms.PostAsync(bob.Http, "/forum/c/general/new", topic)).StatusCode);
        foreach (var action in new[] { $"/forum/posts/{postId}/like", $"/forum/posts/{postId}/accept", "/forum/sign-out" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await Forms.PostAsync(bob.Http, action, new Dictionary<string, string>())).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await Forms.PostAsync(bob.Http, action, new Dictionary<string, string> { [Forms.AntiforgeryField] = "CfDJ8forged" })).StatusCode);
        }
        Assert.Equal(1, await app.DbAsync(db => db.ForumPosts.CountAsync()));
        Assert.Equal(0, await app.DbAsync(db => db.ForumLikes.CountAsync()));
        // Still signed in: the forged sign-out did nothing.
        Assert.Contains("id=\"forum-me\"", await ForumKit.PageAsync(bob.Http, "/forum"));
    }

    [Theory, Providers]
    public async Task Likes_toggle_count_once_per_member_and_never_on_your_own_post(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await ForumKit.CategoryAsync(await app.StaffAsync("admin"), "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Show and tell", "Here is what I built.");
        var postId = await ForumKit.PostIdAsync(app, topicId, 1);
        var page = $"/forum/t/{topicId}";

        var liked = await ForumKit.ActAsync(bob.Http, page, $"/forum/posts/{postId}/like");
        Assert.Equal(HttpStatusCode.Redirect, liked.StatusCode);
        Assert.EndsWith($"#post-{postId}", liked.Headers.Location!.ToString());
        Assert.Contains("aria-pressed=\"true\"", await ForumKit.PageAsync(bob.Http, page));
        Assert.Equal(1, await app.DbAsync(db => db.ForumPosts.Where(p => p.Id == postId).Select(p => p.LikeCount).SingleAsync()));

        var own = await ForumKit.ActAsync(ann.Http, page, $"/forum/posts/{postId}/like");
        Assert.Contains("notice=own-post", own.Headers.Location!.ToString());
        Assert.Equal(1, await app.DbAsync(db => db.ForumPosts.Where(p => p.Id == postId).Select(p => p.LikeCount).SingleAsync()));

        await ForumKit.ActAsync(bob.Http, page, $"/forum/posts/{postId}/like");
        Assert.Equal(0, await app.DbAsync(db => db.ForumPosts.Where(p => p.Id == postId).Select(p => p.LikeCount).SingleAsync()));

        // Anonymous: sent to sign in, nothing counted.
        var stranger = ForumKit.Browser(app);
        var anonymous = await ForumKit.ActAsync(stranger, "/forum/sign-in", $"/forum/posts/{postId}/like");
        Assert.StartsWith("/forum/sign-in", anonymous.Headers.Location!.ToString());
        Assert.Equal(0, await app.DbAsync(db => db.ForumLikes.CountAsync()));
    }

    [Theory, Providers]
    public async Task Only_the_topic_author_or_staff_accept_an_answer_and_it_shows_as_accepted(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await ForumKit.CategoryAsync(admin, "Help", "help");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");
        var cat = await ForumKit.MemberAsync(app, "cat");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "help", "How do I export to CSV?", "I cannot find the export.");
        await ForumKit.PostReplyAsync(bob.Http, topicId, "Settings, then Data, then Export.");
        var answer = await ForumKit.PostIdAsync(app, topicId, 2);
        var page = $"/forum/t/{topicId}";

        Assert.Equal(HttpStatusCode.Forbidden, (await ForumKit.ActAsync(cat.Http, page, $"/forum/posts/{answer}/accept")).StatusCode);
        Assert.Null(await app.DbAsync(db => db.ForumTopics.Where(t => t.Id == topicId).Select(t => t.AcceptedPostId).SingleAsync()));
        // The question cannot answer itself.
        var question = await ForumKit.PostIdAsync(app, topicId, 1);
        Assert.Contains("notice=not-an-answer", (await ForumKit.ActAsync(ann.Http, page, $"/forum/posts/{question}/accept")).Headers.Location!.ToString());

        Assert.Equal(HttpStatusCode.Redirect, (await ForumKit.ActAsync(ann.Http, page, $"/forum/posts/{answer}/accept")).StatusCode);
        Assert.Equal(answer, await app.DbAsync(db => db.ForumTopics.Where(t => t.Id == topicId).Select(t => t.AcceptedPostId).SingleAsync()));
        var html = await ForumKit.PageAsync(ForumKit.Browser(app), page);
        Assert.Contains("id=\"topic-answered\"", html);
        Assert.Contains("data-test=\"accepted\"", html);
        Assert.Contains("Answered", await ForumKit.PageAsync(ForumKit.Browser(app), "/forum/c/help"));
        var profile = await ForumKit.PageAsync(ForumKit.Browser(app), "/forum/u/bob");
        Assert.Contains("Accepted answers</dt><dd>1</dd>", profile);
    }

    [Theory, Providers]
    public async Task Staff_reply_as_official_pin_and_lock_and_a_locked_topic_refuses_member_replies(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer");
        await ForumKit.CategoryAsync(admin, "Help", "help");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var older = await ForumKit.StartTopicAsync(ann.Http, "help", "Older question", "Asked first.");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "help", "Sync fails on Android", "Since the update sync fails.");

        var official = await (await agent.PostAsync($"/api/v1/forum/topics/{topicId}/replies", new { body = "We are on it: a fix ships tomorrow." })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("Visible", official.Str("state"));
        await (await viewer.PostAsync($"/api/v1/forum/topics/{topicId}/replies", new { body = "Viewers only read." })).ProblemAsync(HttpStatusCode.Forbidden);
        var html = await ForumKit.PageAsync(ForumKit.Browser(app), $"/forum/t/{topicId}");
        Assert.Contains("data-test=\"official\"", html);
        Assert.Contains("a fix ships tomorrow", html);

        await (await agent.PostAsync($"/api/v1/forum/topics/{older}/pin", new { value = true })).JsonAsync(HttpStatusCode.OK);
        var category = await ForumKit.PageAsync(ForumKit.Browser(app), "/forum/c/help");
        Assert.True(category.IndexOf("Older question", StringComparison.Ordinal) < category.IndexOf("Sync fails on Android", StringComparison.Ordinal), "the pinned topic comes first");

        await (await agent.PostAsync($"/api/v1/forum/topics/{topicId}/lock", new { value = true })).JsonAsync(HttpStatusCode.OK);
        var locked = await ForumKit.PageAsync(ann.Http, $"/forum/t/{topicId}");
        Assert.Contains("id=\"reply-locked\"", locked);
        // The form is gone; a reply posted anyway (from a tab opened before the lock) is refused and stores nothing.
        var fields = await Forms.OpenAsync(ann.Http, $"/forum/t/{older}");
        fields["Input.Body"] = "Replying to a locked topic";
        Assert.Equal(HttpStatusCode.BadRequest, (await Forms.PostAsync(ann.Http, $"/forum/t/{topicId}", fields)).StatusCode);
        Assert.Equal(2, await app.DbAsync(db => db.ForumPosts.CountAsync(p => p.TopicId == topicId)));

        var audit = await (await admin.GetAsync("/api/v1/audit?action=forum.")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), a => a.Str("action") == "forum.topic-pinned");
        Assert.Contains(audit.EnumerateArray(), a => a.Str("action") == "forum.topic-locked");
    }

    [Theory, Providers]
    public async Task A_topic_with_a_thousand_replies_pages_by_twenty_in_order(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var category = await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "The long thread", "Reply with your favourite number.");
        // 1,000 replies written straight to the store (posting them one by one through forms would test the limiter, not paging).
        await app.DbAsync(async db =>
        {
            var at = DateTimeOffset.UtcNow;
            for (var i = 2; i <= 1001; i++)
                db.ForumPosts.Add(new ForumPost { TopicId = topicId, Position = i, AuthorName = "ann", AuthorMemberId = ann.MemberId, Markdown = $"Number {i}", Html = $"<p>Number {i}</p>", Text = $"Number {i}", CreatedAt = at.AddSeconds(i) });
            await db.ForumTopics.Where(t => t.Id == topicId).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastPosition, 1001).SetProperty(t => t.ReplyCount, 1000));
            return await db.SaveChangesAsync();
        });

        var reader = ForumKit.Browser(app);
        // 1,001 posts: pages 1-50 hold 20 each, page 51 the last one.
        var last = await ForumKit.PageAsync(reader, $"/forum/t/{topicId}?page=51");
        Assert.Contains("<p>Number 1001</p>", last);
        Assert.DoesNotContain("<p>Number 1000</p>", last);
        var fifty = await ForumKit.PageAsync(reader, $"/forum/t/{topicId}?page=50");
        Assert.Contains("<p>Number 981</p>", fifty);
        Assert.Contains("<p>Number 1000</p>", fifty);
        var middle = await ForumKit.PageAsync(reader, $"/forum/t/{topicId}?page=26");
        Assert.Equal(20, System.Text.RegularExpressions.Regex.Matches(middle, "data-test=\"post\"").Count);
        Assert.Contains("<p>Number 501</p>", middle);
        Assert.Contains("<p>Number 520</p>", middle);
        Assert.Contains("rel=\"next\"", middle);
        Assert.Contains("rel=\"prev\"", middle);
        // A post's permanent address lands on its page.
        var post700 = await ForumKit.PostIdAsync(app, topicId, 700);
        var located = await reader.GetAsync($"/forum/p/{post700}");
        Assert.Equal($"/forum/t/{topicId}?page=35#post-{post700}", located.Headers.Location!.ToString());
        // A page past the end shows the last one.
        Assert.Contains("<p>Number 1001</p>", await ForumKit.PageAsync(reader, $"/forum/t/{topicId}?page=9999"));
        Assert.Equal(category.GetProperty("id").GetGuid(), await app.DbAsync(db => db.ForumTopics.Where(t => t.Id == topicId).Select(t => t.CategoryId).SingleAsync()));
    }

    [Theory, Providers]
    public async Task Search_and_feeds_show_published_posts_only(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await ForumKit.CategoryAsync(admin, "Help", "help");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "help", "Webhooks retry forever", "My webhook endpoint gets the same event again and again.");
        await ForumKit.PostReplyAsync(ann.Http, topicId, "Also the Zanzibar integration retries.");
        var second = await ForumKit.PostIdAsync(app, topicId, 2);
        await (await agent.PostAsync($"/api/v1/forum/posts/{second}/moderation", new { action = "Hide", reason = "OffTopic" })).JsonAsync(HttpStatusCode.OK);

        var reader = ForumKit.Browser(app);
        var found = await ForumKit.PageAsync(reader, "/forum/search?q=WEBHOOK+event");
        Assert.Contains("data-test=\"search-hit\"", found);
        Assert.Contains("Webhooks retry forever", found);
        Assert.Contains("id=\"search-empty\"", await ForumKit.PageAsync(reader, "/forum/search?q=zanzibar"));
        Assert.Contains("id=\"search-empty\"", await ForumKit.PageAsync(reader, "/forum/search?q=%25_%25"));

        var categoryFeed = await reader.GetAsync("/forum/c/help/feed.rss");
        Assert.Equal("application/rss+xml", categoryFeed.Content.Headers.ContentType!.MediaType);
        var rss = System.Xml.Linq.XDocument.Parse(await categoryFeed.Content.ReadAsStringAsync());
        Assert.Equal(["Webhooks retry forever"], rss.Descendants("item").Select(i => i.Element("title")!.Value).ToArray());
        var topicFeed = System.Xml.Linq.XDocument.Parse(await reader.GetStringAsync($"/forum/t/{topicId}/feed.rss"));
        Assert.Single(topicFeed.Descendants("item"));
        Assert.DoesNotContain("Zanzibar", topicFeed.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/forum/c/nope/feed.rss")).StatusCode);
    }
}
