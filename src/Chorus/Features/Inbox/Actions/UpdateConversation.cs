using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Notifications;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox.Actions;

/// A change to a conversation's fields. Null leaves a field alone; <see cref="Unassign"/> and
/// <see cref="NoTeam"/> clear assignee and team. Tags: AddTags/RemoveTags edit, SetTags replaces.
public sealed record ConversationChange
{
    public const string Unassign = "";
    public static readonly Guid NoTeam = Guid.Empty;

    public ConversationStatus? Status { get; init; }
    public Priority? Priority { get; init; }
    public Guid? TeamId { get; init; }
    public string? AssigneeId { get; init; }
    public IReadOnlyList<string>? AddTags { get; init; }
    public IReadOnlyList<string>? RemoveTags { get; init; }
    public IReadOnlyList<string>? SetTags { get; init; }
    /// The version the caller saw; a mismatch is a conflict. Null skips the check.
    public int? ExpectedVersion { get; init; }
}

/// Changes status, priority, team, assignee and tags; records each change as a system event in the
/// thread, in the audit log, and notifies a new assignee.
public class UpdateConversation(ChorusDb db, RecordAudit audit, InboxEvents events, QueueStaffEmail staffEmail, Automation.RuleTriggers rules)
{
    public async Task<Outcome<int>> RunAsync(StaffActor actor, long number, ConversationChange change, CancellationToken ct = default)
    {
        var (c, _, failure) = await ConversationGuard.LoadForWorkAsync<int>(db, actor, number, change.ExpectedVersion, ct);
        if (c is null) return failure!;
        if (c.MergedIntoId is not null) return new Outcome<int>.Conflict($"#{number} was merged into another conversation and cannot be changed.");
        var notes = new List<string>();
        var statusBefore = c.Status;
        var assigned = false;

        if (change.Status is { } status && status != c.Status)
        {
            notes.Add($"{actor.Name} changed the status from {c.Status.ToDisplay()} to {status.ToDisplay()}.");
            c.Status = status;
            c.SolvedAt = status is ConversationStatus.Solved or ConversationStatus.Closed ? c.SolvedAt ?? DateTimeOffset.UtcNow : null;
            if (status is ConversationStatus.Solved or ConversationStatus.Closed) c.WaitingSince = null;
        }
        if (change.Priority is { } priority && priority != c.Priority)
        {
            notes.Add($"{actor.Name} changed the priority from {c.Priority.ToDisplay()} to {priority.ToDisplay()}.");
            c.Priority = priority;
        }
        if (change.TeamId is { } teamId && teamId != (c.TeamId ?? Guid.Empty))
        {
            string teamName = "no team";
            if (teamId != ConversationChange.NoTeam)
            {
                var team = await db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Id == teamId, ct);
                if (team is null) return Outcome<int>.Invalid.One("teamId", "That team does not exist.");
                teamName = team.Name;
            }
            notes.Add($"{actor.Name} moved the conversation to {teamName}.");
            c.TeamId = teamId == ConversationChange.NoTeam ? null : teamId;
        }
        if (change.AssigneeId is { } assigneeId && assigneeId != (c.AssigneeId ?? ""))
        {
            if (assigneeId == ConversationChange.Unassign)
            {
                notes.Add($"{actor.Name} unassigned the conversation.");
                c.AssigneeId = null;
            }
            else
            {
                var assignee = await db.Users.AsNoTracking().Where(u => u.Id == assigneeId).Select(u => new { u.Id, u.DisplayName }).SingleOrDefaultAsync(ct);
                var canWork = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id
                                     where ur.UserId == assigneeId && (r.Name == Roles.Admin || r.Name == Roles.Agent) select ur).AnyAsync(ct);
                if (assignee is null || !canWork) return Outcome<int>.Invalid.One("assigneeId", "Conversations can be assigned only to agents and admins.");
                if (!await ConversationGuard.StaffCanSeeAsync(db, assignee.Id, c.TeamId, ct))
                    return Outcome<int>.Invalid.One("assigneeId", $"{assignee.DisplayName} is not in this conversation's private team.");
                notes.Add(assignee.Id == actor.Id ? $"{actor.Name} took the conversation." : $"{actor.Name} assigned the conversation to {assignee.DisplayName}.");
                c.AssigneeId = assignee.Id;
                assigned = true;
                if (c.Followers.All(f => f.StaffUserId != assignee.Id)) c.Followers.Add(new ConversationFollower { ConversationId = c.Id, StaffUserId = assignee.Id });
                if (assignee.Id != actor.Id)
                {
                    db.Notifications.Add(new Notification
                    {
                        StaffUserId = assignee.Id, Kind = NotificationKinds.Assigned, ConversationId = c.Id,
                        Text = $"{actor.Name} assigned #{c.Number} to you: {c.Subject}",
                    });
                    await staffEmail.AssignedAsync(c, actor.Name, assignee.Id, ct); // only when they turned assignment e-mails on
                }
            }
        }

        var tagsBefore = c.Tags.Select(t => t.Tag).ToHashSet();
        var tagsAfter = change.SetTags is not null ? NormalizeTags(change.SetTags).ToHashSet() : [.. tagsBefore];
        if (change.AddTags is not null) tagsAfter.UnionWith(NormalizeTags(change.AddTags));
        if (change.RemoveTags is not null) tagsAfter.ExceptWith(NormalizeTags(change.RemoveTags));
        if (tagsAfter.Any(t => t.Length > 50)) return Outcome<int>.Invalid.One("tags", "A tag is at most 50 characters.");
        if (!tagsAfter.SetEquals(tagsBefore))
        {
            c.Tags.RemoveAll(t => !tagsAfter.Contains(t.Tag));
            foreach (var t in tagsAfter.Except(tagsBefore)) c.Tags.Add(new ConversationTag { ConversationId = c.Id, Tag = t });
            var added = tagsAfter.Except(tagsBefore).ToList();
            var removed = tagsBefore.Except(tagsAfter).ToList();
            notes.Add($"{actor.Name} " + string.Join(" and ", new[]
            {
                added.Count > 0 ? "added tags " + string.Join(", ", added) : null,
                removed.Count > 0 ? "removed tags " + string.Join(", ", removed) : null,
            }.OfType<string>()) + ".");
        }

        if (notes.Count == 0) return c.Version;
        c.UpdatedAt = DateTimeOffset.UtcNow; // marks the row changed even when only tags changed, so the version moves
        foreach (var note in notes) db.Messages.Add(ConversationGuard.Event(c, note));
        if (c.Status == ConversationStatus.New && change.Status is null) c.Status = ConversationStatus.Open;
        audit.Add(actor, "conversation.updated", "conversation", c.Number.ToString(), string.Join(" ", notes));
        if (c.Status != statusBefore) rules.StatusChanged(db, c.Id); // stored with the change, evaluated after it
        if (assigned) rules.Assigned(db, c.Id);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new Outcome<int>.Conflict(ConversationGuard.ConflictMessage(number));
        }
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
        return c.Version;
    }

    internal static IEnumerable<string> NormalizeTags(IEnumerable<string> tags) =>
        tags.Select(t => t.Trim().ToLowerInvariant().Replace(' ', '-')).Where(t => t.Length > 0);
}
