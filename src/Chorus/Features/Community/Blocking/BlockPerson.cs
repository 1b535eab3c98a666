using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community.Blocking;

public sealed record BlockView(Guid PersonId, string PersonName, string Reason, DateTimeOffset At, string ByName, int BlockedMessages);

public sealed record BlockedMessageView(Guid Id, Guid PersonId, string PersonName, string ChannelName, string AuthorHandle, string? Subject, string Text, DateTimeOffset At);

/// One block list for every channel: a blocked person's forum posts are refused and their e-mails and
/// web-form submissions are kept as blocked messages rather than opening conversations. Unblocking lets
/// them in again. Staff who work conversations block; both are audited.
public class BlockPerson(ChorusDb db, RecordAudit audit)
{
    public async Task<Outcome<BlockView>> BlockAsync(StaffActor actor, Guid personId, string? reason, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<BlockView>.Forbidden("Viewers cannot block people.");
        reason = reason?.Trim() ?? "";
        if (reason.Length is < 3 or > 500) return Outcome<BlockView>.Invalid.One("reason", "Say why (3 to 500 characters): other staff will see it.");
        var person = await db.People.AsNoTracking().Where(p => p.Id == personId).Select(p => new { p.Id, p.Name, p.MergedIntoId }).SingleOrDefaultAsync(ct);
        if (person is null) return new Outcome<BlockView>.NotFound("The person");
        if (person.MergedIntoId is not null) return new Outcome<BlockView>.Conflict("This profile was merged into another: block that one.");
        if (await db.PersonBlocks.AnyAsync(b => b.PersonId == personId, ct)) return new Outcome<BlockView>.Conflict($"{person.Name} is already blocked.");
        var block = new PersonBlock { PersonId = personId, Reason = reason, ByName = actor.Name };
        db.PersonBlocks.Add(block);
        audit.Add(actor, "person.blocked", "person", personId.ToString(), $"{person.Name}: {reason}");
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return new Outcome<BlockView>.Conflict($"{person.Name} is already blocked.");
        }
        return new BlockView(personId, person.Name, reason, block.At, actor.Name, 0);
    }

    public async Task<Outcome<bool>> UnblockAsync(StaffActor actor, Guid personId, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<bool>.Forbidden("Viewers cannot unblock people.");
        var block = await db.PersonBlocks.SingleOrDefaultAsync(b => b.PersonId == personId, ct);
        if (block is null) return new Outcome<bool>.NotFound("The block");
        var name = await db.People.Where(p => p.Id == personId).Select(p => p.Name).SingleAsync(ct);
        db.PersonBlocks.Remove(block);
        audit.Add(actor, "person.unblocked", "person", personId.ToString(), name);
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<BlockView?> OfAsync(Guid personId, CancellationToken ct = default) =>
        (await BlocksAsync(personId, ct)).SingleOrDefault();

    public async Task<List<BlockView>> BlocksAsync(Guid? personId = null, CancellationToken ct = default) =>
        await (from b in db.PersonBlocks.AsNoTracking()
               join p in db.People on b.PersonId equals p.Id
               where personId == null || b.PersonId == personId
               orderby b.At descending
               select new BlockView(b.PersonId, p.Name, b.Reason, b.At, b.ByName, db.BlockedMessages.Count(m => m.PersonId == b.PersonId)))
            .ToListAsync(ct);

    /// What blocked people sent, newest first (kept for admins; never a conversation).
    public async Task<List<BlockedMessageView>> MessagesAsync(int take = 100, CancellationToken ct = default) =>
        await (from m in db.BlockedMessages.AsNoTracking()
               join p in db.People on m.PersonId equals p.Id
               join c in db.Channels on m.ChannelId equals c.Id
               orderby m.ReceivedAt descending
               select new BlockedMessageView(m.Id, m.PersonId, p.Name, c.Name, m.AuthorHandle, m.Subject, m.Text, m.At))
            .Take(Math.Clamp(take, 1, 500)).ToListAsync(ct);
}
