using System.Net;
using Chorus.Features.Forum.Posting;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Forum;

/// How far a member read a topic: remembered as they read (one row per member and topic that only moves
/// forward), shown back to them as the line where the posts new since their last visit begin.
public class TopicReadingTests
{
    [Theory, Providers]
    public async Task A_member_sees_where_new_posts_begin_and_their_reading_only_moves_forward(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:RateLimits:ForumPostsPerMinute"] = "1000";
        await ForumKit.CategoryAsync(await app.StaffAsync("admin"), "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var cara = await ForumKit.MemberAsync(app, "cara");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Export to CSV?", "Can I export my reports to CSV?");
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Redirect, (await ForumKit.PostReplyAsync(ann.Http, topicId, $"More detail, part {i}.")).StatusCode);
        Task<int?> ReadUpTo() => app.DbAsync(db => db.ForumTopicReads.Where(r => r.MemberId == cara.MemberId && r.TopicId == topicId).Select(r => (int?)r.HighestPosition).SingleOrDefaultAsync());

        // The first visit: everything is new, so no line; the four posts are read.
        var first = await ForumKit.PageAsync(cara.Http, $"/forum/t/{topicId}");
        Assert.DoesNotContain("id=\"unread-marker\"", first);
        Assert.Equal(4, await ReadUpTo());

        // Two replies later the line sits between the last post read and the first new one.
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Redirect, (await ForumKit.PostReplyAsync(ann.Http, topicId, $"Found it, step {i}.")).StatusCode);
        var second = await ForumKit.PageAsync(cara.Http, $"/forum/t/{topicId}");
        var marker = second.IndexOf("id=\"unread-marker\"", StringComparison.Ordinal);
        Assert.True(marker > 0, "the new-posts line is shown");
        Assert.Contains("New since your last visit", second);
        Assert.True(second.IndexOf($"id=\"post-{await ForumKit.PostIdAsync(app, topicId, 4)}\"", StringComparison.Ordinal) < marker);
        Assert.True(second.IndexOf($"id=\"post-{await ForumKit.PostIdAsync(app, topicId, 5)}\"", StringComparison.Ordinal) > marker);
        Assert.Equal(6, await ReadUpTo());
        Assert.DoesNotContain("id=\"unread-marker\"", await ForumKit.PageAsync(cara.Http, $"/forum/t/{topicId}")); // read now

        // A second page: reading it, then page 1 again, leaves the reading at the end of page 2.
        for (var i = 0; i < ForumLimits.PageSize; i++) Assert.Equal(HttpStatusCode.Redirect, (await ForumKit.PostReplyAsync(ann.Http, topicId, $"Another way, number {i}.")).StatusCode);
        var pageTwo = await ForumKit.PageAsync(cara.Http, $"/forum/t/{topicId}?page=2");
        Assert.Contains("id=\"unread-marker\"", pageTwo); // posts 21–26 are new, and that page starts with post 21
        Assert.Equal(6 + ForumLimits.PageSize, await ReadUpTo());
        Assert.DoesNotContain("id=\"unread-marker\"", await ForumKit.PageAsync(cara.Http, $"/forum/t/{topicId}")); // she read past page 1
        Assert.Equal(6 + ForumLimits.PageSize, await ReadUpTo());

        // An anonymous reader sees no line and leaves no reading behind.
        var reads = await app.DbAsync(db => db.ForumTopicReads.CountAsync());
        Assert.DoesNotContain("id=\"unread-marker\"", await ForumKit.PageAsync(ForumKit.Browser(app), $"/forum/t/{topicId}"));
        Assert.Equal(reads, await app.DbAsync(db => db.ForumTopicReads.CountAsync()));
    }
}
