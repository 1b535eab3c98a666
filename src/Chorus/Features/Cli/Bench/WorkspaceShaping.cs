using Chorus.Data;
using Chorus.Features.Inbox;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Cli.Bench;

/// Makes the ingested workspace look worked-in before the inbox is measured, since a year of traffic
/// that nobody answered would make every view trivially "everything". The newest 6% of conversations
/// stay active (new, open, pending, on hold), the rest are solved or closed. Worked conversations are
/// assigned to staff, and some carry a priority, tags, a VIP/press/fan requester or an @mention.
/// Everything is derived from the conversation number, so it is deterministic, and it is done with set
/// updates, because this is not what is being measured.
public static class WorkspaceShaping
{
    public static readonly string[] Tags = ["billing", "bug", "feature-request", "refund", "press"];

    public static async Task RunAsync(IServiceProvider services, BenchWorkspace workspace, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var first = await db.Conversations.MinAsync(c => c.Number, ct);
        var last = await db.Conversations.MaxAsync(c => c.Number, ct);
        var active = last - (last - first + 1) * 6 / 100;

        await db.Conversations.Where(c => c.Number <= active)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, c => c.Number % 4 == 0 ? ConversationStatus.Solved : ConversationStatus.Closed)
                .SetProperty(c => c.SolvedAt, c => c.LastMessageAt)
                .SetProperty(c => c.FirstReplyAt, c => c.CreatedAt)
                .SetProperty(c => c.WaitingSince, (DateTimeOffset?)null), ct);
        await db.Conversations.Where(c => c.Number > active && c.Number % 10 >= 3)
            .ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, c => c.Number % 10 < 7 ? ConversationStatus.Open : c.Number % 10 < 9 ? ConversationStatus.Pending : ConversationStatus.OnHold)
                .SetProperty(c => c.FirstReplyAt, c => c.CreatedAt), ct);
        await db.Conversations.Where(c => c.Status == ConversationStatus.Pending).ExecuteUpdateAsync(s => s.SetProperty(c => c.WaitingSince, (DateTimeOffset?)null), ct);

        // Worked conversations belong to someone (nine in ten), spread over the staff.
        for (var i = 0; i < workspace.StaffIds.Count; i++)
        {
            var (id, n) = (workspace.StaffIds[i], workspace.StaffIds.Count);
            await db.Conversations.Where(c => c.Status != ConversationStatus.New && c.Number % 10 != 5 && c.Number % n == i)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.AssigneeId, id), ct);
        }
        await db.Conversations.Where(c => c.Number % 100 < 3).ExecuteUpdateAsync(s => s.SetProperty(c => c.Priority, Priority.Urgent), ct);
        await db.Conversations.Where(c => c.Number % 100 >= 3 && c.Number % 100 < 15).ExecuteUpdateAsync(s => s.SetProperty(c => c.Priority, Priority.High), ct);
        await db.Conversations.Where(c => c.Number % 100 >= 90).ExecuteUpdateAsync(s => s.SetProperty(c => c.Priority, Priority.Low), ct);

        int[] every = [7, 11, 13, 17, 29];
        for (var i = 0; i < Tags.Length; i++)
            await db.Database.ExecuteSqlAsync($"""INSERT INTO "ConversationTags" ("ConversationId", "Tag") SELECT "Id", {Tags[i]} FROM "Conversations" WHERE "Number" % {every[i]} = 0""", ct);

        await db.People.Where(p => p.Name.StartsWith("Zoe ")).ExecuteUpdateAsync(s => s.SetProperty(p => p.Kind, PersonKind.Vip), ct);
        await db.People.Where(p => p.Name.StartsWith("Wen ")).ExecuteUpdateAsync(s => s.SetProperty(p => p.Kind, PersonKind.Press), ct);
        await db.People.Where(p => p.Name.StartsWith("Ann ") || p.Name.StartsWith("Ben ")).ExecuteUpdateAsync(s => s.SetProperty(p => p.Kind, PersonKind.Fan), ct);

        var mentioned = await db.Conversations.Where(c => c.Number % 997 == 0).Select(c => c.Id).ToListAsync(ct);
        db.Notifications.AddRange(mentioned.Select(id => new Notification
        {
            StaffUserId = workspace.AgentId, Kind = NotificationKinds.Mention, ConversationId = id, Text = "@bench-agent can you take a look?",
        }));
        await db.SaveChangesAsync(ct);
    }
}
