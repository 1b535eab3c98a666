using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Features.Channels.WebForm;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

/// Who may do what. One workspace per provider holds a public conversation (Support) and a private
/// one (the private team Legal, whose only member is "insider"); every row is one actor doing one
/// thing, with the outcome the product promises.
public class AuthorizationMatrixTests(AuthorizationMatrixTests.World world) : IClassFixture<AuthorizationMatrixTests.World>
{
    private const string V = "visible", H = "hidden";

    /// actor → action → expected (a status code, or visible/hidden for what a list, search or timeline shows).
    private static readonly (string Action, string Viewer, string Outsider, string Insider, string Admin)[] Staff =
    [
        ("list:public",        V,     V,     V,     V),
        ("list:private",       H,     H,     V,     V),
        ("team-view:private",  H,     H,     V,     V),
        ("search:private",     H,     H,     V,     V),
        ("timeline:private",   H,     H,     V,     V),
        ("detail:public",      "200", "200", "200", "200"),
        ("detail:private",     "404", "404", "200", "200"),
        ("patch:public",       "403", "200", "200", "200"),
        ("patch:private",      "404", "404", "200", "200"),
        ("bulk:private",       "404", "404", "200", "200"),
        ("reply:public",       "403", "201", "201", "201"),
        ("reply:private",      "404", "404", "201", "201"),
        ("note:public",        "403", "201", "201", "201"),
        ("note:private",       "404", "404", "201", "201"),
        ("reply-file:public",  "403", "201", "201", "201"),
        ("reply-file:private", "404", "404", "201", "201"),
        ("file:public",        "200", "200", "200", "200"),
        ("file:note",          "200", "200", "200", "200"),
        ("file:private",       "404", "404", "200", "200"),
        ("files:private",      "404", "404", "200", "200"),
        ("inbound",            "403", "201", "201", "201"),
        ("teams:list",         "200", "200", "200", "200"),
        ("teams:create",       "403", "403", "403", "201"),
        ("teams:update",       "403", "403", "403", "200"),
        ("staff:add",          "403", "403", "403", "201"),
        ("audit",              "403", "403", "403", "200"),
        ("tokens:list",        "200", "200", "200", "200"),
        ("tokens:issue",       "201", "201", "201", "201"),
        ("tokens:revoke-others", "404", "404", "404", "204"),
        ("mailboxes:list",     "403", "403", "403", "200"),
        ("mailboxes:create",   "403", "403", "403", "201"),
        ("mailboxes:update",   "403", "403", "403", "200"),
        ("mailboxes:test",     "403", "403", "403", "200"),
        ("mailboxes:test-new", "403", "403", "403", "200"),
        ("mailboxes:rejections", "403", "403", "403", "200"),
        ("mailboxes:imports",  "403", "403", "403", "200"),
        ("mailboxes:import-not-mbox", "403", "403", "403", "400"),
        // A message with nothing to send: who may retry gets as far as "no such reply".
        ("retry:public",       "403", "404", "404", "404"),
        ("retry:private",      "404", "404", "404", "404"),
        ("notification-prefs:read",   "200", "200", "200", "200"),
        ("notification-prefs:update", "200", "200", "200", "200"),
        ("email-notifications:read",   "403", "403", "403", "200"),
        ("email-notifications:update", "403", "403", "403", "200"),
        ("outreach",           "403", "201", "201", "201"),
        ("lists:list",         "200", "200", "200", "200"),
        ("lists:read",         "200", "200", "200", "200"),
        ("lists:create",       "403", "201", "201", "201"),
        ("lists:add-members",  "403", "200", "200", "200"),
        ("rules:list",         "403", "403", "403", "200"),
        ("rules:create",       "403", "403", "403", "201"),
        ("rules:dry-run",      "403", "403", "403", "200"),
        ("rules:webhook-secret", "403", "403", "403", "200"),
        ("macros:list",        "200", "200", "200", "200"),
        ("sla-policies:list",  "403", "403", "403", "200"),
        ("sla-policies:create", "403", "403", "403", "201"),
        ("sla-policies:restamp", "403", "403", "403", "200"),
        ("business-hours:read", "200", "200", "200", "200"),
        ("business-hours:update", "403", "403", "403", "200"),
        ("macros:create",      "403", "403", "403", "201"),
        ("macro:public",       "403", "200", "200", "200"),
        ("macro:private",      "404", "404", "200", "200"),
        // Campaigns are read by all staff; the owner team (here the private Legal, insider's) and admins work on them.
        ("campaigns:list",     "200", "200", "200", "200"),
        ("campaigns:read",     "200", "200", "200", "200"),
        ("campaigns:create",   "403", "201", "201", "201"),
        ("campaigns:update",   "403", "403", "200", "200"),
        ("publishing-channels:list",   "200", "200", "200", "200"),
        ("publishing-channels:create", "403", "403", "403", "201"),
        ("publishing-channels:update", "403", "403", "403", "200"),
        ("posts:create",       "403", "403", "201", "201"),
        ("posts:read",         "200", "200", "200", "200"),
        ("posts:calendar",     "200", "200", "200", "200"),
        ("posts:update",       "403", "403", "200", "200"),
        ("posts:comment",      "403", "201", "201", "201"),
        ("posts:approve",      "403", "403", "200", "200"),
        ("posts:schedule",     "403", "403", "200", "200"),
        ("posts:attach-image", "403", "403", "201", "201"),
        ("campaign-links:create", "403", "403", "201", "201"),
        ("engagement:post",     "200", "200", "200", "200"),
        ("engagement:campaign", "200", "200", "200", "200"),
        // Campaign reports are read by all staff, like the campaigns (a private team's too).
        ("campaign-report:read", "200", "200", "200", "200"),
        ("campaign-report:csv",  "200", "200", "200", "200"),
        ("monitors:list",      "200", "200", "200", "200"),
        ("monitors:create",    "403", "201", "201", "201"),
        ("monitors:update",    "403", "200", "200", "200"),
        ("monitors:delete-unknown", "403", "404", "404", "404"),
        ("sources:list",       "200", "200", "200", "200"),
        ("sources:create",     "403", "403", "403", "201"),
        ("sources:poll-unknown", "403", "403", "403", "404"),
        ("sources:secret-unknown", "403", "403", "403", "404"),
        ("mentions:list",      "200", "200", "200", "200"),
        ("alerts:list",        "200", "200", "200", "200"),
        ("alerts:acknowledge-unknown", "403", "404", "404", "404"),
        ("alert-webhook:read", "200", "200", "200", "200"),
        ("alert-webhook:clear", "403", "403", "403", "200"),
        ("mentions:engage-unknown", "403", "404", "404", "404"),
        ("reply-account:set-unknown", "403", "403", "403", "404"),
        // Incidents: every staff member reads; agents and admins work in them; nothing is posted without an approved statement.
        ("incidents:list",     "200", "200", "200", "200"),
        ("incidents:read",     "200", "200", "200", "200"),
        ("incidents:open",     "403", "201", "201", "201"),
        ("incidents:note",     "403", "200", "200", "200"),
        ("incidents:post",     "403", "409", "409", "409"),
        ("forum:categories",   "200", "200", "200", "200"),
        ("forum:category-add", "403", "403", "403", "201"),
        ("forum:topic",        "200", "200", "200", "200"),
        ("forum:reply",        "403", "201", "201", "201"),
        ("forum:pin",          "403", "200", "200", "200"),
        ("forum:queue",        "403", "200", "200", "200"),
        ("forum:moderate",     "403", "200", "200", "200"),
        // Merge and split (TopicMerging): agents and admins; viewers are refused before anything is checked.
        ("forum:merge-unknown", "403", "400", "400", "400"),
        ("forum:split-nothing", "403", "400", "400", "400"),
        // The press room: every staff member reads; agents and admins change (viewers only read).
        ("press:contacts",        "200", "200", "200", "200"),
        ("press:contact-add",     "403", "201", "201", "201"),
        ("press:import-preview",  "200", "200", "200", "200"),
        ("press:import",          "403", "200", "200", "200"),
        ("press:lists",           "200", "200", "200", "200"),
        ("press:list-add",        "403", "201", "201", "201"),
        ("press:list-members",    "403", "200", "200", "200"),
        ("press:coverage",        "200", "200", "200", "200"),
        ("press:coverage-add",    "403", "201", "201", "201"),
        ("press:share-of-voice",  "200", "200", "200", "200"),
        // Press releases are read by all staff; written and published by their team (here Legal) and admins.
        ("press:releases",        "200", "200", "200", "200"),
        ("press:release-add",     "403", "403", "201", "201"),
        ("press:release-publish", "403", "403", "200", "200"),
        ("press:pitches",         "200", "200", "200", "200"),
        ("help:articles",      "200", "200", "200", "200"),
        ("help:article-add",   "403", "201", "201", "201"),
        ("help:publish",       "403", "200", "200", "200"),
        ("help:from-note",     "403", "404", "200", "200"), // a private team's note is no source for an outsider's article
        ("help:deflections",   "200", "200", "200", "200"),
        // Problems: every staff member reads; agents and admins change. A private team's conversation shows only to its members.
        ("problems:list",          "200", "200", "200", "200"),
        ("problems:create",        "403", "201", "201", "201"),
        ("problems:link-public",   "403", "200", "200", "200"),
        ("problems:link-private",  "403", "404", "200", "200"),
        ("problems:detail-private", H,    H,     V,     V),
        ("problems:answer",        "403", "200", "200", "200"),
        ("community:settings",        "200", "200", "200", "200"),
        ("community:settings-change", "403", "403", "403", "200"),
        ("community:edit",            "403", "200", "200", "200"),
        ("community:sanction-unknown", "403", "404", "404", "404"),
        ("community:block-unknown",   "403", "404", "404", "404"),
        ("community:blocks",          "403", "403", "403", "200"),
        ("community:blocked-messages", "403", "403", "403", "200"),
    ];

    private static readonly string[] Callers = ["anonymous", "requester", "invalid-token", "revoked-token"];

    public static TheoryData<Provider, string, string, string> Rows()
    {
        var rows = new TheoryData<Provider, string, string, string>();
        foreach (var provider in new ProvidersAttribute().GetData(null!).Select(r => (Provider)r[0]))
        {
            foreach (var (action, viewer, outsider, insider, admin) in Staff)
            {
                rows.Add(provider, "viewer", action, viewer);
                rows.Add(provider, "outsider", action, outsider);
                rows.Add(provider, "insider", action, insider);
                rows.Add(provider, "admin", action, admin);
                // Without a valid API token the API answers 401, whatever is asked.
                foreach (var caller in Callers) rows.Add(provider, caller, action, "401");
            }
            rows.Add(provider, "requester", "link:own", "200");
            rows.Add(provider, "requester", "link:tampered", "404");
            // A requester's link opens the files of its own conversation's public messages, nothing else.
            rows.Add(provider, "requester", "link-file:reply", "200");
            rows.Add(provider, "requester", "link-file:note", "404");
            rows.Add(provider, "requester", "link-file:private", "404");
            rows.Add(provider, "requester", "link-file:tampered", "404");
            // The staff app's download address wants a signed-in staff member.
            rows.Add(provider, "anonymous", "staff-file:public", "302");
            // Tracked links and the newsroom are public.
            rows.Add(provider, "anonymous", "short-link:known", "302");
            rows.Add(provider, "anonymous", "newsroom:page", "200");
            rows.Add(provider, "anonymous", "newsroom:rss", "200");
            // The marketing pages want a signed-in staff member.
            rows.Add(provider, "anonymous", "staff-page:campaigns", "302");
            rows.Add(provider, "anonymous", "staff-page:calendar", "302");
            rows.Add(provider, "anonymous", "staff-page:media-contacts", "302");
            rows.Add(provider, "anonymous", "staff-page:campaign-report", "302");
            rows.Add(provider, "anonymous", "staff-page:campaign-report-csv", "302");
            rows.Add(provider, "anonymous", "staff-page:post-image", "302");
        }
        return rows;
    }

    [Theory, MemberData(nameof(Rows))]
    public async Task Actor_doing_action_gets(Provider provider, string actor, string action, string expected)
    {
        var w = await world.ForAsync(provider);
        Assert.Equal(expected, await w.DoAsync(actor, action));
    }

    public sealed class World : IAsyncLifetime
    {
        private readonly Dictionary<Provider, Task<Workspace>> _workspaces = [];
        private readonly Lock _lock = new();

        public Task<Workspace> ForAsync(Provider provider)
        {
            lock (_lock)
            {
                if (!_workspaces.TryGetValue(provider, out var w)) _workspaces[provider] = w = Workspace.CreateAsync(provider);
                return w;
            }
        }

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            foreach (var w in _workspaces.Values)
                if (w.IsCompletedSuccessfully) await w.Result.App.DisposeAsync();
        }
    }

    public sealed class Workspace
    {
        public required ChorusFactory App { get; init; }
        public required Dictionary<string, HttpClient> Clients { get; init; }
        public required long Public { get; init; }
        public required long Private { get; init; }
        public required Guid PrivateTeam { get; init; }
        public required Guid SupportTeam { get; init; }
        public required Guid SharedPerson { get; init; }
        public required Guid VictimToken { get; init; }
        public required Guid Mailbox { get; init; }
        public required string PublicLink { get; init; }
        public required Guid ReplyFile { get; init; }
        public required Guid NoteFile { get; init; }
        public required Guid PrivateFile { get; init; }
        public required Guid PrivateNote { get; init; }
        public required Guid List { get; init; }
        public required Guid Macro { get; init; }
        public required Guid Campaign { get; init; }
        public required Guid PublishingChannel { get; init; }
        public required Guid Post { get; init; }
        public required string ShortLink { get; init; }
        public required Guid Monitor { get; init; }
        public required Guid Incident { get; init; }
        public required Guid MediaList { get; init; }
        public required Guid ForumTopic { get; init; }
        public required Guid ForumPost { get; init; }
        public required Guid HelpCategory { get; init; }
        public required Guid HelpArticle { get; init; }
        private int _counter;

        public const string Secret = "zebracorn";

        public static async Task<Workspace> CreateAsync(Provider provider)
        {
            var app = new ChorusFactory(provider);
            app.Settings["Chorus:Email:Poll"] = "false"; // the matrix's mailbox names servers that do not exist
            var admin = await app.StaffAsync("admin");
            var insider = await app.StaffAsync("agent", "Support");
            var outsider = await app.StaffAsync("agent", "Support");
            var viewer = await app.StaffAsync("viewer", "Support");

            var legal = await (await admin.PostAsync("/api/v1/teams", new { name = "Legal", isPrivate = true, memberIds = new[] { insider.UserId } }))
                .JsonAsync(HttpStatusCode.Created);
            var legalId = legal.GetProperty("id").GetGuid();
            var pub = await admin.DeliverAsync("pub-1", handle: "pat@public.test", name: "Pat Public", subject: "Where is my parcel", text: "My parcel is late");
            var priv = await admin.DeliverAsync("priv-1", handle: "pat@public.test", name: "Pat Public", subject: $"{Secret} contract", text: $"The {Secret} agreement draft");
            await admin.PatchConversationAsync(priv.Number, new { teamId = legalId });

            async Task<(Guid Message, Guid File)> AttachAsync(long number, string kind, string text)
            {
                var form = new MultipartFormDataContent { { new StringContent(text), "text" }, { new ByteArrayContent("file content"u8.ToArray()), "files", "notes.txt" } };
                var posted = await (await admin.Http.PostAsync($"/api/v1/conversations/{number}/{kind}", form)).JsonAsync(HttpStatusCode.Created);
                var message = posted.GetProperty("messageId").GetGuid();
                var detail = await admin.ConversationAsync(number);
                var file = detail.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == message).GetProperty("attachments")[0];
                return (message, file.GetProperty("id").GetGuid());
            }
            var replyFile = await AttachAsync(pub.Number, "replies", "Here is the form.");
            var noteFile = await AttachAsync(pub.Number, "notes", "Internal: their contract.");
            var privateFile = await AttachAsync(priv.Number, "notes", $"The {Secret} draft.");

            var mailbox = await (await admin.PostAsync("/api/v1/channels/mailboxes", MailboxSettings("matrix@acme.test"))).JsonAsync(HttpStatusCode.Created);
            var forumTopic = await (await admin.PostAsync($"/api/v1/forum/categories/{await ForumCategoryAsync(admin)}/topics", new { title = "Matrix topic", body = "Matrix post" }))
                .JsonAsync(HttpStatusCode.Created);
            var list = await (await admin.PostAsync("/api/v1/people/lists", new { name = "Matrix list", personIds = new[] { pub.PersonId } })).JsonAsync(HttpStatusCode.Created);
            var macro = await (await admin.PostAsync("/api/v1/macros", new { name = "Matrix macro", body = "Hello {{person.first_name}}" })).JsonAsync(HttpStatusCode.Created);
            var slack = await (await admin.PostAsync("/api/v1/publishing-channels", new { name = "Matrix Slack", kind = "Slack", secret = "http://127.0.0.1:1/hook" })).JsonAsync(HttpStatusCode.Created);
            var campaign = await (await admin.PostAsync("/api/v1/campaigns", new
            {
                name = "Matrix campaign", objective = "Awareness", startsOn = "2026-12-01", endsOn = "2026-12-31", ownerTeamId = legalId, channelIds = new[] { slack.GetProperty("id").GetGuid() },
            })).JsonAsync(HttpStatusCode.Created);
            var post = await (await admin.PostAsync($"/api/v1/campaigns/{campaign.GetProperty("id")}/posts", new { title = "Matrix post", body = "Hello" })).JsonAsync(HttpStatusCode.Created);
            var shortLink = await (await admin.PostAsync($"/api/v1/campaigns/{campaign.GetProperty("id")}/links", new { targetUrl = "https://example.test/" })).JsonAsync(HttpStatusCode.Created);
            var monitor = await (await admin.PostAsync("/api/v1/listening/monitors", new { name = "Matrix monitor", query = "acme" })).JsonAsync(HttpStatusCode.Created);
            var incident = await (await admin.PostAsync("/api/v1/incidents", new { title = "Matrix incident" })).JsonAsync(HttpStatusCode.Created);
            var mediaList = await (await admin.PostAsync("/api/v1/media-lists", new { name = "Matrix press" })).JsonAsync(HttpStatusCode.Created);
            var helpCategory = await (await admin.PostAsync("/api/v1/help/categories", new { name = "Matrix help" })).JsonAsync(HttpStatusCode.Created);
            var helpArticle = await (await admin.PostAsync("/api/v1/help/articles", new { title = "Matrix article", body = "Hello", categoryId = helpCategory.GetProperty("id").GetGuid() }))
                .JsonAsync(HttpStatusCode.Created);
            var victim = await (await admin.PostAsync("/api/v1/me/tokens", new { name = "victim" })).JsonAsync(HttpStatusCode.Created);
            var revoked = await (await outsider.PostAsync("/api/v1/me/tokens", new { name = "to revoke" })).JsonAsync(HttpStatusCode.Created);
            Assert.Equal(HttpStatusCode.NoContent, (await outsider.Http.DeleteAsync($"/api/v1/me/tokens/{revoked.GetProperty("id").GetGuid()}")).StatusCode);

            HttpClient Bearer(string? token)
            {
                var c = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
                if (token is not null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return c;
            }
            var links = app.Services.GetRequiredService<RequesterLinks>();
            return new Workspace
            {
                App = app, Public = pub.Number, Private = priv.Number, PrivateTeam = legalId, SupportTeam = await app.TeamIdAsync("Support"),
                ReplyFile = replyFile.File, NoteFile = noteFile.File, PrivateFile = privateFile.File, PrivateNote = privateFile.Message,
                SharedPerson = pub.PersonId, Mailbox = mailbox.GetProperty("id").GetGuid(), List = list.GetProperty("id").GetGuid(), Macro = macro.GetProperty("id").GetGuid(),
                Campaign = campaign.GetProperty("id").GetGuid(), PublishingChannel = slack.GetProperty("id").GetGuid(), Post = post.GetProperty("id").GetGuid(),
                ShortLink = shortLink.GetProperty("link").GetProperty("shortPath").GetString()!, VictimToken = victim.GetProperty("id").GetGuid(), PublicLink = links.PathFor(pub.ConversationId),
                Monitor = monitor.GetProperty("id").GetGuid(), Incident = incident.GetProperty("id").GetGuid(), MediaList = mediaList.GetProperty("id").GetGuid(),
                ForumTopic = forumTopic.GetProperty("topicId").GetGuid(), ForumPost = forumTopic.GetProperty("postId").GetGuid(),
                HelpCategory = helpCategory.GetProperty("id").GetGuid(), HelpArticle = helpArticle.GetProperty("id").GetGuid(),
                Clients = new()
                {
                    ["admin"] = admin.Http, ["insider"] = insider.Http, ["outsider"] = outsider.Http, ["viewer"] = viewer.Http,
                    ["anonymous"] = Bearer(null), ["requester"] = Bearer(null),
                    ["invalid-token"] = Bearer("chorus_" + new string('0', 48)),
                    ["revoked-token"] = Bearer(revoked.GetProperty("token").GetString()),
                },
            };
        }

        public async Task<string> DoAsync(string actor, string action)
        {
            var c = Clients[actor];
            var n = Interlocked.Increment(ref _counter);
            var all = "status=New&status=Open&status=Pending&status=OnHold&status=Solved&status=Closed";
            var (kind, target) = action.Split(':') is [var k, var t] ? (k, t) : (action, "");
            var number = target == "private" ? Private : Public;
            HttpResponseMessage response = kind switch
            {
                "list" => await c.GetAsync($"/api/v1/conversations?{all}"),
                "team-view" => await c.GetAsync($"/api/v1/conversations?view=Team&team={PrivateTeam}&{all}"),
                "search" => await c.GetAsync($"/api/v1/conversations?q={Secret}"),
                "timeline" => await c.GetAsync($"/api/v1/people/{SharedPerson}"),
                "detail" => await c.GetAsync($"/api/v1/conversations/{number}"),
                "patch" => await c.PatchAsJsonAsync($"/api/v1/conversations/{number}", new { priority = "High" }),
                "bulk" => await c.PostAsJsonAsync("/api/v1/conversations/bulk", new { numbers = new[] { number }, change = new { priority = "High" } }),
                "reply" => await c.PostAsJsonAsync($"/api/v1/conversations/{number}/replies", new { text = $"Reply {n}" }),
                "note" => await c.PostAsJsonAsync($"/api/v1/conversations/{number}/notes", new { text = $"Note {n}" }),
                "inbound" => await c.PostAsJsonAsync("/api/v1/inbound", new { externalId = $"matrix-{n}", author = new { kind = "Email", handle = "m@matrix.test" }, text = "hi" }),
                "teams" when target == "list" => await c.GetAsync("/api/v1/teams"),
                "teams" when target == "create" => await c.PostAsJsonAsync("/api/v1/teams", new { name = $"Team {n}" }),
                "teams" when target == "update" => await c.PatchAsJsonAsync($"/api/v1/teams/{SupportTeam}", new { description = $"Edited {n}" }),
                "staff" => await c.PostAsJsonAsync("/api/v1/staff", new { email = $"new{n}@test.chorus", displayName = $"New {n}", role = "agent", password = ChorusFactory.Password }),
                "audit" => await c.GetAsync("/api/v1/audit"),
                "tokens" when target == "list" => await c.GetAsync("/api/v1/me/tokens"),
                "tokens" when target == "issue" => await c.PostAsJsonAsync("/api/v1/me/tokens", new { name = $"token {n}" }),
                "tokens" when target == "revoke-others" => await c.DeleteAsync($"/api/v1/me/tokens/{VictimToken}"),
                "reply-file" => await c.PostAsync($"/api/v1/conversations/{number}/replies",
                    new MultipartFormDataContent { { new StringContent($"Reply {n}"), "text" }, { new ByteArrayContent("x"u8.ToArray()), "files", "x.txt" } }),
                "file" => await c.GetAsync($"/api/v1/attachments/{(target == "private" ? PrivateFile : target == "note" ? NoteFile : ReplyFile)}"),
                "files" => await c.GetAsync($"/api/v1/conversations/{Private}/messages/{PrivateNote}/attachments"),
                "link-file" when target == "tampered" => await c.GetAsync(Tamper(PublicLink) + $"/attachments/{ReplyFile}"),
                "link-file" => await c.GetAsync(PublicLink + $"/attachments/{(target == "private" ? PrivateFile : target == "note" ? NoteFile : ReplyFile)}"),
                "staff-file" => await c.GetAsync($"/attachments/{ReplyFile}"),
                "mailboxes" when target == "list" => await c.GetAsync("/api/v1/channels/mailboxes"),
                "mailboxes" when target == "create" => await c.PostAsJsonAsync("/api/v1/channels/mailboxes", MailboxSettings($"new{n}@acme.test")),
                "mailboxes" when target == "update" => await c.PatchAsJsonAsync($"/api/v1/channels/mailboxes/{Mailbox}", new { pollIntervalSeconds = 30 + n }),
                // Port 1 on loopback refuses at once: the check answers without waiting for any server.
                "mailboxes" when target == "test" => await c.PostAsJsonAsync($"/api/v1/channels/mailboxes/{Mailbox}/test", new { imapHost = "127.0.0.1", imapPort = 1, smtpHost = "127.0.0.1", smtpPort = 1 }),
                "mailboxes" when target == "test-new" => await c.PostAsJsonAsync("/api/v1/channels/mailboxes/test", new { imapHost = "127.0.0.1", imapPort = 1, imapUser = "u", imapPassword = "p", smtpHost = "127.0.0.1", smtpPort = 1 }),
                "mailboxes" when target == "imports" => await c.GetAsync($"/api/v1/channels/mailboxes/{Mailbox}/imports"),
                "mailboxes" when target == "import-not-mbox" => await c.PostAsync($"/api/v1/channels/mailboxes/{Mailbox}/imports?fileName=x.mbox", new StringContent("not an archive")),
                "mailboxes" when target == "rejections" => await c.GetAsync($"/api/v1/channels/mailboxes/{Mailbox}/rejections"),
                "retry" => await c.PostAsJsonAsync($"/api/v1/conversations/{number}/messages/{Guid.NewGuid()}/retry-delivery", new { }),
                "notification-prefs" when target == "read" => await c.GetAsync("/api/v1/me/notification-preferences"),
                "notification-prefs" when target == "update" => await c.PutAsJsonAsync("/api/v1/me/notification-preferences", new { assignmentEmails = n % 2 == 0 }),
                "email-notifications" when target == "read" => await c.GetAsync("/api/v1/settings/email-notifications"),
                "email-notifications" when target == "update" => await c.PutAsJsonAsync("/api/v1/settings/email-notifications", new { mode = "Automatic" }),
                "outreach" => await c.PostAsJsonAsync("/api/v1/conversations", new { personId = SharedPerson, mailboxId = Mailbox, subject = $"Outreach {n}", text = "Hello" }),
                "lists" when target == "list" => await c.GetAsync("/api/v1/people/lists"),
                "lists" when target == "read" => await c.GetAsync($"/api/v1/people/lists/{List}"),
                "lists" when target == "create" => await c.PostAsJsonAsync("/api/v1/people/lists", new { name = $"List {n}" }),
                "lists" when target == "add-members" => await c.PostAsJsonAsync($"/api/v1/people/lists/{List}/members", new { personIds = new[] { SharedPerson } }),
                "rules" when target == "list" => await c.GetAsync("/api/v1/rules"),
                "rules" when target == "create" => await c.PostAsJsonAsync("/api/v1/rules", new
                {
                    name = $"Rule {n}", enabled = false, trigger = "MessageReceived", conditions = Array.Empty<object>(), actions = new[] { new { kind = "AddTags", value = "matrix" } },
                }),
                "rules" when target == "dry-run" => await c.PostAsJsonAsync("/api/v1/rules/dry-run", new { trigger = "MessageReceived", conditions = Array.Empty<object>(), actions = Array.Empty<object>() }),
                "rules" when target == "webhook-secret" => await c.GetAsync("/api/v1/rules/webhook-secret"),
                "macros" when target == "list" => await c.GetAsync("/api/v1/macros"),
                "sla-policies" when target == "list" => await c.GetAsync("/api/v1/sla-policies"),
                "sla-policies" when target == "restamp" => await c.GetAsync("/api/v1/sla-policies/restamp"),
                "sla-policies" when target == "create" => await c.PostAsJsonAsync("/api/v1/sla-policies", new { name = $"Policy {n}", firstReplyMinutes = 60 }),
                "business-hours" when target == "read" => await c.GetAsync("/api/v1/business-hours"),
                "business-hours" when target == "update" => await c.PutAsJsonAsync("/api/v1/business-hours",
                    new { enabled = true, timeZone = "UTC", hours = new[] { new { day = "Monday", open = "09:00", close = "17:00" } } }),
                "macros" when target == "create" => await c.PostAsJsonAsync("/api/v1/macros", new { name = $"Macro {n}", body = "Hi" }),
                "macro" => await c.PostAsJsonAsync($"/api/v1/conversations/{number}/macros/{Macro}", new { sendReply = false }),
                "campaigns" when target == "list" => await c.GetAsync("/api/v1/campaigns"),
                "campaigns" when target == "read" => await c.GetAsync($"/api/v1/campaigns/{Campaign}"),
                "campaigns" when target == "create" => await c.PostAsJsonAsync("/api/v1/campaigns", new { name = $"Campaign {n}", objective = "Engagement", startsOn = "2026-12-01", endsOn = "2026-12-02", ownerTeamId = actor == "insider" ? PrivateTeam : SupportTeam }),
                "campaigns" when target == "update" => await c.PatchAsJsonAsync($"/api/v1/campaigns/{Campaign}", new { budgetNote = $"Budget {n}" }),
                "publishing-channels" when target == "list" => await c.GetAsync("/api/v1/publishing-channels"),
                "publishing-channels" when target == "create" => await c.PostAsJsonAsync("/api/v1/publishing-channels", new { name = $"Newsroom {n}", kind = "Newsroom" }),
                "publishing-channels" when target == "update" => await c.PatchAsJsonAsync($"/api/v1/publishing-channels/{PublishingChannel}", new { maxLength = 1000 + n }),
                "posts" when target == "create" => await c.PostAsJsonAsync($"/api/v1/campaigns/{Campaign}/posts", new { title = $"Post {n}", body = "Hello" }),
                "posts" when target == "read" => await c.GetAsync($"/api/v1/posts/{Post}"),
                "posts" when target == "calendar" => await c.GetAsync("/api/v1/posts?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z"),
                "posts" when target == "update" => await c.PatchAsJsonAsync($"/api/v1/posts/{Post}", new { body = $"Hello {n}" }),
                "posts" when target == "comment" => await c.PostAsJsonAsync($"/api/v1/posts/{Post}/comments", new { text = $"Comment {n}" }),
                "posts" when target == "approve" => await c.PostAsJsonAsync($"/api/v1/posts/{await FreshPostAsync(n, approved: false)}/approve", new { }),
                "posts" when target == "attach-image" => await c.PostAsync($"/api/v1/posts/{Post}/images", new MultipartFormDataContent
                {
                    { new ByteArrayContent(Campaigns.TestImages.Png), "file", $"matrix-{n}.png" }, { new StringContent("Matrix picture"), "altText" },
                }),
                "posts" when target == "schedule" => await c.PostAsJsonAsync($"/api/v1/posts/{await FreshPostAsync(n, approved: true)}/schedule", new { at = "2035-01-01T09:00", timeZone = "UTC" }),
                "engagement" when target == "post" => await c.GetAsync($"/api/v1/posts/{Post}/engagement"),
                "engagement" when target == "campaign" => await c.GetAsync($"/api/v1/campaigns/{Campaign}/engagement"),
                "campaign-links" => await c.PostAsJsonAsync($"/api/v1/campaigns/{Campaign}/links", new { targetUrl = $"https://example.test/{n}" }),
                "short-link" => await c.GetAsync(ShortLink),
                "campaign-report" when target == "read" => await c.GetAsync($"/api/v1/reports/campaigns/{Campaign}"),
                "campaign-report" when target == "csv" => await c.GetAsync($"/api/v1/reports/campaigns/{Campaign}/csv?table=periods"),
                "staff-page" => await c.GetAsync(target switch
                {
                    "calendar" => "/marketing/calendar", "media-contacts" => "/pr/contacts", "campaign-report" => $"/reports/campaigns?campaign={Campaign}",
                    "campaign-report-csv" => $"/reports/campaigns/{Campaign}/csv", "post-image" => $"/marketing/post-images/{Guid.NewGuid()}", _ => $"/marketing/campaigns/{Campaign}",
                }),
                "press" when target == "contacts" => await c.GetAsync("/api/v1/media-contacts"),
                "press" when target == "contact-add" => await c.PostAsJsonAsync("/api/v1/media-contacts", new { name = $"Reporter {n}", email = $"reporter{n}@paper.test" }),
                "press" when target == "import-preview" => await c.PostAsJsonAsync("/api/v1/media-contacts/import/preview", new { csv = $"name,email\nReporter {n},r{n}@paper.test\n" }),
                "press" when target == "import" => await c.PostAsJsonAsync("/api/v1/media-contacts/import", new { csv = $"name,email\nReporter {n},r{n}@paper.test\n", listId = MediaList }),
                "press" when target == "lists" => await c.GetAsync($"/api/v1/media-lists/{MediaList}"),
                "press" when target == "list-add" => await c.PostAsJsonAsync("/api/v1/media-lists", new { name = $"Press list {n}" }),
                "press" when target == "list-members" => await c.PostAsJsonAsync($"/api/v1/media-lists/{MediaList}/members", new { personIds = new[] { await JournalistAsync(n) } }),
                "press" when target == "coverage" => await c.GetAsync("/api/v1/coverage"),
                "press" when target == "coverage-add" => await c.PostAsJsonAsync("/api/v1/coverage", new { url = $"https://paper.test/story-{n}", headline = $"Story {n}", outlet = "Paper" }),
                "press" when target == "releases" => await c.GetAsync("/api/v1/press-releases"),
                "press" when target == "release-add" => await c.PostAsJsonAsync("/api/v1/press-releases", new { title = $"Release {n}", body = "News", ownerTeamId = PrivateTeam }),
                "press" when target == "release-publish" => await c.PostAsJsonAsync($"/api/v1/press-releases/{await ApprovedReleaseAsync(n)}/publish", new { embargoUntil = "2035-01-01T09:00", timeZone = "Europe/Paris" }),
                "press" when target == "pitches" => await c.GetAsync($"/api/v1/press-releases/{await ApprovedReleaseAsync(n)}/pitches"),
                "press" when target == "share-of-voice" => await c.GetAsync("/api/v1/coverage/share-of-voice?from=2026-01-01&to=2026-12-31"),
                "newsroom" when target == "page" => await c.GetAsync("/newsroom"),
                "newsroom" when target == "rss" => await c.GetAsync("/newsroom/rss.xml"),
                "monitors" when target == "list" => await c.GetAsync("/api/v1/listening/monitors"),
                "monitors" when target == "create" => await c.PostAsJsonAsync("/api/v1/listening/monitors", new { name = $"Monitor {n}", query = "acme OR globex" }),
                "monitors" when target == "update" => await c.PatchAsJsonAsync($"/api/v1/listening/monitors/{Monitor}", new { query = $"acme {n}" }),
                "monitors" when target == "delete-unknown" => await c.DeleteAsync($"/api/v1/listening/monitors/{Guid.NewGuid()}"),
                "sources" when target == "list" => await c.GetAsync("/api/v1/listening/sources"),
                "sources" when target == "create" => await c.PostAsJsonAsync("/api/v1/listening/sources", new { name = $"Source {n}", kind = "webhook" }),
                "sources" when target == "poll-unknown" => await c.PostAsJsonAsync($"/api/v1/listening/sources/{Guid.NewGuid()}/poll", new { }),
                "sources" when target == "secret-unknown" => await c.PostAsJsonAsync($"/api/v1/listening/sources/{Guid.NewGuid()}/secret", new { }),
                "mentions" when target == "list" => await c.GetAsync("/api/v1/listening/mentions?sentiment=negative"),
                "alerts" when target == "list" => await c.GetAsync("/api/v1/listening/alerts?unacknowledged=true"),
                "alerts" when target == "acknowledge-unknown" => await c.PostAsJsonAsync($"/api/v1/listening/alerts/{Guid.NewGuid()}/acknowledge", new { }),
                "alert-webhook" when target == "read" => await c.GetAsync("/api/v1/listening/alert-webhook"),
                "alert-webhook" when target == "clear" => await c.PutAsJsonAsync("/api/v1/listening/alert-webhook", new { webhookUrl = "" }),
                "mentions" when target == "engage-unknown" => await c.PostAsJsonAsync($"/api/v1/listening/mentions/{Guid.NewGuid()}/engage", new { }),
                "reply-account" => await c.PutAsJsonAsync($"/api/v1/listening/sources/{Guid.NewGuid()}/reply-account", new { accessToken = "x" }),
                "incidents" when target == "list" => await c.GetAsync("/api/v1/incidents?status=open"),
                "incidents" when target == "read" => await c.GetAsync($"/api/v1/incidents/{Incident}"),
                "incidents" when target == "open" => await c.PostAsJsonAsync("/api/v1/incidents", new { title = $"Incident {n}" }),
                "incidents" when target == "note" => await c.PostAsJsonAsync($"/api/v1/incidents/{Incident}/notes", new { text = $"Note {n}" }),
                "incidents" when target == "post" => await c.PostAsJsonAsync($"/api/v1/incidents/{Incident}/statement/post", new { }),
                "forum" when target == "categories" => await c.GetAsync("/api/v1/forum/categories"),
                "forum" when target == "category-add" => await c.PostAsJsonAsync("/api/v1/forum/categories", new { name = $"Category {n}" }),
                "forum" when target == "topic" => await c.GetAsync($"/api/v1/forum/topics/{ForumTopic}"),
                "forum" when target == "reply" => await c.PostAsJsonAsync($"/api/v1/forum/topics/{ForumTopic}/replies", new { body = $"Official reply {n}" }),
                "forum" when target == "pin" => await c.PostAsJsonAsync($"/api/v1/forum/topics/{ForumTopic}/pin", new { value = n % 2 == 0 }),
                "forum" when target == "queue" => await c.GetAsync("/api/v1/forum/moderation/queue"),
                "forum" when target == "moderate" => await c.PostAsJsonAsync($"/api/v1/forum/posts/{ForumPost}/moderation", new { action = "Approve" }),
                "forum" when target == "merge-unknown" => await c.PostAsJsonAsync($"/api/v1/forum/topics/{ForumTopic}/merge", new { intoTopicId = Guid.NewGuid() }),
                "forum" when target == "split-nothing" => await c.PostAsJsonAsync($"/api/v1/forum/topics/{ForumTopic}/split", new { postIds = Array.Empty<Guid>(), title = "Split topic" }),
                "help" when target == "articles" => await c.GetAsync("/api/v1/help/articles"),
                "help" when target == "article-add" => await c.PostAsJsonAsync("/api/v1/help/articles", new { title = $"Article {n}", body = "Hi", categoryId = HelpCategory }),
                "help" when target == "publish" => await c.PutAsJsonAsync($"/api/v1/help/articles/{HelpArticle}/published", new { published = n % 2 == 0 }),
                "help" when target == "from-note" => await c.PostAsJsonAsync($"/api/v1/help/articles/draft-from-message/{PrivateNote}", new { }),
                "help" when target == "deflections" => await c.GetAsync("/api/v1/help/deflections"),
                "community" when target == "settings" => await c.GetAsync("/api/v1/community/settings"),
                "community" when target == "settings-change" => await c.PutAsJsonAsync("/api/v1/community/settings", new { flagThreshold = 3 + n % 2 }),
                "community" when target == "edit" => await c.PatchAsJsonAsync($"/api/v1/forum/posts/{ForumPost}", new { body = $"Matrix post, edited {n}" }),
                "community" when target == "sanction-unknown" => await c.PostAsJsonAsync($"/api/v1/forum/members/{Guid.NewGuid()}/sanctions", new { kind = "Silence", reason = "Matrix", days = 1 }),
                "community" when target == "block-unknown" => await c.PutAsJsonAsync($"/api/v1/people/{Guid.NewGuid()}/block", new { reason = "Matrix" }),
                "community" when target == "blocks" => await c.GetAsync("/api/v1/blocks"),
                "community" when target == "blocked-messages" => await c.GetAsync("/api/v1/blocks/messages"),
                "problems" when target == "list" => await c.GetAsync("/api/v1/problems"),
                "problems" when target == "create" => await c.PostAsJsonAsync("/api/v1/problems", new { title = $"Problem {n}" }),
                "problems" when target is "link-public" or "link-private" =>
                    await c.PostAsJsonAsync($"/api/v1/problems/{await FreshProblemAsync(n, null)}/conversations", new { conversationNumber = target == "link-private" ? Private : Public }),
                "problems" when target == "detail-private" => await c.GetAsync($"/api/v1/problems/{await FreshProblemAsync(n, Private)}"),
                "problems" when target == "answer" => await c.PostAsJsonAsync($"/api/v1/problems/{await FreshProblemAsync(n, null)}/solve-and-answer", new { text = "Fixed." }),
                "link" when target == "own" => await c.GetAsync(PublicLink),
                "link" when target == "tampered" => await c.GetAsync(Tamper(PublicLink)),
                _ => throw new ArgumentException("unknown action " + action),
            };
            var body = await response.Content.ReadAsStringAsync();
            if (kind == "problems" && target == "detail-private" && response.StatusCode == HttpStatusCode.OK)
                return body.Contains(Secret, StringComparison.OrdinalIgnoreCase) || body.Contains($"\"number\":{Private},") ? V : H;
            if (kind is "list" or "team-view" or "search" or "timeline" && response.StatusCode == HttpStatusCode.OK)
            {
                var json = JsonDocument.Parse(body).RootElement;
                var shows = kind == "timeline"
                    ? json.GetProperty("conversations").EnumerateArray().Any(x => x.GetProperty("number").GetInt64() == Private)
                      || body.Contains(Secret, StringComparison.OrdinalIgnoreCase)
                    : json.Numbers().Contains(number);
                return shows ? V : H;
            }
            if (kind == "bulk" && response.StatusCode == HttpStatusCode.OK)
                return JsonDocument.Parse(body).RootElement[0].GetProperty("status").GetInt32().ToString();
            // A refusal says why in problem details (pages and 401s excepted).
            if ((int)response.StatusCode is 403 or 404 && kind is not ("link" or "link-file" or "staff-file" or "short-link" or "newsroom" or "staff-page"))
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return ((int)response.StatusCode).ToString();
        }

        /// A post of the matrix campaign written by the admin and sent for review (approved too, if asked).
        private async Task<Guid> FreshPostAsync(int n, bool approved)
        {
            var admin = Clients["admin"];
            var post = await (await admin.PostAsJsonAsync($"/api/v1/campaigns/{Campaign}/posts", new { title = $"Fresh {n}", body = $"Fresh post {n}" })).JsonAsync(HttpStatusCode.Created);
            var id = post.GetProperty("id").GetGuid();
            await (await admin.PostAsJsonAsync($"/api/v1/posts/{id}/submit", new { })).JsonAsync(HttpStatusCode.OK);
            if (approved) await (await admin.PostAsJsonAsync($"/api/v1/posts/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);
            return id;
        }
        /// A problem made by the admin, linked to a conversation when asked; returns its number.
        private async Task<long> FreshProblemAsync(int n, long? linked) =>
            (await (await Clients["admin"].PostAsJsonAsync("/api/v1/problems", new { title = $"Matrix problem {n}", fromConversation = linked })).JsonAsync(HttpStatusCode.Created))
                .GetProperty("number").GetInt64();

        /// A release of Legal's drafted by the insider and approved by the admin.
        private async Task<Guid> ApprovedReleaseAsync(int n)
        {
            var draft = await (await Clients["insider"].PostAsJsonAsync("/api/v1/press-releases", new { title = $"Matrix release {n}", body = "News", ownerTeamId = PrivateTeam })).JsonAsync(HttpStatusCode.Created);
            var id = draft.GetProperty("id").GetGuid();
            await (await Clients["admin"].PostAsJsonAsync($"/api/v1/press-releases/{id}/approve", new { })).JsonAsync(HttpStatusCode.OK);
            return id;
        }

        /// A journalist made by the admin, for a row that adds one to a media list.
        private async Task<Guid> JournalistAsync(int n) =>
            (await (await Clients["admin"].PostAsJsonAsync("/api/v1/media-contacts", new { name = $"Listed {n}", email = $"listed{n}@paper.test" })).JsonAsync(HttpStatusCode.Created))
                .GetProperty("contact").GetProperty("personId").GetGuid();

        private static async Task<Guid> ForumCategoryAsync(StaffClient admin) =>
            (await (await admin.GetAsync("/api/v1/forum/categories")).JsonAsync(HttpStatusCode.OK))[0].GetProperty("id").GetGuid();

        private static object MailboxSettings(string address) => new
        {
            name = address, address, imapHost = "imap.acme.test", imapUser = address, imapPassword = "imap-pass",
            smtpHost = "smtp.acme.test", smtpUser = address, smtpPassword = "smtp-pass",
        };

        private static string Tamper(string path)
        {
            var chars = path.ToCharArray();
            var i = chars.Length - 10;
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            return new string(chars);
        }
    }
}
