using System.Net;
using System.Net.Http.Json;
using Chorus.Features.HelpCenter;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Chorus.Tests.Automation.AutomationTestKit;
using static Chorus.Tests.HelpCenter.HelpCenterKit;

namespace Chorus.Tests.HelpCenter;

/// The help center: articles written by staff, drafts until published, public static pages and search
/// that never show a draft or a playbook, "Was this helpful?", deflections from the web form, and rules
/// that answer with suggested articles.
public class HelpCenterTests
{
    [Theory, Providers]
    public async Task Only_published_public_articles_reach_the_public_pages_search_and_suggestions(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var billing = await agent.CategoryAsync("Billing");
        var published = await agent.ArticleAsync(billing, "How refunds work", "Refunds reach your card within **5 working days**.\n\n<script>alert(1)</script>");
        var draft = await agent.ArticleAsync(billing, "Refunds for gift cards", "Gift card refunds are a draft.", publish: false);
        var playbook = await agent.ArticleAsync(billing, "Handling a refund dispute", "Internal: check the refund ledger first.", @internal: true);
        Assert.Equal("Published", published.Str("status"));
        Assert.Equal("Draft", draft.Str("status"));
        Assert.Equal("how-refunds-work", published.Str("slug"));
        var browser = Browser(app);

        var (status, home) = await PageAsync(browser, "/help");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("How refunds work", home);
        Assert.DoesNotContain("gift cards", home);
        Assert.DoesNotContain("dispute", home);
        Assert.DoesNotContain("blazor.web.js", home); // static: no circuit, no script needed to read it

        var (articleStatus, article) = await PageAsync(browser, "/help/articles/how-refunds-work");
        Assert.Equal(HttpStatusCode.OK, articleStatus);
        Assert.Contains("<strong>5 working days</strong>", article);
        Assert.DoesNotContain("<script>alert", article); // Markdown's raw HTML is escaped or removed, never run
        Assert.Contains("<meta name=\"description\" content=\"Refunds reach your card within 5 working days.", article);

        Assert.Equal(HttpStatusCode.NotFound, (await PageAsync(browser, $"/help/articles/{draft.Str("slug")}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PageAsync(browser, $"/help/articles/{playbook.Str("slug")}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/help/suggest/articles/{playbook.Str("slug")}")).StatusCode);
        var (categoryStatus, category) = await PageAsync(browser, "/help/billing");
        Assert.Equal(HttpStatusCode.OK, categoryStatus);
        Assert.Contains("How refunds work", category);
        Assert.DoesNotContain("dispute", category);
        Assert.Equal(HttpStatusCode.NotFound, (await PageAsync(browser, "/help/no-such-section")).Status);

        var (_, search) = await PageAsync(browser, "/help/search?q=refund");
        Assert.Contains("How refunds work", search);
        Assert.DoesNotContain("gift cards", search);
        Assert.DoesNotContain("dispute", search);
        Assert.Equal(["How refunds work"], await SuggestionsAsync(browser, "refund dispute gift card"));

        // Staff search sees the playbook (and drafts when asked); the public never does.
        var staffHits = (await (await agent.GetAsync("/api/v1/help/search?q=refund")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().Select(h => h.Str("title")).ToList();
        Assert.Contains("Handling a refund dispute", staffHits);
        Assert.DoesNotContain("Refunds for gift cards", staffHits);
        var withDrafts = (await (await agent.GetAsync("/api/v1/help/search?q=refund&drafts=true")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().Select(h => h.Str("title")).ToList();
        Assert.Contains("Refunds for gift cards", withDrafts);

        // Taken back to draft: gone from the public at once.
        await (await agent.Http.PutAsJsonAsync($"/api/v1/help/articles/{published.Str("id")}/published", new { published = false })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NotFound, (await PageAsync(browser, "/help/articles/how-refunds-work")).Status);
        Assert.Empty(await SuggestionsAsync(browser, "refund"));
        Assert.Contains("id=\"help-empty\"", (await PageAsync(browser, "/help")).Html);

        var audit = await app.DbAsync(db => db.AuditEntries.Where(a => a.Action.StartsWith("help.")).Select(a => a.Action).ToListAsync());
        Assert.Contains("help.article-published", audit);
        Assert.Contains("help.article-unpublished", audit);
        Assert.Contains("help.category-created", audit);
    }

    [Theory, Providers]
    public async Task Search_ranks_the_article_about_the_question_first(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var account = await agent.CategoryAsync("Account");
        var orders = await agent.CategoryAsync("Orders");
        await agent.ArticleAsync(account, "Reset your password", "Forgot your password? Click *Forgot password* on the sign-in page and we e-mail you a reset link. The link works for one hour.");
        await agent.ArticleAsync(account, "Two-factor sign-in", "Turn on two-factor authentication under Settings → Security. Lost your phone? Use a recovery code to sign in.");
        await agent.ArticleAsync(orders, "Track your order", "Every order has a tracking link in the shipping e-mail. Parcels usually arrive within 3 days.");
        await agent.ArticleAsync(orders, "Refunds and returns", "Return an order within 30 days for a refund. Refunds reach your card within 5 working days, we never refund in cash.");
        var browser = Browser(app);

        Assert.Equal("Reset your password", (await SuggestionsAsync(browser, "I forgot my password and cannot sign in"))[0]);
        Assert.Equal("Refunds and returns", (await SuggestionsAsync(browser, "when will I get my refund?"))[0]);
        Assert.Equal("Track your order", (await SuggestionsAsync(browser, "Where is my parcel"))[0]);
        // As the visitor types: the last word is matched as a prefix.
        Assert.Equal("Two-factor sign-in", (await SuggestionsAsync(browser, "lost phone recov"))[0]);
        Assert.Empty(await SuggestionsAsync(browser, "xylophone quartet"));
        Assert.Empty(await SuggestionsAsync(browser, "hi")); // too short to suggest anything
    }

    [Theory, Providers]
    public async Task A_deflection_is_counted_once_per_visit_and_withdrawn_when_the_visitor_sends_the_form_after_all(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var orders = await agent.CategoryAsync("Orders");
        await agent.ArticleAsync(orders, "Track your order", "Every order has a tracking link in the shipping e-mail.");
        await agent.ArticleAsync(orders, "Refunds and returns", "Return an order within 30 days for a refund.");
        var draft = await agent.ArticleAsync(orders, "Lost parcels", "Still a draft.", publish: false);
        var browser = Browser(app);

        var form = await Forms.OpenAsync(browser, "/contact");
        var visit = form["Input.RequestId"];
        Dictionary<string, string> Deflect(string article) => new() { ["visit"] = visit, ["article"] = article, [Forms.AntiforgeryField] = form[Forms.AntiforgeryField] };

        var first = await (await Forms.PostAsync(browser, "/help/deflections", Deflect("track-your-order"))).JsonAsync(HttpStatusCode.OK);
        Assert.True(first.GetProperty("counted").GetBoolean());
        // Clicking again, or on another article in the same visit, counts nothing more.
        Assert.False((await (await Forms.PostAsync(browser, "/help/deflections", Deflect("track-your-order"))).JsonAsync(HttpStatusCode.OK)).GetProperty("counted").GetBoolean());
        Assert.False((await (await Forms.PostAsync(browser, "/help/deflections", Deflect("refunds-and-returns"))).JsonAsync(HttpStatusCode.OK)).GetProperty("counted").GetBoolean());
        // A draft is no answer, and a post without the form's token is refused.
        Assert.Equal(HttpStatusCode.NotFound, (await Forms.PostAsync(browser, "/help/deflections", Deflect(draft.Str("slug")))).StatusCode);
        var forged = Deflect("refunds-and-returns");
        forged.Remove(Forms.AntiforgeryField);
        Assert.Equal(HttpStatusCode.BadRequest, (await Forms.PostAsync(Browser(app), "/help/deflections", forged)).StatusCode);

        var report = await (await agent.GetAsync("/api/v1/help/deflections")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, report.GetProperty("total").GetInt32());
        var row = Assert.Single(report.GetProperty("articles").EnumerateArray());
        Assert.Equal("Track your order", row.Str("title"));
        Assert.Equal(1, row.GetProperty("deflections").GetInt32());
        Assert.Equal(0, (await (await agent.GetAsync($"/api/v1/help/deflections?since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}")).JsonAsync(HttpStatusCode.OK)).GetProperty("total").GetInt32());

        // A second visit counts again.
        var again = await Forms.OpenAsync(browser, "/contact");
        Assert.NotEqual(visit, again["Input.RequestId"]);
        Assert.True((await (await Forms.PostAsync(browser, "/help/deflections",
            new Dictionary<string, string> { ["visit"] = again["Input.RequestId"], ["article"] = "refunds-and-returns", [Forms.AntiforgeryField] = again[Forms.AntiforgeryField] }))
            .JsonAsync(HttpStatusCode.OK)).GetProperty("counted").GetBoolean());
        Assert.Equal(2, await app.DbAsync(db => db.Set<HelpDeflection>().CountAsync()));

        // The first visitor sends the form after all: the article did not answer them.
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(browser, "/contact", Forms.Contact(form))).StatusCode);
        var after = await (await agent.GetAsync("/api/v1/help/deflections")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, after.GetProperty("total").GetInt32());
        Assert.Equal("Refunds and returns", Assert.Single(after.GetProperty("articles").EnumerateArray()).Str("title"));
    }

    [Theory, Providers]
    public async Task Was_this_helpful_keeps_one_answer_per_visitor(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var article = await agent.ArticleAsync(await agent.CategoryAsync("Orders"), "Track your order", "Every order has a tracking link.");
        var visitor = Browser(app);

        async Task<HttpResponseMessage> VoteAsync(HttpClient browser, string helpful)
        {
            var page = (await PageAsync(browser, "/help/articles/track-your-order")).Html;
            return await Forms.PostAsync(browser, "/help/articles/track-your-order/vote", new Dictionary<string, string>(Forms.HiddenFields(page)) { ["helpful"] = helpful });
        }
        var voted = await VoteAsync(visitor, "yes");
        Assert.Equal(HttpStatusCode.Redirect, voted.StatusCode);
        Assert.Equal("/help/articles/track-your-order?voted=yes#helpful", voted.Headers.Location!.ToString());
        Assert.Contains("id=\"help-voted\"", (await PageAsync(visitor, "/help/articles/track-your-order?voted=yes")).Html);
        await VoteAsync(visitor, "yes");
        await VoteAsync(visitor, "no"); // changed their mind: one vote, now "no"
        await VoteAsync(Browser(app), "yes"); // someone else

        var counted = await (await agent.GetAsync($"/api/v1/help/articles/{article.Str("id")}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, counted.GetProperty("helpfulCount").GetInt32());
        Assert.Equal(1, counted.GetProperty("notHelpfulCount").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await Forms.PostAsync(Browser(app), "/help/articles/track-your-order/vote", new Dictionary<string, string> { ["helpful"] = "yes" })).StatusCode);
    }

    [Theory, Providers]
    public async Task Bad_articles_are_refused_with_reasons_and_viewers_only_read(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer", "Support");
        var orders = await agent.CategoryAsync("Orders");

        var invalid = await (await agent.PostAsync("/api/v1/help/articles", new { title = "x", body = "", categoryId = Guid.NewGuid() })).ProblemAsync(HttpStatusCode.BadRequest);
        var errors = invalid.GetProperty("errors");
        Assert.Contains("title", errors.GetProperty("title")[0].GetString());
        Assert.Equal("Write the article (Markdown).", errors.GetProperty("body")[0].GetString());
        Assert.Equal("That category does not exist.", errors.GetProperty("categoryId")[0].GetString());

        var first = await agent.ArticleAsync(orders, "Track your order", "Tracking links.");
        var second = await agent.ArticleAsync(orders, "Track your order", "Same title, its own address.");
        Assert.Equal("track-your-order-2", second.Str("slug"));
        var taken = await (await agent.Http.PutAsJsonAsync($"/api/v1/help/articles/{second.Str("id")}", new { slug = "track-your-order" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("/help/articles/track-your-order", taken.Str("detail"));
        var reserved = await (await agent.PostAsync("/api/v1/help/categories", new { name = "Search", slug = "search" })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("taken by the help center", reserved.Str("detail"));

        // Two editors: the second save over a stale version is refused, nothing lost.
        var version = first.GetProperty("version").GetInt32();
        await (await agent.Http.PutAsJsonAsync($"/api/v1/help/articles/{first.Str("id")}", new { body = "Edited by one.", version })).JsonAsync(HttpStatusCode.OK);
        await (await agent.Http.PutAsJsonAsync($"/api/v1/help/articles/{first.Str("id")}", new { body = "Edited by two.", version })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("Edited by one.", (await (await agent.GetAsync($"/api/v1/help/articles/{first.Str("id")}")).JsonAsync(HttpStatusCode.OK)).Str("body"));

        var inUse = await (await agent.Http.DeleteAsync($"/api/v1/help/categories/{orders}")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("has 2 articles", inUse.Str("detail"));

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/help/articles")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/v1/help/articles", new { title = "Mine", body = "x", categoryId = orders })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.PutAsJsonAsync($"/api/v1/help/articles/{first.Str("id")}/published", new { published = false })).StatusCode);
    }

    [Theory, Providers]
    public async Task An_agents_reply_becomes_a_prefilled_draft(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var orders = await agent.CategoryAsync("Orders");
        var number = (await agent.DeliverAsync("hc-1", subject: "Where is my parcel?", text: "It has been a week")).Number;
        var reply = await (await agent.PostAsync($"/api/v1/conversations/{number}/replies", new { text = "Every order has a **tracking link** in the shipping e-mail." })).JsonAsync(HttpStatusCode.Created);
        var inbound = (await agent.ConversationAsync(number)).GetProperty("messages").EnumerateArray().First(m => m.Str("kind") == "Inbound");

        var draft = await (await agent.PostAsync($"/api/v1/help/articles/draft-from-message/{reply.Str("messageId")}", new { })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Where is my parcel?", draft.Str("title"));
        Assert.Equal("Every order has a **tracking link** in the shipping e-mail.", draft.Str("body"));
        Assert.Equal(orders.ToString(), draft.Str("categoryId"));
        // The customer's own words are not an answer to publish.
        await (await agent.PostAsync($"/api/v1/help/articles/draft-from-message/{inbound.Str("id")}", new { })).ProblemAsync(HttpStatusCode.BadRequest);

        var saved = await (await agent.PostAsync("/api/v1/help/articles", draft)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("Draft", saved.Str("status"));
        Assert.Equal(reply.Str("messageId"), saved.Str("sourceMessageId"));
    }

    [Theory, Providers]
    public async Task A_rule_answers_with_links_to_the_best_matching_published_articles(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:PublicUrl"] = "https://help.example.test";
        var admin = await app.StaffAsync("admin");
        var orders = await admin.CategoryAsync("Orders");
        await admin.ArticleAsync(orders, "Track your order", "Every order has a tracking link in the shipping e-mail. Parcels arrive within 3 days.");
        await admin.ArticleAsync(orders, "Refunds and returns", "Return an order within 30 days for a refund.");
        await admin.ArticleAsync(orders, "Parcel tracking for staff", "Internal: look the parcel up in the carrier portal.", @internal: true);
        await admin.ArticleAsync(orders, "Parcel delays (draft)", "Parcel tracking delays.", publish: false);

        var invalid = await (await admin.PostAsync("/api/v1/rules", new
        {
            name = "Too many", trigger = "ConversationCreated", conditions = Array.Empty<object>(), actions = new[] { Action("ReplyWithArticles", "9") },
        })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("suggest 1 to 5 articles", invalid.Str("detail"));
        await (await admin.PostAsync("/api/v1/macros", new { name = "Articles", body = "", actions = new[] { Action("ReplyWithArticles", "2") } })).ProblemAsync(HttpStatusCode.BadRequest);

        await admin.CreateRuleAsync(new
        {
            name = "Suggest articles", enabled = true, trigger = "ConversationCreated", conditions = Array.Empty<object>(), actions = new[] { Action("ReplyWithArticles", "2") },
        });
        var number = (await admin.DeliverAsync("hc-rule-1", subject: "Where is my parcel?", text: "I need the tracking link for my parcel", name: "Ann Customer")).Number;
        var detail = await admin.EventuallyAsync(number, d => d.RuleEvents().Length > 0);
        var reply = Assert.Single(detail.Messages(), m => m.Kind == "Reply").Text;
        Assert.StartsWith("Hi Ann,", reply);
        Assert.Contains("[Track your order](https://help.example.test/help/articles/track-your-order)", reply);
        Assert.DoesNotContain("staff", reply); // never a playbook
        Assert.DoesNotContain("draft", reply);
        Assert.Equal(["Rule 'Suggest articles' replied with 1 suggested article: “Track your order”."], detail.RuleEvents());

        // Nothing matches: no reply, and the thread says why.
        var other = (await admin.DeliverAsync("hc-rule-2", subject: "Partnership", text: "We would like to sponsor your esports team")).Number;
        var quiet = await admin.EventuallyAsync(other, d => d.RuleEvents().Length > 0);
        Assert.DoesNotContain(quiet.Messages(), m => m.Kind == "Reply");
        Assert.Equal(["Rule 'Suggest articles' suggested no articles: none of the published articles matches this conversation."], quiet.RuleEvents());
    }

    [Theory, Providers]
    public async Task Macros_and_rules_link_a_playbook_that_agents_see_and_the_public_never_does(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var team = await admin.CategoryAsync("How we work");
        var playbook = await admin.ArticleAsync(team, "Handling a security report", "Thank the reporter, never promise a bounty, move it to Product & Engineering Liaison.", @internal: true);
        var publicArticle = await admin.ArticleAsync(team, "Report a security issue", "Write to security@ with the details.");
        var playbookId = playbook.Str("id");

        var refused = await (await admin.PostAsync("/api/v1/macros", new { name = "Security thanks", body = "Thank you!", playbookId = publicArticle.Str("id") })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("choose an internal help-center article", refused.Str("detail"));
        var macro = await admin.CreateMacroAsync(new { name = "Security thanks", body = "Thank you for the report!", playbookId });
        Assert.Equal(playbookId, macro.Str("playbookId"));
        Assert.Equal(playbookId, (await (await admin.GetAsync("/api/v1/macros")).JsonAsync(HttpStatusCode.OK))[0].Str("playbookId"));

        var rule = await admin.CreateRuleAsync(new
        {
            name = "Security reports", enabled = true, trigger = "ConversationCreated", conditions = new[] { Condition("Text", "Contains", "vulnerability") },
            actions = new[] { Action("AddTags", "security") }, playbookId,
        });
        Assert.Equal(playbookId, rule.Str("playbookId"));
        var number = (await admin.DeliverAsync("pb-1", subject: "Vulnerability in your launcher", text: "I found a vulnerability.")).Number;
        var detail = await admin.EventuallyAsync(number, d => d.RuleEvents().Length >= 2);
        Assert.Equal(["Rule 'Security reports' added tag security.", $"Rule 'Security reports' points to the playbook “Handling a security report”: /help-center/articles/{playbookId}"],
            detail.RuleEvents());

        // The playbook is never public, whatever its status: no page, no search hit, no suggestion.
        var browser = Browser(app);
        Assert.Equal(HttpStatusCode.NotFound, (await PageAsync(browser, $"/help/articles/{playbook.Str("slug")}")).Status);
        Assert.DoesNotContain("Handling a security report", (await PageAsync(browser, "/help/search?q=security+report")).Html);
        Assert.Equal(["Report a security issue"], await SuggestionsAsync(browser, "security report bounty"));

        // Deleting the playbook unlinks it; the macro and rule stay.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/v1/help/articles/{playbookId}")).StatusCode);
        Assert.Null((await (await admin.GetAsync("/api/v1/macros")).JsonAsync(HttpStatusCode.OK))[0].Str("playbookId"));
        Assert.Null((await (await admin.GetAsync($"/api/v1/rules/{rule.Str("id")}")).JsonAsync(HttpStatusCode.OK)).Str("playbookId"));
    }
}
