using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Chorus.Data;
using Chorus.Features.Forum;
using Chorus.Features.Forum.Members;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Forum;

/// A signed-in member's browser (cookies kept, redirects not followed) and who they are.
public sealed record MemberBrowser(HttpClient Http, Guid MemberId, string Username, string Email, Guid PersonId);

/// Helpers for forum specs: categories through the staff API, members made and signed in through the
/// real sign-in form, forms posted like a browser without JavaScript.
public static partial class ForumKit
{
    public const string Password = "member-password-1";

    /// A unique tag for usernames and titles. It starts with a letter: an all-digit tag in a post reads to the
    /// moderation classifier like a phone number, and held such a test's topic as likely spam now and then.
    public static string Suffix() => "t" + Guid.NewGuid().ToString("N")[..6];

    /// server: the real Kestrel address of a factory made with kestrel: true (its in-memory client cannot reach it).
    public static HttpClient Browser(ChorusFactory app, Uri? server = null) => server is null
        ? app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false })
        : new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = server };

    /// The category at /forum/c/{slug}: one of the three a workspace starts with (general, help, ideas), or added through the API.
    public static async Task<JsonElement> CategoryAsync(StaffClient admin, string name, string slug)
    {
        var existing = (await (await admin.GetAsync("/api/v1/forum/categories")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().FirstOrDefault(c => c.Str("slug") == slug);
        if (existing.ValueKind == JsonValueKind.Object) return existing;
        return await (await admin.PostAsync("/api/v1/forum/categories", new { name, slug, description = $"About {name}" })).JsonAsync(HttpStatusCode.Created);
    }

    /// A confirmed member (their confirmation link followed through the service), signed in through the form.
    public static async Task<MemberBrowser> MemberAsync(ChorusFactory app, string username, TrustLevel trust = TrustLevel.Basic, string? email = null, Uri? server = null)
    {
        await app.PrepareAsync();
        email ??= $"{username.ToLowerInvariant()}@members.test";
        Guid memberId, personId;
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            var accounts = scope.ServiceProvider.GetRequiredService<MemberAccounts>();
            var member = new ForumMember { Username = username, UsernameKey = MemberAccounts.UsernameKey(username), Email = email };
            member.PasswordHash = MemberAccounts.Hash(member, Password);
            db.ForumMembers.Add(member);
            await db.SaveChangesAsync();
            var confirmed = await accounts.ConfirmAsync(accounts.ConfirmationToken(member));
            Assert.Null(confirmed.Error);
            member.Trust = trust;
            await db.SaveChangesAsync();
            memberId = member.Id;
            personId = member.PersonId!.Value;
        }
        var browser = Browser(app, server);
        var signIn = await Forms.PostAsync(browser, "/forum/sign-in", new Dictionary<string, string>(await Forms.OpenAsync(browser, "/forum/sign-in"))
        {
            ["Input.Email"] = email, ["Input.Password"] = Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return new MemberBrowser(browser, memberId, username, email, personId);
    }

    /// Posts the new-topic form; returns the response (a redirect to the topic on success).
    public static async Task<HttpResponseMessage> PostTopicAsync(HttpClient browser, string slug, string title, string body)
    {
        var fields = await Forms.OpenAsync(browser, $"/forum/c/{slug}/new");
        fields["Input.Title"] = title;
        fields["Input.Body"] = body;
        return await Forms.PostAsync(browser, $"/forum/c/{slug}/new", fields);
    }

    public static async Task<Guid> StartTopicAsync(HttpClient browser, string slug, string title, string body)
    {
        var response = await PostTopicAsync(browser, slug, title, body);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"posting the topic answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return TopicId(response);
    }

    public static Guid TopicId(HttpResponseMessage redirect) =>
        Guid.Parse(TopicPath().Match(redirect.Headers.Location!.ToString()).Groups[1].Value);

    public static async Task<HttpResponseMessage> PostReplyAsync(HttpClient browser, Guid topicId, string body)
    {
        var fields = await Forms.OpenAsync(browser, $"/forum/t/{topicId}");
        fields["Input.Body"] = body;
        return await Forms.PostAsync(browser, $"/forum/t/{topicId}", fields);
    }

    public static async Task<string> PageAsync(HttpClient browser, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await browser.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {path} answered {(int)response.StatusCode}, expected {(int)expected}");
        return html;
    }

    /// Posts one of a page's small action forms (like, accept, pin...) with the page's antiforgery token.
    public static async Task<HttpResponseMessage> ActAsync(HttpClient browser, string pagePath, string action, Dictionary<string, string>? fields = null)
    {
        var hidden = await Forms.OpenAsync(browser, pagePath);
        var form = new Dictionary<string, string>(fields ?? []) { [Forms.AntiforgeryField] = hidden[Forms.AntiforgeryField] };
        return await Forms.PostAsync(browser, action, form);
    }

    public static Task<T> DbAsync<T>(ChorusFactory app, Func<ChorusDb, Task<T>> query) => app.DbAsync(query);

    public static async Task<Guid> PostIdAsync(ChorusFactory app, Guid topicId, int position) =>
        await app.DbAsync(db => db.ForumPosts.Where(p => p.TopicId == topicId && p.Position == position).Select(p => p.Id).SingleAsync());

    [GeneratedRegex(@"/forum/t/([0-9a-f-]{36})")]
    private static partial Regex TopicPath();
}
