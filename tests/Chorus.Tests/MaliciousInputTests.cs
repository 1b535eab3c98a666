using System.Net;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Chorus.Tests;

/// Strings from public lists of hostile input (see Data/PROVENANCE.md), sent through every public door.
public class MaliciousInputTests
{
    public static IReadOnlyList<string> Strings { get; } = Load();

    private static List<string> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Data", "malicious-input.json");
        var groups = JsonSerializer.Deserialize<Dictionary<string, List<string>>>(File.ReadAllText(path))!;
        return [.. groups.Values.SelectMany(v => v)];
    }

    [Fact]
    public void The_slice_of_hostile_strings_is_there() => Assert.True(Strings.Count >= 30, $"only {Strings.Count} strings loaded");

    [Theory, Providers]
    public async Task Hostile_strings_in_the_inbound_api_never_cause_a_server_error(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var failures = new List<string>();
        var i = 0;
        foreach (var s in Strings)
        {
            i++;
            var bodies = new object[]
            {
                new { externalId = $"mal-{i}", author = new { kind = "Email", handle = "mal@hostile.test", name = s }, subject = s, text = s },
                new { externalId = $"mal-html-{i}", author = new { kind = "Forum", handle = s, name = s }, subject = s, html = s },
                new { externalId = s, threadId = s, author = new { kind = "Reddit", handle = $"r{i}" }, text = "x" + s },
                new { channel = s, externalId = $"mal-ch-{i}", author = new { kind = "Email", handle = "mal@hostile.test" }, text = "x" },
            };
            foreach (var body in bodies)
            {
                var response = await agent.PostAsync("/api/v1/inbound", body);
                if ((int)response.StatusCode >= 500) failures.Add($"{Show(s)} → {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            var search = await agent.GetAsync("/api/v1/conversations?q=" + Uri.EscapeDataString(s));
            if (search.StatusCode != HttpStatusCode.OK) failures.Add($"search {Show(s)} → {(int)search.StatusCode}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // What was stored reads back exactly as sent.
        var stored = await agent.ConversationAsync((await agent.DeliverAsync("roundtrip", text: Strings[^1] + " end")).Number);
        Assert.Equal(Strings[^1] + " end", stored.Messages().Single().Text);
    }

    [Theory, Providers]
    public async Task Hostile_strings_in_the_web_form_never_cause_a_server_error_and_never_come_back_as_markup(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        await app.PrepareAsync();
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var failures = new List<string>();
        // The pages carry markup of their own (the contact form's suggestion script): a hostile string must add none.
        var ownForm = await (await browser.GetAsync("/contact")).Content.ReadAsStringAsync();
        var plain = await Forms.PostAsync(browser, "/contact", Forms.Contact(await Forms.OpenAsync(browser, "/contact"), name: "Plain Name", subject: "Plain subject", message: "Plain words"));
        var ownThread = await (await browser.GetAsync(plain.Headers.Location)).Content.ReadAsStringAsync();
        static int Count(string page, string tag) => (page.Length - page.Replace(tag, "", StringComparison.OrdinalIgnoreCase).Length) / tag.Length;
        foreach (var s in Strings)
        {
            var hidden = await Forms.OpenAsync(browser, "/contact");
            var response = await Forms.PostAsync(browser, "/contact", Forms.Contact(hidden, name: s, subject: "Hostile " + s, message: "Message: " + s));
            var page = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode >= 500) { failures.Add($"{Show(s)} → {(int)response.StatusCode}"); continue; }
            if (response.StatusCode == HttpStatusCode.Redirect)
            {
                var thread = await browser.GetAsync(response.Headers.Location);
                page = await thread.Content.ReadAsStringAsync();
                if (thread.StatusCode != HttpStatusCode.OK) failures.Add($"{Show(s)} → requester page {(int)thread.StatusCode}");
            }
            // Escaped text may still read "onerror=", but never as a tag.
            foreach (var tag in new[] { "<script", "<img", "<svg", "<iframe", "<marquee", "<a href=\"javascript" })
                if (Count(page, tag) > Math.Max(Count(ownForm, tag), Count(ownThread, tag))) failures.Add($"{Show(s)} came back as markup ({tag})");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory, Providers]
    public async Task A_nul_character_in_staff_input_never_causes_a_server_error(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var d = await admin.DeliverAsync("nul-1");
        const string nul = "before\u0000after";

        var responses = new Dictionary<string, HttpResponseMessage>
        {
            ["reply"] = await admin.PostAsync($"/api/v1/conversations/{d.Number}/replies", new { text = nul }),
            ["note"] = await admin.PostAsync($"/api/v1/conversations/{d.Number}/notes", new { text = nul }),
            ["tags"] = await admin.PatchAsync($"/api/v1/conversations/{d.Number}", new { addTags = new[] { nul } }),
            ["person"] = await admin.PatchAsync($"/api/v1/people/{d.PersonId}", new { name = nul, notes = nul, organizationName = nul }),
            ["team"] = await admin.PostAsync("/api/v1/teams", new { name = nul, description = nul }),
            ["token"] = await admin.PostAsync("/api/v1/me/tokens", new { name = nul }),
            ["search"] = await admin.GetAsync("/api/v1/conversations?q=" + Uri.EscapeDataString(nul)),
            ["people"] = await admin.GetAsync("/api/v1/people?q=" + Uri.EscapeDataString(nul)),
        };
        var failures = responses.Where(r => (int)r.Value.StatusCode >= 500).Select(r => $"{r.Key} → {(int)r.Value.StatusCode}").ToList();
        Assert.True(failures.Count == 0, string.Join(", ", failures));
        var texts = (await admin.ConversationAsync(d.Number)).Messages().Where(m => m.Kind is "Reply" or "Note").Select(m => m.Text).ToList();
        Assert.Equal(2, texts.Count);
        Assert.All(texts, t => Assert.True(t.StartsWith("before") && t.EndsWith("after"), t));
    }

    [Theory, Providers]
    public async Task Staff_text_shortened_at_a_limit_never_cuts_a_character_in_half(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var d = await agent.DeliverAsync("cut-1");
        var reply = new string('a', 196) + "😀 the emoji sits where the preview is cut";
        var notes = new string('n', 9_999) + "😀 beyond the 10,000-character limit of notes";

        await (await agent.PostAsync($"/api/v1/conversations/{d.Number}/replies", new { text = reply })).JsonAsync(HttpStatusCode.Created);
        await (await agent.PatchAsync($"/api/v1/people/{d.PersonId}", new { notes })).JsonAsync(HttpStatusCode.OK);

        var detail = await agent.ConversationAsync(d.Number);
        Assert.Equal(reply, detail.Messages().Single(m => m.Kind == "Reply").Text);
        IngestTests.AssertWhole(detail.Summary().GetProperty("preview").GetString()!);
        var person = await (await agent.GetAsync($"/api/v1/people/{d.PersonId}")).JsonAsync(HttpStatusCode.OK);
        IngestTests.AssertWhole(person.GetProperty("notes").GetString()!);
        Assert.StartsWith("nnn", person.GetProperty("notes").GetString());
    }

    private static string Show(string s) => JsonSerializer.Serialize(s.Length > 50 ? s[..50] : s);
}
