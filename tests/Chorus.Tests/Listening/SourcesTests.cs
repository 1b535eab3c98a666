using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Web;
using Chorus.Data;
using Microsoft.AspNetCore.Http;
using Chorus.Features.Listening.Mentions;
using Chorus.Features.Listening.Sources;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Listening;

/// Sources read from local servers that answer like reddit, Hacker News (Algolia), Mastodon and a blog,
/// with recorded responses: the exact requests Chorus makes, mentions stored once across sources, polls and
/// nodes, and a source that answers badly shows why without losing or doubling anything.
public class SourcesTests
{
    private static ChorusFactory App(Provider provider)
    {
        var app = new ChorusFactory(provider);
        app.Settings["Chorus:Listening:Poll"] = "false"; // the tests poll, so the requests are theirs alone
        return app;
    }

    private static async Task<Guid> AddSourceAsync(StaffClient admin, object input)
    {
        var created = await (await admin.PostAsync("/api/v1/listening/sources", input)).JsonAsync(HttpStatusCode.Created);
        return created.GetProperty("source").GetProperty("id").GetGuid();
    }

    private static async Task<SourcePollResult> PollAsync(ChorusFactory app, Guid id)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<PollSource>().RunAsync(id);
    }

    private static async Task<List<Mention>> MentionsAsync(ChorusFactory app)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ChorusDb>().Mentions.AsNoTracking().OrderBy(m => m.PublishedAt).ToListAsync();
    }

    [Theory, Providers]
    public async Task Reddit_search_and_its_threads_comments_are_read_with_the_documented_requests_and_stored_once(Provider provider)
    {
        await using var reddit = new FakeListeningServer();
        reddit.Json("/search.json", FakeListeningServer.Fixture("reddit-search.json"));
        reddit.Json("/comments/1h2wxyz.json", FakeListeningServer.Fixture("reddit-comments.json"));
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        await (await admin.PostAsync("/api/v1/listening/monitors", new { name = "Acme", query = "acme" })).JsonAsync(HttpStatusCode.Created);
        var id = await AddSourceAsync(admin, new { name = "reddit: acme", kind = "reddit", baseUrl = reddit.BaseUrl, query = "acme support" });

        var first = await PollAsync(app, id);
        Assert.Equal((4, SourceState.Ok), (first.Added, first.State)); // two posts, a comment and its reply
        var requests = reddit.Take();
        Assert.Equal(["/search.json", "/comments/1h2wxyz.json"], requests.Select(r => r.Path)); // the post without comments is not opened
        var search = HttpUtility.ParseQueryString(requests[0].Query);
        Assert.Equal(("acme support", "new", "100"), (search["q"], search["sort"], search["limit"]));
        Assert.All(requests, r => Assert.StartsWith("Chorus-Listening/1.0", r.UserAgent));

        var mentions = await MentionsAsync(app);
        var post = mentions.Single(m => m.ExternalId == "t3_1h2wxyz");
        Assert.Equal(("reddit", "u/angry_sysadmin", 1873), (post.Platform, post.AuthorHandle, post.Score));
        Assert.Equal(reddit.BaseUrl + "/r/selfhosted/comments/1h2wxyz/acme_support_told_me_to_delete_my_database/", post.Url);
        Assert.True(post.Sentiment < -0.05, $"'{post.Text}' scored {post.Sentiment}");
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764450000), post.PublishedAt);
        var reply = mentions.Single(m => m.ExternalId == "t1_m0aaa02");
        Assert.True(reply.Sentiment > 0.05);

        // Polling again finds the same posts: nothing is stored twice, and the checkpoint holds the newest post's time.
        var second = await PollAsync(app, id);
        Assert.Equal((0, SourceState.Ok), (second.Added, second.State));
        Assert.Equal(4, (await MentionsAsync(app)).Count);
        var view = await (await admin.GetAsync($"/api/v1/listening/sources/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("ok", view.GetProperty("state").GetString());
        Assert.Contains("2025-11-29 21:00:00", view.GetProperty("checkpoint").GetString());
        Assert.Equal(4, view.GetProperty("mentionsFound").GetInt64());

        // Every mention about Acme matched the monitor, and the API lists them newest first with their source.
        var listed = await (await admin.GetAsync("/api/v1/listening/mentions?sentiment=negative")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(listed.EnumerateArray(), m => m.GetProperty("externalId").GetString() == "t3_1h2wxyz" && m.GetProperty("sourceName").GetString() == "reddit: acme"
                                                      && m.GetProperty("monitorIds").GetArrayLength() == 1);
    }

    [Theory, Providers]
    public async Task A_subreddit_is_read_from_its_new_listing(Provider provider)
    {
        await using var reddit = new FakeListeningServer();
        reddit.Json("/r/selfhosted/new.json", FakeListeningServer.Fixture("reddit-search.json"));
        reddit.Json("/comments/1h2wxyz.json", FakeListeningServer.Fixture("reddit-comments.json"));
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var id = await AddSourceAsync(admin, new { name = "r/selfhosted", kind = "reddit", baseUrl = reddit.BaseUrl + "/", query = "r/selfhosted" });
        Assert.Equal(4, (await PollAsync(app, id)).Added);
        Assert.Equal("/r/selfhosted/new.json", reddit.Take()[0].Path);
    }

    [Theory, Providers]
    public async Task Hacker_News_is_searched_for_stories_and_comments_after_the_checkpoint(Provider provider)
    {
        await using var hn = new FakeListeningServer();
        hn.Json("/api/v1/search_by_date", FakeListeningServer.Fixture("hn-search.json"));
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var id = await AddSourceAsync(admin, new { name = "HN", kind = "hackernews", baseUrl = hn.BaseUrl, query = "acme" });

        var before = DateTimeOffset.UtcNow;
        Assert.Equal(2, (await PollAsync(app, id)).Added);
        var firstQuery = HttpUtility.ParseQueryString(Assert.Single(hn.Take()).Query);
        Assert.Equal(("acme", "(story,comment)", "100", "0"), (firstQuery["query"], firstQuery["tags"], firstQuery["hitsPerPage"], firstQuery["page"]));
        // The first poll looks back two days.
        var since = long.Parse(firstQuery["numericFilters"]!.Replace("created_at_i>", ""));
        Assert.InRange(since, (before - TimeSpan.FromDays(2)).ToUnixTimeSeconds() - 5, (before - TimeSpan.FromDays(2)).ToUnixTimeSeconds() + 60);

        Assert.Equal(0, (await PollAsync(app, id)).Added);
        Assert.Equal("created_at_i>1764450000", HttpUtility.ParseQueryString(Assert.Single(hn.Take()).Query)["numericFilters"]);

        var mentions = await MentionsAsync(app);
        var story = mentions.Single(m => m.ExternalId == "42250001");
        Assert.Equal(("https://news.ycombinator.com/item?id=42250001", "Show HN: Acme, a self-hosted inbox", 312), (story.Url, story.Title, story.Score));
        var comment = mentions.Single(m => m.ExternalId == "42250017");
        Assert.Equal(("pg_fan", "Re: Show HN: Acme, a self-hosted inbox"), (comment.AuthorHandle, comment.Title));
        Assert.DoesNotContain("<i>", comment.Text);
    }

    [Theory, Providers]
    public async Task Mastodon_hashtags_resume_with_since_id_and_a_status_seen_through_two_servers_is_one_mention(Provider provider)
    {
        await using var one = new FakeListeningServer();
        await using var two = new FakeListeningServer();
        one.Json("/api/v1/timelines/tag/acme", FakeListeningServer.Fixture("mastodon-tag.json"));
        two.Json("/api/v2/search", $$"""{"accounts":[],"hashtags":[],"statuses":{{FakeListeningServer.Fixture("mastodon-tag.json")}}}""");
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var tag = await AddSourceAsync(admin, new { name = "#acme", kind = "mastodon", baseUrl = one.BaseUrl, query = "#acme" });
        var search = await AddSourceAsync(admin, new { name = "acme on another server", kind = "mastodon", baseUrl = two.BaseUrl, query = "acme release" });

        Assert.Equal(2, (await PollAsync(app, tag)).Added);
        Assert.Equal("?limit=40", Assert.Single(one.Take()).Query);
        Assert.Equal(0, (await PollAsync(app, tag)).Added);
        Assert.Equal("113567890123456790", HttpUtility.ParseQueryString(Assert.Single(one.Take()).Query)["since_id"]);

        Assert.Equal(0, (await PollAsync(app, search)).Added); // the same statuses, by URI
        var searched = HttpUtility.ParseQueryString(Assert.Single(two.Take()).Query);
        Assert.Equal(("acme release", "statuses"), (searched["q"], searched["type"]));

        var mentions = await MentionsAsync(app);
        Assert.Equal(2, mentions.Count);
        var mira = mentions.Single(m => m.AuthorHandle == "@mira@fosstodon.example");
        Assert.Equal((5230, 161, "en", "Mira Okafor"), (mira.Followers, mira.Score, mira.Language, mira.AuthorName));
        Assert.Equal("@jonas@127.0.0.1", mentions.Single(m => m.Language == "de").AuthorHandle);
    }

    [Theory, Providers]
    public async Task A_feed_item_linking_to_a_reddit_thread_is_the_same_mention_as_the_thread(Provider provider)
    {
        await using var blog = new FakeListeningServer();
        await using var reddit = new FakeListeningServer();
        blog.Answer("/feed.rss", c => { c.Response.ContentType = "application/rss+xml"; c.Response.Headers.ETag = "\"w48\""; return c.Response.WriteAsync(FakeListeningServer.Fixture("blog.rss")); });
        // reddit answers with links on www.reddit.com, as the real one does.
        reddit.Json("/search.json", FakeListeningServer.Fixture("reddit-search.json").Replace("\"permalink\": \"/r/", "\"permalink\": \"https://www.reddit.com/r/"));
        reddit.Json("/comments/1h2wxyz.json", FakeListeningServer.Fixture("reddit-comments.json"));
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var feed = await AddSourceAsync(admin, new { name = "Self-hosting weekly", kind = "rss", baseUrl = blog.BaseUrl + "/feed.rss" });
        var threads = await AddSourceAsync(admin, new { name = "reddit", kind = "reddit", baseUrl = reddit.BaseUrl, query = "acme" });

        Assert.Equal(2, (await PollAsync(app, feed)).Added);
        Assert.Equal(3, (await PollAsync(app, threads)).Added); // the thread itself was already there, through the feed
        var mentions = await MentionsAsync(app);
        Assert.Equal(5, mentions.Count);
        Assert.Single(mentions, m => m.CanonicalUrl == "https://reddit.com/r/selfhosted/comments/1h2wxyz/acme_support_told_me_to_delete_my_database");

        // The feed's ETag comes back, and a 304 is "nothing new", not a failure.
        blog.Answer("/feed.rss", c => { c.Response.StatusCode = c.Request.Headers.IfNoneMatch == "\"w48\"" ? 304 : 500; return Task.CompletedTask; });
        blog.Take();
        Assert.Equal((0, SourceState.Ok), ((await PollAsync(app, feed)).Added, (await PollAsync(app, feed)).State));
        Assert.All(blog.Take(), r => Assert.Equal("\"w48\"", r.IfNoneMatch));
    }

    [Theory, Providers]
    public async Task A_source_that_answers_badly_shows_why_and_recovers_without_duplicates(Provider provider)
    {
        await using var hn = new FakeListeningServer();
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var id = await AddSourceAsync(admin, new { name = "HN", kind = "hackernews", baseUrl = hn.BaseUrl, query = "acme", intervalSeconds = 60 });

        async Task<JsonElement> StatusAfterPollAsync()
        {
            await PollAsync(app, id);
            return await (await admin.GetAsync($"/api/v1/listening/sources/{id}")).JsonAsync(HttpStatusCode.OK);
        }

        hn.Json("/api/v1/search_by_date", FakeListeningServer.Fixture("hn-search.json")[..200]);
        var broken = await StatusAfterPollAsync();
        Assert.Equal("failing", broken.GetProperty("state").GetString());
        Assert.Contains("malformed JSON", broken.GetProperty("lastError").GetString());

        hn.Answer("/api/v1/search_by_date", c => { c.Response.ContentType = "text/html"; return c.Response.WriteAsync("<!DOCTYPE html><html><body>Down for maintenance</body></html>"); });
        var html = await StatusAfterPollAsync();
        Assert.Contains("HTML page instead of JSON", html.GetProperty("lastError").GetString());
        // Two failures in a row: the next poll waits twice the interval.
        var next = html.GetProperty("nextPollAt").GetDateTimeOffset() - html.GetProperty("lastPolledAt").GetDateTimeOffset();
        Assert.InRange(next.TotalSeconds, 119, 121);

        hn.Status("/api/v1/search_by_date", 429, retryAfter: "600");
        var limited = await StatusAfterPollAsync();
        Assert.Equal("rate-limited", limited.GetProperty("state").GetString());
        var until = limited.GetProperty("rateLimitedUntil").GetDateTimeOffset() - limited.GetProperty("lastPolledAt").GetDateTimeOffset();
        Assert.InRange(until.TotalSeconds, 599, 601);

        await hn.DisposeAsync(); // the service is down: nothing listens on its port
        var down = await StatusAfterPollAsync();
        Assert.Equal("failing", down.GetProperty("state").GetString());
        Assert.Contains("Could not reach 127.0.0.1", down.GetProperty("lastError").GetString());
        Assert.Empty(await MentionsAsync(app));

        // Back up (on a new port): read once, and reading again stores nothing twice.
        await using var back = new FakeListeningServer();
        back.Json("/api/v1/search_by_date", FakeListeningServer.Fixture("hn-search.json"));
        await (await admin.PatchAsync($"/api/v1/listening/sources/{id}", new { baseUrl = back.BaseUrl })).JsonAsync(HttpStatusCode.OK);
        var ok = await StatusAfterPollAsync();
        Assert.Equal("ok", ok.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, ok.GetProperty("lastError").ValueKind);
        await PollAsync(app, id);
        Assert.Equal(2, (await MentionsAsync(app)).Count);
    }

    [Theory, Providers]
    public async Task Two_nodes_storing_the_same_posts_at_once_store_each_once(Provider provider)
    {
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var id = await AddSourceAsync(admin, new { name = "hook", kind = "webhook" });
        var candidates = Enumerable.Range(0, 40).Select(i => new MentionCandidate("hackernews", $"9{i}", $"https://news.ycombinator.com/item?id=9{i}",
            "someone", "someone", null, $"acme post {i}", 1, null, null, DateTimeOffset.UtcNow.AddMinutes(-i))).ToList();
        var runs = Enumerable.Range(0, 4).Select(async n =>
        {
            using var scope = app.Services.CreateScope();
            // Each "node" sees the posts in its own order.
            var order = n % 2 == 0 ? candidates : Enumerable.Reverse(candidates).ToList();
            return (await scope.ServiceProvider.GetRequiredService<RecordMentions>().RunAsync(id, order)).Added.Count;
        }).ToList();
        var added = await Task.WhenAll(runs);
        Assert.Equal(40, added.Sum());
        Assert.Equal(40, (await MentionsAsync(app)).Count);
    }

    [Theory, Providers]
    public async Task A_signed_webhook_adds_mentions_once_and_unsigned_stale_or_malformed_calls_are_refused(Provider provider)
    {
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var created = await (await admin.PostAsync("/api/v1/listening/sources", new { name = "In-house scraper", kind = "webhook" })).JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("source").GetProperty("id").GetGuid();
        var secret = created.GetProperty("secret").GetString()!;
        Assert.Equal($"/hooks/listening/{id}", created.GetProperty("source").GetProperty("webhookPath").GetString());
        var anonymous = app.CreateClient();

        Task<HttpResponseMessage> PostAsync(string body, string? key)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/listening/{id}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (key is not null) request.Headers.Add("X-Chorus-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(body))));
            return anonymous.SendAsync(request);
        }

        var body = JsonSerializer.Serialize(new
        {
            sent_at = DateTimeOffset.UtcNow,
            mentions = new[]
            {
                new { id = "p-1", url = "https://forum.example/t/acme-rocks", author = "fan1", text = "Acme rocks, best support ever", published_at = "2025-11-29T10:00:00Z", score = 12, followers = 300 },
                new { id = "p-2", url = "https://forum.example/t/acme-down", author = "user2", text = "Is Acme down?", published_at = "2025-11-29T11:00:00Z", score = 1, followers = 5 },
            },
        });
        var receipt = await (await PostAsync(body, secret)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, receipt.GetProperty("added").GetInt32());
        var replay = await (await PostAsync(body, secret)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal((0, 2), (replay.GetProperty("added").GetInt32(), replay.GetProperty("duplicates").GetInt32()));

        Assert.Contains("does not match", (await (await PostAsync(body, "whsec_wrong")).ProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("detail").GetString());
        await (await PostAsync(body, null)).ProblemAsync(HttpStatusCode.Unauthorized);
        var stale = JsonSerializer.Serialize(new { sent_at = DateTimeOffset.UtcNow.AddHours(-1), mentions = new[] { new { id = "p-3", text = "old" } } });
        Assert.Contains("more than 5 minutes", (await (await PostAsync(stale, secret)).ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        Assert.Contains("not valid JSON", (await (await PostAsync("{\"sent_at\": ", secret)).ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("detail").GetString());
        var noId = JsonSerializer.Serialize(new { sent_at = DateTimeOffset.UtcNow, mentions = new[] { new { text = "acme" } } });
        Assert.Contains("Mention 1 has no id", (await (await PostAsync(noId, secret)).ProblemAsync(HttpStatusCode.BadRequest)).GetProperty("detail").GetString());

        // A new secret: the old one stops working.
        var rotated = await (await admin.PostAsync($"/api/v1/listening/sources/{id}/secret", new { })).JsonAsync(HttpStatusCode.OK);
        await (await PostAsync(body, secret)).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(body, rotated.GetProperty("secret").GetString())).StatusCode);
        var mentions = await MentionsAsync(app);
        Assert.Equal(2, mentions.Count);
        Assert.Equal((300, "fan1"), (mentions[0].Followers, mentions[0].AuthorHandle));
    }

    [Theory, Providers]
    public async Task Only_admins_change_sources_and_bad_settings_are_refused_with_reasons(Provider provider)
    {
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await (await agent.PostAsync("/api/v1/listening/sources", new { name = "x", kind = "rss", baseUrl = "https://blog.example/feed" })).ProblemAsync(HttpStatusCode.Forbidden);

        var problem = await (await admin.PostAsync("/api/v1/listening/sources", new { name = "", kind = "reddit", baseUrl = "ftp://reddit", query = "r/not a sub", intervalSeconds = 5 }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors").ToString();
        Assert.Contains("1 to 100 characters", errors);
        Assert.Contains("starting with https://", errors);
        Assert.Contains("letters, digits and underscores", errors);
        Assert.Contains("Poll every 60 seconds", errors);
        await (await admin.PostAsync("/api/v1/listening/sources", new { name = "x", kind = "twitter" })).ProblemAsync(HttpStatusCode.BadRequest);

        var id = await AddSourceAsync(admin, new { name = "HN", kind = "hackernews", query = "acme" });
        var view = await (await agent.GetAsync($"/api/v1/listening/sources/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(("https://hn.algolia.com", "new"), (view.GetProperty("baseUrl").GetString(), view.GetProperty("state").GetString()));
        await (await agent.PatchAsync($"/api/v1/listening/sources/{id}", new { enabled = false })).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/listening/sources/{id}/poll", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/v1/listening/sources/{id}")).StatusCode);

        var log = (await (await admin.GetAsync("/api/v1/audit?take=100")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Where(e => e.GetProperty("targetId").GetString() == id.ToString()).Select(e => e.GetProperty("action").GetString()).Order();
        Assert.Equal(["source.created", "source.deleted", "source.polled"], log);
    }
}
