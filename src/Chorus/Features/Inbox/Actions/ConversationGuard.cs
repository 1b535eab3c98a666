using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox.Actions;

/// Shared checks for every action that changes a conversation: it exists, the actor may see it,
/// the actor may change things, and (when the caller says which version it saw) nobody changed it since.
internal static class ConversationGuard
{
    public static async Task<(Conversation? Conversation, string? Error, Outcome<T>? Failure)> LoadForWorkAsync<T>(
        ChorusDb db, StaffActor actor, long number, int? expectedVersion, CancellationToken ct)
    {
        var conversation = await db.Conversations.Include(c => c.Tags).Include(c => c.Followers).SingleOrDefaultAsync(c => c.Number == number, ct);
        // Not found before forbidden: whoever may not see a private team's conversation must not learn it exists.
        if (conversation is null || !actor.CanSeeTeam(conversation.TeamId)) return (null, null, new Outcome<T>.NotFound($"Conversation #{number}"));
        if (!actor.CanWork) return (null, null, new Outcome<T>.Forbidden("Viewers can read conversations but not change them."));
        if (expectedVersion is { } v && v != conversation.Version)
            return (null, null, new Outcome<T>.Conflict(ConflictMessage(number)));
        return (conversation, null, null);
    }

    /// Whether a staff user (not the actor) may see conversations owned by <paramref name="teamId"/>:
    /// public or no team, a member of the private team, or an admin.
    public static async Task<bool> StaffCanSeeAsync(ChorusDb db, string staffUserId, Guid? teamId, CancellationToken ct)
    {
        if (teamId is not { } team || !await db.Teams.AnyAsync(t => t.Id == team && t.IsPrivate, ct)) return true;
        if (await db.TeamMembers.AnyAsync(m => m.TeamId == team && m.StaffUserId == staffUserId, ct)) return true;
        return await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id
                      where ur.UserId == staffUserId && r.Name == Roles.Admin select ur).AnyAsync(ct);
    }

    public static string ConflictMessage(long number) =>
        $"Someone else changed #{number} after you opened it. Your change was not saved: reload to see theirs, then try again.";

    public static Message Event(Conversation c, string text) =>
        new() { ConversationId = c.Id, ChannelId = c.ChannelId, Kind = MessageKind.Event, Text = text };
}
