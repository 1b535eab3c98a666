using System.Net.Http.Json;
using System.Net;
using Chorus.Features.Channels;
using Chorus.Tests.Email;
using Chorus.Tests.Forum;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Tests.Community;

/// One block list for every channel: a blocked person's forum posts are refused and their web-form
/// submissions and e-mails are kept as blocked messages, never conversations; unblocking lets them in.
public class CommunityBlockTests
{
    [Theory, Providers]
    public async Task A_blocked_members_forum_posts_and_web_form_messages_open_nothing_and_unblocking_lets_them_in(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        await ForumKit.CategoryAsync(admin, "General", "general");
        var ann = await ForumKit.MemberAsync(app, "ann");
        var mallory = await ForumKit.MemberAsync(app, "mallory", email: "mallory@abuser.test");
        var topicId = await ForumKit.StartTopicAsync(ann.Http, "general", "Dark mode", "Is dark mode planned?");

        await (await agent.Http.PutAsJsonAsync($"/api/v1/people/{mallory.PersonId}/block", new { reason = "" })).ProblemAsync(HttpStatusCode.BadRequest);
        var block = await (await agent.Http.PutAsJsonAsync($"/api/v1/people/{mallory.PersonId}/block", new { reason = "Harassing staff on every channel" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("mallory", block.Str("personName"));
        await (await agent.Http.PutAsJsonAsync($"/api/v1/people/{mallory.PersonId}/block", new { reason = "again" })).ProblemAsync(HttpStatusCode.Conflict);

        // The forum refuses their posts.
        var reply = await ForumKit.PostReplyAsync(mallory.Http, topicId, "You will regret ignoring me.");
        Assert.Equal(HttpStatusCode.Forbidden, reply.StatusCode);
        Assert.Equal(0, await app.DbAsync(db => db.ForumPosts.CountAsync(p => p.AuthorMemberId == mallory.MemberId)));

        // The web form keeps the message as blocked: no conversation, no private link.
        var browser = ForumKit.Browser(app);
        var form = await Forms.PostAsync(browser, "/contact", Forms.Contact(await Forms.OpenAsync(browser, "/contact"),
            name: "Mallory", email: "Mallory@Abuser.test", subject: "Answer me", message: "Why do you ignore me?"));
        Assert.NotEqual(HttpStatusCode.Redirect, form.StatusCode);
        Assert.Contains("could not be sent", await form.Content.ReadAsStringAsync());
        Assert.Equal(0, await app.DbAsync(db => db.Conversations.CountAsync(c => c.RequesterId == mallory.PersonId)));
        var kept = Assert.Single((await (await admin.GetAsync("/api/v1/blocks/messages")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal("Answer me", kept.Str("subject"));
        Assert.Equal("Why do you ignore me?", kept.Str("text"));
        Assert.Equal("mallory@abuser.test", kept.Str("authorHandle"));
        // The blocked list is for admins.
        await (await agent.GetAsync("/api/v1/blocks/messages")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(1, Assert.Single((await (await admin.GetAsync("/api/v1/blocks")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()).GetProperty("blockedMessages").GetInt32());

        // The same delivery through the API is kept once, like any message.
        var first = await agent.DeliverAsync("ext-1", handle: "mallory@abuser.test", text: "Through the API");
        var second = await agent.DeliverAsync("ext-1", handle: "mallory@abuser.test", text: "Through the API");
        Assert.Equal("Blocked", first.Status);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(2, await app.DbAsync(db => db.BlockedMessages.CountAsync()));

        Assert.Equal(HttpStatusCode.NoContent, (await agent.Http.DeleteAsync($"/api/v1/people/{mallory.PersonId}/block")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await ForumKit.PostReplyAsync(mallory.Http, topicId, "Sorry for earlier. Is dark mode planned?")).StatusCode);
        var filed = await Forms.PostAsync(browser, "/contact", Forms.Contact(await Forms.OpenAsync(browser, "/contact"), email: "mallory@abuser.test", subject: "Apology"));
        Assert.Equal(HttpStatusCode.Redirect, filed.StatusCode);
        Assert.Equal(1, await app.DbAsync(db => db.Conversations.CountAsync(c => c.RequesterId == mallory.PersonId)));

        var audit = (await (await admin.GetAsync("/api/v1/audit?action=person.")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().Select(a => a.Str("action")).ToList();
        Assert.Contains("person.blocked", audit);
        Assert.Contains("person.unblocked", audit);
    }

    [MailTheory, Providers]
    public async Task A_blocked_persons_email_is_kept_as_blocked_and_opens_no_conversation(Provider provider)
    {
        await using var app = MailApp.Create(provider);
        var admin = await app.StaffAsync("admin");
        var support = Mail.NewAddress("support");
        var mallory = Mail.NewAddress("mallory");
        await Mail.SendAsync(Mail.Compose(mallory, support, "First contact", "Hello, I have a question."));
        var channel = await MailApp.AddMailboxAsync(admin, support);
        var number = Assert.Single(await Eventually.GetAsync(async () => await MailApp.ConversationNumbersAsync(admin, channel) is { Count: > 0 } n ? n : null, "the first e-mail filed"));
        var personId = (await MailApp.ConversationAsync(admin, number)).Summary().GetProperty("requesterId").GetGuid();

        await (await admin.Http.PutAsJsonAsync($"/api/v1/people/{personId}/block", new { reason = "Abusive e-mails" })).JsonAsync(HttpStatusCode.OK);
        await Mail.SendAsync(Mail.Compose(mallory, support, "You again", "This one should not open anything."));
        var kept = await Eventually.GetAsync(async () => (await (await admin.GetAsync("/api/v1/blocks/messages")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Where(m => m.Str("subject") == "You again").Select(m => (System.Text.Json.JsonElement?)m).FirstOrDefault() is { } m ? new[] { m } : null, "the blocked e-mail kept");
        Assert.Contains("should not open anything", kept[0].Str("text"));
        Assert.Equal(mallory, kept[0].Str("authorHandle"));
        Assert.Single(await MailApp.ConversationNumbersAsync(admin, channel));
        // Not appended to the earlier conversation either.
        Assert.Single((await MailApp.ConversationAsync(admin, number)).Messages(), m => m.Kind == "Inbound");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/v1/people/{personId}/block")).StatusCode);
        await Mail.SendAsync(Mail.Compose(mallory, support, "After the unblock", "Filed again."));
        await Eventually.TrueAsync(async () => (await MailApp.ConversationNumbersAsync(admin, channel)).Count == 2, "the e-mail after the unblock filed");
        Assert.Equal(1, await app.DbAsync(db => db.BlockedMessages.CountAsync(m => m.ChannelId == channel)));
    }
}
