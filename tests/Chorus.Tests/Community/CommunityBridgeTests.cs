using System.Net;
using System.Net.Http.Json;
using Chorus.Features.Channels;
using Chorus.Features.Community.Bridge;
using Chorus.Features.Forum;
using Chorus.Features.Inbox;
using Chorus.Tests.Email;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests.Community;

/// Unanswered support topics reach Support's inbox as conversations (one per topic); a reply written
/// in the inbox is posted to the topic once, as staff; a member's accepted answer solves the conversation.
public class CommunityBridgeTests
{
    private static async Task<int> BridgeAsync(ChorusFactory app, DateTimeOffset at)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<BridgeSupportTopics>().RunAsync(at);
    }

    [Theory, Providers]
    public async Task An_unanswered_support_topic_becomes_one_conversation_the_inbox_reply_is_posted_once_and_a_members_accepted_answer_solves_it(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Outbox:PollMilliseconds"] = "200";
        app.Settings["Chorus:Community:BridgeSeconds"] = "3600"; // the test runs the bridge itself, at chosen moments
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var questions = await (await admin.PostAsync("/api/v1/forum/categories", new { name = "Questions", slug = "questions", isSupport = true })).JsonAsync(HttpStatusCode.Created);
        Assert.True(questions.GetProperty("isSupport").GetBoolean());
        await ForumKit.CategoryAsync(admin, "General", "general");
        await (await admin.Http.PutAsJsonAsync("/api/v1/community/settings", new { supportAfterMinutes = 30 })).JsonAsync(HttpStatusCode.OK);

        var ann = await ForumKit.MemberAsync(app, "ann");
        var bob = await ForumKit.MemberAsync(app, "bob");
        var asked = await ForumKit.StartTopicAsync(ann.Http, "questions", "Invoices show the wrong VAT", "Since Monday our invoices show 19% VAT instead of 20%.");
        var answered = await ForumKit.StartTopicAsync(ann.Http, "questions", "Where is the API key?", "I cannot find my API key.");
        var reply = await ForumKit.PostReplyAsync(bob.Http, answered, "Open Settings, then Developers: the API keys are listed there.");
        Assert.Contains("posted=1", reply.Headers.Location!.ToString()); // published: the topic has an answer
        await ForumKit.StartTopicAsync(ann.Http, "general", "Hello everyone", "Happy to be here, this is not a question.");

        // Before the wait is over nothing moves; after it, only the unanswered support topic does, once.
        Assert.Equal(0, await BridgeAsync(app, DateTimeOffset.UtcNow.AddMinutes(10)));
        Assert.Equal(1, await BridgeAsync(app, DateTimeOffset.UtcNow.AddMinutes(31)));
        Assert.Equal(0, await BridgeAsync(app, DateTimeOffset.UtcNow.AddMinutes(45)));
        var forumChannel = await app.ChannelIdAsync(ChannelKind.Forum);
        var conversation = Assert.Single(await app.DbAsync(db => db.Conversations.Where(c => c.ChannelId == forumChannel).ToListAsync()));
        Assert.Equal("Invoices show the wrong VAT", conversation.Subject);
        Assert.Equal(ann.PersonId, conversation.RequesterId);
        Assert.Equal(await app.TeamIdAsync("Support"), conversation.TeamId);
        Assert.Equal(conversation.Id, await app.DbAsync(db => db.ForumTopics.Where(t => t.Id == asked).Select(t => t.ConversationId).SingleAsync()));
        var detail = await agent.ConversationAsync(conversation.Number);
        Assert.Contains(detail.Messages(), m => m.Kind == "Inbound" && m.Text.Contains("19% VAT") && m.Text.Contains($"/forum/t/{asked}"));

        // The agent answers in the inbox: the answer appears in the topic as an official staff reply, once.
        await (await agent.PostAsync($"/api/v1/conversations/{conversation.Number}/replies", new { text = "We fixed the VAT rate; please check again." })).JsonAsync(HttpStatusCode.Created);
        await Eventually.TrueAsync(async () => await app.DbAsync(db => db.Outbox.AnyAsync(o => o.ConversationId == conversation.Id && o.Status == Chorus.Features.Channels.Outbox.DeliveryStatus.Sent)),
            "the forum reply delivered");
        var official = Assert.Single(await app.DbAsync(db => db.ForumPosts.Where(p => p.TopicId == asked && p.Position > 1).ToListAsync()));
        Assert.True(official.IsOfficial);
        Assert.Equal("We fixed the VAT rate; please check again.", official.Markdown);
        Assert.Contains("We fixed the VAT rate", await ForumKit.PageAsync(ForumKit.Browser(app), $"/forum/t/{asked}"));
        // Answered now: the bridge never picks it up again.
        Assert.Equal(0, await BridgeAsync(app, DateTimeOffset.UtcNow.AddDays(1)));

        // A member's answer, accepted by the asker, solves the conversation as a community deflection.
        await ForumKit.PostReplyAsync(bob.Http, asked, "Also clear the cached invoice PDFs: Settings → Invoices → Regenerate.");
        var bobsAnswer = await ForumKit.PostIdAsync(app, asked, 3);
        var accepted = await ForumKit.ActAsync(ann.Http, $"/forum/t/{asked}", $"/forum/posts/{bobsAnswer}/accept");
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        detail = await agent.ConversationAsync(conversation.Number);
        Assert.Equal("Solved", detail.Summary().Str("status"));
        Assert.Contains(detail.Messages(), m => m.Kind == "Event" && m.Text.StartsWith("Community deflection: @bob's answer was accepted"));
    }

    [Theory, Providers]
    public async Task A_staff_answer_accepted_does_not_count_as_a_community_deflection(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        app.Settings["Chorus:Community:BridgeSeconds"] = "3600";
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await (await admin.PostAsync("/api/v1/forum/categories", new { name = "Questions", slug = "questions", isSupport = true })).JsonAsync(HttpStatusCode.Created);
        var ann = await ForumKit.MemberAsync(app, "ann");
        var asked = await ForumKit.StartTopicAsync(ann.Http, "questions", "Export stuck at 99%", "My export never finishes.");
        Assert.Equal(1, await BridgeAsync(app, DateTimeOffset.UtcNow.AddDays(1)));
        var number = await app.DbAsync(db => db.Conversations.Where(c => db.ForumTopics.Any(t => t.Id == asked && t.ConversationId == c.Id)).Select(c => c.Number).SingleAsync());

        var staffReply = await (await agent.PostAsync($"/api/v1/forum/topics/{asked}/replies", new { body = "Cancel it and start again, we fixed the job." })).JsonAsync(HttpStatusCode.Created);
        await ForumKit.ActAsync(ann.Http, $"/forum/t/{asked}", $"/forum/posts/{staffReply.Str("postId")}/accept");
        var detail = await agent.ConversationAsync(number);
        Assert.NotEqual("Solved", detail.Summary().Str("status"));
        Assert.DoesNotContain(detail.Messages(), m => m.Text.StartsWith("Community deflection"));
    }
}
