using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox;

public sealed record NotificationView(Guid Id, string Kind, long ConversationNumber, string Text, DateTimeOffset CreatedAt, bool Read);

public class ListNotifications(ChorusDb db)
{
    public Task<List<NotificationView>> RunAsync(StaffActor actor, bool unreadOnly, CancellationToken ct = default) =>
        db.Notifications.AsNoTracking()
            .Where(n => n.StaffUserId == actor.Id && (!unreadOnly || n.ReadAt == null))
            .OrderByDescending(n => n.CreatedAt).Take(100)
            .Select(n => new NotificationView(n.Id, n.Kind, db.Conversations.Where(c => c.Id == n.ConversationId).Select(c => c.Number).First(), n.Text, n.CreatedAt, n.ReadAt != null))
            .ToListAsync(ct);

    public Task<int> UnreadCountAsync(StaffActor actor, CancellationToken ct = default) =>
        db.Notifications.CountAsync(n => n.StaffUserId == actor.Id && n.ReadAt == null, ct);

    public Task MarkReadAsync(StaffActor actor, Guid conversationId, CancellationToken ct = default)
    {
        var now = DateTimeOffset.UtcNow;
        return db.Notifications.Where(n => n.StaffUserId == actor.Id && n.ConversationId == conversationId && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
    }

    /// Marks all of the actor's notifications read, or only those of one conversation number.
    public Task MarkReadAsync(StaffActor actor, long? conversationNumber, CancellationToken ct = default)
    {
        var now = DateTimeOffset.UtcNow;
        return db.Notifications.Where(n => n.StaffUserId == actor.Id && n.ReadAt == null
                && (conversationNumber == null || db.Conversations.Any(c => c.Id == n.ConversationId && c.Number == conversationNumber)))
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
    }
}
