using System.Net;
using Chorus.Features.Campaigns;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Chorus.Tests.Campaigns;

/// /l/{code}: redirects with the link's UTM parameters and counts people's clicks, robots apart.
public class TrackedLinkTests
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    [Theory, Providers]
    public async Task A_tracked_link_redirects_with_utm_parameters_and_counts_people_not_robots(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var post = (await kit.DraftAsync("With a link", "See the link", (kit.Slack, null))).GetProperty("id").GetGuid();
        var created = await (await kit.Author.PostAsync($"/api/v1/campaigns/{kit.Campaign}/links", new
        {
            targetUrl = "https://shop.example.test/winter?ref=home&utm_source=old#buy", postId = post, utmMedium = "mastodon", utmContent = "hero",
        })).JsonAsync(HttpStatusCode.Created);
        var code = created.GetProperty("link").Str("code");
        Assert.Matches("^[a-km-zA-HJ-NP-Z2-9]{7}$", code);
        Assert.Equal($"https://chorus.example.test/l/{code}", created.Str("shortUrl"));
        const string destination = "https://shop.example.test/winter?ref=home&utm_source=chorus&utm_medium=mastodon&utm_campaign=winter-launch&utm_content=hero#buy";
        Assert.Equal(destination, created.GetProperty("link").Str("destination"));

        var browser = kit.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        async Task<HttpResponseMessage> Click(string? agent)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/l/{code}");
            if (agent is not null) request.Headers.TryAddWithoutValidation("User-Agent", agent);
            return await browser.SendAsync(request);
        }
        for (var i = 0; i < 3; i++)
        {
            var response = await Click(Firefox);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(destination, response.Headers.Location!.ToString());
        }
        foreach (var robot in new[] { "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "http.rb/5.1.1 (Mastodon/4.3.0; +https://mastodon.social/)",
                     "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "curl/8.5.0", null })
            Assert.Equal(HttpStatusCode.Redirect, (await Click(robot)).StatusCode); // robots are redirected too, just not counted as people

        var campaign = await (await kit.Author.GetAsync($"/api/v1/campaigns/{kit.Campaign}")).JsonAsync(HttpStatusCode.OK);
        var link = Assert.Single(campaign.GetProperty("links").EnumerateArray());
        Assert.Equal(3, link.GetProperty("clicks").GetInt64());
        Assert.Equal(6, link.GetProperty("botClicks").GetInt64());
        Assert.Equal(post, link.GetProperty("postId").GetGuid());
        var list = await (await kit.Author.GetAsync("/api/v1/campaigns")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, Assert.Single(list.EnumerateArray()).GetProperty("clicks").GetInt64());
        var onPost = await kit.PostAsync(post);
        Assert.Equal(code, Assert.Single(onPost.GetProperty("links").EnumerateArray()).Str("code"));

        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/l/nosuch1")).StatusCode);
    }

    [Theory, Providers]
    public async Task A_link_needs_a_web_address_and_a_post_of_its_own_campaign(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider, app => app.Settings["Chorus:Publishing:Dispatch"] = "false");
        var bad = await (await kit.Author.PostAsync($"/api/v1/campaigns/{kit.Campaign}/links", new { targetUrl = "javascript:alert(1)", postId = Guid.NewGuid() }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Give the address the link leads to (http:// or https://, up to 2,000 characters).", bad.GetProperty("errors").GetProperty("targetUrl")[0].GetString());
        Assert.Equal("That post is not in this campaign.", bad.GetProperty("errors").GetProperty("postId")[0].GetString());
        var outsider = await kit.App.StaffAsync("agent", "Support");
        await (await outsider.PostAsync($"/api/v1/campaigns/{kit.Campaign}/links", new { targetUrl = "https://example.test" })).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", false)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", false)]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", true)]
    [InlineData("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", true)]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", true)]
    [InlineData("", true)]
    public void Robots_are_told_from_people_by_their_user_agent(string agent, bool robot) =>
        Assert.Equal(robot, ManageTrackedLinks.IsRobot(agent));
}
