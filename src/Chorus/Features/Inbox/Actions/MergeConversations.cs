using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox.Actions;

/// Merges one conversation into another: its messages, tags and followers move to the target, the
/// source is closed and points at the target (later deliveries on its thread follow that pointer).
public class MergeConversations(ChorusDb db, RecordAudit audit, InboxEvents events)
{
    public async Task<Outcome<long>> RunAsync(StaffActor actor, long sourceNumber, long targetNumber, CancellationToken ct = default)
    {
        if (sourceNumber == targetNumber) return Outcome<long>.Invalid.One("target", "A conversation cannot be merged into itself.");
        var (source, _, f1) = await ConversationGuard.LoadForWorkAsync<long>(db, actor, sourceNumber, null, ct);
        if (source is null) return f1!;
        var (target, _, f2) = await ConversationGuard.LoadForWorkAsync<long>(db, actor, targetNumber, null, ct);
        if (target is null) return f2!;
        if (source.MergedIntoId is not null) return new Outcome<long>.Conflict($"#{sourceNumber} is already merged.");
        if (target.MergedIntoId is not null) return new Outcome<long>.Conflict($"#{targetNumber} was merged into another conversation; merge into that one.");

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var moved = await db.Messages.Where(m => m.ConversationId == source.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ConversationId, target.Id), ct);
        db.Messages.Add(ConversationGuard.Event(target, $"{actor.Name} merged #{source.Number} ({source.Subject}) into this conversation: {moved} messages moved."));
        db.Messages.Add(ConversationGuard.Event(source, $"{actor.Name} merged this conversation into #{target.Number}."));
        foreach (var tag in source.Tags.Select(t => t.Tag).Except(target.Tags.Select(t => t.Tag)).ToList())
            target.Tags.Add(new ConversationTag { ConversationId = target.Id, Tag = tag });
        foreach (var follower in source.Followers.Select(f => f.StaffUserId).Except(target.Followers.Select(f => f.StaffUserId)).ToList())
            target.Followers.Add(new ConversationFollower { ConversationId = target.Id, StaffUserId = follower });
        target.MessageCount += moved + 1;
        if (source.LastMessageAt > target.LastMessageAt) target.LastMessageAt = source.LastMessageAt;
        if (source.WaitingSince is { } w && (target.WaitingSince is null || w < target.WaitingSince)) target.WaitingSince = w;
        if (target.Status is ConversationStatus.Solved or ConversationStatus.Closed && source.WaitingSince is not null) target.Status = ConversationStatus.Open;
        source.MergedIntoId = target.Id;
        source.Status = ConversationStatus.Closed;
        source.WaitingSince = null;
        source.MessageCount = 1;
        audit.Add(actor, "conversation.merged", "conversation", source.Number.ToString(), $"into #{target.Number}");
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new Outcome<long>.Conflict(ConversationGuard.ConflictMessage(targetNumber));
        }
        events.Publish(new InboxChange(source.Id, source.Number, source.TeamId, InboxChangeKind.Updated));
        events.Publish(new InboxChange(target.Id, target.Number, target.TeamId, InboxChangeKind.Updated));
        return target.Number;
    }
}
