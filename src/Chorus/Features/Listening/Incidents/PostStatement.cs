using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Automation;
using Chorus.Features.Channels;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.Listening.Engage;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Incidents;

/// "Post statement": one action that answers every chosen thread with the approved statement, as a public reply in the
/// thread's own channel (a mention is engaged into a conversation first, and the reply leaves through the outbox like any
/// other), saves the statement as a macro so Support answers the same, and marks the response on the incident.
/// Posting is idempotent: the statement turns from approved to posted once, and each thread is claimed before it is
/// answered and records its answer, so a second click, a colleague's click or a retry after a failure answers only the
/// threads not answered yet.
public sealed class PostStatement(ChorusDb db, IServiceScopeFactory scopes, RecordAudit audit, IncidentEvents events)
{
    /// A claim older than this belongs to a post that died halfway; the thread may be answered again.
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(10);

    public async Task<Outcome<StatementPosted>> RunAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<StatementPosted>.Forbidden("Viewers cannot post statements.");
        var incident = await db.Incidents.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (incident is null) return new Outcome<StatementPosted>.NotFound("Incident");
        if (incident.StatementStatus is StatementStatus.None or StatementStatus.Drafted)
            return new Outcome<StatementPosted>.Conflict(incident.StatementStatus == StatementStatus.None
                ? "Write the statement first; it is approved, then posted."
                : "The statement must be approved before it is posted.");
        var now = DateTimeOffset.UtcNow;
        // Approved → posted, once: of two clicks only one makes the statement posted and saves its macro.
        var first = incident.StatementStatus == StatementStatus.Approved && await db.Incidents
            .Where(i => i.Id == id && i.StatementStatus == StatementStatus.Approved)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.StatementStatus, StatementStatus.Posted).SetProperty(i => i.StatementPostedAt, now)
                .SetProperty(i => i.Version, i => i.Version + 1).SetProperty(i => i.UpdatedAt, now), ct) == 1;

        var threads = await db.IncidentThreads.AsNoTracking().Where(t => t.IncidentId == id && t.Chosen).OrderBy(t => t.AddedAt).ToListAsync(ct);
        var answered = 0;
        var already = threads.Count(t => t.AnswerMessageId is not null);
        var failures = new List<string>();
        foreach (var thread in threads.Where(t => t.AnswerMessageId is null))
        {
            var (number, where, url, why) = await TargetAsync(actor, thread, ct);
            if (why is not null)
            {
                failures.Add($"{where}: {why}");
                await RecordFailureAsync(thread.Id, why, ct);
                continue;
            }
            var stale = DateTimeOffset.UtcNow - ClaimTimeout;
            var claimed = await db.IncidentThreads
                .Where(t => t.Id == thread.Id && t.AnswerMessageId == null && (t.AnsweringSince == null || t.AnsweringSince < stale))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.AnsweringSince, DateTimeOffset.UtcNow), ct);
            if (claimed == 0) { already++; continue; } // being answered by the other click, or answered already

            // Each thread in its own scope: a refused reply leaves nothing half-added behind for the next.
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            Guid conversationId;
            if (thread.MentionId is { } mentionId)
            {
                var engaged = await services.GetRequiredService<EngageMention>().RunAsync(actor, mentionId, ct);
                if (engaged is not Outcome<EngagedMention>.Ok ok)
                {
                    failures.Add($"{where}: {engaged.Error}");
                    await RecordFailureAsync(thread.Id, engaged.Error!, ct);
                    continue;
                }
                (number, conversationId) = (ok.Value.Number, ok.Value.ConversationId);
            }
            else conversationId = thread.ConversationId!.Value;

            var posted = await services.GetRequiredService<PostMessage>().RunAsync(actor, number!.Value, new StaffPost(PostKind.Reply, incident.Statement), ct);
            if (posted is not Outcome<PostedMessage>.Ok reply)
            {
                failures.Add($"{where}: {posted.Error}");
                await RecordFailureAsync(thread.Id, posted.Error!, ct);
                continue;
            }
            await db.IncidentThreads.Where(t => t.Id == thread.Id).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.AnswerMessageId, reply.Value.MessageId).SetProperty(t => t.AnswerConversationId, conversationId)
                .SetProperty(t => t.AnsweringSince, (DateTimeOffset?)null).SetProperty(t => t.AnswerError, (string?)null), CancellationToken.None);
            db.IncidentEntries.Add(ManageIncidents.Entry(incident, actor, IncidentEntryKinds.Reply, $"Posted the statement as a public reply on {where} (#{number}).", number, url));
            answered++;
        }

        // Set-based, not through a loaded copy: a second click finishing at the same moment must not trip over this one.
        Guid? macroId = null;
        string? macroName = null;
        if (first)
        {
            (macroId, macroName) = await SaveMacroAsync(actor, incident, ct);
            if (await db.Incidents.Where(i => i.Id == id && i.Status == IncidentStatus.Investigating)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, IncidentStatus.Responding), CancellationToken.None) == 1)
                db.IncidentEntries.Add(ManageIncidents.Entry(incident, actor, IncidentEntryKinds.Status, "Status: investigating → responding (the statement is out)."));
        }
        if (macroId is not null) await ManageIncidents.TickAsync(db, incident, actor, IncidentSteps.MacroSaved, $"saved as the macro \"{macroName}\"", CancellationToken.None);
        // Posted once every chosen thread has its answer: a thread that failed keeps the step open until it is answered.
        if (threads.Count > 0 && answered + already == threads.Count)
            await ManageIncidents.TickAsync(db, incident, actor, IncidentSteps.StatementPosted, $"posted to {threads.Count} thread{(threads.Count == 1 ? "" : "s")}", CancellationToken.None);
        if (first || answered > 0)
        {
            db.IncidentEntries.Add(ManageIncidents.Entry(incident, actor, IncidentEntryKinds.Statement,
                $"Posted the statement to {answered} thread{(answered == 1 ? "" : "s")}" + (failures.Count > 0 ? $"; {failures.Count} could not be answered." : ".")
                + (macroName is null ? "" : $" Saved for Support as the macro \"{macroName}\".")));
            audit.Add(actor, "incident.statement-posted", "incident", incident.Number.ToString(), $"{answered} threads answered, {failures.Count} failed");
        }
        await db.SaveChangesAsync(CancellationToken.None); // the replies are out: their record must not be lost to a closed page
        if (first || answered > 0)
            await db.Incidents.Where(i => i.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.MacroId, i => macroId ?? i.MacroId).SetProperty(i => i.Version, i => i.Version + 1)
                .SetProperty(i => i.UpdatedAt, DateTimeOffset.UtcNow), CancellationToken.None);
        events.Publish(id);
        return new StatementPosted(answered, already, failures, macroId, macroName);
    }

    /// The conversation to answer in (null for a mention not yet engaged), how the thread is named, its link, and why it cannot be answered.
    private async Task<(long? Number, string Where, string? Url, string? Why)> TargetAsync(StaffActor actor, IncidentThread thread, CancellationToken ct)
    {
        var accounts = db.ReplyAccounts.Select(a => a.ChannelId);
        if (thread.MentionId is { } mentionId)
        {
            var m = await (from x in db.Mentions join c in db.Channels on x.ChannelId equals c.Id where x.Id == mentionId
                           select new { x.Url, x.AuthorHandle, c.Name, c.Kind, HasAccount = accounts.Contains(c.Id) }).SingleAsync(ct);
            var where = $"{m.Name} ({m.AuthorHandle ?? "a post"})";
            return m.Kind switch
            {
                ChannelKind.Reddit or ChannelKind.Mastodon when m.HasAccount => (null, where, m.Url, null),
                ChannelKind.Reddit or ChannelKind.Mastodon => (null, where, m.Url, $"{m.Name} has no reply account yet (Admin → Sources)."),
                _ => (null, where, m.Url, $"{EngageMention.PlatformName(m.Kind)} has no API to answer through."),
            };
        }
        var cv = await (from x in db.Conversations join c in db.Channels on x.ChannelId equals c.Id where x.Id == thread.ConversationId
                        select new { x.Number, x.TeamId, c.Name, c.Kind, HasAccount = accounts.Contains(c.Id) }).SingleAsync(ct);
        var name = $"#{cv.Number} on {cv.Name}";
        if (!actor.CanSeeTeam(cv.TeamId)) return (cv.Number, $"#{cv.Number}", null, "it belongs to a private team you are not in.");
        return cv.Kind switch
        {
            ChannelKind.HackerNews or ChannelKind.Rss or ChannelKind.Webhook => (cv.Number, name, null, $"{EngageMention.PlatformName(cv.Kind)} has no API to answer through."),
            ChannelKind.Reddit or ChannelKind.Mastodon when !cv.HasAccount => (cv.Number, name, null, $"{cv.Name} has no reply account yet (Admin → Sources)."),
            _ => (cv.Number, name, null, null),
        };
    }

    private Task RecordFailureAsync(Guid threadId, string why, CancellationToken ct) =>
        db.IncidentThreads.Where(t => t.Id == threadId && t.AnswerMessageId == null).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.AnswerError, TextLimits.Cut(why, 1000)).SetProperty(t => t.AnsweringSince, (DateTimeOffset?)null), CancellationToken.None);

    /// The statement as a macro, named after the incident, so Support answers in the same words.
    private async Task<(Guid?, string?)> SaveMacroAsync(StaffActor actor, Incident incident, CancellationToken ct)
    {
        if (Placeholders.Check(incident.Statement) is { } bad)
        {
            db.IncidentEntries.Add(ManageIncidents.Entry(incident, actor, IncidentEntryKinds.Statement, $"The statement was not saved as a macro: {bad}"));
            return (null, null);
        }
        var baseName = TextLimits.Cut($"Incident {incident.Number}: {incident.Title}", 90);
        var name = baseName;
        for (var n = 2; await db.Macros.AnyAsync(m => m.Name.ToLower() == name.ToLower(), ct); n++) name = $"{baseName} ({n})";
        var macro = new Macro { Name = name, Body = incident.Statement };
        db.Macros.Add(macro);
        audit.Add(actor, "macro.created", "macro", macro.Id.ToString(), $"{name}: from incident {incident.Number}'s approved statement");
        return (macro.Id, name);
    }
}
