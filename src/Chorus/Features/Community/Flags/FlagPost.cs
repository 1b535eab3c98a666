using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Forum;
using Chorus.Features.Forum.Members;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community.Flags;

public sealed record FlagReceipt(Guid PostId, int Weight, bool Hidden);

/// A member flags a post (once per post, never their own). Each flag weighs its member's trust level:
/// New 0, Basic 1, Member 2, Regular 3, Leader 4. When the open flags of a published post weigh the
/// workspace's threshold, the post is taken out of sight and waits in the review queue, where a
/// moderator agrees (hide or delete) or disagrees (approve: published again, flags cleared).
public class FlagPost(ChorusDb db, CommunitySettings settings, RecordAudit audit, ILogger<FlagPost> log)
{
    public static int WeightOf(TrustLevel trust) => (int)trust;

    public static string Describe(FlagReason reason) => reason switch
    {
        FlagReason.Spam => "Spam",
        FlagReason.Rude => "Rude or abusive",
        FlagReason.OffTopic => "Off-topic",
        _ => "Something else",
    };

    public async Task<Outcome<FlagReceipt>> RunAsync(MemberView member, Guid postId, FlagReason reason, string? note, CancellationToken ct = default)
    {
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (note is { Length: > 500 }) return Outcome<FlagReceipt>.Invalid.One("note", "A note is at most 500 characters.");
        if (reason == FlagReason.Other && note is null) return Outcome<FlagReceipt>.Invalid.One("note", "Tell the moderators what is wrong with the post.");
        var post = await db.ForumPosts.AsNoTracking().Where(p => p.Id == postId)
            .Select(p => new { p.Id, p.State, p.AuthorMemberId, p.TopicId, p.Position, TopicState = db.ForumTopics.Where(t => t.Id == p.TopicId).Select(t => t.State).Single() })
            .SingleOrDefaultAsync(ct);
        if (post is null || post.State != PostState.Visible || post.TopicState != PostState.Visible) return new Outcome<FlagReceipt>.NotFound("The post");
        if (post.AuthorMemberId == member.Id) return new Outcome<FlagReceipt>.Forbidden("You cannot flag your own post.");
        if (await db.ForumFlags.AnyAsync(f => f.PostId == postId && f.MemberId == member.Id, ct))
            return new Outcome<FlagReceipt>.Conflict("You already flagged this post. The moderators will look at it.");

        var weight = WeightOf(member.Trust);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.ForumFlags.Add(new ForumFlag { PostId = postId, MemberId = member.Id, Reason = reason, Note = note, Weight = weight });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            // The same member flagged the same post twice at once: one flag.
            await tx.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            return new Outcome<FlagReceipt>.Conflict("You already flagged this post. The moderators will look at it.");
        }

        var open = await db.ForumFlags.Where(f => f.PostId == postId && f.ResolvedAt == null).Select(f => new { f.Weight, f.Reason }).ToListAsync(ct);
        var threshold = (await settings.ReadAsync(ct)).FlagThreshold;
        var hidden = false;
        if (open.Sum(f => f.Weight) >= threshold)
        {
            var why = "Hidden by member flags: " + string.Join(", ", open.GroupBy(f => f.Reason).OrderByDescending(g => g.Count())
                .Select(g => Describe(g.Key).ToLowerInvariant() + (g.Count() > 1 ? $" ×{g.Count()}" : "")));
            // Only the flag that crosses the threshold takes the post down: the state check makes it happen once.
            var taken = await db.ForumPosts.Where(p => p.Id == postId && p.State == PostState.Visible)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.State, PostState.Held).SetProperty(p => p.HeldReason, TextLimits.Cut(why, 200)), ct);
            if (taken == 1)
            {
                hidden = true;
                if (post.Position == 1)
                    await db.ForumTopics.Where(t => t.Id == post.TopicId).ExecuteUpdateAsync(s => s.SetProperty(t => t.State, PostState.Held), ct);
                else
                    await db.ForumTopics.Where(t => t.Id == post.TopicId && t.ReplyCount > 0).ExecuteUpdateAsync(s => s.SetProperty(t => t.ReplyCount, t => t.ReplyCount - 1), ct);
                audit.Add(null, "forum.post-auto-hidden", "forum-post", postId.ToString(), why);
                await db.SaveChangesAsync(ct);
                log.LogInformation("Forum post {Post} hidden by member flags (weight {Weight} of {Threshold})", postId, open.Sum(f => f.Weight), threshold);
            }
        }
        await tx.CommitAsync(ct);
        return new FlagReceipt(postId, weight, hidden);
    }
}

public sealed record OpenFlag(Guid PostId, string MemberName, TrustLevel MemberTrust, FlagReason Reason, string? Note, int Weight, DateTimeOffset At);

/// Flags waiting for a moderator, and closing them with the moderator's decision on the post.
public class ResolveFlags(ChorusDb db)
{
    public async Task<Dictionary<Guid, List<OpenFlag>>> OpenAsync(IReadOnlyCollection<Guid> postIds, CancellationToken ct = default)
    {
        if (postIds.Count == 0) return [];
        var rows = await (from f in db.ForumFlags.AsNoTracking()
                          join m in db.ForumMembers on f.MemberId equals m.Id
                          where postIds.Contains(f.PostId) && f.ResolvedAt == null
                          orderby f.At
                          select new OpenFlag(f.PostId, m.Username, m.Trust, f.Reason, f.Note, f.Weight, f.At)).ToListAsync(ct);
        return rows.GroupBy(r => r.PostId).ToDictionary(g => g.Key, g => g.ToList());
    }

    /// Marks the post's open flags with the decision, in the caller's unit of work (saved with the decision).
    public async Task<int> CloseAsync(Guid postId, FlagResolution resolution, string byName, CancellationToken ct = default)
    {
        var open = await db.ForumFlags.Where(f => f.PostId == postId && f.ResolvedAt == null).ToListAsync(ct);
        var now = DateTimeOffset.UtcNow;
        foreach (var f in open)
        {
            f.ResolvedAt = now;
            f.Resolution = resolution;
            f.ResolvedByName = byName;
        }
        return open.Count;
    }
}
