using System.Net;
using Chorus.Features.Forum;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests.Community;

/// Community health counts what happened in the forum: members, posts, answers and who gave them.
public class CommunityHealthTests
{
    [Theory, Providers]
    public async Task Health_counts_active_members_answers_by_members_and_staff_and_top_contributors(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var viewer = await app.StaffAsync("viewer");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var empty = await (await viewer.GetAsync("/api/v1/community/health?days=7")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, empty.GetProperty("posts").GetInt32());
        Assert.Equal(7, empty.GetProperty("perDay").GetArrayLength());

        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");
        var first = await ForumKit.StartTopicAsync(ann.Http, "general", "Calendar sync", "Does the calendar sync with Outlook?");
        await ForumKit.PostReplyAsync(bob.Http, first, "Yes, under Settings, Integrations.");
        var second = await ForumKit.StartTopicAsync(ann.Http, "general", "Mobile app", "Is there a mobile app?");
        await (await admin.PostAsync($"/api/v1/forum/topics/{second}/replies", new { body = "Not yet, it is on the roadmap." })).JsonAsync(HttpStatusCode.Created);
        await ForumKit.StartTopicAsync(ann.Http, "general", "Dark theme", "Any plans for a dark theme?");
        await ForumKit.ActAsync(ann.Http, $"/forum/t/{first}", $"/forum/posts/{await ForumKit.PostIdAsync(app, first, 2)}/accept");

        var health = await (await viewer.GetAsync("/api/v1/community/health?days=30")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, health.GetProperty("activeMembers").GetInt32());
        Assert.Equal(2, health.GetProperty("newMembers").GetInt32());
        Assert.Equal(5, health.GetProperty("posts").GetInt32());
        Assert.Equal(3, health.GetProperty("topics").GetInt32());
        Assert.Equal(2.0 / 3, health.GetProperty("answeredShare").GetDouble(), 3);
        Assert.Equal(1, health.GetProperty("answeredByMembers").GetInt32());
        Assert.Equal(1, health.GetProperty("answeredByStaff").GetInt32());
        Assert.Equal(0.5, health.GetProperty("membersHelpingShare").GetDouble(), 3);
        Assert.True(health.GetProperty("medianHoursToFirstResponse").GetDouble() >= 0);
        Assert.Equal(5, health.GetProperty("perDay").EnumerateArray().Sum(d => d.GetProperty("posts").GetInt32()));
        var top = health.GetProperty("topContributors")[0];
        Assert.Equal("bob", top.Str("username"));
        Assert.Equal(1, top.GetProperty("acceptedAnswers").GetInt32());
    }
}
