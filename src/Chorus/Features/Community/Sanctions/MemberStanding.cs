using Chorus.Data;
using Chorus.Features.Forum;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community.Sanctions;

/// Whether a member may post or sign in now: no sanction in force (silence, suspension, ban) and their
/// person not blocked. Sanctions end by themselves: every check compares EndsAt with the clock.
public class MemberStanding(ChorusDb db)
{
    public static IQueryable<MemberSanction> InForce(ChorusDb db, Guid memberId, DateTimeOffset now) =>
        db.MemberSanctions.AsNoTracking().Where(s => s.MemberId == memberId && s.LiftedAt == null && (s.EndsAt == null || s.EndsAt > now));

    /// Why the member cannot post now, or null when they can.
    public async Task<string?> WhyCannotPostAsync(Guid memberId, Guid? personId, CancellationToken ct = default)
    {
        var now = DateTimeOffset.UtcNow;
        // Kinds are stored as text: the strongest (ban > suspension > silence) is picked here, not in SQL.
        var sanction = (await InForce(db, memberId, now).ToListAsync(ct)).MaxBy(s => s.Kind);
        if (sanction is not null) return Describe(sanction) + " You can still read the community.";
        if (personId is { } p && await db.PersonBlocks.AnyAsync(b => b.PersonId == p, ct))
            return "Your account cannot post in the community.";
        return null;
    }

    /// Why the member cannot sign in now (suspended or banned), or null.
    public async Task<string?> WhyCannotSignInAsync(Guid memberId, CancellationToken ct = default)
    {
        var sanction = (await InForce(db, memberId, DateTimeOffset.UtcNow).Where(s => s.Kind != SanctionKind.Silence).ToListAsync(ct)).MaxBy(s => s.Kind);
        return sanction is null ? null : Describe(sanction);
    }

    public static string Describe(MemberSanction s) => s.Kind switch
    {
        SanctionKind.Ban => $"This account is banned from the community: {s.Reason}",
        SanctionKind.Suspend => $"This account is suspended until {s.EndsAt:d MMMM yyyy HH:mm} UTC: {s.Reason}",
        _ => $"You are silenced until {s.EndsAt:d MMMM yyyy HH:mm} UTC: {s.Reason}.",
    };
}
