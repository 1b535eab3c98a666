using System.Net;
using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Features.MemberNotifications;
using Chorus.Features.Newsletter;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

/// The hostile-input corpus against every door anyone can open without being staff: every address in
/// PublicSurface (so a page added there is covered the day it is listed) with hostile path and query
/// values, and every form those pages show, posted back with hostile values in each field. A public
/// door must answer without a server error and must never hand the string back as markup.
public partial class PublicSurfaceHostileInputTests
{
    private static readonly string[] Tags = ["<script", "<img", "<svg", "<iframe", "<marquee", "<a href=\"javascript", "<body onload"];

    [Theory, Providers]
    public async Task Every_public_address_with_hostile_path_and_query_values_answers_without_a_server_error_or_markup(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        var browser = ForumKit.Browser(app);
        var failures = new List<string>();
        foreach (var route in PublicSurface.Routes.Keys)
        {
            // What the page carries of its own with a harmless value; a hostile value may add nothing to it.
            var baseline = await PageAsync(browser, Fill(route, "x") + "?q=x");
            foreach (var s in MaliciousInputTests.Strings)
            {
                var escaped = Uri.EscapeDataString(s);
                var path = Fill(route, escaped) + $"?q={escaped}&token={escaped}&returnUrl={escaped}&page={escaped}";
                var (status, page) = await SendAsync(browser, () => browser.GetAsync(path));
                Check(failures, $"GET {route} with {Show(s)}", status, page, baseline);
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
    }

    [Theory, Providers]
    public async Task Every_public_form_posted_with_hostile_values_answers_without_a_server_error_or_markup(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var member = await ForumKit.MemberAsync(app, "Hostile");
        var topic = await ForumKit.StartTopicAsync(member.Http, "general", "A plain topic", "Plain words to reply to.");
        string memberToken, newsletterToken;
        using (var scope = app.Services.CreateScope())
        {
            memberToken = scope.ServiceProvider.GetRequiredService<UnsubscribeLinks>().TokenFor(member.MemberId);
            newsletterToken = scope.ServiceProvider.GetRequiredService<UnsubscribeTokens>().For(member.PersonId, Guid.NewGuid());
        }
        // Pages as a visitor sees them and as a signed-in member sees them (settings, reply, watch/mute, flag).
        var pages = PublicSurface.Routes.Keys.Where(r => !r.Contains('{')).Select(r => (Visitor: true, Path: r))
            .Concat(new[] { $"/forum/t/{topic}", "/forum/settings", "/forum/c/general/new", $"/forum/unsubscribe?token={memberToken}", "/contact" }.Select(p => (Visitor: false, Path: p)))
            .Append((Visitor: true, Path: $"/newsletter/unsubscribe/{newsletterToken}"))
            .Append((Visitor: true, Path: $"/forum/unsubscribe?token={memberToken}"))
            .ToList();
        var failures = new List<string>();
        var swept = new HashSet<string>();
        foreach (var (visitor, path) in pages)
        {
            var client = visitor ? ForumKit.Browser(app) : member.Http;
            var (status, html) = await SendAsync(client, () => client.GetAsync(path));
            if (status >= 500) { failures.Add($"GET {path} → {status}"); continue; }
            foreach (var form in PostForms(html, path))
            {
                // A form shared by many pages (the layout's) is swept once per kind of visitor.
                if (form.Fields.Count == 0 || !swept.Add($"{visitor} {form.Action} {string.Join(",", form.Fields)}")) continue;
                var baseline = await PostAsync(client, form, "x");
                foreach (var s in MaliciousInputTests.Strings)
                {
                    var (postStatus, page) = await PostAsync(client, form, s);
                    Check(failures, $"POST {form.Action} (from {path}) with {Show(s)}", postStatus, page, baseline.Page);
                }
            }
        }
        Assert.True(swept.Count >= 5, $"only {swept.Count} public forms were found to post: {string.Join("; ", swept)}");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
    }

    private sealed record PostForm(string Action, Dictionary<string, string> Hidden, List<string> Fields);

    /// The form's text fields filled with the value and its hidden fields (antiforgery token, handler) as the
    /// page gave them, as a browser would send it; a redirect is followed once to the page it shows.
    private static Task<(int Status, string Page)> PostAsync(HttpClient client, PostForm form, string value)
    {
        var fields = new Dictionary<string, string>(form.Hidden);
        foreach (var name in form.Fields) fields[name] = value;
        return SendAsync(client, () => client.PostAsync(form.Action, new FormUrlEncodedContent(fields)));
    }

    /// The status and, when it is a page a browser would render, its HTML (an echo in a JSON or plain-text
    /// answer, sent with nosniff, is text to a browser, not markup).
    private static async Task<(int Status, string Page)> SendAsync(HttpClient client, Func<Task<HttpResponseMessage>> send)
    {
        var response = await send();
        if ((int)response.StatusCode is 301 or 302 or 303 && response.Headers.Location is { } next
            && (!next.IsAbsoluteUri || next.Host == client.BaseAddress?.Host))
            response = await client.GetAsync(next);
        var html = response.Content.Headers.ContentType?.MediaType is null or "text/html" ? await response.Content.ReadAsStringAsync() : "";
        return ((int)response.StatusCode, html);
    }

    private static void Check(List<string> failures, string what, int status, string page, string baseline)
    {
        if (status >= 500) { failures.Add($"{what} → {status}"); return; }
        foreach (var tag in Tags)
            if (Count(page, tag) > Count(baseline, tag)) failures.Add($"{what} came back as markup ({tag})");
    }

    private static async Task<string> PageAsync(HttpClient client, string path) => (await SendAsync(client, () => client.GetAsync(path))).Page;

    /// The POST forms of a page: where they post, their hidden fields, and the names of the fields a person types into.
    private static IEnumerable<PostForm> PostForms(string html, string pagePath)
    {
        foreach (Match form in FormTag().Matches(html))
        {
            var open = form.Groups["open"].Value;
            if (!open.Contains("method=\"post\"", StringComparison.OrdinalIgnoreCase)) continue;
            var action = ActionAttr().Match(open) is { Success: true } a ? WebUtility.HtmlDecode(a.Groups[1].Value) : pagePath;
            if (action.StartsWith("http", StringComparison.OrdinalIgnoreCase)) continue; // never leaves the app
            if (action.Contains("sign-out") || action.Contains("logout")) continue; // would end the member's session mid-sweep
            var body = form.Groups["body"].Value;
            var hidden = Forms.HiddenFields(body);
            // Every named control is swept, hidden ones and buttons included (a watch/mute level, a post id):
            // a crafted request can set any of them. The antiforgery token and Blazor's handler name stay as given.
            var swept = NamedControl().Matches(body).Select(m => NameAttr().Match(m.Value)).Where(m => m.Success)
                .Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))
                .Where(name => name is not Forms.AntiforgeryField and not "_handler").Distinct().ToList();
            yield return new PostForm(action, hidden, swept);
        }
    }

    private static string Fill(string route, string value) => RouteParameter().Replace(route, value);

    private static int Count(string page, string tag) => (page.Length - page.Replace(tag, "", StringComparison.OrdinalIgnoreCase).Length) / tag.Length;

    private static string Show(string s) => s.Length > 40 ? s[..40] + "…" : s;

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
    [GeneratedRegex(@"(?<open><form\b[^>]*>)(?<body>.*?)</form>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex FormTag();
    [GeneratedRegex(@"\baction=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex ActionAttr();
    [GeneratedRegex(@"<(input|textarea|select|button)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex NamedControl();
    [GeneratedRegex(@"\bname=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex NameAttr();
}
