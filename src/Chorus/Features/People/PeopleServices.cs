using System.Text.Json;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Chorus.Features.Search;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.People;

public sealed record PersonSummary(Guid Id, string Name, PersonKind Kind, LifecycleStage Stage, string? OrganizationName, string? PrimaryHandle, int ConversationCount);

public sealed record IdentityView(Guid Id, IdentityKind Kind, string Handle, string? DisplayName);

public sealed record TimelineItem(DateTimeOffset At, string Kind, long? ConversationNumber, string? ConversationSubject, string? ChannelName, string Text, Guid? ActivityId);

public sealed record PersonProfile(
    Guid Id, string Name, PersonKind Kind, LifecycleStage Stage, Guid? OrganizationId, string? OrganizationName, string? OrganizationDomain,
    string? Notes, DateTimeOffset CreatedAt, Guid? MergedIntoId, IReadOnlyList<IdentityView> Identities,
    IReadOnlyList<ConversationSummary> Conversations, IReadOnlyList<TimelineItem> Timeline);

public sealed record PersonChange(string? Name, PersonKind? Kind, LifecycleStage? Stage, string? Notes, string? OrganizationName);

/// Finds people and reads one person's profile with a timeline across every channel. What the
/// timeline shows is limited to conversations the actor may see (private teams stay private).
public class ReadPeople(ChorusDb db, SearchConversations search, InboxQuery inbox)
{
    public async Task<List<PersonSummary>> FindAsync(StaffActor actor, string? query, PersonKind? kind, int page, int pageSize, CancellationToken ct = default)
    {
        var hidden = actor.HiddenTeamIds; // counts must not reveal a private team's conversations
        var q = db.People.AsNoTracking().Where(p => p.MergedIntoId == null);
        if (!string.IsNullOrWhiteSpace(query))
        {
            var ids = search.PersonIds(query);
            q = q.Where(p => ids.Contains(p.Id));
        }
        if (kind is { } k) q = q.Where(p => p.Kind == k);
        return await q.OrderBy(p => p.Name).ThenBy(p => p.Id)
            .Skip((Math.Max(1, page) - 1) * Math.Clamp(pageSize, 1, 200)).Take(Math.Clamp(pageSize, 1, 200))
            .Select(p => new PersonSummary(p.Id, p.Name, p.Kind, p.Stage, p.Organization != null ? p.Organization.Name : null,
                db.Identities.Where(i => i.PersonId == p.Id).OrderBy(i => i.CreatedAt).Select(i => i.Handle).FirstOrDefault(),
                db.Conversations.Count(c => c.RequesterId == p.Id && c.MergedIntoId == null && (c.TeamId == null || !hidden.Contains(c.TeamId.Value)))))
            .ToListAsync(ct);
    }

    public async Task<Outcome<PersonProfile>> GetAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        var p = await db.People.AsNoTracking().Include(x => x.Organization).Include(x => x.Identities).SingleOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) return new Outcome<PersonProfile>.NotFound("Person");
        var conversations = (await inbox.ListAsync(actor, new InboxFilter { RequesterId = id, PageSize = 200 }, ct)).Items;
        var visible = conversations.Select(c => c.Id).ToList();
        var hidden = actor.HiddenTeamIds;

        // One timeline: the person's own messages and the staff replies to them, on every channel, plus activities.
        var messages = await (from m in db.Messages.AsNoTracking()
                              join c in db.Conversations on m.ConversationId equals c.Id
                              where c.RequesterId == id && (m.Kind == MessageKind.Inbound || m.Kind == MessageKind.Reply)
                                    && (c.TeamId == null || !hidden.Contains(c.TeamId.Value))
                              orderby m.CreatedAt descending
                              select new TimelineItem(m.CreatedAt, m.Kind == MessageKind.Inbound ? "message.received" : "reply.sent",
                                  c.Number, c.Subject, c.Channel!.Name, m.Text.Length > 300 ? m.Text.Substring(0, 300) + "..." : m.Text, null))
            .Take(300).ToListAsync(ct);
        var activities = await db.Activities.AsNoTracking().Where(a => a.PersonId == id)
            .OrderByDescending(a => a.At).Take(200)
            .Select(a => new { a.At, a.Kind, a.Summary, a.Id, a.ConversationId }).ToListAsync(ct);
        // Activities about a conversation carry its number, subject and channel like messages do, so the timeline can link them.
        var byId = conversations.ToDictionary(c => c.Id);
        var timeline = messages
            .Concat(activities.Where(a => a.ConversationId is null || visible.Contains(a.ConversationId.Value))
                .Select(a => a.ConversationId is { } cid && byId.TryGetValue(cid, out var c)
                    ? new TimelineItem(a.At, a.Kind, c.Number, c.Subject, c.ChannelName, a.Summary ?? a.Kind, a.Id)
                    : new TimelineItem(a.At, a.Kind, null, null, null, a.Summary ?? a.Kind, a.Id)))
            .OrderByDescending(t => t.At).ToList();

        return new PersonProfile(p.Id, p.Name, p.Kind, p.Stage, p.OrganizationId, p.Organization?.Name, p.Organization?.Domain, p.Notes, p.CreatedAt,
            p.MergedIntoId, p.Identities.OrderBy(i => i.CreatedAt).Select(i => new IdentityView(i.Id, i.Kind, i.Handle, i.DisplayName)).ToList(),
            conversations, timeline);
    }
}

/// Edits a person's profile fields; the organization is matched by name or created.
public class UpdatePerson(ChorusDb db, RecordAudit audit)
{
    public async Task<Outcome<Guid>> RunAsync(StaffActor actor, Guid id, PersonChange change, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<Guid>.Forbidden("Viewers cannot edit people.");
        var p = await db.People.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) return new Outcome<Guid>.NotFound("Person");
        if (change.Name is not null)
        {
            if (string.IsNullOrWhiteSpace(change.Name) || change.Name.Length > 200) return Outcome<Guid>.Invalid.One("name", "A name is 1 to 200 characters.");
            p.Name = change.Name.Trim();
        }
        if (change.Kind is { } kind && kind != p.Kind)
        {
            db.Activities.Add(new Activity { PersonId = p.Id, Kind = "person.kind-changed", Summary = $"{actor.Name} marked them as {kind.ToDisplay()} (was {p.Kind.ToDisplay()})." });
            p.Kind = kind;
        }
        if (change.Stage is { } stage && stage != p.Stage)
        {
            db.Activities.Add(new Activity { PersonId = p.Id, Kind = "person.stage-changed", Summary = $"Lifecycle stage changed to {stage} by {actor.Name}." });
            p.Stage = stage;
        }
        if (change.Notes is not null) p.Notes = TextLimits.Cut(change.Notes, 10_000);
        if (change.OrganizationName is not null)
        {
            var name = change.OrganizationName.Trim();
            if (name.Length == 0) p.OrganizationId = null;
            else
            {
                var org = await db.Organizations.FirstOrDefaultAsync(o => o.Name == name, ct);
                if (org is null) db.Organizations.Add(org = new Organization { Name = name });
                p.OrganizationId = org.Id;
            }
        }
        audit.Add(actor, "person.updated", "person", p.Id.ToString(), p.Name);
        await db.SaveChangesAsync(ct);
        return p.Id;
    }
}

/// Merges two profiles of the same human: identities, conversations, messages and activities move to
/// the kept person. The merge is recorded as an activity holding exactly what moved, so it can be undone.
public class MergePeople(ChorusDb db, RecordAudit audit)
{
    /// KeepKindBefore / KeepOrganizationWasEmpty: what the merge changed on the kept person, so undo can put it back.
    private sealed record MergeRecord(Guid SourceId, string SourceName, List<Guid> Identities, List<Guid> Conversations, List<Guid> Messages, List<Guid> Activities,
        PersonKind? KeepKindBefore = null, bool KeepOrganizationWasEmpty = false);

    public async Task<Outcome<Guid>> RunAsync(StaffActor actor, Guid keepId, Guid mergeId, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<Guid>.Forbidden("Viewers cannot merge people.");
        if (keepId == mergeId) return Outcome<Guid>.Invalid.One("other", "A person cannot be merged with themselves.");
        var keep = await db.People.SingleOrDefaultAsync(p => p.Id == keepId, ct);
        var merge = await db.People.SingleOrDefaultAsync(p => p.Id == mergeId, ct);
        if (keep is null || merge is null) return new Outcome<Guid>.NotFound("Person");
        if (keep.MergedIntoId is not null || merge.MergedIntoId is not null) return new Outcome<Guid>.Conflict("One of these people was already merged into someone else.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var record = new MergeRecord(merge.Id, merge.Name,
            await db.Identities.Where(i => i.PersonId == merge.Id).Select(i => i.Id).ToListAsync(ct),
            await db.Conversations.Where(c => c.RequesterId == merge.Id).Select(c => c.Id).ToListAsync(ct),
            await db.Messages.Where(m => m.AuthorPersonId == merge.Id).Select(m => m.Id).ToListAsync(ct),
            await db.Activities.Where(a => a.PersonId == merge.Id).Select(a => a.Id).ToListAsync(ct),
            keep.Kind == PersonKind.Customer && merge.Kind != PersonKind.Customer ? keep.Kind : null,
            keep.OrganizationId is null && merge.OrganizationId is not null);
        await db.Identities.Where(i => i.PersonId == merge.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.PersonId, keep.Id), ct);
        await db.Conversations.Where(c => c.RequesterId == merge.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.RequesterId, keep.Id), ct);
        await db.Messages.Where(m => m.AuthorPersonId == merge.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.AuthorPersonId, keep.Id), ct);
        await db.Activities.Where(a => a.PersonId == merge.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.PersonId, keep.Id), ct);
        merge.MergedIntoId = keep.Id;
        keep.OrganizationId ??= merge.OrganizationId;
        if (keep.Kind == PersonKind.Customer && merge.Kind != PersonKind.Customer) keep.Kind = merge.Kind;
        var activity = new Activity
        {
            PersonId = keep.Id, Kind = ActivityKinds.Merged, Data = JsonSerializer.Serialize(record),
            Summary = $"{actor.Name} merged {merge.Name} into this profile ({Plural(record.Identities.Count, "identity", "identities")}, {Plural(record.Conversations.Count, "conversation", "conversations")}).",
        };
        db.Activities.Add(activity);
        audit.Add(actor, "person.merged", "person", keep.Id.ToString(), $"{merge.Name} ({merge.Id}) into {keep.Name}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return activity.Id;
    }

    private static string Plural(int n, string one, string many) => $"{n} {(n == 1 ? one : many)}";

    /// Moves back what the merge moved (and is still on the kept person) and revives the merged profile.
    public async Task<Outcome<Guid>> UndoAsync(StaffActor actor, Guid mergeActivityId, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<Guid>.Forbidden("Viewers cannot undo merges.");
        var activity = await db.Activities.AsNoTracking().SingleOrDefaultAsync(a => a.Id == mergeActivityId && a.Kind == ActivityKinds.Merged, ct);
        if (activity?.Data is null) return new Outcome<Guid>.NotFound("Merge");
        var idText = mergeActivityId.ToString();
        if (await db.Activities.AnyAsync(a => a.Kind == ActivityKinds.MergeUndone && a.Data == idText, ct))
            return new Outcome<Guid>.Conflict("This merge was already undone.");
        var record = JsonSerializer.Deserialize<MergeRecord>(activity.Data)!;
        var source = await db.People.SingleOrDefaultAsync(p => p.Id == record.SourceId, ct);
        if (source is null) return new Outcome<Guid>.NotFound("Merged person");
        var keepId = activity.PersonId;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Identities.Where(i => record.Identities.Contains(i.Id) && i.PersonId == keepId).ExecuteUpdateAsync(s => s.SetProperty(i => i.PersonId, source.Id), ct);
        await db.Conversations.Where(c => record.Conversations.Contains(c.Id) && c.RequesterId == keepId).ExecuteUpdateAsync(s => s.SetProperty(c => c.RequesterId, source.Id), ct);
        foreach (var chunk in record.Messages.Chunk(1000))
            await db.Messages.Where(m => chunk.Contains(m.Id) && m.AuthorPersonId == keepId).ExecuteUpdateAsync(s => s.SetProperty(m => m.AuthorPersonId, source.Id), ct);
        await db.Activities.Where(a => record.Activities.Contains(a.Id) && a.PersonId == keepId).ExecuteUpdateAsync(s => s.SetProperty(a => a.PersonId, source.Id), ct);
        source.MergedIntoId = null;
        var keep = await db.People.SingleOrDefaultAsync(p => p.Id == keepId, ct);
        if (keep is not null && record.KeepKindBefore is { } kindBefore && keep.Kind == source.Kind) keep.Kind = kindBefore;
        if (keep is not null && record.KeepOrganizationWasEmpty && keep.OrganizationId == source.OrganizationId) keep.OrganizationId = null;
        db.Activities.Add(new Activity { PersonId = keepId, Kind = ActivityKinds.MergeUndone, Data = idText, Summary = $"{actor.Name} undid the merge of {record.SourceName}." });
        db.Activities.Add(new Activity { PersonId = source.Id, Kind = ActivityKinds.MergeUndone, Data = idText, Summary = $"{actor.Name} split this profile out again after a merge." });
        audit.Add(actor, "person.merge-undone", "person", source.Id.ToString(), record.SourceName);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return source.Id;
    }
}
