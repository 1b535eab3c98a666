using System.Net;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests.PressRoom;

/// Coverage logged by hand: sentiment scored from the headline and summary, coverage over time, and
/// share of voice against competitors named in headlines.
public class CoverageTests
{
    [Theory, Providers]
    public async Task Articles_are_scored_counted_over_time_and_weighed_against_competitors(Provider provider)
    {
        await using var kit = await PressKit.StartAsync(provider);
        var release = await kit.ApprovedAsync();
        await kit.PublishAsync(release);
        async Task<System.Text.Json.JsonElement> Log(string url, string headline, string on, long? reach = null, Guid? releaseId = null, string? summary = null) =>
            await (await kit.Author.PostAsync("/api/v1/coverage", new { url, headline, publishedOn = on, reach, releaseId, summary })).JsonAsync(HttpStatusCode.Created);

        var good = await Log("https://www.pixelpost.example.test/starfall", "Starfall 2.0 is a brilliant, generous update", "2026-11-02", 80_000, release);
        Assert.Equal("positive", good.Str("sentimentLabel"));
        Assert.Equal("pixelpost.example.test", good.Str("outlet")); // from the address when none is given
        Assert.Equal(release, good.GetProperty("releaseId").GetGuid());
        var bad = await Log("https://gamewire.example.test/crash", "Starfall patch is a buggy, frustrating mess", "2026-11-03", 20_000);
        Assert.Equal("negative", bad.Str("sentimentLabel"));
        await Log("https://gamewire.example.test/nebula", "Nebula Forge announces its own space sim", "2026-11-03");
        await Log("https://techdaily.example.test/roundup", "Space sims this winter: Nebula Forge, Orbital and more", "2026-11-10", summary: "Nebula Forge leads");
        await Log("https://techdaily.example.test/orbitals", "The orbitals of Jupiter", "2026-11-11"); // "Orbital" as a word only

        var duplicate = await (await kit.Author.PostAsync("/api/v1/coverage", new { url = "https://gamewire.example.test/crash", headline = "Again" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("This article is logged already.", duplicate.GetProperty("errors").GetProperty("url")[0].GetString());
        var future = await (await kit.Author.PostAsync("/api/v1/coverage", new { url = "https://x.example.test/a", headline = "Soon", publishedOn = "2999-01-01" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(future.GetProperty("errors").TryGetProperty("publishedOn", out _));

        foreach (var name in new[] { "Nebula Forge", "Orbital" })
            await (await kit.Author.PostAsync("/api/v1/coverage/competitors", new { name })).JsonAsync(HttpStatusCode.Created);
        await (await kit.Author.PostAsync("/api/v1/coverage/competitors", new { name = "nebula forge" })).ProblemAsync(HttpStatusCode.BadRequest);

        var voice = await (await kit.Author.GetAsync("/api/v1/coverage/share-of-voice?from=2026-11-01&to=2026-11-30")).JsonAsync(HttpStatusCode.OK);
        var shares = voice.GetProperty("voices").EnumerateArray().ToDictionary(v => v.Str("name"), v => v.GetProperty("articles").GetInt32());
        // Ours: the two Starfall pieces and the Jupiter one (no competitor named); Nebula Forge: two; Orbital: the roundup.
        Assert.Equal(new Dictionary<string, int> { ["Us"] = 3, ["Nebula Forge"] = 2, ["Orbital"] = 1 }, shares);
        Assert.Equal(0.5, voice.GetProperty("voices")[0].GetProperty("share").GetDouble());

        var weekly = await (await kit.Author.GetAsync("/api/v1/coverage/over-time?from=2026-09-01&to=2026-11-30")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("week", weekly.Str("bucket"));
        var week = weekly.GetProperty("points").EnumerateArray().Single(p => p.Str("start") == "2026-11-02"); // a Monday
        Assert.Equal(3, week.GetProperty("articles").GetInt32());
        Assert.Equal(100_000, week.GetProperty("reach").GetInt64());
        var daily = await (await kit.Author.GetAsync($"/api/v1/coverage/over-time?from=2026-11-01&to=2026-11-30&releaseId={release}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(("day", 30, 1), (daily.Str("bucket"), daily.GetProperty("points").GetArrayLength(), daily.GetProperty("articles").GetInt32()));
    }
}
