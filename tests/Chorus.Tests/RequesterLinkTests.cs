using System.Net;
using System.Text.RegularExpressions;
using Chorus.Features.Channels.WebForm;
using Chorus.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

/// The requester's private link: their messages and our public replies, never what stays inside.
public class RequesterLinkTests
{
    [Theory, Providers]
    public async Task The_requester_page_shows_messages_and_replies_but_never_notes_or_system_events(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var d = await agent.DeliverAsync("rq-1", handle: "rae@requester.test", name: "Rae", text: "My account is locked");
        await (await agent.PostAsync($"/api/v1/conversations/{d.Number}/notes", new { text = "INTERNAL: she is on the fraud watch list" })).JsonAsync(HttpStatusCode.Created);
        await agent.PatchConversationAsync(d.Number, new { priority = "Urgent", addTags = new[] { "fraud-check" }, assigneeId = agent.UserId });
        await (await agent.PostAsync($"/api/v1/conversations/{d.Number}/replies", new { text = "We unlocked it for you." })).JsonAsync(HttpStatusCode.Created);
        var staffView = await agent.ConversationAsync(d.Number);
        var hidden = staffView.Messages().Where(m => m.Kind is "Note" or "Event").Select(m => m.Text).ToList();
        Assert.True(hidden.Count >= 4, "the conversation should hold a note and several system events");

        var link = app.Services.GetRequiredService<RequesterLinks>().PathFor(d.ConversationId);
        var page = await app.CreateClient().GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Contains("My account is locked", html);
        Assert.Contains("We unlocked it for you.", html);
        Assert.DoesNotContain("fraud", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("INTERNAL", html);
        foreach (var text in hidden) Assert.DoesNotContain(WebUtility.HtmlEncode(text), html);
        Assert.DoesNotContain("changed the", html);
        Assert.DoesNotContain("set the status", html);
        Assert.Equal(2, Regex.Matches(html, "<li class=\"from-").Count);
    }

    [Theory, Providers]
    public async Task A_tampered_or_made_up_link_is_404_and_reveals_nothing(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var d = await agent.DeliverAsync("rq-2", text: "Private matter of Ann");
        var links = app.Services.GetRequiredService<RequesterLinks>();
        var token = links.TokenFor(d.ConversationId);
        var client = app.CreateClient();

        foreach (var bad in new[] { Flip(token, 5), Flip(token, token.Length - 3), token[..^4], token + "AA", "not-a-token", new string('A', 120), "%20", "..%2F..%2Fetc%2Fpasswd" })
        {
            var response = await client.GetAsync("/requests/" + bad);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"/requests/{bad} answered {(int)response.StatusCode}");
            Assert.DoesNotContain("Private matter", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/requests/" + token)).StatusCode);
    }

    [Theory, Providers]
    public async Task The_requester_page_is_kept_out_of_referrers_caches_and_search_engines(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var d = await agent.DeliverAsync("rq-3");
        var response = await app.CreateClient().GetAsync(app.Services.GetRequiredService<RequesterLinks>().PathFor(d.ConversationId));

        Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("noindex", string.Join(",", response.Headers.GetValues("X-Robots-Tag")));
    }

    [Theory, Providers]
    public async Task A_requester_reply_on_the_page_joins_the_conversation_once(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var d = await agent.DeliverAsync("rq-4", handle: "rae@requester.test", text: "First");
        await (await agent.PostAsync($"/api/v1/conversations/{d.Number}/replies", new { text = "Solved?", statusAfter = "Solved" })).JsonAsync(HttpStatusCode.Created);
        var link = app.Services.GetRequiredService<RequesterLinks>().PathFor(d.ConversationId);
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var fields = await Forms.OpenAsync(browser, link);
        Assert.Equal("reply", fields["_handler"]);
        fields["Input.Text"] = "Not yet, it still fails";
        var posted = await Forms.PostAsync(browser, link, fields);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var repeated = await Forms.PostAsync(browser, link, fields); // the same form sent twice
        Assert.Equal(HttpStatusCode.Redirect, repeated.StatusCode);

        var detail = await agent.ConversationAsync(d.Number);
        Assert.Single(detail.Messages(), m => m is ("Inbound", "Not yet, it still fails"));
        Assert.Equal("Open", detail.Summary().GetProperty("status").GetString());
        var inbound = detail.GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("kind").GetString() == "Inbound");
        Assert.Equal(d.PersonId, inbound.GetProperty("authorPersonId").GetGuid());
    }

    [Theory, Providers]
    public async Task After_a_merge_the_requester_still_sees_their_messages_through_the_old_link(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var first = await agent.DeliverAsync("mq-1", handle: "dup@requester.test", text: "First try: the app crashes");
        var second = await agent.DeliverAsync("mq-2", handle: "dup@requester.test", text: "Second try: still crashing");
        var stranger = await agent.DeliverAsync("mq-3", handle: "stranger@elsewhere.test", text: "Stranger's own problem");
        await (await agent.PostAsync($"/api/v1/conversations/{second.Number}/merge", new { into = first.Number })).JsonAsync(HttpStatusCode.OK);
        await (await agent.PostAsync($"/api/v1/conversations/{first.Number}/replies", new { text = "We found the crash." })).JsonAsync(HttpStatusCode.Created);
        var links = app.Services.GetRequiredService<RequesterLinks>();

        var html = await (await app.CreateClient().GetAsync(links.PathFor(second.ConversationId))).Content.ReadAsStringAsync();
        Assert.Contains("Second try: still crashing", html);
        Assert.Contains("We found the crash.", html);

        // Merging someone else's conversation into it must not show them this requester's thread.
        await (await agent.PostAsync($"/api/v1/conversations/{stranger.Number}/merge", new { into = first.Number })).JsonAsync(HttpStatusCode.OK);
        var strangerPage = await (await app.CreateClient().GetAsync(links.PathFor(stranger.ConversationId))).Content.ReadAsStringAsync();
        Assert.DoesNotContain("the app crashes", strangerPage);
        Assert.DoesNotContain("still crashing", strangerPage);
    }

    private static string Flip(string token, int i)
    {
        var chars = token.ToCharArray();
        chars[i] = chars[i] == 'x' ? 'y' : 'x';
        return new string(chars);
    }
}
