using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.People;

public sealed record PersonListSummary(Guid Id, string Name, int MemberCount, DateTimeOffset CreatedAt);

public sealed record PersonListMemberView(Guid Id, string Name, PersonKind Kind, string? EmailAddress, DateTimeOffset AddedAt);

public sealed record PersonListDetail(Guid Id, string Name, DateTimeOffset CreatedAt, IReadOnlyList<PersonListMemberView> Members);

public sealed record PersonListInput(string? Name, IReadOnlyList<Guid>? PersonIds = null);

public sealed record PersonListMembersInput(IReadOnlyList<Guid>? PersonIds);

/// What adding people did: who was added, who was in the list already, which ids name nobody.
public sealed record PersonListMembersResult(int Added, int AlreadyIn, IReadOnlyList<Guid> NotFound);

/// Saved lists of people, the targets of outreach. Everyone reads them; agents and admins change them.
public class ManagePersonLists(ChorusDb db, RecordAudit audit)
{
    public Task<List<PersonListSummary>> ListAsync(CancellationToken ct = default) =>
        db.PersonLists.AsNoTracking().OrderBy(l => l.Name)
            .Select(l => new PersonListSummary(l.Id, l.Name, l.Members.Count, l.CreatedAt)).ToListAsync(ct);

    public async Task<Outcome<PersonListDetail>> GetAsync(Guid id, CancellationToken ct = default)
    {
        var list = await db.PersonLists.AsNoTracking().Where(l => l.Id == id).Select(l => new { l.Id, l.Name, l.CreatedAt }).SingleOrDefaultAsync(ct);
        if (list is null) return new Outcome<PersonListDetail>.NotFound("List");
        var members = await (from m in db.PersonListMembers.AsNoTracking()
                             join p in db.People on m.PersonId equals p.Id
                             where m.ListId == id
                             orderby p.Name
                             select new PersonListMemberView(p.Id, p.Name, p.Kind,
                                 db.Identities.Where(i => i.PersonId == p.Id && i.Kind == IdentityKind.Email).OrderBy(i => i.CreatedAt).Select(i => i.Handle).FirstOrDefault(),
                                 m.AddedAt)).ToListAsync(ct);
        return new PersonListDetail(list.Id, list.Name, list.CreatedAt, members);
    }

    public async Task<Outcome<PersonListDetail>> CreateAsync(StaffActor actor, PersonListInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<PersonListDetail>.Forbidden("Viewers cannot change lists.");
        if (await CheckNameAsync(input.Name, null, ct) is { } invalid) return invalid;
        var list = new PersonList { Name = input.Name!.Trim(), CreatedById = actor.Id };
        db.PersonLists.Add(list);
        audit.Add(actor, "list.created", "list", list.Id.ToString(), list.Name);
        await db.SaveChangesAsync(ct);
        if (input.PersonIds is { Count: > 0 } ids && await AddMembersAsync(actor, list.Id, new PersonListMembersInput(ids), ct) is { Error: { } error })
        {
            await db.PersonLists.Where(l => l.Id == list.Id).ExecuteDeleteAsync(CancellationToken.None); // all or nothing
            return new Outcome<PersonListDetail>.Invalid(new Dictionary<string, string[]> { ["personIds"] = [error] });
        }
        return await GetAsync(list.Id, ct);
    }

    public async Task<Outcome<PersonListDetail>> RenameAsync(StaffActor actor, Guid id, PersonListInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<PersonListDetail>.Forbidden("Viewers cannot change lists.");
        var list = await db.PersonLists.SingleOrDefaultAsync(l => l.Id == id, ct);
        if (list is null) return new Outcome<PersonListDetail>.NotFound("List");
        if (await CheckNameAsync(input.Name, id, ct) is { } invalid) return invalid;
        audit.Add(actor, "list.renamed", "list", id.ToString(), $"{list.Name} → {input.Name!.Trim()}");
        list.Name = input.Name!.Trim();
        await db.SaveChangesAsync(ct);
        return await GetAsync(id, ct);
    }

    public async Task<Outcome<bool>> DeleteAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<bool>.Forbidden("Viewers cannot change lists.");
        var list = await db.PersonLists.SingleOrDefaultAsync(l => l.Id == id, ct);
        if (list is null) return new Outcome<bool>.NotFound("List");
        db.PersonLists.Remove(list); // members go with it; the people stay
        audit.Add(actor, "list.deleted", "list", id.ToString(), list.Name);
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<Outcome<PersonListMembersResult>> AddMembersAsync(StaffActor actor, Guid id, PersonListMembersInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<PersonListMembersResult>.Forbidden("Viewers cannot change lists.");
        var ids = (input.PersonIds ?? []).Distinct().ToList();
        if (ids.Count == 0) return Outcome<PersonListMembersResult>.Invalid.One("personIds", "Choose at least one person.");
        if (ids.Count > 1000) return Outcome<PersonListMembersResult>.Invalid.One("personIds", "Add at most 1,000 people at once.");
        var list = await db.PersonLists.AsNoTracking().Where(l => l.Id == id).Select(l => new { l.Name, Count = l.Members.Count }).SingleOrDefaultAsync(ct);
        if (list is null) return new Outcome<PersonListMembersResult>.NotFound("List");
        var existing = await db.People.Where(p => ids.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct);
        var already = await db.PersonListMembers.Where(m => m.ListId == id && ids.Contains(m.PersonId)).Select(m => m.PersonId).ToListAsync(ct);
        var adding = existing.Except(already).ToList();
        if (list.Count + adding.Count > PersonList.MaxMembers)
            return Outcome<PersonListMembersResult>.Invalid.One("personIds", $"A list holds at most {PersonList.MaxMembers:N0} people; {list.Name} has {list.Count:N0}.");
        foreach (var personId in adding) db.PersonListMembers.Add(new PersonListMember { ListId = id, PersonId = personId });
        if (adding.Count > 0) audit.Add(actor, "list.members-added", "list", id.ToString(), $"{list.Name}: {adding.Count} added");
        await db.SaveChangesAsync(ct);
        return new PersonListMembersResult(adding.Count, already.Count, ids.Except(existing).ToList());
    }

    public async Task<Outcome<bool>> RemoveMemberAsync(StaffActor actor, Guid id, Guid personId, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<bool>.Forbidden("Viewers cannot change lists.");
        var member = await db.PersonListMembers.SingleOrDefaultAsync(m => m.ListId == id && m.PersonId == personId, ct);
        if (member is null) return new Outcome<bool>.NotFound("That person in this list");
        db.PersonListMembers.Remove(member);
        audit.Add(actor, "list.member-removed", "list", id.ToString(), personId.ToString());
        await db.SaveChangesAsync(ct);
        return true;
    }

    private async Task<Outcome<PersonListDetail>.Invalid?> CheckNameAsync(string? name, Guid? except, CancellationToken ct)
    {
        var n = name?.Trim() ?? "";
        if (n.Length is 0 or > 100) return Outcome<PersonListDetail>.Invalid.One("name", "A list's name is 1 to 100 characters.");
        if (await db.PersonLists.AnyAsync(l => l.Name == n && l.Id != except, ct)) return Outcome<PersonListDetail>.Invalid.One("name", $"There is already a list called {n}.");
        return null;
    }
}
