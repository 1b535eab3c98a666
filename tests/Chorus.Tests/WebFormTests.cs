using System.Net;
using System.Text.RegularExpressions;
using Chorus.Features.Inbox;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

/// The public contact form (/contact): static server-rendered, works without JavaScript, safe to leave open.
public class WebFormTests
{
    private static HttpClient Browser(ChorusFactory app) => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static string Sent(HttpResponseMessage r) => Regex.Match(r.Headers.Location!.ToString(), @"sent=(\d+)").Groups[1].Value;

    private static Task<int> ConversationCountAsync(ChorusFactory app) => app.DbAsync(db => db.Conversations.CountAsync());

    [Theory, Providers]
    public async Task Sending_the_form_files_a_conversation_and_redirects_to_the_private_link(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var browser = Browser(app);

        var hidden = await Forms.OpenAsync(browser, "/contact");
        Assert.Equal("contact", hidden["_handler"]);
        Assert.True(Guid.TryParse(hidden["Input.RequestId"], out var requestId) && requestId != Guid.Empty);

        var response = await Forms.PostAsync(browser, "/contact", Forms.Contact(hidden));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        var match = Regex.Match(location, @"^/requests/[A-Za-z0-9_-]+\?.*sent=(\d+)");
        Assert.True(match.Success, location);
        var number = long.Parse(match.Groups[1].Value);

        var detail = await agent.ConversationAsync(number);
        Assert.Equal("Cannot sign in", detail.Summary().GetProperty("subject").GetString());
        Assert.Equal("Rita Requester", detail.Summary().GetProperty("requesterName").GetString());
        Assert.Equal("WebForm", detail.Summary().GetProperty("channelKind").GetString());
        Assert.Equal("Support", detail.Summary().GetProperty("teamName").GetString());
        Assert.Equal("rita@requester.test", detail.GetProperty("requesterHandle").GetString());
        Assert.Equal([("Inbound", "I cannot sign in since yesterday.")], detail.Messages());

        var page = await browser.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains($"#{number}", html);
        Assert.Contains("I cannot sign in since yesterday.", html);
    }

    [Theory, Providers]
    public async Task A_post_without_the_antiforgery_token_is_400_and_stores_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        var browser = Browser(app);
        var hidden = await Forms.OpenAsync(browser, "/contact");
        var fields = Forms.Contact(hidden);
        fields.Remove(Forms.AntiforgeryField);

        var response = await Forms.PostAsync(browser, "/contact", fields);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        var forged = Forms.Contact(hidden);
        forged[Forms.AntiforgeryField] = "CfDJ8forged";
        Assert.Equal(HttpStatusCode.BadRequest, (await Forms.PostAsync(browser, "/contact", forged)).StatusCode);
        // A token without the matching cookie (another site posting on the visitor's behalf) is refused too.
        Assert.Equal(HttpStatusCode.BadRequest, (await Forms.PostAsync(Browser(app), "/contact", Forms.Contact(hidden))).StatusCode);
        Assert.Equal(0, await ConversationCountAsync(app));
    }

    [Theory, Providers]
    public async Task A_bot_that_fills_the_honeypot_stores_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        var browser = Browser(app);
        var hidden = await Forms.OpenAsync(browser, "/contact");

        var response = await Forms.PostAsync(browser, "/contact", Forms.Contact(hidden, website: "http://spam.example"));
        Assert.NotEqual(HttpStatusCode.Redirect, response.StatusCode);
        Assert.True(response.StatusCode < HttpStatusCode.InternalServerError);
        Assert.Equal(0, await ConversationCountAsync(app));
        Assert.Equal(0, await app.DbAsync(db => db.People.CountAsync()));
    }

    [Theory, Providers]
    public async Task Sending_the_same_form_twice_files_one_conversation(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        var browser = Browser(app);
        var hidden = await Forms.OpenAsync(browser, "/contact");

        var first = await Forms.PostAsync(browser, "/contact", Forms.Contact(hidden));
        var second = await Forms.PostAsync(browser, "/contact", Forms.Contact(hidden));
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        // The private link is re-encrypted on every answer, but both point at the same conversation.
        Assert.Equal(Sent(first), Sent(second));
        Assert.Equal(1, await ConversationCountAsync(app));
        Assert.Equal(1, await app.DbAsync(db => db.Messages.CountAsync()));

        // A freshly opened form is a new request.
        var again = await Forms.OpenAsync(browser, "/contact");
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(browser, "/contact", Forms.Contact(again, subject: "Another thing"))).StatusCode);
        Assert.Equal(2, await ConversationCountAsync(app));
    }

    [Theory, Providers]
    public async Task Too_many_posts_in_a_minute_get_429_with_a_clear_message(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:RateLimits:PublicPostsPerMinute"] = "2";
        await app.PrepareAsync();
        var browser = Browser(app);

        var codes = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            var hidden = await Forms.OpenAsync(browser, "/contact");
            last = await Forms.PostAsync(browser, "/contact", Forms.Contact(hidden, subject: $"Post {i}"));
            codes.Add(last.StatusCode);
        }
        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests], codes);
        Assert.Contains("Please wait a minute", await last!.Content.ReadAsStringAsync());
        Assert.Equal(2, await ConversationCountAsync(app));
    }

    [Theory, Providers]
    public async Task Behind_a_trusted_proxy_each_client_has_its_own_posting_budget_and_a_forged_address_buys_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider, kestrel: true);
        app.Settings["Chorus:RateLimits:PublicPostsPerMinute"] = "1";
        app.Settings["Chorus:TrustedProxies"] = "127.0.0.1";
        await app.PrepareAsync();
        Assert.Equal(HttpStatusCode.Redirect, await PostThroughProxyAsync(app, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.Redirect, await PostThroughProxyAsync(app, "203.0.113.2")); // another visitor behind the same proxy
        Assert.Equal(HttpStatusCode.TooManyRequests, await PostThroughProxyAsync(app, "203.0.113.1"));

        // Without the proxy trusted, X-Forwarded-For is just a header anyone can send.
        await using var direct = new ChorusFactory(provider, kestrel: true);
        direct.Settings["Chorus:RateLimits:PublicPostsPerMinute"] = "1";
        await direct.PrepareAsync();
        Assert.Equal(HttpStatusCode.Redirect, await PostThroughProxyAsync(direct, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await PostThroughProxyAsync(direct, "203.0.113.2"));
    }

    private static async Task<HttpStatusCode> PostThroughProxyAsync(ChorusFactory app, string client)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new() }) { BaseAddress = app.ServerAddress };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", client);
        var hidden = await Forms.OpenAsync(http, "/contact");
        return (await Forms.PostAsync(http, "/contact", Forms.Contact(hidden, subject: $"From {client}"))).StatusCode;
    }

    [Theory, Providers]
    public async Task Invalid_form_input_is_400_with_the_reason_and_stores_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        var browser = Browser(app);
        var hidden = await Forms.OpenAsync(browser, "/contact");

        var badEmail = await Forms.PostAsync(browser, "/contact", Forms.Contact(hidden, email: "not-an-address"));
        Assert.Equal(HttpStatusCode.BadRequest, badEmail.StatusCode);
        Assert.Contains("e-mail address does not look right", await badEmail.Content.ReadAsStringAsync());
        var empty = await Forms.PostAsync(browser, "/contact", Forms.Contact(hidden, message: ""));
        Assert.True(empty.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{(int)empty.StatusCode}");
        Assert.Contains("Write your message.", await empty.Content.ReadAsStringAsync());
        Assert.Equal(0, await ConversationCountAsync(app));
    }

    [Theory, Providers]
    public async Task A_hostile_html_message_is_stored_as_written_and_shown_escaped(Provider provider)
    {
        const string hostile = "<script>alert(1)</script><img src=x onerror=alert(1)>";
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var browser = Browser(app);
        var hidden = await Forms.OpenAsync(browser, "/contact");

        var response = await Forms.PostAsync(browser, "/contact", Forms.Contact(hidden, name: "<b>Mallory</b>", subject: "<script>x()</script>", message: hostile));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var number = long.Parse(Regex.Match(response.Headers.Location!.ToString(), @"sent=(\d+)").Groups[1].Value);
        Assert.Equal(hostile, (await agent.ConversationAsync(number)).Messages().Single().Text);

        var html = await (await browser.GetAsync(response.Headers.Location)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>Mallory", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
    }

    [Theory, Providers]
    public async Task Hostile_html_from_the_inbound_api_is_sanitized_on_the_requester_page(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var response = await agent.PostAsync("/api/v1/inbound", new
        {
            externalId = "xss-1", author = new { kind = "Email", handle = "x@xss.test" }, subject = "hi",
            html = "<p>Hello</p><script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(2)\" onclick=\"alert(3)\">link</a><iframe src=\"//evil\"></iframe>",
        });
        var d = await response.JsonAsync(HttpStatusCode.Created);
        var link = app.Services.GetRequiredService<Chorus.Features.Channels.WebForm.RequesterLinks>().PathFor(d.GetProperty("conversationId").GetGuid());
        await (await agent.PostAsync($"/api/v1/conversations/{d.GetProperty("conversationNumber").GetInt64()}/replies",
            new { text = "Thanks <script>alert(4)</script> [x](javascript:alert(5))" })).JsonAsync(HttpStatusCode.Created);

        var html = await (await app.CreateClient().GetAsync(link)).Content.ReadAsStringAsync();
        Assert.Contains("Hello", html);
        foreach (var bad in new[] { "<script", "<img", "onerror", "onclick", "javascript:", "<iframe" })
            Assert.DoesNotContain(bad, html, StringComparison.OrdinalIgnoreCase);
    }
}
