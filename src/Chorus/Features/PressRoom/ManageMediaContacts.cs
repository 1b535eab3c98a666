using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.PressRoom;

public sealed record MediaContactSummary(Guid PersonId, string Name, string? EmailAddress, string? Outlet, IReadOnlyList<string> Beats,
    string? Notes, DateTimeOffset? LastContactAt, IReadOnlyList<string> Lists);

public sealed record PitchOfContact(Guid ReleaseId, string ReleaseTitle, DateTimeOffset SentAt, long? ConversationNumber);

public sealed record MediaContactDetail(MediaContactSummary Contact, IReadOnlyList<PitchOfContact> Pitches, IReadOnlyList<CoverageView> Coverage);

/// A journalist as given by staff or a CSV row. Null fields are left as they are on an existing person.
public sealed record MediaContactInput(string? Name, string? Email, string? Outlet = null, IReadOnlyList<string>? Beats = null, string? Notes = null);

public enum MediaContactChange { Created, Updated, Unchanged }

public sealed record MediaContactSaved(Guid PersonId, MediaContactChange Change);

/// Journalists: people of kind press with an outlet (their organization), beats and notes. A journalist
/// is found by their e-mail identity, so saving one that exists updates that person instead of adding another.
public class ManageMediaContacts(ChorusDb db, RecordAudit audit)
{
    public const int MaxName = 200, MaxOutlet = 200, MaxNotes = 10_000;

    public async Task<List<MediaContactSummary>> FindAsync(StaffActor actor, string? query, Guid? listId, string? beat, int page = 1, int pageSize = 50, CancellationToken ct = default)
    {
        var q = Journalists();
        if (!string.IsNullOrWhiteSpace(query))
        {
            var text = query.Trim().ToLower();
            q = q.Where(p => p.Name.ToLower().Contains(text)
                || (p.Organization != null && p.Organization.Name.ToLower().Contains(text))
                || db.Identities.Any(i => i.PersonId == p.Id && i.Handle.ToLower().Contains(text))
                || db.Set<MediaContact>().Any(m => m.PersonId == p.Id && m.Beats.ToLower().Contains(text)));
        }
        if (!string.IsNullOrWhiteSpace(beat))
        {
            var b = beat.Trim().ToLower();
            q = q.Where(p => db.Set<MediaContact>().Any(m => m.PersonId == p.Id && m.Beats.ToLower().Contains(b)));
        }
        if (listId is { } l) q = q.Where(p => db.Set<MediaListMember>().Any(m => m.ListId == l && m.PersonId == p.Id));
        var ids = await q.OrderBy(p => p.Name).ThenBy(p => p.Id)
            .Skip((Math.Max(1, page) - 1) * Math.Clamp(pageSize, 1, 500)).Take(Math.Clamp(pageSize, 1, 500))
            .Select(p => p.Id).ToListAsync(ct);
        return await SummariesAsync(actor, ids, ct);
    }

    public async Task<Outcome<MediaContactDetail>> GetAsync(StaffActor actor, Guid personId, CancellationToken ct = default)
    {
        if (!await Journalists().AnyAsync(p => p.Id == personId, ct)) return new Outcome<MediaContactDetail>.NotFound("Media contact");
        var contact = (await SummariesAsync(actor, [personId], ct)).Single();
        var hidden = actor.HiddenTeamIds;
        var pitches = await (from p in db.Set<Pitch>().AsNoTracking()
                             join r in db.Set<PressRelease>() on p.ReleaseId equals r.Id
                             where p.PersonId == personId
                             orderby p.SentAt descending
                             select new PitchOfContact(r.Id, r.Title, p.SentAt,
                                 db.Conversations.Where(c => c.Id == p.ConversationId && (c.TeamId == null || !hidden.Contains(c.TeamId.Value))).Select(c => (long?)c.Number).FirstOrDefault()))
            .ToListAsync(ct);
        var coverage = await ManageCoverage.ViewsAsync(db, db.Set<Coverage>().Where(c => c.JournalistId == personId), ct);
        return new MediaContactDetail(contact, pitches, coverage);
    }

    /// Journalists in name order with their e-mail, outlet, beats, lists and last contact (the latest
    /// message of any conversation with them the actor may see; a pitch is one).
    public async Task<List<MediaContactSummary>> SummariesAsync(StaffActor actor, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var hidden = actor.HiddenTeamIds;
        var rows = await db.People.AsNoTracking().Where(p => ids.Contains(p.Id))
            .Select(p => new
            {
                p.Id, p.Name, p.Notes, Outlet = p.Organization != null ? p.Organization.Name : null,
                Email = db.Identities.Where(i => i.PersonId == p.Id && i.Kind == IdentityKind.Email).OrderBy(i => i.CreatedAt).Select(i => i.Handle).FirstOrDefault(),
                Beats = db.Set<MediaContact>().Where(m => m.PersonId == p.Id).Select(m => m.Beats).FirstOrDefault(),
                LastContact = db.Conversations.Where(c => c.RequesterId == p.Id && (c.TeamId == null || !hidden.Contains(c.TeamId.Value))).Max(c => (DateTimeOffset?)c.LastMessageAt),
            }).ToListAsync(ct);
        var lists = await (from m in db.Set<MediaListMember>().AsNoTracking()
                           join l in db.Set<MediaList>() on m.ListId equals l.Id
                           where ids.Contains(m.PersonId)
                           select new { m.PersonId, l.Name }).ToListAsync(ct);
        var byPerson = lists.ToLookup(l => l.PersonId, l => l.Name);
        return rows.OrderBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase)
            .Select(r => new MediaContactSummary(r.Id, r.Name, r.Email, r.Outlet, SplitBeats(r.Beats), r.Notes, r.LastContact,
                byPerson[r.Id].Order(StringComparer.CurrentCultureIgnoreCase).ToList()))
            .ToList();
    }

    public async Task<Outcome<MediaContactDetail>> CreateAsync(StaffActor actor, MediaContactInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<MediaContactDetail>.Forbidden("Viewers cannot change media contacts.");
        if (Check(input, requireEmail: true) is { Count: > 0 } errors) return new Outcome<MediaContactDetail>.Invalid(errors);
        var saved = await SaveAsync(actor, input, new OutletCache(db), fromImport: false, ct);
        await db.SaveChangesAsync(ct);
        return await GetAsync(actor, saved.PersonId, ct);
    }

    public async Task<Outcome<MediaContactDetail>> UpdateAsync(StaffActor actor, Guid personId, MediaContactInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<MediaContactDetail>.Forbidden("Viewers cannot change media contacts.");
        var person = await db.People.SingleOrDefaultAsync(p => p.Id == personId && p.Kind == PersonKind.Press && p.MergedIntoId == null, ct);
        if (person is null) return new Outcome<MediaContactDetail>.NotFound("Media contact");
        if (Check(input, requireEmail: false) is { Count: > 0 } errors) return new Outcome<MediaContactDetail>.Invalid(errors);
        if (input.Email is { } email && !string.IsNullOrWhiteSpace(email))
        {
            var handle = Identity.Normalize(IdentityKind.Email, email);
            var owner = await db.Identities.Where(i => i.Kind == IdentityKind.Email && i.Handle == handle).Select(i => (Guid?)i.PersonId).SingleOrDefaultAsync(ct);
            if (owner is { } other && other != personId) return Outcome<MediaContactDetail>.Invalid.One("email", $"{handle} belongs to someone else; merge the two people first.");
            if (owner is null) db.Identities.Add(new Identity { PersonId = personId, Kind = IdentityKind.Email, Handle = handle, DisplayName = person.Name });
        }
        await ApplyAsync(person, await ContactOfAsync(personId, ct), input, new OutletCache(db), fromImport: false, ct);
        audit.Add(actor, "media-contact.updated", "person", personId.ToString(), person.Name);
        await db.SaveChangesAsync(ct);
        return await GetAsync(actor, personId, ct);
    }

    /// Problems with the input, by field, in plain words (also what a CSV row's errors say).
    public static Dictionary<string, string[]> Check(MediaContactInput input, bool requireEmail)
    {
        var errors = new Dictionary<string, string[]>();
        var email = input.Email?.Trim() ?? "";
        if (email.Length == 0) { if (requireEmail) errors["email"] = ["No e-mail address."]; }
        else if (!EmailAddress.IsValid(email)) errors["email"] = [$"\"{TextLimits.Cut(email, 80)}\" is not an e-mail address."];
        if (input.Name?.Trim().Length > MaxName) errors["name"] = [$"The name is longer than {MaxName} characters."];
        if (input.Name is { } n && n.Length > 0 && n.Trim().Length == 0) errors["name"] = ["The name is blank."];
        if (input.Outlet?.Trim().Length > MaxOutlet) errors["outlet"] = [$"The outlet is longer than {MaxOutlet} characters."];
        if (input.Beats is { } beats && JoinBeats(beats).Length > MediaContact.MaxBeats) errors["beats"] = [$"The beats are longer than {MediaContact.MaxBeats} characters together."];
        if (input.Notes?.Length > MaxNotes) errors["notes"] = [$"The notes are longer than {MaxNotes:N0} characters."];
        return errors;
    }

    /// Adds or updates the journalist with this (valid) e-mail address, in the caller's unit of work. An
    /// existing person with the address becomes press; CSV notes are added to theirs, never replacing them.
    public async Task<MediaContactSaved> SaveAsync(StaffActor actor, MediaContactInput input, OutletCache outlets, bool fromImport, CancellationToken ct)
    {
        var handle = Identity.Normalize(IdentityKind.Email, input.Email!);
        var personId = await db.Identities.Where(i => i.Kind == IdentityKind.Email && i.Handle == handle).Select(i => (Guid?)i.PersonId).SingleOrDefaultAsync(ct);
        var person = personId is { } id ? await db.People.SingleAsync(p => p.Id == id, ct) : null;
        for (var depth = 0; person?.MergedIntoId is { } into && depth < 10; depth++) person = await db.People.SingleAsync(p => p.Id == into, ct);
        if (person is null)
        {
            var name = string.IsNullOrWhiteSpace(input.Name) ? handle : input.Name.Trim();
            person = new Person { Name = name, Kind = PersonKind.Press };
            db.People.Add(person);
            db.Identities.Add(new Identity { PersonId = person.Id, Kind = IdentityKind.Email, Handle = handle, DisplayName = name });
            db.Activities.Add(new Activity { PersonId = person.Id, Kind = "person.created", Summary = $"{actor.Name} added them as a media contact." });
            await ApplyAsync(person, null, input with { Name = null }, outlets, fromImport, ct);
            audit.Add(actor, "media-contact.created", "person", person.Id.ToString(), $"{name} <{handle}>");
            return new(person.Id, MediaContactChange.Created);
        }
        var changed = await ApplyAsync(person, await ContactOfAsync(person.Id, ct), input, outlets, fromImport, ct);
        if (changed) audit.Add(actor, "media-contact.updated", "person", person.Id.ToString(), $"{person.Name} <{handle}>");
        return new(person.Id, changed ? MediaContactChange.Updated : MediaContactChange.Unchanged);
    }

    private Task<MediaContact?> ContactOfAsync(Guid personId, CancellationToken ct) =>
        db.Set<MediaContact>().SingleOrDefaultAsync(m => m.PersonId == personId, ct);

    /// Applies the input to the person; returns whether anything changed.
    private async Task<bool> ApplyAsync(Person person, MediaContact? contact, MediaContactInput input, OutletCache outlets, bool fromImport, CancellationToken ct)
    {
        var changed = false;
        if (person.Kind != PersonKind.Press)
        {
            db.Activities.Add(new Activity { PersonId = person.Id, Kind = "person.kind-changed", Summary = $"Marked as press (was {person.Kind.ToDisplay()}) as a media contact." });
            person.Kind = PersonKind.Press;
            changed = true;
        }
        if (!string.IsNullOrWhiteSpace(input.Name) && input.Name.Trim() != person.Name) { person.Name = input.Name.Trim(); changed = true; }
        if (input.Outlet is { } outlet)
        {
            var orgId = string.IsNullOrWhiteSpace(outlet) ? null : (Guid?)await outlets.IdAsync(outlet.Trim(), ct);
            if (orgId != person.OrganizationId) { person.OrganizationId = orgId; changed = true; }
        }
        if (input.Notes is { } notes)
        {
            var text = notes.Trim();
            if (fromImport)
            {
                if (text.Length > 0 && !(person.Notes ?? "").Contains(text, StringComparison.Ordinal))
                {
                    person.Notes = TextLimits.Cut(string.IsNullOrEmpty(person.Notes) ? text : person.Notes + "\n" + text, MaxNotes);
                    changed = true;
                }
            }
            else if ((person.Notes ?? "") != text) { person.Notes = text.Length == 0 ? null : text; changed = true; }
        }
        if (contact is null)
        {
            contact = new MediaContact { PersonId = person.Id };
            db.Add(contact);
        }
        if (input.Beats is { } beats)
        {
            // From a CSV, beats are added to the ones known; from the form, they are the list.
            var next = fromImport ? JoinBeats(SplitBeats(contact.Beats).Concat(beats)) : JoinBeats(beats);
            if (next != contact.Beats) { contact.Beats = next; contact.UpdatedAt = DateTimeOffset.UtcNow; changed = true; }
        }
        return changed;
    }

    /// The people who are media contacts: press, not merged away.
    private IQueryable<Person> Journalists() => db.People.AsNoTracking().Where(p => p.Kind == PersonKind.Press && p.MergedIntoId == null);

    public static IReadOnlyList<string> SplitBeats(string? beats) =>
        string.IsNullOrWhiteSpace(beats) ? [] : beats.Split([',', ';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string JoinBeats(IEnumerable<string> beats) =>
        string.Join(", ", beats.SelectMany(b => SplitBeats(b)).Where(b => b.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase));
}

/// Outlets (organizations) by name, case-insensitively, created on first use; one per unit of work,
/// so an import naming the same new outlet twice makes it once.
public sealed class OutletCache(ChorusDb db)
{
    private readonly Dictionary<string, Guid> _known = new(StringComparer.OrdinalIgnoreCase);

    public async Task<Guid> IdAsync(string name, CancellationToken ct)
    {
        if (_known.TryGetValue(name, out var id)) return id;
        var lower = name.ToLower();
        var existing = await db.Organizations.Where(o => o.Name.ToLower() == lower).OrderBy(o => o.CreatedAt).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(ct);
        if (existing is null)
        {
            var org = new Organization { Name = name };
            db.Organizations.Add(org);
            existing = org.Id;
        }
        return _known[name] = existing.Value;
    }
}
