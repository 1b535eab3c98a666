using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox.Actions;

/// Follows or unfollows a conversation: followers are the staff who hear about its changes.
/// Reading is enough to follow (a viewer may follow what they watch).
public class FollowConversation(ChorusDb db)
{
    public async Task<Outcome<bool>> RunAsync(StaffActor actor, long number, bool follow, CancellationToken ct = default)
    {
        var c = await db.Conversations.AsNoTracking().Where(x => x.Number == number).Select(x => new { x.Id, x.TeamId }).SingleOrDefaultAsync(ct);
        if (c is null || !actor.CanSeeTeam(c.TeamId)) return new Outcome<bool>.NotFound($"Conversation #{number}");
        var existing = await db.ConversationFollowers.SingleOrDefaultAsync(f => f.ConversationId == c.Id && f.StaffUserId == actor.Id, ct);
        if (follow && existing is null) db.ConversationFollowers.Add(new ConversationFollower { ConversationId = c.Id, StaffUserId = actor.Id });
        if (!follow && existing is not null) db.ConversationFollowers.Remove(existing);
        await db.SaveChangesAsync(ct);
        return follow;
    }
}
