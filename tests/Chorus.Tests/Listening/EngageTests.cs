using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Listening.Sources;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Listening;

/// Engage: a mention becomes a conversation through the ingest pipeline (its author a person, found by identity when
/// known), and a reply written there goes out as a public reply through the source's API via the outbox, against local
/// servers that answer like reddit and Mastodon: the exact requests, 429 and 5xx retried, nothing posted twice.
public class EngageTests
{
    private static ChorusFactory App(Provider provider)
    {
        var app = new ChorusFactory(provider);
        app.Settings["Chorus:Listening:Poll"] = "false";
        app.Settings["Chorus:Outbox:Dispatch"] = "false"; // the test dispatches, so every attempt is its own
        app.Settings["Chorus:Outbox:RetryBaseSeconds"] = "0"; // a retried reply is due again at once
        return app;
    }

    private static async Task<Guid> AddSourceAsync(StaffClient admin, object input) =>
        (await (await admin.PostAsync("/api/v1/listening/sources", input)).JsonAsync(HttpStatusCode.Created)).GetProperty("source").GetProperty("id").GetGuid();

    private static async Task PollAsync(ChorusFactory app, Guid id)
    {
        using var scope = app.Services.CreateScope();
        var polled = await scope.ServiceProvider.GetRequiredService<PollSource>().RunAsync(id);
        Assert.Equal(SourceState.Ok, polled.State);
    }

    private static async Task<Guid> MentionIdAsync(ChorusFactory app, string externalId) =>
        await app.DbAsync(db => db.Mentions.Where(m => m.ExternalId == externalId).Select(m => m.Id).SingleAsync());

    private static Task DispatchAsync(ChorusFactory app) => app.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);

    private static async Task<JsonElement> ReplyOfAsync(StaffClient agent, long number) =>
        (await agent.ConversationAsync(number)).GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("kind").GetString() == "Reply");

    [Theory, Providers]
    public async Task A_reddit_mention_becomes_a_conversation_of_its_known_author_and_the_reply_is_commented_once_through_the_API(Provider provider)
    {
        await using var reddit = new FakeListeningServer();
        reddit.Json("/search.json", FakeListeningServer.Fixture("reddit-search.json"));
        reddit.Json("/comments/1h2wxyz.json", FakeListeningServer.Fixture("reddit-comments.json"));
        reddit.Json("/api/v1/access_token", """{"access_token": "tok-123", "token_type": "bearer", "expires_in": 86400, "scope": "*"}""");
        // Rate limited, then a server error, then accepted: two retries, one comment.
        reddit.Sequence("/api/comment",
            (429, """{"message": "Too Many Requests", "error": 429}"""),
            (500, """{"message": "Internal Server Error", "error": 500}"""),
            (200, """{"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": {"name": "t1_reply01", "id": "reply01", "parent_id": "t3_1h2wxyz"}}]}}}"""));
        // Before each retry Chorus looks for the comment among the account's newest: not there, so it posts.
        reddit.Json("/user/acme_support/comments", """{"kind": "Listing", "data": {"after": null, "children": []}}""");
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var source = await AddSourceAsync(admin, new { name = "reddit: acme", kind = "reddit", baseUrl = reddit.BaseUrl, query = "acme support" });
        await PollAsync(app, source);
        // The author wrote to us before, from reddit: the same person, not a new one.
        var known = await agent.DeliverAsync("earlier-1", handle: "Angry_Sysadmin", name: "Angry Sysadmin", kind: "Reddit", text: "Is there an export?");
        var people = await app.DbAsync(db => db.People.CountAsync());

        // An agent cannot reply before the source has an account: the reply is refused and nothing is stored.
        var mentionId = await MentionIdAsync(app, "t3_1h2wxyz");
        var engaged = await (await agent.PostAsync($"/api/v1/listening/mentions/{mentionId}/engage", new { })).JsonAsync(HttpStatusCode.Created);
        var number = engaged.GetProperty("number").GetInt64();
        Assert.Equal(known.PersonId, engaged.GetProperty("personId").GetGuid());
        Assert.Equal(people, await app.DbAsync(db => db.People.CountAsync()));
        var refused = await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "Sorry about that!" })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("has no account to reply with", refused.GetProperty("detail").GetString());
        Assert.Equal(0, await app.DbAsync(db => db.Messages.CountAsync(m => m.Kind == Chorus.Features.Inbox.MessageKind.Reply)));

        // Engaging again (another click) answers the same conversation.
        var again = await (await agent.PostAsync($"/api/v1/listening/mentions/{mentionId}/engage", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal((number, false), (again.GetProperty("number").GetInt64(), again.GetProperty("created").GetBoolean()));
        var detail = await agent.ConversationAsync(number);
        var first = detail.GetProperty("messages").EnumerateArray().First(m => m.GetProperty("kind").GetString() == "Inbound");
        Assert.Contains("wipe the database", first.GetProperty("text").GetString());
        var listed = await (await agent.GetAsync("/api/v1/listening/mentions?q=wipe")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(number, listed.EnumerateArray().Single().GetProperty("conversationNumber").GetInt64());

        // Only admins set the reply account; its secrets are never shown.
        var account = new { clientId = "app-id", clientSecret = "app-secret", username = "acme_support", password = "hunter2" };
        await (await agent.Http.PutAsJsonAsync($"/api/v1/listening/sources/{source}/reply-account", account)).ProblemAsync(HttpStatusCode.Forbidden);
        var view = await (await admin.Http.PutAsJsonAsync($"/api/v1/listening/sources/{source}/reply-account", account)).JsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain("app-secret", view.ToString());
        Assert.DoesNotContain("hunter2", view.ToString());
        Assert.DoesNotContain("hunter2", await app.DbAsync(db => db.ReplyAccounts.Select(a => a.SecretsProtected).SingleAsync()));

        await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "We're sorry: that advice was **wrong**. We'll help you restore it." })).JsonAsync(HttpStatusCode.Created);
        await DispatchAsync(app); // 429
        await DispatchAsync(app); // 500
        await DispatchAsync(app); // accepted
        await DispatchAsync(app); // nothing left to send
        var requests = reddit.Take().Where(r => r.Path.StartsWith("/api/") || r.Path.StartsWith("/user/")).ToList();
        var comments = requests.Where(r => r.Path == "/api/comment").ToList();
        Assert.Equal(3, comments.Count);
        Assert.All(comments, c =>
        {
            Assert.Equal("POST", c.Method);
            Assert.Equal("Bearer tok-123", c.Authorization);
            Assert.StartsWith("application/x-www-form-urlencoded", c.ContentType);
            var form = c.Form();
            Assert.Equal("t3_1h2wxyz", form["thing_id"]);
            Assert.Equal("We're sorry: that advice was **wrong**. We'll help you restore it.", form["text"]);
            Assert.Equal("json", form["api_type"]);
        });
        var tokens = requests.Where(r => r.Path == "/api/v1/access_token").ToList();
        Assert.Equal(3, tokens.Count);
        var checks = requests.Where(r => r.Path.StartsWith("/user/")).ToList();
        Assert.Equal(2, checks.Count); // before the second and third attempts, not the first
        Assert.All(checks, c => Assert.Equal(("GET", "/user/acme_support/comments", "?sort=new&limit=100&raw_json=1", "Bearer tok-123"), (c.Method, c.Path, c.Query, c.Authorization)));
        Assert.All(tokens, t =>
        {
            Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("app-id:app-secret")), t.Authorization);
            Assert.Equal(new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = "acme_support", ["password"] = "hunter2" }, t.Form());
        });

        // The reply shows in the thread as sent, under reddit's id for it, and on the person's timeline.
        var reply = await ReplyOfAsync(agent, number);
        Assert.Equal(("Sent", 3), (reply.GetProperty("delivery").GetProperty("status").GetString(), reply.GetProperty("delivery").GetProperty("attempts").GetInt32()));
        Assert.Equal("t1_reply01", await app.DbAsync(db => db.Messages.Where(m => m.Kind == Chorus.Features.Inbox.MessageKind.Reply).Select(m => m.ExternalId).SingleAsync()));
        var person = await (await agent.GetAsync($"/api/v1/people/{known.PersonId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(person.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("kind").GetString() == "reply.sent" && t.GetProperty("conversationNumber").GetInt64() == number);
        Assert.Contains(person.GetProperty("identities").EnumerateArray(), i => i.GetProperty("handle").GetString() == "angry_sysadmin");
    }

    /// reddit has no idempotency key: a comment it stored before its answer was lost (a timeout, a 502) must not be
    /// posted again. The fake reddit stores every comment it is sent, whatever it answers, and lists the account's comments.
    [Theory, Providers]
    public async Task A_reddit_comment_stored_before_a_timeout_or_a_502_is_found_on_the_retry_and_never_posted_twice(Provider provider)
    {
        await using var reddit = new FakeListeningServer();
        reddit.Json("/search.json", FakeListeningServer.Fixture("reddit-search.json"));
        reddit.Json("/comments/1h2wxyz.json", FakeListeningServer.Fixture("reddit-comments.json"));
        reddit.Json("/api/v1/access_token", """{"access_token": "tok-9", "token_type": "bearer", "expires_in": 86400, "scope": "*"}""");
        var stored = new List<object>
        {
            // Ours, but older than the replies (an earlier answer in the thread with the same words), and the same words elsewhere.
            new { kind = "t1", data = new { name = "t1_old", parent_id = "t3_1h2wxyz", body = "Sorry about the wait, fixed now.", created_utc = 1764450000.0 } },
            new { kind = "t1", data = new { name = "t1_other", parent_id = "t3_other", body = "Sorry about the wait, fixed now.", created_utc = (double)DateTimeOffset.UtcNow.ToUnixTimeSeconds() } },
        };
        var answers = new Queue<string>(["timeout", "502"]);
        reddit.Answer("/api/comment", async c =>
        {
            var body = reddit.Requests.Last(r => r.Path == "/api/comment").Form();
            var name = $"t1_s{stored.Count}";
            lock (stored) stored.Insert(0, new { kind = "t1", data = new { name, parent_id = body["thing_id"], body = body["text"] + "\n", created_utc = (double)DateTimeOffset.UtcNow.ToUnixTimeSeconds() } });
            switch (answers.TryDequeue(out var a) ? a : "ok")
            {
                case "timeout": await Task.Delay(TimeSpan.FromSeconds(4)); break; // Chorus gave up after 1 s
                case "502": c.Response.StatusCode = 502; break;
                default: await c.Response.WriteAsJsonAsync(new { json = new { errors = Array.Empty<object>(), data = new { things = new[] { new { kind = "t1", data = new { name } } } } } }); break;
            }
        });
        reddit.Answer("/user/acme_support/comments", c =>
        {
            lock (stored) return c.Response.WriteAsJsonAsync(new { kind = "Listing", data = new { after = (string?)null, children = stored.ToList() } });
        });
        await using var app = App(provider);
        app.Settings["Chorus:Engage:TimeoutSeconds"] = "1";
        var admin = await app.StaffAsync("admin");
        var source = await AddSourceAsync(admin, new { name = "reddit: acme", kind = "reddit", baseUrl = reddit.BaseUrl, query = "acme support" });
        await PollAsync(app, source);
        await (await admin.Http.PutAsJsonAsync($"/api/v1/listening/sources/{source}/reply-account",
            new { clientId = "app-id", clientSecret = "app-secret", username = "acme_support", password = "hunter2" })).JsonAsync(HttpStatusCode.OK);
        var number = (await (await admin.PostAsync($"/api/v1/listening/mentions/{await MentionIdAsync(app, "t3_1h2wxyz")}/engage", new { })).JsonAsync(HttpStatusCode.Created)).GetProperty("number").GetInt64();
        reddit.Take();

        foreach (var (text, lost) in new[] { ("Sorry about the wait, fixed now.", "timed out"), ("We have restored your data: please check.", "answered 502") })
        {
            await (await admin.PostAsync($"/api/v1/conversations/{number}/replies", new { text })).JsonAsync(HttpStatusCode.Created);
            await DispatchAsync(app); // stored, but the answer is lost
            var first = await app.DbAsync(db => db.Outbox.AsNoTracking().OrderByDescending(o => o.CreatedAt).FirstAsync());
            Assert.Equal(DeliveryStatus.Queued, first.Status);
            Assert.Contains(lost == "timed out" ? "could not be reached" : "answered 502", first.LastError);
            await DispatchAsync(app); // finds it: sent, nothing posted
            await DispatchAsync(app);

            var requests = reddit.Take().Select(r => (r.Method, r.Path)).ToList();
            Assert.Equal([("POST", "/api/v1/access_token"), ("POST", "/api/comment"), ("POST", "/api/v1/access_token"), ("GET", "/user/acme_support/comments")], requests);
            var reply = (await admin.ConversationAsync(number)).GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("kind").GetString() == "Reply");
            Assert.Equal(("Sent", 2), (reply.GetProperty("delivery").GetProperty("status").GetString(), reply.GetProperty("delivery").GetProperty("attempts").GetInt32()));
        }
        // Each reply carries the id reddit gave the comment it stored.
        var ids = await app.DbAsync(db => db.Messages.Where(m => m.Kind == Chorus.Features.Inbox.MessageKind.Reply).OrderBy(m => m.CreatedAt).Select(m => m.ExternalId).ToListAsync());
        Assert.Equal(["t1_s2", "t1_s3"], ids);
    }

    [Theory, Providers]
    public async Task A_Mastodon_reply_answers_the_status_resolved_on_the_sources_server_with_an_idempotency_key_and_is_posted_once(Provider provider)
    {
        await using var mastodon = new FakeListeningServer();
        mastodon.Json("/api/v1/timelines/tag/acme", FakeListeningServer.Fixture("mastodon-tag.json"));
        mastodon.Json("/api/v2/search", """{"accounts": [], "hashtags": [], "statuses": [{"id": "990001", "uri": "https://fosstodon.example/users/mira/statuses/113567890123456790"}]}""");
        mastodon.Sequence("/api/v1/statuses",
            (503, """{"error": "Service Unavailable"}"""),
            (200, """{"id": "990002", "uri": "https://mastodon.local/users/acme/statuses/990002", "in_reply_to_id": "990001"}"""));
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var source = await AddSourceAsync(admin, new { name = "Mastodon #acme", kind = "mastodon", baseUrl = mastodon.BaseUrl, query = "#acme" });
        await PollAsync(app, source);
        await (await admin.Http.PutAsJsonAsync($"/api/v1/listening/sources/{source}/reply-account", new { accessToken = "masto-token", username = "acme@mastodon.local" })).JsonAsync(HttpStatusCode.OK);

        var mentionId = await MentionIdAsync(app, "https://fosstodon.example/users/mira/statuses/113567890123456790");
        var engaged = await (await agent.PostAsync($"/api/v1/listening/mentions/{mentionId}/engage", new { })).JsonAsync(HttpStatusCode.Created);
        var number = engaged.GetProperty("number").GetInt64();
        var identity = await app.DbAsync(db => db.Identities.Where(i => i.PersonId == engaged.GetProperty("personId").GetGuid()).Select(i => new { i.Kind, i.Handle }).SingleAsync());
        Assert.Equal((Chorus.Features.People.IdentityKind.Mastodon, "mira@fosstodon.example"), (identity.Kind, identity.Handle));

        // Longer than a Mastodon post can be: refused before anything is queued.
        var tooLong = await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = new string('x', 600) })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("at most 500 characters", tooLong.GetProperty("detail").GetString());

        await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "Thank you, Mira! So glad the box arrived safely." })).JsonAsync(HttpStatusCode.Created);
        await DispatchAsync(app); // 503
        await DispatchAsync(app); // accepted
        await DispatchAsync(app);
        var requests = mastodon.Take().Where(r => r.Path != "/api/v1/timelines/tag/acme").ToList();
        var search = requests.First(r => r.Path == "/api/v2/search");
        Assert.Equal("Bearer masto-token", search.Authorization);
        var query = System.Web.HttpUtility.ParseQueryString(search.Query);
        Assert.Equal(("https://fosstodon.example/users/mira/statuses/113567890123456790", "true", "statuses"), (query["q"], query["resolve"], query["type"]));
        var posts = requests.Where(r => r.Path == "/api/v1/statuses").ToList();
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p =>
        {
            Assert.Equal(("POST", "Bearer masto-token"), (p.Method, p.Authorization));
            var form = p.Form();
            Assert.Equal("@mira@fosstodon.example Thank you, Mira! So glad the box arrived safely.", form["status"]);
            Assert.Equal("990001", form["in_reply_to_id"]);
        });
        Assert.Equal(posts[0].IdempotencyKey, posts[1].IdempotencyKey); // the server drops a repeat of a post it did take
        Assert.NotNull(posts[0].IdempotencyKey);
        var reply = await ReplyOfAsync(agent, number);
        Assert.Equal(("Sent", 2), (reply.GetProperty("delivery").GetProperty("status").GetString(), reply.GetProperty("delivery").GetProperty("attempts").GetInt32()));
    }

    [Theory, Providers]
    public async Task A_refused_reply_fails_with_the_services_reason_and_Hacker_News_threads_cannot_be_answered(Provider provider)
    {
        await using var reddit = new FakeListeningServer();
        reddit.Json("/search.json", FakeListeningServer.Fixture("reddit-search.json"));
        reddit.Json("/comments/1h2wxyz.json", FakeListeningServer.Fixture("reddit-comments.json"));
        reddit.Json("/api/v1/access_token", """{"error": "invalid_grant"}""");
        await using var hn = new FakeListeningServer();
        hn.Json("/api/v1/search_by_date", FakeListeningServer.Fixture("hn-search.json"));
        await using var app = App(provider);
        var admin = await app.StaffAsync("admin");
        var redditSource = await AddSourceAsync(admin, new { name = "reddit", kind = "reddit", baseUrl = reddit.BaseUrl, query = "acme" });
        var hnSource = await AddSourceAsync(admin, new { name = "HN", kind = "hackernews", baseUrl = hn.BaseUrl, query = "acme" });
        await PollAsync(app, redditSource);
        await PollAsync(app, hnSource);
        await (await admin.Http.PutAsJsonAsync($"/api/v1/listening/sources/{redditSource}/reply-account",
            new { clientId = "app", clientSecret = "s", username = "acme", password = "wrong" })).JsonAsync(HttpStatusCode.OK);
        var hnAccount = await (await admin.Http.PutAsJsonAsync($"/api/v1/listening/sources/{hnSource}/reply-account", new { accessToken = "x" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("only reddit and Mastodon", hnAccount.ToString());

        var mention = await MentionIdAsync(app, "t3_1h2wxyz");
        var number = (await (await admin.PostAsync($"/api/v1/listening/mentions/{mention}/engage", new { })).JsonAsync(HttpStatusCode.Created)).GetProperty("number").GetInt64();
        await (await admin.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "Sorry!" })).JsonAsync(HttpStatusCode.Created);
        await DispatchAsync(app);
        var reply = await ReplyOfAsync(admin, number);
        Assert.Equal("Failed", reply.GetProperty("delivery").GetProperty("status").GetString());
        Assert.Contains("invalid_grant", reply.GetProperty("delivery").GetProperty("error").GetString());
        Assert.DoesNotContain(reddit.Take(), r => r.Path == "/api/comment"); // no token, no comment

        var hnMention = await app.DbAsync(db => db.Mentions.Where(m => m.Platform == "hackernews").Select(m => m.Id).FirstAsync());
        var hnNumber = (await (await admin.PostAsync($"/api/v1/listening/mentions/{hnMention}/engage", new { })).JsonAsync(HttpStatusCode.Created)).GetProperty("number").GetInt64();
        var refused = await (await admin.PostAsync($"/api/v1/conversations/{hnNumber}/replies", new { text = "Hi" })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("Hacker News has no API to answer through", refused.GetProperty("detail").GetString());

        // Viewers read mentions but do not engage them.
        var viewer = await app.StaffAsync("viewer");
        await (await viewer.PostAsync($"/api/v1/listening/mentions/{mention}/engage", new { })).ProblemAsync(HttpStatusCode.Forbidden);
    }
}
