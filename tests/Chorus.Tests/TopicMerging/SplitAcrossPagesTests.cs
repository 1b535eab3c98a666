using System.Net;
using Chorus.Common;
using Chorus.Features.Forum;
using Chorus.Features.Forum.Posting;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.TopicMerging;

/// A long topic's off-topic thread runs over several pages: a moderator splits it off by ticking replies and/or
/// giving a range of reply numbers ("#21 to #30", or "#40 and all after"), through the API and the page's form.
public class SplitAcrossPagesTests
{
    /// A topic of 45 posts (three pages of 20) by Ann and Bob, written through the forum's own posting service.
    private static async Task<(Guid Topic, List<Guid> Posts)> LongTopicAsync(ChorusFactory app, MemberBrowser ann, MemberBrowser bob)
    {
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "How do I export to CSV?", "I need my reports as CSV.");
        for (var i = 2; i <= 45; i++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var who = i % 2 == 0 ? bob : ann;
            var author = new ForumAuthor(who.MemberId, null, who.Username, TrustLevel.Basic, who.PersonId);
            var posted = await scope.ServiceProvider.GetRequiredService<PostToForum>().ReplyAsync(author, topicId, new ReplyInput { Body = $"Reply number {i}.", RequestId = Guid.NewGuid() });
            Assert.IsType<Outcome<PostReceipt>.Ok>(posted);
        }
        var posts = await app.DbAsync(db => db.ForumPosts.Where(p => p.TopicId == topicId).OrderBy(p => p.Position).Select(p => p.Id).ToListAsync());
        Assert.Equal(45, posts.Count);
        return (topicId, posts);
    }

    private static async Task<List<(Guid Id, int Position)>> PostsAsync(ChorusFactory app, Guid topicId) =>
        (await app.DbAsync(db => db.ForumPosts.AsNoTracking().Where(p => p.TopicId == topicId).OrderBy(p => p.Position).Select(p => new { p.Id, p.Position }).ToListAsync()))
        .Select(p => (p.Id, p.Position)).ToList();

    [Theory, Providers]
    public async Task Replies_ticked_on_one_page_and_a_range_over_other_pages_move_together_in_the_order_written(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ideas = (await ForumKit.CategoryAsync(admin, "Ideas", "ideas")).GetProperty("id").GetGuid();
        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");
        var (topicId, posts) = await LongTopicAsync(app, ann, bob);
        Guid At(int position) => posts[position - 1];
        async Task<HttpResponseMessage> Split(object body) => await agent.PostAsync($"/api/v1/forum/topics/{topicId}/split", body);

        // Ranges that cannot be split are refused with a reason, and nothing moves.
        Assert.Contains("first post (#1) stays", (await (await Split(new { fromPosition = 1, toPosition = 5, title = "Dark mode" })).JsonAsync(HttpStatusCode.BadRequest)).GetRawText());
        Assert.Contains("ends before it starts", (await (await Split(new { fromPosition = 30, toPosition = 21, title = "Dark mode" })).JsonAsync(HttpStatusCode.BadRequest)).GetRawText());
        Assert.Contains("no reply numbered #100 or after", (await (await Split(new { fromPosition = 100, title = "Dark mode" })).JsonAsync(HttpStatusCode.BadRequest)).GetRawText());
        Assert.Contains("or give a range", (await (await Split(new { title = "Dark mode" })).JsonAsync(HttpStatusCode.BadRequest)).GetRawText());
        Assert.Equal(45, (await PostsAsync(app, topicId)).Count);

        // #3 ticked on page 1, #21–#30 (page 2) as a range, #44 ticked on page 3: one new topic, in the order written.
        var split = await (await Split(new { postIds = new[] { At(44), At(3) }, fromPosition = 21, toPosition = 30, title = "Dark mode, please", categoryId = ideas }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal(12, split.GetProperty("movedPosts").GetInt32());
        var newId = split.GetProperty("newTopicId").GetGuid();
        List<Guid> expected = [At(3), .. Enumerable.Range(21, 10).Select(At), At(44)];
        Assert.Equal(expected, (await PostsAsync(app, newId)).Select(p => p.Id).ToList());
        Assert.Equal(Enumerable.Range(1, 12), (await PostsAsync(app, newId)).Select(p => p.Position));
        var created = await app.DbAsync(db => db.ForumTopics.AsNoTracking().SingleAsync(t => t.Id == newId));
        Assert.Equal(("Dark mode, please", ideas, "ann", 11), (created.Title, created.CategoryId, created.AuthorName, created.ReplyCount)); // #3 is Ann's
        Assert.Equal(33, (await PostsAsync(app, topicId)).Count);

        // "This one and all after" from #40: the replies still here from #40 on (#44 already left), the source's numbers keep their gaps.
        var rest = await (await Split(new { fromPosition = 40, title = "Export schedules" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(5, rest.GetProperty("movedPosts").GetInt32());
        Assert.Equal([At(40), At(41), At(42), At(43), At(45)], (await PostsAsync(app, rest.GetProperty("newTopicId").GetGuid())).Select(p => p.Id).ToList());
        var remaining = await PostsAsync(app, topicId);
        Assert.Equal(28, remaining.Count);
        Assert.Equal(39, remaining[^1].Position);
        var source = await app.DbAsync(db => db.ForumTopics.AsNoTracking().SingleAsync(t => t.Id == topicId));
        Assert.Equal((27, 45), (source.ReplyCount, source.LastPosition)); // the next reply is #46: links and numbers never repeat

        // Links to moved replies lead to their new topic's page.
        var reader = ForumKit.Browser(app);
        Assert.Equal($"/forum/t/{newId}#post-{At(44)}", (await reader.GetAsync($"/forum/p/{At(44)}")).Headers.Location!.ToString());
        var audit = await (await admin.GetAsync("/api/v1/audit?action=forum.topic-split")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, audit.GetArrayLength());
    }

    [Theory, Providers]
    public async Task The_split_form_on_a_later_page_takes_a_reply_and_all_after_it_from_its_split_from_here_link(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");
        var (topicId, posts) = await LongTopicAsync(app, ann, bob);

        var staff = ForumKit.Browser(app);
        var login = await Forms.OpenAsync(staff, "/account/login");
        login["Input.Email"] = ChorusFactory.AdminEmail;
        login["Input.Password"] = ChorusFactory.Password;
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(staff, "/account/login", login)).StatusCode);

        // Page 2 offers "Split from here" on each reply; its link opens the form with the number filled in.
        var page2 = await ForumKit.PageAsync(staff, $"/forum/t/{topicId}?page=2");
        Assert.Contains($"href=\"/forum/t/{topicId}?page=2&amp;splitFrom=35#split-topic\"", page2);
        var withFrom = await ForumKit.PageAsync(staff, $"/forum/t/{topicId}?page=2&splitFrom=35");
        Assert.Matches("id=\"split-from\"[^>]*value=\"35\"|value=\"35\"[^>]*id=\"split-from\"", withFrom);
        // Members and readers get neither the links nor the form.
        Assert.DoesNotContain("data-test=\"split-from\"", await ForumKit.PageAsync(ann.Http, $"/forum/t/{topicId}?page=2"));

        // A number that is not one is refused with a reason, and nothing moves.
        var fields = Forms.HiddenFields(withFrom[withFrom.IndexOf("id=\"split-topic\"", StringComparison.Ordinal)..]);
        var bad = await Forms.PostAsync(staff, $"/forum/topics/{topicId}/split", new Dictionary<string, string>(fields) { ["fromPosition"] = "thirty-five", ["title"] = "Export schedules" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("reply numbers", await bad.Content.ReadAsStringAsync());

        // Reply #35 and every one after it (pages 2 and 3) become the new topic.
        var done = await Forms.PostAsync(staff, $"/forum/topics/{topicId}/split", new Dictionary<string, string>(fields)
        {
            ["fromPosition"] = "35", ["toPosition"] = "", ["title"] = "Export schedules",
        });
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var location = done.Headers.Location!.ToString();
        Assert.EndsWith("?notice=split", location);
        var newId = Guid.Parse(location["/forum/t/".Length..location.IndexOf('?')]);
        Assert.Equal(posts[34..], (await PostsAsync(app, newId)).Select(p => p.Id).ToList());
        var newPage = await ForumKit.PageAsync(staff, location);
        Assert.Contains("Reply number 35.", newPage);
        Assert.Contains("Reply number 45.", newPage);
        Assert.Equal(34, (await PostsAsync(app, topicId)).Count);
        Assert.DoesNotContain("Reply number 35.", await ForumKit.PageAsync(staff, $"/forum/t/{topicId}?page=2"));
    }
}
