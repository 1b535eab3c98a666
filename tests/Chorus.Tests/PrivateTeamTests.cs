using System.Net;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests;

/// A private team's conversations stay inside the team, also through notifications.
public class PrivateTeamTests
{
    private static async Task<(StaffClient Insider, StaffClient Outsider, long Number)> PrivateConversationAsync(ChorusFactory app)
    {
        var admin = await app.StaffAsync("admin");
        var insider = await app.StaffAsync("agent", "Support");
        var outsider = await app.StaffAsync("agent", "Support");
        var legal = await (await admin.PostAsync("/api/v1/teams", new { name = "Legal", isPrivate = true, memberIds = new[] { insider.UserId } })).JsonAsync(HttpStatusCode.Created);
        var d = await admin.DeliverAsync("pt-1", subject: "Settlement offer", text: "Confidential settlement");
        await admin.PatchConversationAsync(d.Number, new { teamId = legal.GetProperty("id").GetGuid() });
        return (insider, outsider, d.Number);
    }

    [Theory, Providers]
    public async Task Mentioning_a_colleague_outside_the_private_team_does_not_leak_the_note(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var (insider, outsider, number) = await PrivateConversationAsync(app);

        await (await insider.PostAsync($"/api/v1/conversations/{number}/notes", new { text = $"@{outsider.Handle()} the settlement amount is 2 million" }))
            .JsonAsync(HttpStatusCode.Created);

        var notifications = await (await outsider.GetAsync("/api/v1/notifications")).JsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain("2 million", notifications.ToString());
        Assert.DoesNotContain("ettlement", notifications.ToString());
        Assert.Empty((await outsider.ListAsync("view=Mentions")).Numbers());
    }

    [Theory, Providers]
    public async Task A_private_conversation_cannot_be_assigned_to_someone_outside_the_team(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var (insider, outsider, number) = await PrivateConversationAsync(app);

        var refused = await (await insider.PatchAsync($"/api/v1/conversations/{number}", new { assigneeId = outsider.UserId })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("assigneeId", out _));
        var notifications = await (await outsider.GetAsync("/api/v1/notifications")).JsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain("Settlement", notifications.ToString());

        await insider.PatchConversationAsync(number, new { assigneeId = insider.UserId });
        Assert.Equal([number], (await insider.ListAsync("view=Mine")).Numbers());
    }
}
