using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Forum;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community.Sanctions;

public sealed record SanctionInput(SanctionKind Kind, string? Reason, int? Days, int? Hours);

public sealed record SanctionView(Guid Id, Guid MemberId, SanctionKind Kind, string Reason, DateTimeOffset At, DateTimeOffset? EndsAt, string ByName,
    DateTimeOffset? LiftedAt, string? LiftedByName, bool InForce);

/// Staff silence (cannot post), suspend (cannot sign in) or ban (for good) a member, with a reason and a
/// duration, and lift a sanction early. Suspending or banning ends the member's sessions at once (a new
/// security stamp). Every action is audited.
public class SanctionMember(ChorusDb db, RecordAudit audit)
{
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(3650);

    public async Task<Outcome<SanctionView>> ApplyAsync(StaffActor actor, Guid memberId, SanctionInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<SanctionView>.Forbidden("Viewers cannot sanction members.");
        var reason = input.Reason?.Trim() ?? "";
        if (reason.Length is < 3 or > 500) return Outcome<SanctionView>.Invalid.One("reason", "Give a reason (3 to 500 characters): the member is told it.");
        TimeSpan? duration = null;
        if (input.Kind != SanctionKind.Ban)
        {
            var d = TimeSpan.FromDays(input.Days ?? 0) + TimeSpan.FromHours(input.Hours ?? 0);
            if (input.Days is < 0 || input.Hours is < 0 || d <= TimeSpan.Zero || d > MaxDuration)
                return Outcome<SanctionView>.Invalid.One("days", "Choose how long: at least an hour, at most ten years. A ban has no end.");
            duration = d;
        }
        var member = await db.ForumMembers.SingleOrDefaultAsync(m => m.Id == memberId, ct);
        if (member is null) return new Outcome<SanctionView>.NotFound("The member");
        var now = DateTimeOffset.UtcNow;
        var sanction = new MemberSanction
        {
            MemberId = memberId, Kind = input.Kind, Reason = reason, At = now, EndsAt = duration is { } x ? now + x : null, ByName = actor.Name,
        };
        db.MemberSanctions.Add(sanction);
        if (input.Kind != SanctionKind.Silence) member.SecurityStamp = Guid.NewGuid().ToString("N"); // signed out everywhere
        audit.Add(actor, "forum.member-" + Verb(input.Kind), "forum-member", memberId.ToString(),
            $"@{member.Username}: {reason}" + (sanction.EndsAt is { } end ? $" (until {end:yyyy-MM-dd HH:mm} UTC)" : " (permanent)"));
        await db.SaveChangesAsync(ct);
        return View(sanction, now);
    }

    public async Task<Outcome<SanctionView>> LiftAsync(StaffActor actor, Guid sanctionId, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<SanctionView>.Forbidden("Viewers cannot lift sanctions.");
        var sanction = await db.MemberSanctions.SingleOrDefaultAsync(s => s.Id == sanctionId, ct);
        if (sanction is null) return new Outcome<SanctionView>.NotFound("The sanction");
        var now = DateTimeOffset.UtcNow;
        if (sanction.LiftedAt is not null || sanction.EndsAt <= now) return new Outcome<SanctionView>.Conflict("This sanction is no longer in force.");
        sanction.LiftedAt = now;
        sanction.LiftedByName = actor.Name;
        var username = await db.ForumMembers.Where(m => m.Id == sanction.MemberId).Select(m => m.Username).SingleAsync(ct);
        audit.Add(actor, "forum.member-" + Verb(sanction.Kind) + "-lifted", "forum-member", sanction.MemberId.ToString(), $"@{username}");
        await db.SaveChangesAsync(ct);
        return View(sanction, now);
    }

    public async Task<List<SanctionView>> ListAsync(Guid memberId, CancellationToken ct = default)
    {
        var now = DateTimeOffset.UtcNow;
        var rows = await db.MemberSanctions.AsNoTracking().Where(s => s.MemberId == memberId).OrderByDescending(s => s.At).ToListAsync(ct);
        return rows.Select(s => View(s, now)).ToList();
    }

    private static SanctionView View(MemberSanction s, DateTimeOffset now) =>
        new(s.Id, s.MemberId, s.Kind, s.Reason, s.At, s.EndsAt, s.ByName, s.LiftedAt, s.LiftedByName, s.LiftedAt is null && (s.EndsAt is null || s.EndsAt > now));

    private static string Verb(SanctionKind kind) => kind switch { SanctionKind.Silence => "silenced", SanctionKind.Suspend => "suspended", _ => "banned" };

    public static string Describe(SanctionKind kind) => kind switch { SanctionKind.Silence => "Silenced", SanctionKind.Suspend => "Suspended", _ => "Banned" };
}
