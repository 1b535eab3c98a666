using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.PressRoom;

public sealed record MediaListSummary(Guid Id, string Name, string? Description, int MemberCount, DateTimeOffset CreatedAt);

public sealed record MediaListDetail(Guid Id, string Name, string? Description, DateTimeOffset CreatedAt, IReadOnlyList<MediaContactSummary> Members);

public sealed record MediaListInput(string? Name, string? Description = null, IReadOnlyList<Guid>? PersonIds = null);

public sealed record MediaListMembersInput(IReadOnlyList<Guid>? PersonIds);

/// What adding journalists did: added, already in the list, and ids that name no media contact.
public sealed record MediaListMembersResult(int Added, int AlreadyIn, IReadOnlyList<Guid> NotJournalists);

/// Named lists of journalists ("Games press, EU"): who a release is distributed to. Staff read them;
/// agents and admins change them.
public class ManageMediaLists(ChorusDb db, RecordAudit audit, ManageMediaContacts contacts)
{
    public Task<List<MediaListSummary>> ListAsync(CancellationToken ct = default) =>
        db.Set<MediaList>().AsNoTracking().OrderBy(l => l.Name)
            .Select(l => new MediaListSummary(l.Id, l.Name, l.Description, l.Members.Count, l.CreatedAt)).ToListAsync(ct);

    public async Task<Outcome<MediaListDetail>> GetAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        var list = await db.Set<MediaList>().AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, ct);
        if (list is null) return new Outcome<MediaListDetail>.NotFound("Media list");
        var ids = await db.Set<MediaListMember>().Where(m => m.ListId == id).Select(m => m.PersonId).ToListAsync(ct);
        var members = await contacts.SummariesAsync(actor, ids, ct);
        return new MediaListDetail(list.Id, list.Name, list.Description, list.CreatedAt, members);
    }

    public async Task<Outcome<MediaListDetail>> CreateAsync(StaffActor actor, MediaListInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<MediaListDetail>.Forbidden("Viewers cannot change media lists.");
        if (await CheckAsync(input, null, ct) is { } invalid) return invalid;
        var list = new MediaList { Name = input.Name!.Trim(), Description = Blank(input.Description), CreatedById = actor.Id };
        if (input.PersonIds is { Count: > 0 } ids)
        {
            var (journalists, strangers) = await SplitAsync(ids, ct);
            if (strangers.Count > 0) return Outcome<MediaListDetail>.Invalid.One("personIds", $"{strangers.Count} of the people chosen are not media contacts (people of kind press).");
            list.Members.AddRange(journalists.Select(p => new MediaListMember { ListId = list.Id, PersonId = p }));
        }
        db.Add(list);
        audit.Add(actor, "media-list.created", "media-list", list.Id.ToString(), $"{list.Name} ({list.Members.Count} journalists)");
        await db.SaveChangesAsync(ct);
        return await GetAsync(actor, list.Id, ct);
    }

    public async Task<Outcome<MediaListDetail>> UpdateAsync(StaffActor actor, Guid id, MediaListInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<MediaListDetail>.Forbidden("Viewers cannot change media lists.");
        var list = await db.Set<MediaList>().SingleOrDefaultAsync(l => l.Id == id, ct);
        if (list is null) return new Outcome<MediaListDetail>.NotFound("Media list");
        if (await CheckAsync(input with { Name = input.Name ?? list.Name }, id, ct) is { } invalid) return invalid;
        audit.Add(actor, "media-list.updated", "media-list", id.ToString(), input.Name is null || input.Name.Trim() == list.Name ? list.Name : $"{list.Name} → {input.Name.Trim()}");
        if (input.Name is not null) list.Name = input.Name.Trim();
        if (input.Description is not null) list.Description = Blank(input.Description);
        await db.SaveChangesAsync(ct);
        return await GetAsync(actor, id, ct);
    }

    public async Task<Outcome<bool>> DeleteAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<bool>.Forbidden("Viewers cannot change media lists.");
        var list = await db.Set<MediaList>().SingleOrDefaultAsync(l => l.Id == id, ct);
        if (list is null) return new Outcome<bool>.NotFound("Media list");
        db.Remove(list); // members go with it; the journalists and what was sent to them stay
        audit.Add(actor, "media-list.deleted", "media-list", id.ToString(), list.Name);
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<Outcome<MediaListMembersResult>> AddMembersAsync(StaffActor actor, Guid id, MediaListMembersInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<MediaListMembersResult>.Forbidden("Viewers cannot change media lists.");
        var ids = (input.PersonIds ?? []).Distinct().ToList();
        if (ids.Count == 0) return Outcome<MediaListMembersResult>.Invalid.One("personIds", "Choose at least one journalist.");
        if (ids.Count > MediaList.MaxMembers) return Outcome<MediaListMembersResult>.Invalid.One("personIds", $"Add at most {MediaList.MaxMembers:N0} journalists at once.");
        var list = await db.Set<MediaList>().AsNoTracking().Where(l => l.Id == id).Select(l => new { l.Name, Count = l.Members.Count }).SingleOrDefaultAsync(ct);
        if (list is null) return new Outcome<MediaListMembersResult>.NotFound("Media list");
        var (journalists, strangers) = await SplitAsync(ids, ct);
        var already = await db.Set<MediaListMember>().Where(m => m.ListId == id && journalists.Contains(m.PersonId)).Select(m => m.PersonId).ToListAsync(ct);
        var adding = journalists.Except(already).ToList();
        if (list.Count + adding.Count > MediaList.MaxMembers)
            return Outcome<MediaListMembersResult>.Invalid.One("personIds", $"A media list holds at most {MediaList.MaxMembers:N0} journalists; {list.Name} has {list.Count:N0}.");
        foreach (var personId in adding) db.Add(new MediaListMember { ListId = id, PersonId = personId });
        if (adding.Count > 0) audit.Add(actor, "media-list.members-added", "media-list", id.ToString(), $"{list.Name}: {adding.Count} added");
        await db.SaveChangesAsync(ct);
        return new MediaListMembersResult(adding.Count, already.Count, strangers);
    }

    public async Task<Outcome<bool>> RemoveMemberAsync(StaffActor actor, Guid id, Guid personId, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<bool>.Forbidden("Viewers cannot change media lists.");
        var member = await db.Set<MediaListMember>().SingleOrDefaultAsync(m => m.ListId == id && m.PersonId == personId, ct);
        if (member is null) return new Outcome<bool>.NotFound("That journalist in this list");
        db.Remove(member);
        audit.Add(actor, "media-list.member-removed", "media-list", id.ToString(), personId.ToString());
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// The ids that are media contacts (press, not merged away), and the others.
    private async Task<(List<Guid> Journalists, List<Guid> Others)> SplitAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var journalists = await db.People.Where(p => ids.Contains(p.Id) && p.Kind == PersonKind.Press && p.MergedIntoId == null).Select(p => p.Id).ToListAsync(ct);
        return (journalists, ids.Except(journalists).ToList());
    }

    private async Task<Outcome<MediaListDetail>.Invalid?> CheckAsync(MediaListInput input, Guid? except, CancellationToken ct)
    {
        var n = input.Name?.Trim() ?? "";
        if (n.Length is 0 or > 100) return Outcome<MediaListDetail>.Invalid.One("name", "A media list's name is 1 to 100 characters.");
        if (input.Description?.Trim().Length > 500) return Outcome<MediaListDetail>.Invalid.One("description", "A description is at most 500 characters.");
        if (await db.Set<MediaList>().AnyAsync(l => l.Name == n && l.Id != except, ct)) return Outcome<MediaListDetail>.Invalid.One("name", $"There is already a media list called {n}.");
        return null;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
