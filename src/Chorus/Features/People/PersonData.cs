using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Attachments;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.People;

public sealed record PersonExport(DateTimeOffset ExportedAt, PersonExport.Profile Person, IReadOnlyList<PersonExport.Handle> Identities,
    IReadOnlyList<PersonExport.Thread> Conversations, IReadOnlyList<PersonExport.Event> Activities, string Note)
{
    public sealed record Profile(Guid Id, string Name, string Kind, string Stage, string? Organization, string? Notes, DateTimeOffset CreatedAt);
    public sealed record Handle(string Kind, string Value, DateTimeOffset CreatedAt);
    public sealed record Thread(long Number, string Subject, string Channel, string Status, DateTimeOffset CreatedAt, IReadOnlyList<Said> Messages);
    public sealed record Said(string Kind, DateTimeOffset At, string Text, IReadOnlyList<File> Attachments);
    public sealed record File(string FileName, string ContentType, long Size);
    public sealed record Event(string Kind, DateTimeOffset At, string? Summary);
}

public sealed record ErasureReport(Guid PersonId, int Conversations, int Messages, int Identities, int AttachmentFiles);

/// A person's right of access and right to erasure (GDPR), for admins. The export is everything Chorus
/// holds about the person that was said with or to them: profile, identities, and each of their
/// conversations with its public messages (internal notes are the team's working notes and stay out;
/// an admin adds them by hand where the law asks). Erasure removes what identifies them — name, notes,
/// identities, organization, every text and file of their conversations, notifications, queued mail — and
/// keeps the shape: conversations, messages, times, statuses and teams still count in every report.
public sealed class PersonData(ChorusDb db, AttachmentStore files, RecordAudit audit)
{
    public const string Erased = "[erased]";

    public async Task<Outcome<PersonExport>> ExportAsync(StaffActor actor, Guid personId, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<PersonExport>.Forbidden("Only admins export a person's data.");
        var person = await db.People.AsNoTracking().Include(p => p.Organization).Include(p => p.Identities).SingleOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null) return new Outcome<PersonExport>.NotFound("Person");
        var ids = await WithMergedAsync(personId, ct);

        var conversations = await db.Conversations.AsNoTracking().Where(c => ids.Contains(c.RequesterId)).OrderBy(c => c.CreatedAt)
            .Select(c => new { c.Id, c.Number, c.Subject, Channel = c.Channel!.Name, c.Status, c.CreatedAt }).ToListAsync(ct);
        var conversationIds = conversations.Select(c => c.Id).ToList();
        var messages = await db.Messages.AsNoTracking()
            .Where(m => (conversationIds.Contains(m.ConversationId) || (m.AuthorPersonId != null && ids.Contains(m.AuthorPersonId.Value)))
                        && (m.Kind == MessageKind.Inbound || m.Kind == MessageKind.Reply))
            .OrderBy(m => m.CreatedAt).ToListAsync(ct);
        var messageIds = messages.Select(m => m.Id).ToList();
        var attachments = (await db.MessageAttachments.AsNoTracking().Where(a => messageIds.Contains(a.MessageId)).ToListAsync(ct))
            .ToLookup(a => a.MessageId);
        var activities = await db.Activities.AsNoTracking().Where(a => ids.Contains(a.PersonId)).OrderBy(a => a.At).ToListAsync(ct);
        await audit.RecordAsync(actor, "person.exported", "person", personId.ToString(), null, ct);

        return new Outcome<PersonExport>.Ok(new PersonExport(DateTimeOffset.UtcNow,
            new(person.Id, person.Name, person.Kind.ToString(), person.Stage.ToString(), person.Organization?.Name, person.Notes, person.CreatedAt),
            [.. person.Identities.Select(i => new PersonExport.Handle(i.Kind.ToString(), i.Handle, i.CreatedAt))],
            [.. conversations.Select(c => new PersonExport.Thread(c.Number, c.Subject, c.Channel, c.Status.ToString(), c.CreatedAt,
                [.. messages.Where(m => m.ConversationId == c.Id).Select(m => new PersonExport.Said(m.Kind == MessageKind.Inbound ? "from them" : "to them", m.CreatedAt, m.Text,
                    [.. attachments[m.Id].OrderBy(a => a.Position).Select(a => new PersonExport.File(a.FileName, a.ContentType, a.Size))]))]))],
            [.. activities.Select(a => new PersonExport.Event(a.Kind, a.At, a.Summary))],
            "Internal notes written by staff are not included."));
    }

    public async Task<Outcome<ErasureReport>> EraseAsync(StaffActor actor, Guid personId, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<ErasureReport>.Forbidden("Only admins erase a person.");
        if (!await db.People.AnyAsync(p => p.Id == personId, ct)) return new Outcome<ErasureReport>.NotFound("Person");
        var ids = await WithMergedAsync(personId, ct);
        var conversationIds = await db.Conversations.Where(c => ids.Contains(c.RequesterId)).Select(c => c.Id).ToListAsync(ct);
        var messageIds = await db.Messages.Where(m => conversationIds.Contains(m.ConversationId) || (m.AuthorPersonId != null && ids.Contains(m.AuthorPersonId.Value)))
            .Select(m => m.Id).ToListAsync(ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var hashes = await db.MessageAttachments.Where(a => messageIds.Contains(a.MessageId) && a.ContentHash != null).Select(a => a.ContentHash!).Distinct().ToListAsync(ct);
        await db.MessageAttachments.Where(a => messageIds.Contains(a.MessageId)).ExecuteDeleteAsync(ct);
        var erasedMessages = await db.Messages.Where(m => messageIds.Contains(m.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Text, Erased).SetProperty(m => m.Html, (string?)null), ct);
        await db.Conversations.Where(c => conversationIds.Contains(c.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Subject, Erased).SetProperty(c => c.Preview, ""), ct);
        await db.Notifications.Where(n => conversationIds.Contains(n.ConversationId)).ExecuteUpdateAsync(s => s.SetProperty(n => n.Text, Erased), ct);
        // Mail not yet sent to them is not sent; what was sent keeps its delivery state, not its content.
        await db.Outbox.Where(o => o.ConversationId != null && conversationIds.Contains(o.ConversationId.Value) && (o.Status == DeliveryStatus.Queued || o.Status == DeliveryStatus.Sending))
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, DeliveryStatus.Failed).SetProperty(o => o.LastError, "Not sent: the recipient's data was erased."), ct);
        await db.Outbox.Where(o => o.ConversationId != null && conversationIds.Contains(o.ConversationId.Value)).ExecuteUpdateAsync(s => s.SetProperty(o => o.Payload, ""), ct);
        var identities = await db.Identities.Where(i => ids.Contains(i.PersonId)).ExecuteDeleteAsync(ct);
        await db.PersonListMembers.Where(m => ids.Contains(m.PersonId)).ExecuteDeleteAsync(ct);
        await db.Activities.Where(a => ids.Contains(a.PersonId)).ExecuteDeleteAsync(ct);
        await db.People.Where(p => ids.Contains(p.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "Erased person").SetProperty(p => p.Notes, (string?)null)
                .SetProperty(p => p.OrganizationId, (Guid?)null), ct); // the employer, too, says who they were
        audit.Add(actor, "person.erased", "person", personId.ToString(), $"{conversationIds.Count} conversations, {erasedMessages} messages");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        // Files go after the commit (a rollback must not lose them), and only those nothing else still uses.
        var stillUsed = await db.MessageAttachments.Where(a => a.ContentHash != null && hashes.Contains(a.ContentHash)).Select(a => a.ContentHash!).ToListAsync(ct);
        var removed = 0;
        foreach (var hash in hashes.Except(stillUsed))
            if (files.Delete(hash)) removed++;
        return new Outcome<ErasureReport>.Ok(new ErasureReport(personId, conversationIds.Count, erasedMessages, identities, removed));
    }

    /// The person and everyone merged into them: their conversations are the person's too.
    private async Task<List<Guid>> WithMergedAsync(Guid personId, CancellationToken ct)
    {
        var ids = new List<Guid> { personId };
        for (var frontier = ids.ToList(); frontier.Count > 0;)
        {
            frontier = await db.People.Where(p => p.MergedIntoId != null && frontier.Contains(p.MergedIntoId.Value)).Select(p => p.Id).ToListAsync(ct);
            ids.AddRange(frontier.Except(ids));
        }
        return ids;
    }
}
