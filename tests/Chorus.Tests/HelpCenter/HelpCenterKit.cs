using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Chorus.Tests.HelpCenter;

/// Helpers for help-center specs: categories and articles through the staff API, pages read like a
/// browser without JavaScript.
public static class HelpCenterKit
{
    public static HttpClient Browser(ChorusFactory app) => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public static async Task<Guid> CategoryAsync(this StaffClient staff, string name, string? slug = null) =>
        (await (await staff.PostAsync("/api/v1/help/categories", new { name, slug, description = $"All about {name.ToLowerInvariant()}" })).JsonAsync(HttpStatusCode.Created))
        .GetProperty("id").GetGuid();

    /// An article, published unless <paramref name="publish"/> is false; internal makes it a playbook.
    public static async Task<JsonElement> ArticleAsync(this StaffClient staff, Guid categoryId, string title, string body, bool publish = true, bool @internal = false)
    {
        var article = await (await staff.PostAsync("/api/v1/help/articles", new { title, body, categoryId, @internal })).JsonAsync(HttpStatusCode.Created);
        if (!publish) return article;
        return await (await staff.Http.PutAsJsonAsync($"/api/v1/help/articles/{article.GetProperty("id")}/published", new { published = true })).JsonAsync(HttpStatusCode.OK);
    }

    public static async Task<(HttpStatusCode Status, string Html)> PageAsync(HttpClient browser, string path)
    {
        var response = await browser.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// Titles of the web form's suggestions for a query, in order.
    public static async Task<string[]> SuggestionsAsync(HttpClient browser, string query)
    {
        var json = await (await browser.GetAsync("/help/suggest?q=" + Uri.EscapeDataString(query))).JsonAsync(HttpStatusCode.OK);
        return json.GetProperty("articles").EnumerateArray().Select(a => a.Str("title")).ToArray();
    }
}
