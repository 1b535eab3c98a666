using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

/// Browser-facing hardening: security headers, the sign-in cookie, lockout, API tokens.
public class SecurityTests
{
    private static void AssertSecurityHeaders(HttpResponseMessage r, string what)
    {
        string Header(string name) => r.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : "";
        var csp = Header("Content-Security-Policy");
        Assert.True(csp.Contains("default-src 'self'") && csp.Contains("frame-ancestors 'none'") && csp.Contains("object-src 'none'") || what.Contains("scalar"),
            $"{what}: CSP is '{csp}'");
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        Assert.False(string.IsNullOrEmpty(Header("Referrer-Policy")), $"{what}: no Referrer-Policy");
        Assert.Equal("DENY", Header("X-Frame-Options"));
    }

    [Theory, Providers]
    public async Task Pages_and_api_responses_carry_the_security_headers(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        foreach (var (path, client, status) in new[]
                 {
                     ("/contact", anonymous, HttpStatusCode.OK),
                     ("/account/login", anonymous, HttpStatusCode.OK),
                     ("/requests/nonsense", anonymous, HttpStatusCode.NotFound),
                     ("/", anonymous, HttpStatusCode.Redirect),
                     ("/api/v1/conversations", agent.Http, HttpStatusCode.OK),
                     ("/api/v1/conversations", anonymous, HttpStatusCode.Unauthorized),
                     ("/api/v1/conversations/999999", agent.Http, HttpStatusCode.NotFound),
                     ("/openapi/v1.json", anonymous, HttpStatusCode.OK),
                 })
        {
            var r = await client.GetAsync(path);
            Assert.True(r.StatusCode == status, $"{path} answered {(int)r.StatusCode}");
            AssertSecurityHeaders(r, path);
        }
        Assert.Equal("strict-origin-when-cross-origin", string.Join(",", (await anonymous.GetAsync("/contact")).Headers.GetValues("Referrer-Policy")));
    }

    [Theory, Providers]
    public async Task Signing_in_sets_an_http_only_cookie_and_a_staff_page_needs_it(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.StartsWith("/account/login", (await browser.GetAsync("/")).Headers.Location?.PathAndQuery);

        var response = await SignInAsync(browser, ChorusFactory.AdminEmail, ChorusFactory.Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("chorus.auth="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);
        // The cookie is for pages; the API takes bearer tokens only.
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/conversations")).StatusCode);
    }

    [Theory, Providers]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        for (var i = 0; i < 5; i++)
        {
            var wrong = await SignInAsync(browser, agent.Email, $"wrong-password-{i}");
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.False(wrong.Headers.TryGetValues("Set-Cookie", out var c) && c.Any(x => x.StartsWith("chorus.auth=")));
        }
        var locked = await SignInAsync(browser, agent.Email, ChorusFactory.Password);
        Assert.Equal(HttpStatusCode.BadRequest, locked.StatusCode);
        Assert.Contains("locked", await locked.Content.ReadAsStringAsync());
        Assert.False(locked.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(x => x.StartsWith("chorus.auth=")));

        // Someone else is not affected.
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }),
            ChorusFactory.AdminEmail, ChorusFactory.Password)).StatusCode);
    }

    [Theory, Providers]
    public async Task Unknown_malformed_and_revoked_api_tokens_get_401(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        HttpClient With(string scheme, string value)
        {
            var c = app.CreateClient();
            c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, value);
            return c;
        }

        foreach (var client in new[] { With("Bearer", "chorus_" + new string('f', 48)), With("Bearer", "not-a-chorus-token"), With("Bearer", ""), With("Basic", "YWRtaW46YWRtaW4=") })
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/conversations")).StatusCode);

        var issued = await (await agent.PostAsync("/api/v1/me/tokens", new { name = "script" })).JsonAsync(HttpStatusCode.Created);
        var token = issued.GetProperty("token").GetString()!;
        var script = With("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/v1/me")).StatusCode);
        var listed = await (await agent.GetAsync("/api/v1/me/tokens")).JsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(token, listed.ToString()); // shown once, never listed

        Assert.Equal(HttpStatusCode.NoContent, (await agent.Http.DeleteAsync($"/api/v1/me/tokens/{issued.GetProperty("id").GetGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.PostAsJsonAsync("/api/v1/me/tokens", new { name = "sneaky" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync("/api/v1/me")).StatusCode); // the other token still works
    }

    [Theory, Providers]
    public async Task An_unexpected_api_failure_answers_problem_details_without_internals(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var broken = app.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddScoped<Chorus.Features.Inbox.InboxQuery>(_ => throw new InvalidOperationException("secret-internal-detail"))));
        var client = broken.CreateClient();
        client.DefaultRequestHeaders.Authorization = agent.Http.DefaultRequestHeaders.Authorization;

        var response = await client.GetAsync("/api/v1/conversations");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret-internal-detail", body);
        Assert.DoesNotContain("   at ", body);
        // Pages keep their friendly error page.
        Assert.Equal(HttpStatusCode.OK, (await broken.CreateClient().GetAsync("/contact")).StatusCode);
    }

    [Theory, Providers]
    public async Task Signing_in_only_returns_to_pages_of_this_site(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        foreach (var (returnUrl, expected) in new[]
                 {
                     ("/people", "/people"), ("//evil.example/x", "/"), ("/\\evil.example", "/"), ("https://evil.example", "/"),
                     ("/\t/evil.example", "/"), ("/\n/evil.example", "/"), ("/\r\n/evil.example", "/"), ("javascript:alert(1)", "/"),
                 })
        {
            var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            var response = await SignInAsync(browser, ChorusFactory.AdminEmail, ChorusFactory.Password, "/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.True(expected == response.Headers.Location?.OriginalString, $"ReturnUrl {returnUrl.Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "\\r")} went to {response.Headers.Location?.OriginalString}");
        }
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string email, string password, string path = "/account/login")
    {
        var hidden = await Forms.OpenAsync(browser, path);
        var fields = new Dictionary<string, string>(hidden) { ["Input.Email"] = email, ["Input.Password"] = password };
        return await Forms.PostAsync(browser, path, fields);
    }
}
