using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests.Campaigns;

/// The newsroom's RSS, read by a real feed parser: the npm package rss-parser (3.13.0), installed
/// from the npm registry at test time into a cache folder, run with node.
public class NewsroomFeedTests
{
    private const string RssParserVersion = "3.13.0";

    [Theory, Providers]
    public async Task The_newsroom_feed_parses_with_rss_parser_and_lists_published_posts_newest_first(Provider provider)
    {
        await using var kit = await CampaignKit.StartAsync(provider);
        var first = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("Spring notes", "First *post*.", (kit.Newsroom, null)));
        await kit.SettledAsync(first);
        var second = await kit.ApprovedAndScheduledNowAsync(await kit.DraftAsync("Tips & tricks <for> \"pros\" 🎉", "Use `--fast` & enjoy <b>bold</b> claims.", (kit.Newsroom, null)));
        var published = await kit.SettledAsync(second);
        var link = CampaignKit.Delivery(published, "Newsroom").Str("externalUrl");
        // A draft is not in the feed.
        await kit.DraftAsync("Secret draft", "Not yet", (kit.Newsroom, null));

        var xml = await kit.App.CreateClient().GetStringAsync("/newsroom/rss.xml");
        var feed = await ParseAsync(xml);

        Assert.Equal("Newsroom", feed.GetProperty("title").GetString());
        Assert.Equal("https://chorus.example.test/newsroom", feed.GetProperty("link").GetString());
        var items = feed.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("Tips & tricks <for> \"pros\" 🎉", items[0].GetProperty("title").GetString());
        Assert.Equal(link, items[0].GetProperty("link").GetString());
        Assert.Equal(link, items[0].GetProperty("guid").GetString());
        Assert.Contains("<code>--fast</code> &amp; enjoy &lt;b&gt;bold&lt;/b&gt; claims.", items[0].GetProperty("content").GetString()); // staff HTML is shown, not run
        Assert.Equal("Spring notes", items[1].GetProperty("title").GetString());
        Assert.Contains("<em>post</em>", items[1].GetProperty("content").GetString());
        var date = DateTimeOffset.Parse(items[0].GetProperty("isoDate").GetString()!);
        Assert.InRange(date, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    /// Parses RSS with rss-parser under node; returns its JSON.
    internal static async Task<JsonElement> ParseAsync(string xml)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"chorus-rss-parser-{RssParserVersion}");
        if (!File.Exists(Path.Combine(dir, "node_modules", "rss-parser", "package.json")))
        {
            Directory.CreateDirectory(dir);
            var (code, output) = await RunAsync("npm", $"install --no-audit --no-fund --silent --prefix {dir} rss-parser@{RssParserVersion}", dir, null);
            Assert.True(code == 0, "npm install rss-parser failed: " + output);
        }
        var script = Path.Combine(dir, "parse.js");
        await File.WriteAllTextAsync(script, """
            const Parser = require('rss-parser');
            let xml = '';
            process.stdin.on('data', d => xml += d);
            process.stdin.on('end', async () => {
              try { process.stdout.write(JSON.stringify(await new Parser().parseString(xml))); }
              catch (e) { process.stderr.write(String(e)); process.exit(2); }
            });
            """);
        var (exit, json) = await RunAsync("node", script, dir, xml);
        Assert.True(exit == 0, "rss-parser refused the feed: " + json);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string args, string dir, string? stdin)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args)
        {
            WorkingDirectory = dir, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, p.ExitCode == 0 ? await stdout : await stderr + await stdout);
    }
}
