using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Actions;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chorus.Tests;

/// Found by the soak bench: a note or reply refused with 409 "someone else changed it" when a new inbound
/// message touched the conversation in the same instant, although the agent never asked for a version.
public class ConcurrentPostTests
{
    [Theory, Providers]
    public async Task A_note_and_a_reply_are_saved_when_the_conversation_changed_between_read_and_write(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var agent = await app.StaffAsync("agent", "Support");
        var number = (await agent.DeliverAsync("concurrent-1")).Number;

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var post = scope.ServiceProvider.GetRequiredService<PostMessage>();
        var actor = (await scope.ServiceProvider.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(agent.UserId))!;

        foreach (var kind in new[] { PostKind.Note, PostKind.Reply })
        {
            // The post's unit of work holds the conversation as it was read (as a page's long-lived context does)…
            await db.Conversations.SingleAsync(c => c.Number == number);
            // …and meanwhile someone else changes it.
            await using (var other = app.Services.CreateAsyncScope())
            {
                var otherDb = other.ServiceProvider.GetRequiredService<ChorusDb>();
                var fresh = await otherDb.Conversations.SingleAsync(c => c.Number == number);
                fresh.Priority = fresh.Priority == Priority.High ? Priority.Low : Priority.High;
                await otherDb.SaveChangesAsync();
            }

            var outcome = await post.RunAsync(actor, number, new StaffPost(kind, $"Written while it changed ({kind})"));

            Assert.IsType<Outcome<PostedMessage>.Ok>(outcome);
        }

        var detail = await agent.ConversationAsync(number);
        Assert.Contains(detail.Messages(), m => m.Kind == "Note" && m.Text == "Written while it changed (Note)");
        Assert.Contains(detail.Messages(), m => m.Kind == "Reply" && m.Text == "Written while it changed (Reply)");
        Assert.Equal(1, detail.Messages().Count(m => m.Text == "Written while it changed (Note)"));
        Assert.Equal("Pending", detail.Summary().GetProperty("status").GetString());
    }
}
