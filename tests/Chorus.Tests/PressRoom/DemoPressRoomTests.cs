using System.Net;
using Chorus.Features.Demo;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.PressRoom;

/// The demo workspace's press room: a media list with two journalists and a release on the newsroom.
public class DemoPressRoomTests
{
    [Theory, Providers]
    public async Task The_demo_has_a_media_list_of_two_journalists_and_a_published_release_on_the_newsroom(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:DemoWorkspace"] = "true";
        app.Settings["Chorus:DemoConversations"] = "40";
        var admin = await app.StaffAsync("admin");
        using (var scope = app.Services.CreateScope())
            Assert.NotNull(await scope.ServiceProvider.GetRequiredService<SeedDemoWorkspace>().RunIfEnabledAsync());

        var lists = await (await admin.GetAsync("/api/v1/media-lists")).JsonAsync(HttpStatusCode.OK);
        var list = Assert.Single(lists.EnumerateArray());
        var members = (await (await admin.GetAsync($"/api/v1/media-lists/{list.GetProperty("id")}")).JsonAsync(HttpStatusCode.OK)).GetProperty("members");
        Assert.Equal(["Hana Sato", "Ravi Menon"], members.EnumerateArray().Select(m => m.Str("name")).ToArray());
        Assert.All(members.EnumerateArray(), m => Assert.NotNull(m.Str("outlet")));

        var release = Assert.Single((await (await admin.GetAsync("/api/v1/press-releases")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal("published", release.Str("state"));
        var newsroom = await app.CreateClient().GetStringAsync("/newsroom");
        Assert.Contains("Starfall 2.0 brings four-player co-op to every platform", newsroom);
        var coverage = Assert.Single((await (await admin.GetAsync("/api/v1/coverage")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal("positive", coverage.Str("sentimentLabel"));
    }
}
