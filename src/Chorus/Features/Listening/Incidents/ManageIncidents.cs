using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox;
using Chorus.Features.Listening.Engage;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Incidents;

/// Opens, reads and changes incidents. Every staff member reads them; agents and admins work in them (each change on the
/// incident's timeline and in the audit log); the statement is approved by an admin or a member of PR other than its author.
public sealed class ManageIncidents(ChorusDb db, RecordAudit audit, IncidentEvents events)
{
    public const string ApproverTeam = "PR";
    public const int MaxThreads = 500;

    /// Every incident's checklist to begin with; the steps Chorus sees happen tick themselves (and can be ticked by hand).
    public static readonly (string Text, string? Step)[] DefaultChecklist =
    [
        ("Find out what happened (Product & Engineering Liaison)", null),
        ("Draft the statement", IncidentSteps.StatementDrafted),
        ("Get the statement approved", IncidentSteps.StatementApproved),
        ("Post the statement to the threads", IncidentSteps.StatementPosted),
        ("Brief Support: the statement is a macro", IncidentSteps.MacroSaved),
        ("Watch the volume come down, then resolve", IncidentSteps.Resolved),
    ];

    public async Task<List<IncidentSummary>> ListAsync(string? status = null, CancellationToken ct = default)
    {
        var q = db.Incidents.AsNoTracking();
        if (status == "open") q = q.Where(i => i.Status != IncidentStatus.Resolved);
        else if (Parse(status) is { } s) q = q.Where(i => i.Status == s);
        var rows = await (from i in q
                          join u in db.Users on i.OwnerId equals u.Id into owners
                          from u in owners.DefaultIfEmpty()
                          join m in db.Monitors on i.MonitorId equals m.Id into monitors
                          from m in monitors.DefaultIfEmpty()
                          orderby i.Number descending
                          select new { i, Owner = u == null ? null : u.DisplayName, Monitor = m == null ? null : m.Name,
                              Threads = db.IncidentThreads.Count(t => t.IncidentId == i.Id) }).Take(200).ToListAsync(ct);
        return rows.Select(r => new IncidentSummary(r.i.Id, r.i.Number, r.i.Title, Word(r.i.Status), r.Owner, r.Monitor, r.Threads,
            Word(r.i.StatementStatus), r.i.CreatedAt, r.i.UpdatedAt)).ToList();
    }

    public async Task<Outcome<IncidentView>> GetAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        var i = await db.Incidents.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (i is null) return new Outcome<IncidentView>.NotFound("Incident");
        var owner = i.OwnerId is null ? null : await db.Users.Where(u => u.Id == i.OwnerId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
        var monitor = i.MonitorId is null ? null : await db.Monitors.Where(m => m.Id == i.MonitorId).Select(m => m.Name).SingleOrDefaultAsync(ct);
        var teams = await (from t in db.IncidentTeams join team in db.Teams on t.TeamId equals team.Id where t.IncidentId == id orderby team.Name
                           select new IncidentTeamView(team.Id, team.Name)).ToListAsync(ct);
        var timeline = await db.IncidentEntries.AsNoTracking().Where(e => e.IncidentId == id).OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => new IncidentEntryView(e.Id, e.At, e.Kind, e.ActorName, e.Text, e.ConversationNumber, e.Url)).ToListAsync(ct);
        var checklist = await db.IncidentChecklistItems.AsNoTracking().Where(c => c.IncidentId == id).OrderBy(c => c.Position)
            .Select(c => new ChecklistItemView(c.Id, c.Text, c.DoneAt != null, c.DoneByName, c.DoneAt, c.Step, c.DoneAt != null && c.DoneAutomatically)).ToListAsync(ct);
        return new IncidentView(i.Id, i.Number, i.Title, Word(i.Status), i.OwnerId, owner, i.MonitorId, monitor, i.AlertId, teams,
            await ThreadsAsync(actor, id, ct), timeline, checklist, i.Statement, Word(i.StatementStatus), i.StatementApprovedByName, i.StatementApprovedAt,
            i.StatementPostedAt, i.MacroId, i.CreatedAt, i.UpdatedAt, i.ResolvedAt, i.Version, actor.CanWork, await CanApproveAsync(actor, i, ct));
    }

    private async Task<List<IncidentThreadView>> ThreadsAsync(StaffActor actor, Guid id, CancellationToken ct)
    {
        var threads = await db.IncidentThreads.AsNoTracking().Where(t => t.IncidentId == id).OrderBy(t => t.AddedAt).ToListAsync(ct);
        var mentionIds = threads.Where(t => t.MentionId != null).Select(t => t.MentionId!.Value).ToList();
        var mentions = await (from m in db.Mentions.AsNoTracking() where mentionIds.Contains(m.Id)
                              join c in db.Channels on m.ChannelId equals c.Id
                              select new { m, c.Name, c.Kind }).ToDictionaryAsync(x => x.m.Id, ct);
        var accounts = (await db.ReplyAccounts.AsNoTracking().Select(a => a.ChannelId).ToListAsync(ct)).ToHashSet();
        var conversationIds = threads.SelectMany(t => new[] { t.ConversationId, t.AnswerConversationId }).OfType<Guid>().Distinct().ToList();
        var conversations = await (from c in db.Conversations.AsNoTracking() where conversationIds.Contains(c.Id)
                                   join ch in db.Channels on c.ChannelId equals ch.Id
                                   join p in db.People on c.RequesterId equals p.Id
                                   select new { c.Id, c.Number, c.Subject, c.Preview, c.TeamId, c.Sentiment, ChannelName = ch.Name, ch.Kind, c.ChannelId, Requester = p.Name })
            .ToDictionaryAsync(x => x.Id, ct);
        var answerIds = threads.Where(t => t.AnswerMessageId != null).Select(t => t.AnswerMessageId!.Value).ToList();
        var deliveries = await db.Outbox.AsNoTracking().Where(o => o.MessageId != null && answerIds.Contains(o.MessageId.Value))
            .ToDictionaryAsync(o => o.MessageId!.Value, o => o.Status, ct);
        var views = new List<IncidentThreadView>();
        foreach (var t in threads)
        {
            var delivery = t.AnswerMessageId is { } mid ? deliveries.TryGetValue(mid, out var st) ? st.ToString().ToLowerInvariant() : "posted" : null;
            long? answeredIn = t.AnswerConversationId is { } ac && conversations.TryGetValue(ac, out var acv) ? acv.Number : null;
            if (t.MentionId is { } mentionId && mentions.TryGetValue(mentionId, out var x))
            {
                var (can, why) = x.Kind switch
                {
                    ChannelKind.Reddit or ChannelKind.Mastodon when accounts.Contains(x.m.ChannelId) => (true, (string?)null),
                    ChannelKind.Reddit or ChannelKind.Mastodon => (false, $"{x.Name} has no reply account yet (Admin → Sources)."),
                    _ => (false, $"{EngageMention.PlatformName(x.Kind)} has no API to answer through."),
                };
                views.Add(new IncidentThreadView(t.Id, "mention", mentionId, answeredIn, x.Name, x.m.AuthorHandle ?? x.m.AuthorName, x.m.Title, TextLimits.Preview(x.m.Text),
                    x.m.Url, x.m.Sentiment, t.Chosen, can, why, t.AnswerMessageId is not null, t.AnswerError, delivery));
            }
            else if (t.ConversationId is { } cid && conversations.TryGetValue(cid, out var c))
            {
                var visible = actor.CanSeeTeam(c.TeamId);
                var (can, why) = c.Kind switch
                {
                    ChannelKind.HackerNews or ChannelKind.Rss or ChannelKind.Webhook => (false, $"{EngageMention.PlatformName(c.Kind)} has no API to answer through."),
                    ChannelKind.Reddit or ChannelKind.Mastodon when !accounts.Contains(c.ChannelId) => (false, $"{c.ChannelName} has no reply account yet (Admin → Sources)."),
                    _ => (true, (string?)null),
                };
                views.Add(new IncidentThreadView(t.Id, "conversation", null, c.Number, c.ChannelName, visible ? c.Requester : null,
                    visible ? c.Subject : $"Conversation #{c.Number}", visible ? c.Preview : "", null, c.Sentiment, t.Chosen, can, why,
                    t.AnswerMessageId is not null, t.AnswerError, delivery));
            }
        }
        return views;
    }

    public async Task<Outcome<IncidentView>> OpenAsync(StaffActor actor, OpenIncidentInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<IncidentView>.Forbidden("Viewers cannot open incidents.");
        var errors = new Dictionary<string, string[]>();
        Alerts.Alert? alert = null;
        if (input.AlertId is { } alertId)
        {
            // An alert opens one incident: a second click, or a colleague's, finds the first.
            if (await db.Incidents.Where(i => i.AlertId == alertId).Select(i => (Guid?)i.Id).SingleOrDefaultAsync(ct) is { } existing)
                return await GetAsync(actor, existing, ct);
            alert = await db.Alerts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == alertId, ct);
            if (alert is null) errors["alertId"] = ["That alert does not exist (any more)."];
        }
        var monitorId = input.MonitorId ?? alert?.MonitorId;
        if (input.MonitorId is { } mid && !await db.Monitors.AnyAsync(m => m.Id == mid, ct)) errors["monitorId"] = ["That monitor does not exist."];
        var title = input.Title?.Trim();
        if (string.IsNullOrEmpty(title)) title = alert is null ? null : TextLimits.Cut(await AlertTitleAsync(alert, ct), IncidentLimits.TitleLength);
        if (string.IsNullOrEmpty(title)) errors["title"] = ["Give the incident a title: what is happening, in a few words."];
        else if (title.Length > IncidentLimits.TitleLength) errors["title"] = [$"A title is at most {IncidentLimits.TitleLength} characters."];
        var ownerId = input.OwnerId ?? actor.Id;
        if (!await db.Users.AnyAsync(u => u.Id == ownerId, ct)) errors["ownerId"] = ["The spokesperson must be a staff user."];
        var teamIds = (input.TeamIds ?? []).Distinct().ToList();
        if (teamIds.Count > 0 && await db.Teams.CountAsync(t => teamIds.Contains(t.Id), ct) != teamIds.Count) errors["teamIds"] = ["One of the teams does not exist."];
        var mentionIds = (input.MentionIds ?? []).Distinct().ToList();
        if (alert is not null) mentionIds.AddRange(await db.AlertMentions.Where(a => a.AlertId == alert.Id).Select(a => a.MentionId).ToListAsync(ct));
        mentionIds = mentionIds.Distinct().Take(MaxThreads).ToList();
        if (mentionIds.Count > 0 && await db.Mentions.CountAsync(m => mentionIds.Contains(m.Id), ct) != mentionIds.Count) errors["mentionIds"] = ["One of the mentions does not exist."];
        if (errors.Count > 0) return new Outcome<IncidentView>.Invalid(errors);

        for (var attempt = 0; ; attempt++)
        {
            var incident = new Incident
            {
                Number = (await db.Incidents.MaxAsync(i => (long?)i.Number, ct) ?? 0) + 1,
                Title = title!, OwnerId = ownerId, MonitorId = monitorId, AlertId = alert?.Id, CreatedById = actor.Id,
            };
            db.Incidents.Add(incident);
            db.IncidentTeams.AddRange(teamIds.Select(t => new IncidentTeam { IncidentId = incident.Id, TeamId = t }));
            // Negative mentions first chosen for the statement; the others are there for context.
            var negative = (await db.Mentions.Where(m => mentionIds.Contains(m.Id)).Select(m => new { m.Id, m.Sentiment }).ToListAsync(ct)).ToDictionary(m => m.Id, m => m.Sentiment);
            db.IncidentThreads.AddRange(mentionIds.Select(m => new IncidentThread { IncidentId = incident.Id, MentionId = m, Chosen = alert?.Opportunity == true || negative[m] < Mentions.Mention.NegativeBelow }));
            db.IncidentChecklistItems.AddRange(DefaultChecklist.Select((c, n) => new IncidentChecklistItem { IncidentId = incident.Id, Position = n, Text = c.Text, Step = c.Step }));
            var ownerName = await db.Users.Where(u => u.Id == ownerId).Select(u => u.DisplayName).SingleAsync(ct);
            db.IncidentEntries.Add(Entry(incident, actor, IncidentEntryKinds.Opened,
                (alert is null ? "Opened by hand" : $"Opened from the alert \"{alert.Summary}\"") + $", with {mentionIds.Count} mention{(mentionIds.Count == 1 ? "" : "s")}. Spokesperson: {ownerName}."));
            audit.Add(actor, "incident.opened", "incident", incident.Number.ToString(), incident.Title);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another incident took this number (or this alert) a moment ago.
                db.ChangeTracker.Clear();
                if (alert is not null && await db.Incidents.Where(i => i.AlertId == alert.Id).Select(i => (Guid?)i.Id).SingleOrDefaultAsync(ct) is { } taken)
                    return await GetAsync(actor, taken, ct);
                continue;
            }
            events.Publish(incident.Id);
            return await GetAsync(actor, incident.Id, ct);
        }
    }

    private async Task<string> AlertTitleAsync(Alerts.Alert alert, CancellationToken ct)
    {
        var monitor = await db.Monitors.Where(m => m.Id == alert.MonitorId).Select(m => m.Name).SingleOrDefaultAsync(ct) ?? "Monitor";
        var what = alert.Opportunity ? "positive spike" : alert.Kind == Alerts.AlertKind.Volume ? "spike in mentions" : "spike in negative mentions";
        return $"{monitor}: {what} at {alert.BucketStart:HH:mm} UTC";
    }

    public Task<Outcome<IncidentView>> UpdateAsync(StaffActor actor, Guid id, UpdateIncidentInput input, CancellationToken ct = default) =>
        ChangeAsync(actor, id, input.Version, async i =>
        {
            var errors = new Dictionary<string, string[]>();
            var title = input.Title?.Trim();
            if (title is not null && (title.Length == 0 || title.Length > IncidentLimits.TitleLength)) errors["title"] = [$"A title is 1 to {IncidentLimits.TitleLength} characters."];
            IncidentStatus? status = null;
            if (input.Status is not null && (status = Parse(input.Status)) is null) errors["status"] = ["Status is investigating, responding, monitoring or resolved."];
            string? ownerName = null;
            if (input.OwnerId is not null && (ownerName = await db.Users.Where(u => u.Id == input.OwnerId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct)) is null)
                errors["ownerId"] = ["The spokesperson must be a staff user."];
            var teamIds = input.TeamIds?.Distinct().ToList();
            if (teamIds is { Count: > 0 } && await db.Teams.CountAsync(t => teamIds.Contains(t.Id), ct) != teamIds.Count) errors["teamIds"] = ["One of the teams does not exist."];
            if (input.MonitorId is { } mid && !await db.Monitors.AnyAsync(m => m.Id == mid, ct)) errors["monitorId"] = ["That monitor does not exist."];
            if (errors.Count > 0) return new Outcome<IncidentView>.Invalid(errors);

            if (title is not null && title != i.Title)
            {
                db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Status, $"Renamed from \"{i.Title}\"."));
                i.Title = title;
            }
            if (status is { } s && s != i.Status)
            {
                db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Status, $"Status: {Word(i.Status)} → {Word(s)}."));
                audit.Add(actor, "incident.status", "incident", i.Number.ToString(), $"{Word(i.Status)} → {Word(s)}");
                if (s == IncidentStatus.Resolved) await TickAsync(db, i, actor, IncidentSteps.Resolved, "resolved", ct);
                else if (i.Status == IncidentStatus.Resolved) await UntickAsync(db, i, actor, IncidentSteps.Resolved, "reopened", ct);
                i.Status = s;
                i.ResolvedAt = s == IncidentStatus.Resolved ? DateTimeOffset.UtcNow : null;
            }
            if (input.OwnerId is not null && input.OwnerId != i.OwnerId)
            {
                db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Owner, $"Spokesperson: {ownerName}."));
                audit.Add(actor, "incident.owner", "incident", i.Number.ToString(), ownerName);
                i.OwnerId = input.OwnerId;
            }
            if (input.MonitorId is { } monitorId) i.MonitorId = monitorId;
            if (teamIds is not null)
            {
                var before = await db.IncidentTeams.Where(t => t.IncidentId == i.Id).ToListAsync(ct);
                if (!before.Select(t => t.TeamId).ToHashSet().SetEquals(teamIds))
                {
                    db.IncidentTeams.RemoveRange(before.Where(t => !teamIds.Contains(t.TeamId)));
                    db.IncidentTeams.AddRange(teamIds.Where(t => before.All(b => b.TeamId != t)).Select(t => new IncidentTeam { IncidentId = i.Id, TeamId = t }));
                    var names = await db.Teams.Where(t => teamIds.Contains(t.Id)).OrderBy(t => t.Name).Select(t => t.Name).ToListAsync(ct);
                    db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Teams, names.Count == 0 ? "No teams involved." : $"Teams involved: {string.Join(", ", names)}."));
                }
            }
            return null;
        }, ct);

    public Task<Outcome<IncidentView>> AddNoteAsync(StaffActor actor, Guid id, string? text, CancellationToken ct = default) =>
        ChangeAsync(actor, id, null, i =>
        {
            var note = text?.Trim() ?? "";
            if (note.Length == 0) return Task.FromResult<Outcome<IncidentView>?>(Outcome<IncidentView>.Invalid.One("text", "Write something first."));
            if (note.Length > 5000) return Task.FromResult<Outcome<IncidentView>?>(Outcome<IncidentView>.Invalid.One("text", "A note is at most 5,000 characters."));
            db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Note, note));
            return Task.FromResult<Outcome<IncidentView>?>(null);
        }, ct);

    public Task<Outcome<IncidentView>> AddThreadAsync(StaffActor actor, Guid id, IncidentThreadInput input, CancellationToken ct = default) =>
        ChangeAsync(actor, id, null, async i =>
        {
            if (await db.IncidentThreads.CountAsync(t => t.IncidentId == i.Id, ct) >= MaxThreads)
                return new Outcome<IncidentView>.Conflict($"An incident links at most {MaxThreads} threads.");
            if (input.MentionId is { } mentionId)
            {
                var mention = await db.Mentions.AsNoTracking().SingleOrDefaultAsync(m => m.Id == mentionId, ct);
                if (mention is null) return Outcome<IncidentView>.Invalid.One("mentionId", "That mention does not exist.");
                if (await db.IncidentThreads.AnyAsync(t => t.IncidentId == i.Id && t.MentionId == mentionId, ct)) return null;
                db.IncidentThreads.Add(new IncidentThread { IncidentId = i.Id, MentionId = mentionId });
                db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Thread, $"Linked a mention by {mention.AuthorHandle ?? mention.AuthorName ?? "someone"}: {TextLimits.Preview(mention.Title ?? mention.Text)}", url: mention.Url));
                return null;
            }
            if (input.ConversationNumber is { } number)
            {
                var c = await db.Conversations.AsNoTracking().SingleOrDefaultAsync(x => x.Number == number, ct);
                if (c is null || !actor.CanSeeTeam(c.TeamId)) return Outcome<IncidentView>.Invalid.One("conversationNumber", $"There is no conversation #{number}.");
                if (await db.IncidentThreads.AnyAsync(t => t.IncidentId == i.Id && t.ConversationId == c.Id, ct)) return null;
                db.IncidentThreads.Add(new IncidentThread { IncidentId = i.Id, ConversationId = c.Id });
                db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Thread, $"Linked the support conversation #{number}: {c.Subject}", number));
                return null;
            }
            return Outcome<IncidentView>.Invalid.One("mentionId", "Name a mention or a conversation number to link.");
        }, ct);

    public Task<Outcome<IncidentView>> ChooseThreadAsync(StaffActor actor, Guid id, Guid threadId, bool chosen, CancellationToken ct = default) =>
        ChangeAsync(actor, id, null, async i =>
        {
            var t = await db.IncidentThreads.SingleOrDefaultAsync(x => x.Id == threadId && x.IncidentId == i.Id, ct);
            if (t is null) return new Outcome<IncidentView>.NotFound("Thread");
            t.Chosen = chosen;
            return null;
        }, ct);

    public Task<Outcome<IncidentView>> RemoveThreadAsync(StaffActor actor, Guid id, Guid threadId, CancellationToken ct = default) =>
        ChangeAsync(actor, id, null, async i =>
        {
            var t = await db.IncidentThreads.SingleOrDefaultAsync(x => x.Id == threadId && x.IncidentId == i.Id, ct);
            if (t is null) return new Outcome<IncidentView>.NotFound("Thread");
            if (t.AnswerMessageId is not null) return new Outcome<IncidentView>.Conflict("The statement was posted to this thread; it stays on the incident's record.");
            db.IncidentThreads.Remove(t);
            return null;
        }, ct);

    public Task<Outcome<IncidentView>> AddChecklistItemAsync(StaffActor actor, Guid id, string? text, CancellationToken ct = default) =>
        ChangeAsync(actor, id, null, async i =>
        {
            var item = text?.Trim() ?? "";
            if (item.Length is 0 or > 300) return Outcome<IncidentView>.Invalid.One("text", "A checklist item is 1 to 300 characters.");
            var position = await db.IncidentChecklistItems.Where(c => c.IncidentId == i.Id).MaxAsync(c => (int?)c.Position, ct) ?? -1;
            db.IncidentChecklistItems.Add(new IncidentChecklistItem { IncidentId = i.Id, Position = position + 1, Text = item });
            return null;
        }, ct);

    public Task<Outcome<IncidentView>> CheckAsync(StaffActor actor, Guid id, Guid itemId, bool done, CancellationToken ct = default) =>
        ChangeAsync(actor, id, null, async i =>
        {
            var item = await db.IncidentChecklistItems.SingleOrDefaultAsync(c => c.Id == itemId && c.IncidentId == i.Id, ct);
            if (item is null) return new Outcome<IncidentView>.NotFound("Checklist item");
            if (done == (item.DoneAt is not null)) return null;
            item.DoneAt = done ? DateTimeOffset.UtcNow : null;
            item.DoneByName = done ? actor.Name : null;
            item.DoneAutomatically = false;
            db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Checklist, done ? $"Done: {item.Text}" : $"Not done after all: {item.Text}"));
            return null;
        }, ct);

    public Task<Outcome<IncidentView>> DraftStatementAsync(StaffActor actor, Guid id, string? text, CancellationToken ct = default) =>
        ChangeAsync(actor, id, null, async i =>
        {
            var statement = text?.Trim() ?? "";
            if (statement.Length == 0) return Outcome<IncidentView>.Invalid.One("text", "Write the statement first.");
            if (statement.Length > IncidentLimits.StatementLength)
                return Outcome<IncidentView>.Invalid.One("text", $"A statement is at most {IncidentLimits.StatementLength:N0} characters.");
            if (i.StatementStatus == StatementStatus.Posted)
                return new Outcome<IncidentView>.Conflict("The statement was posted; what was said in public stays as it was. Add a note, or answer a thread in its conversation.");
            if (statement == i.Statement && i.StatementStatus != StatementStatus.None) return null;
            var wasApproved = i.StatementStatus == StatementStatus.Approved;
            i.Statement = statement;
            i.StatementStatus = StatementStatus.Drafted;
            i.StatementDraftedById = actor.Id;
            i.StatementApprovedById = i.StatementApprovedByName = null;
            i.StatementApprovedAt = null;
            db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Statement, (wasApproved ? "Changed the approved statement; it needs approving again: " : "Drafted the statement: ") + TextLimits.Preview(statement)));
            audit.Add(actor, "incident.statement-drafted", "incident", i.Number.ToString(), TextLimits.Preview(statement));
            await TickAsync(db, i, actor, IncidentSteps.StatementDrafted, "drafted the statement", ct);
            if (wasApproved) await UntickAsync(db, i, actor, IncidentSteps.StatementApproved, "the statement changed", ct);
            return null;
        }, ct);

    public Task<Outcome<IncidentView>> ApproveStatementAsync(StaffActor actor, Guid id, CancellationToken ct = default) =>
        ChangeAsync(actor, id, null, async i =>
        {
            if (i.StatementStatus != StatementStatus.Drafted)
                return new Outcome<IncidentView>.Conflict(i.StatementStatus == StatementStatus.None ? "There is no statement to approve yet." : $"The statement is {Word(i.StatementStatus)} already.");
            if (i.StatementDraftedById == actor.Id) return new Outcome<IncidentView>.Forbidden("A colleague approves your statement: you cannot approve your own.");
            if (!await IsApproverAsync(actor, ct)) return new Outcome<IncidentView>.Forbidden($"Statements are approved by admins and members of {ApproverTeam}.");
            i.StatementStatus = StatementStatus.Approved;
            i.StatementApprovedById = actor.Id;
            i.StatementApprovedByName = actor.Name;
            i.StatementApprovedAt = DateTimeOffset.UtcNow;
            db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Statement, "Approved the statement."));
            audit.Add(actor, "incident.statement-approved", "incident", i.Number.ToString(), TextLimits.Preview(i.Statement));
            await TickAsync(db, i, actor, IncidentSteps.StatementApproved, "approved the statement", ct);
            return null;
        }, ct);

    /// Loads the incident for a change by someone who may work in it, applies it (null: go on and save), saves it with
    /// its timeline entries and audit, and tells open pages.
    private async Task<Outcome<IncidentView>> ChangeAsync(StaffActor actor, Guid id, int? expectedVersion, Func<Incident, Task<Outcome<IncidentView>?>> change, CancellationToken ct)
    {
        var i = await db.Incidents.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (i is null) return new Outcome<IncidentView>.NotFound("Incident");
        if (!actor.CanWork) return new Outcome<IncidentView>.Forbidden("Viewers can read incidents but not change them.");
        if (expectedVersion is { } v && v != i.Version) return new Outcome<IncidentView>.Conflict(ConflictMessage);
        if (await change(i) is { } refused) return refused;
        i.UpdatedAt = DateTimeOffset.UtcNow;
        i.Version++;
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { return new Outcome<IncidentView>.Conflict(ConflictMessage); }
        catch (DbUpdateException) when (!ct.IsCancellationRequested) { return new Outcome<IncidentView>.Conflict("Someone linked the same thread at the same moment; reload to see it."); }
        events.Publish(i.Id);
        return await GetAsync(actor, i.Id, ct);
    }

    public const string ConflictMessage = "Someone else changed this incident after you opened it. Your change was not saved: reload to see theirs, then try again.";

    public async Task<bool> IsApproverAsync(StaffActor actor, CancellationToken ct) =>
        actor.IsAdmin || (actor.CanWork && await db.Teams.AnyAsync(t => t.Name == ApproverTeam && actor.MemberTeamIds.Contains(t.Id), ct));

    private async Task<bool> CanApproveAsync(StaffActor actor, Incident i, CancellationToken ct) =>
        i.StatementStatus == StatementStatus.Drafted && i.StatementDraftedById != actor.Id && await IsApproverAsync(actor, ct);

    /// Ticks the items a step ticks that are not done yet, as done by whoever did the step, on the timeline too. Items
    /// ticked by hand stay as they are.
    public static async Task TickAsync(ChorusDb db, Incident i, StaffActor actor, string step, string what, CancellationToken ct)
    {
        foreach (var item in await db.IncidentChecklistItems.Where(c => c.IncidentId == i.Id && c.Step == step && c.DoneAt == null).ToListAsync(ct))
        {
            (item.DoneAt, item.DoneByName, item.DoneAutomatically) = (DateTimeOffset.UtcNow, actor.Name, true);
            db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Checklist, $"Done: {item.Text} ({what})."));
        }
    }

    /// The step is undone (the approved statement changed, the incident reopened): its items are not done any more.
    private static async Task UntickAsync(ChorusDb db, Incident i, StaffActor actor, string step, string why, CancellationToken ct)
    {
        foreach (var item in await db.IncidentChecklistItems.Where(c => c.IncidentId == i.Id && c.Step == step && c.DoneAt != null).ToListAsync(ct))
        {
            (item.DoneAt, item.DoneByName, item.DoneAutomatically) = (null, null, false);
            db.IncidentEntries.Add(Entry(i, actor, IncidentEntryKinds.Checklist, $"Not done after all: {item.Text} ({why})."));
        }
    }

    public static IncidentEntry Entry(Incident i, StaffActor? actor, string kind, string text, long? conversation = null, string? url = null) =>
        new() { IncidentId = i.Id, Kind = kind, ActorName = actor?.Name, Text = TextLimits.Cut(text, IncidentLimits.StatementLength + 400), ConversationNumber = conversation, Url = url };

    public static string Word(IncidentStatus s) => s.ToString().ToLowerInvariant();
    public static string Word(StatementStatus s) => s switch { StatementStatus.None => "none", _ => s.ToString().ToLowerInvariant() };
    public static IncidentStatus? Parse(string? s) => Enum.TryParse<IncidentStatus>(s, ignoreCase: true, out var v) && !int.TryParse(s, out _) ? v : null;
}

/// Incident changes (by id), so the incident room reloads on every node's pages: it is worked on together,
/// whichever node each person's browser reached.
public sealed class IncidentEvents(ClusterRelay relay) : RelayedEvents<Guid>(relay, "incidents");
