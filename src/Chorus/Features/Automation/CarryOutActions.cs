using System.Text.Json;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation;

/// Carries out rule and macro actions on a tracked conversation, in the caller's unit of work: each
/// change becomes a system event in the thread ("Rule 'VIP to priority' set the priority to high."),
/// notes and replies become messages, e-mails and webhook calls go to the outbox (sent once, retried).
/// An action that cannot be carried out (a deleted team, an agent who left) says so in the thread instead.
public sealed class CarryOutActions(ChorusDb db, HtmlCleaner html, QueueEmailReply email, ManageEmailNotifications notifications, PublicUrls urls, QueueStaffEmail staffEmail,
    HelpCenter.SuggestArticlesReply suggestArticles, RecordAudit audit)
{
    /// <paramref name="LastEventAt"/>: when the last event was stamped; anything said after it goes later.
    public sealed record Done(bool StatusChanged, bool Assigned, int Events, DateTimeOffset LastEventAt);

    /// <paramref name="who"/> names who acted, as the events start ("Rule 'X'", "Dana (macro 'Y')").
    /// <paramref name="agentName"/> fills {{agent.name}}; null means the assignee (or "the team").
    public async Task<Done> RunAsync(Conversation c, IReadOnlyList<RuleEffect> effects, Func<RuleEffect, string> who, string? agentName, string? trigger, CancellationToken ct)
    {
        bool statusChanged = false, assigned = false;
        var events = 0;
        // The thread lists items by time; one run's events are spaced a millisecond apart so they read in the
        // order they happened (SQLite keeps times to 0.1 ms, and ids made in one millisecond do not sort).
        var at = DateTimeOffset.UtcNow;
        void Event(string text)
        {
            var e = ConversationGuard.Event(c, text);
            e.CreatedAt = at = at.AddMilliseconds(1);
            db.Messages.Add(e);
            events++;
        }
        Dictionary<Guid, Macro>? macros = null;

        foreach (var effect in effects)
        {
            var by = who(effect);
            var a = effect.Action;
            switch (a.Kind)
            {
                case ActionKind.SetTeam:
                    if (!Guid.TryParse(a.Value, out var teamId) || teamId == Guid.Empty)
                    {
                        c.TeamId = null;
                        Event($"{by} removed the conversation from its team.");
                    }
                    else if (await db.Teams.AsNoTracking().Where(t => t.Id == teamId).Select(t => t.Name).SingleOrDefaultAsync(ct) is { } teamName)
                    {
                        c.TeamId = teamId;
                        Event($"{by} moved the conversation to {teamName}.");
                    }
                    else Event($"{by} could not move the conversation: its team no longer exists.");
                    break;

                case ActionKind.Assign when a.Value.Length == 0:
                    c.AssigneeId = null;
                    Event($"{by} unassigned the conversation.");
                    break;
                case ActionKind.Assign:
                    if (await CanTakeAsync(a.Value, c.TeamId, ct) is { } why)
                    {
                        Event($"{by} could not assign the conversation: {why}");
                        break;
                    }
                    var assignee = await StaffNameAsync(a.Value, ct);
                    c.AssigneeId = a.Value;
                    if (c.Followers.All(f => f.StaffUserId != a.Value)) c.Followers.Add(new ConversationFollower { ConversationId = c.Id, StaffUserId = a.Value });
                    db.Notifications.Add(new Notification
                    {
                        StaffUserId = a.Value, Kind = NotificationKinds.Assigned, ConversationId = c.Id, Text = $"{by} assigned #{c.Number} to you: {c.Subject}",
                    });
                    await staffEmail.AssignedAsync(c, by, a.Value, ct); // only when they turned assignment e-mails on
                    assigned = true;
                    Event($"{by} assigned the conversation to {assignee}.");
                    break;

                case ActionKind.SetPriority when Enum.TryParse<Priority>(a.Value, true, out var priority):
                    c.Priority = priority;
                    Event($"{by} set the priority to {priority.ToDisplay()}.");
                    break;

                case ActionKind.SetStatus or ActionKind.Solve:
                    var status = a.Kind == ActionKind.Solve ? ConversationStatus.Solved : Enum.Parse<ConversationStatus>(a.Value, true);
                    c.Status = status;
                    c.SolvedAt = status is ConversationStatus.Solved or ConversationStatus.Closed ? c.SolvedAt ?? DateTimeOffset.UtcNow : null;
                    if (status is ConversationStatus.Solved or ConversationStatus.Closed) c.WaitingSince = null;
                    statusChanged = true;
                    Event(a.Kind == ActionKind.Solve ? $"{by} solved the conversation." : $"{by} set the status to {status.ToDisplay()}.");
                    break;

                case ActionKind.AddTags or ActionKind.RemoveTags:
                    var tags = UpdateConversation.NormalizeTags(CompiledRule.Phrases(a.Value)).Where(t => t.Length <= 50).Distinct().ToList();
                    var changed = a.Kind == ActionKind.AddTags
                        ? tags.Where(t => c.Tags.All(x => x.Tag != t)).ToList()
                        : tags.Where(t => c.Tags.Any(x => x.Tag == t)).ToList();
                    if (changed.Count == 0) break;
                    if (a.Kind == ActionKind.AddTags) c.Tags.AddRange(changed.Select(t => new ConversationTag { ConversationId = c.Id, Tag = t }));
                    else c.Tags.RemoveAll(t => changed.Contains(t.Tag));
                    Event($"{by} {(a.Kind == ActionKind.AddTags ? "added" : "removed")} {(changed.Count == 1 ? "tag" : "tags")} {string.Join(", ", changed)}.");
                    break;

                case ActionKind.AddNote:
                    var note = Placeholders.Fill(a.Value, await ValuesAsync(c, agentName, ct));
                    db.Messages.Add(new Message { ConversationId = c.Id, ChannelId = c.ChannelId, Kind = MessageKind.Note, Text = note, Html = html.MarkdownToHtml(note) });
                    c.MessageCount++;
                    Event($"{by} added an internal note.");
                    break;

                case ActionKind.ReplyWithMacro:
                    macros ??= [];
                    var macroId = Guid.TryParse(a.Value, out var m) ? m : Guid.Empty;
                    if (!macros.TryGetValue(macroId, out var macro))
                    {
                        macro = await db.Set<Macro>().SingleOrDefaultAsync(x => x.Id == macroId, ct);
                        if (macro is not null) macros[macroId] = macro;
                    }
                    if (macro is null)
                    {
                        Event($"{by} could not reply: its macro no longer exists.");
                        break;
                    }
                    macro.UsageCount++;
                    macro.LastUsedAt = DateTimeOffset.UtcNow;
                    if (string.IsNullOrWhiteSpace(macro.Body))
                    {
                        Event($"{by} applied the macro '{macro.Name}'.");
                        break;
                    }
                    if (c.Tags.Any(t => t.Tag == Channels.Email.ReadInboundEmail.AutoReplyTag))
                    {
                        Event($"{by} did not reply with the macro '{macro.Name}': the conversation is tagged {Channels.Email.ReadInboundEmail.AutoReplyTag}, and answering an automatic reply can start a mail loop.");
                        break;
                    }
                    var text = Placeholders.Fill(macro.Body, await ValuesAsync(c, agentName, ct)).Trim();
                    if (await ReplyAsync(c, text, ct) is { } unsent) Event($"{by} could not reply with the macro '{macro.Name}': {unsent}");
                    else Event($"{by} replied with the macro '{macro.Name}'.");
                    break;

                case ActionKind.ReplyWithArticles:
                    if (c.Tags.Any(t => t.Tag == Channels.Email.ReadInboundEmail.AutoReplyTag))
                    {
                        Event($"{by} did not suggest articles: the conversation is tagged {Channels.Email.ReadInboundEmail.AutoReplyTag}, and answering an automatic reply can start a mail loop.");
                        break;
                    }
                    var suggestion = await suggestArticles.WriteAsync(c, int.TryParse(a.Value, out var n) ? n : HelpCenter.SuggestArticlesReply.DefaultArticles, ct);
                    if (suggestion is null)
                    {
                        Event($"{by} suggested no articles: none of the published articles matches this conversation.");
                        break;
                    }
                    if (await ReplyAsync(c, suggestion.Text, ct) is { } notSent) Event($"{by} could not suggest articles: {notSent}");
                    else Event($"{by} replied with {suggestion.Count} suggested article{(suggestion.Count == 1 ? "" : "s")}: {string.Join(", ", suggestion.Titles.Select(t => $"“{t}”"))}.");
                    break;

                case ActionKind.NotifyByEmail:
                    var recipientId = a.Value == "assignee" ? c.AssigneeId : a.Value;
                    if (recipientId is null)
                    {
                        Event($"{by} could not e-mail the assignee: the conversation is not assigned.");
                        break;
                    }
                    Event(await NotifyAsync(c, by, recipientId, trigger, ct) is { } failed
                        ? $"{by} could not e-mail {await StaffNameAsync(recipientId, ct)}: {failed}"
                        : $"{by} e-mailed {await StaffNameAsync(recipientId, ct)}.");
                    break;

                case ActionKind.LinkToProblem:
                    var problemNumber = ProblemAction.Number(a.Value) ?? 0;
                    var problem = await db.Set<Problems.Problem>().SingleOrDefaultAsync(p => p.Number == problemNumber, ct);
                    if (problem is null)
                    {
                        Event($"{by} could not link the conversation to problem P-{problemNumber}: it no longer exists.");
                        break;
                    }
                    var problemId = problem.Id;
                    // Already linked (by an agent, or by this rule on an earlier message): nothing to say twice.
                    if (db.ChangeTracker.Entries<Problems.ProblemLink>().Any(l => l.Entity.ProblemId == problemId && l.Entity.ConversationId == c.Id)
                        || await db.Set<Problems.ProblemLink>().AnyAsync(l => l.ProblemId == problemId && l.ConversationId == c.Id, ct)) break;
                    db.Add(new Problems.ProblemLink { ProblemId = problemId, ConversationId = c.Id });
                    problem.UpdatedAt = DateTimeOffset.UtcNow;
                    Event($"{by} linked this conversation to problem {problem.Reference} “{problem.Title}”.");
                    audit.Add(null, "problem.linked", "problem", problem.Reference, $"#{c.Number} by {by}");
                    break;

                case ActionKind.SendWebhook:
                    QueueWebhook(c, effect, trigger);
                    Event($"{by} called the webhook {WebhookHost(a.Value)}.");
                    break;
            }
        }
        return new Done(statusChanged, assigned, events, at);
    }

    /// The placeholder values for this conversation.
    public async Task<Dictionary<string, string>> ValuesAsync(Conversation c, string? agentName, CancellationToken ct)
    {
        var person = await db.People.AsNoTracking().Where(p => p.Id == c.RequesterId).Select(p => p.Name).SingleOrDefaultAsync(ct) ?? "";
        var team = c.TeamId is { } t ? await db.Teams.AsNoTracking().Where(x => x.Id == t).Select(x => x.Name).SingleOrDefaultAsync(ct) : null;
        var agent = agentName ?? (c.AssigneeId is { } id ? await StaffNameAsync(id, ct) : "the team");
        return new()
        {
            ["person.name"] = person, ["person.first_name"] = Placeholders.FirstName(person),
            ["conversation.reference"] = $"#{c.Number}", ["conversation.subject"] = c.Subject,
            ["agent.name"] = agent, ["agent.first_name"] = Placeholders.FirstName(agent), ["team.name"] = team ?? "",
        };
    }

    /// A public reply written by automation: on the conversation's channel, like an agent's. Null when queued (or nothing to send), else why not.
    private async Task<string?> ReplyAsync(Conversation c, string text, CancellationToken ct)
    {
        var message = new Message { ConversationId = c.Id, ChannelId = c.ChannelId, Kind = MessageKind.Reply, Text = text, Html = html.MarkdownToHtml(text) };
        db.Messages.Add(message);
        if (await email.AddAsync(c, message, [], ct) is { Error: { } unsendable })
        {
            db.Messages.Remove(message);
            return unsendable;
        }
        c.MessageCount++;
        c.LastMessageAt = message.CreatedAt;
        c.Preview = TextLimits.Preview(text);
        c.WaitingSince = null;
        c.FirstReplyAt ??= message.CreatedAt;
        return null;
    }

    private async Task<string?> NotifyAsync(Conversation c, string by, string staffId, string? trigger, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == staffId).Select(u => new { u.DisplayName, u.Email }).SingleOrDefaultAsync(ct);
        if (user is null) return "that colleague no longer exists.";
        if (!EmailAddress.IsValid(user.Email)) return "they have no valid e-mail address.";
        if (await notifications.SendingMailboxAsync(ct) is not { } mailbox) return "no mailbox sends notification e-mail (Admin → Notifications).";
        var link = urls.Conversation(c.Number);
        var why = trigger is null ? "" : $" ({trigger})";
        var text = $"""
            {by} asks you to look at #{c.Number} "{c.Subject}"{why}.

            {c.Preview}

            Open the conversation: {link}

            This e-mail was sent by a rule; admins change rules under Admin → Rules.
            """;
        var htmlBody = $"""
            <p>{OutgoingEmail.Encode(by)} asks you to look at <strong>#{c.Number}</strong> “{OutgoingEmail.Encode(c.Subject)}”{OutgoingEmail.Encode(why)}.</p>
            <p style="color:#333">{OutgoingEmail.Encode(c.Preview)}</p>
            <p><a href="{OutgoingEmail.Encode(link)}">Open #{c.Number} in Chorus</a></p>
            <p style="color:#666;font-size:small">This e-mail was sent by a rule; admins change rules under Admin → Rules.</p>
            """;
        var mime = OutgoingEmail.Compose(mailbox, "Chorus", user.DisplayName, user.Email!, $"[Chorus #{c.Number}] {by}: {c.Subject}", text, htmlBody);
        OutgoingEmail.MarkAutomatic(mime);
        OutgoingEmail.Queue(db, mailbox, c.Id, OutboxPurpose.StaffNotification, mime);
        return null;
    }

    private void QueueWebhook(Conversation c, RuleEffect effect, string? trigger)
    {
        var key = $"webhook-{Guid.CreateVersion7():N}";
        var body = new WebhookBody(key, trigger ?? "macro", effect.RuleName, new WebhookConversation(
            c.Number, c.Subject, c.Status.ToString(), c.Priority.ToString(), c.TeamId, c.AssigneeId, c.Tags.Select(t => t.Tag).Order().ToList(), urls.Conversation(c.Number)),
            DateTimeOffset.UtcNow);
        db.Outbox.Add(new OutboxItem
        {
            ChannelId = c.ChannelId, ConversationId = c.Id, Purpose = OutboxPurpose.Webhook, IdempotencyKey = key,
            Payload = JsonSerializer.Serialize(new WebhookPayload(effect.Action.Value, JsonSerializer.Serialize(body, RuleConfiguration.Json)), RuleConfiguration.Json),
        });
    }

    public static string WebhookHost(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Host : url;

    private async Task<string> StaffNameAsync(string id, CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) ?? "a former colleague";

    /// Why this staff user cannot be assigned the conversation, or null when they can.
    private async Task<string?> CanTakeAsync(string staffId, Guid? teamId, CancellationToken ct)
    {
        var name = await db.Users.AsNoTracking().Where(u => u.Id == staffId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
        if (name is null) return "that colleague no longer exists.";
        var canWork = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id
                             where ur.UserId == staffId && (r.Name == Roles.Admin || r.Name == Roles.Agent) select ur).AnyAsync(ct);
        if (!canWork) return $"{name} is no longer an agent or admin.";
        if (!await ConversationGuard.StaffCanSeeAsync(db, staffId, teamId, ct)) return $"{name} is not in this conversation's private team.";
        return null;
    }
}

/// What the outbox keeps for a webhook call: where to, and the JSON body, rendered when the rule acted.
public sealed record WebhookPayload(string Url, string Body);

/// The JSON a webhook receives. <see cref="Id"/> is the same on every attempt (also sent as Idempotency-Key).
public sealed record WebhookBody(string Id, string Event, string Rule, WebhookConversation Conversation, DateTimeOffset At);

public sealed record WebhookConversation(long Number, string Subject, string Status, string Priority, Guid? TeamId, string? AssigneeId, IReadOnlyList<string> Tags, string Url);
