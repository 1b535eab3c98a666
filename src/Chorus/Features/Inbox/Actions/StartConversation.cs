using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Email;
using Chorus.Features.People;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox.Actions;

/// Proactive outreach: an agent writes first. Either PersonId or ListId; one conversation per person,
/// on a mailbox channel. RequestId makes a retried request start nothing twice.
public sealed record OutreachRequest(Guid? PersonId, Guid? ListId, Guid? MailboxId, string? Subject, string? Text, Guid? RequestId = null);

public sealed record OutreachStarted(Guid PersonId, string Name, long Number);

public sealed record OutreachSkipped(Guid PersonId, string Name, string Reason);

public sealed record OutreachResult(IReadOnlyList<OutreachStarted> Started, IReadOnlyList<OutreachSkipped> Skipped);

public sealed record OutreachProgress(int Done, int Total);

/// Starts a conversation by e-mail with each person: assigned to the agent, status pending, the first
/// message an outbound reply queued through the outbox; the person's answer threads into it. Each
/// conversation is saved on its own, so a long list makes progress and one failure loses nothing else.
public class StartConversation(ChorusDb db, HtmlCleaner html, RecordAudit audit, InboxEvents events, QueueEmailReply email, IConfiguration config)
{
    public const int MaxSubjectLength = 200;
    public const int MaxPeoplePerRequest = 500;
    private int PerHour => config.GetValue("Chorus:Outreach:ConversationsPerHour", 1000);

    public async Task<Outcome<OutreachResult>> RunAsync(StaffActor actor, OutreachRequest request, IProgress<OutreachProgress>? progress = null, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<OutreachResult>.Forbidden("Viewers cannot start conversations.");
        var errors = new Dictionary<string, string[]>();
        var subject = request.Subject?.Trim() ?? "";
        var text = request.Text?.Trim() ?? "";
        if (subject.Length == 0) errors["subject"] = ["Give the e-mail a subject."];
        else if (subject.Length > MaxSubjectLength) errors["subject"] = [$"A subject is at most {MaxSubjectLength} characters."];
        if (text.Length == 0) errors["text"] = ["Write the message first."];
        else if (text.Length > PostMessage.MaxLength) errors["text"] = [$"A message is at most {PostMessage.MaxLength:N0} characters."];
        if ((request.PersonId is null) == (request.ListId is null)) errors["personId"] = ["Choose either one person or one list."];
        var mailbox = request.MailboxId is { } mailboxId
            ? await (from m in db.Mailboxes join c in db.Channels on m.ChannelId equals c.Id where m.ChannelId == mailboxId
                     select new { c.Id, c.Name, c.Enabled, c.DefaultTeamId }).SingleOrDefaultAsync(ct)
            : null;
        if (mailbox is null) errors["mailboxId"] = ["Choose the mailbox to write from."];
        else if (!mailbox.Enabled) errors["mailboxId"] = [$"{mailbox.Name} is switched off; choose another mailbox."];
        if (errors.Count > 0) return new Outcome<OutreachResult>.Invalid(errors);

        // Who: one person, or the members of a list (a merged profile stands for the person it was merged into).
        List<Guid> targets;
        string? listName = null;
        if (request.PersonId is { } personId)
        {
            if (!await db.People.AnyAsync(p => p.Id == personId, ct)) return new Outcome<OutreachResult>.NotFound("Person");
            targets = [personId];
        }
        else
        {
            var list = await db.PersonLists.AsNoTracking().Where(l => l.Id == request.ListId).Select(l => new { l.Name }).SingleOrDefaultAsync(ct);
            if (list is null) return new Outcome<OutreachResult>.NotFound("List");
            listName = list.Name;
            targets = await db.PersonListMembers.Where(m => m.ListId == request.ListId).OrderBy(m => m.AddedAt).Select(m => m.PersonId).ToListAsync(ct);
            if (targets.Count == 0) return Outcome<OutreachResult>.Invalid.One("listId", $"{list.Name} has nobody in it yet.");
            if (targets.Count > MaxPeoplePerRequest)
                return Outcome<OutreachResult>.Invalid.One("listId", $"One outreach reaches at most {MaxPeoplePerRequest} people; {list.Name} has {targets.Count}. Split the list.");
        }
        var since = DateTimeOffset.UtcNow.AddHours(-1);
        var recent = await db.Conversations.CountAsync(c => c.ChannelId == mailbox!.Id && c.AssigneeId == actor.Id && c.CreatedAt > since
            && c.ExternalThreadId != null && c.ExternalThreadId.StartsWith("outreach:"), ct);
        if (recent + targets.Count > PerHour)
            return new Outcome<OutreachResult>.Conflict($"You can start at most {PerHour:N0} conversations an hour by outreach; you started {recent:N0} in the last hour.");

        var requestId = request.RequestId ?? Guid.NewGuid();
        var teamId = mailbox!.DefaultTeamId is { } team && actor.CanSeeTeam(team) ? team : (Guid?)null;
        var started = new List<OutreachStarted>();
        var skipped = new List<OutreachSkipped>();
        var seen = new HashSet<Guid>();
        for (var i = 0; i < targets.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var person = await ResolveAsync(targets[i], ct);
            if (person is null) skipped.Add(new(targets[i], "(deleted)", "The person no longer exists."));
            else if (!seen.Add(person.Id)) skipped.Add(new(targets[i], person.Name, "Already in this outreach (a merged profile)."));
            else if (!await db.Identities.AnyAsync(x => x.PersonId == person.Id && x.Kind == IdentityKind.Email, ct))
                skipped.Add(new(person.Id, person.Name, "No e-mail address."));
            else
            {
                var outcome = await StartOneAsync(actor, person, mailbox.Id, teamId, subject, text, $"outreach:{requestId:N}:{person.Id:N}", ct);
                if (outcome is Outcome<long>.Ok ok) started.Add(new(person.Id, person.Name, ok.Value));
                else skipped.Add(new(person.Id, person.Name, outcome.Error!));
            }
            progress?.Report(new OutreachProgress(i + 1, targets.Count));
        }
        if (listName is not null)
            await audit.RecordAsync(actor, "outreach.list", "list", request.ListId.ToString(), $"{listName}: started {started.Count}, skipped {skipped.Count} ({subject})", ct);
        return new OutreachResult(started, skipped);
    }

    private async Task<Person?> ResolveAsync(Guid id, CancellationToken ct)
    {
        for (var depth = 0; depth < 10; depth++)
        {
            var p = await db.People.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
            if (p?.MergedIntoId is not { } into) return p;
            id = into;
        }
        return null;
    }

    /// Starts one conversation (idempotent on the thread id). Entities the caller added to the context are saved in
    /// the same transaction, or dropped with it when the e-mail cannot be sent (a press release's pitch uses this).
    public async Task<Outcome<long>> StartOneAsync(StaffActor actor, Person person, Guid channelId, Guid? teamId, string subject, string text, string threadId, CancellationToken ct)
    {
        // Started already by this same request (a retry): nothing new.
        if (await db.Conversations.AsNoTracking().Where(c => c.ChannelId == channelId && c.ExternalThreadId == threadId).Select(c => (long?)c.Number).FirstOrDefaultAsync(ct) is { } existing)
            return existing;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var number = await ConversationNumbers.ReserveAsync(db, 1, ct);
        var now = DateTimeOffset.UtcNow;
        var c = new Conversation
        {
            Number = number, ChannelId = channelId, ExternalThreadId = threadId, Subject = subject, Status = ConversationStatus.Pending,
            TeamId = teamId, AssigneeId = actor.Id, RequesterId = person.Id, Preview = TextLimits.Preview(text), MessageCount = 1,
            CreatedAt = now, UpdatedAt = now, LastMessageAt = now, FirstReplyAt = now,
        };
        c.Followers.Add(new ConversationFollower { ConversationId = c.Id, StaffUserId = actor.Id });
        db.Conversations.Add(c);
        var started = ConversationGuard.Event(c, $"{actor.Name} started this conversation by e-mail.");
        started.CreatedAt = now;
        db.Messages.Add(started);
        var message = new Message
        {
            ConversationId = c.Id, ChannelId = channelId, Kind = MessageKind.Reply, AuthorStaffId = actor.Id, Text = text,
            Html = html.MarkdownToHtml(text), CreatedAt = now.AddTicks(1),
        };
        db.Messages.Add(message);
        if (await email.AddAsync(c, message, [], ct) is { Error: { } unsendable })
        {
            db.ChangeTracker.Clear();
            return new Outcome<long>.Conflict(unsendable);
        }
        db.Activities.Add(new Activity
        {
            PersonId = person.Id, At = now, Kind = ActivityKinds.ConversationStarted, ConversationId = c.Id,
            Summary = $"{actor.Name} started #{number} by e-mail: {subject}",
        });
        audit.Add(actor, "conversation.started", "conversation", number.ToString(), $"By e-mail to {person.Name}: {subject}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Created));
        return number;
    }
}
