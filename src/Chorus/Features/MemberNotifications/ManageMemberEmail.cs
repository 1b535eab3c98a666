using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Forum;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.MemberNotifications;

public sealed record WatchedTopic(Guid TopicId, string Title, TopicWatchLevel Level);
public sealed record MemberEmailSettings(MemberEmailMode Replies, MemberEmailMode Mentions, IReadOnlyList<WatchedTopic> Topics);

/// What a member sees about one topic: their explicit choice, and whether they posted in it (then they hear
/// about replies unless they mute it).
public sealed record TopicWatchState(TopicWatchLevel? Level, bool Participates)
{
    public bool Hears => Level == TopicWatchLevel.Watching || (Level is null && Participates);
}

/// A member's own e-mail choices: per kind (replies, mentions) immediately, as a daily digest or off; per
/// topic watch or mute; and the one-click unsubscribe that turns both kinds off.
public class ManageMemberEmail(ChorusDb db, UnsubscribeLinks links)
{
    public async Task<MemberEmailSettings> ReadAsync(Guid memberId, CancellationToken ct = default)
    {
        var p = await db.MemberEmailPreferences.AsNoTracking().SingleOrDefaultAsync(x => x.MemberId == memberId, ct) ?? new MemberEmailPreference();
        var topics = await (from w in db.TopicWatches.AsNoTracking()
                            join t in db.ForumTopics on w.TopicId equals t.Id
                            where w.MemberId == memberId && t.State == PostState.Visible
                            orderby t.Title
                            select new WatchedTopic(t.Id, t.Title, w.Level)).Take(200).ToListAsync(ct);
        return new MemberEmailSettings(p.Replies, p.Mentions, topics);
    }

    public async Task<MemberEmailSettings> ChangeAsync(Guid memberId, MemberEmailMode replies, MemberEmailMode mentions, CancellationToken ct = default)
    {
        var p = await db.MemberEmailPreferences.SingleOrDefaultAsync(x => x.MemberId == memberId, ct);
        if (p is null) db.MemberEmailPreferences.Add(p = new MemberEmailPreference { MemberId = memberId });
        p.Replies = replies;
        p.Mentions = mentions;
        p.UpdatedAt = DateTimeOffset.UtcNow;
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            // Saved from two tabs at once: the other one made the row; the last choice wins.
            db.ChangeTracker.Clear();
            await db.MemberEmailPreferences.Where(x => x.MemberId == memberId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Replies, replies).SetProperty(x => x.Mentions, mentions).SetProperty(x => x.UpdatedAt, DateTimeOffset.UtcNow), ct);
        }
        return await ReadAsync(memberId, ct);
    }

    /// <paramref name="startedIt"/>: whether the member started the topic, when the caller knows (one query fewer).
    public async Task<TopicWatchState> StateAsync(Guid memberId, Guid topicId, CancellationToken ct = default, bool? startedIt = null)
    {
        var level = await db.TopicWatches.AsNoTracking().Where(w => w.MemberId == memberId && w.TopicId == topicId).Select(w => (TopicWatchLevel?)w.Level).SingleOrDefaultAsync(ct);
        var participates = (startedIt ?? await db.ForumTopics.AnyAsync(t => t.Id == topicId && t.AuthorMemberId == memberId, ct))
            || await db.ForumPosts.AnyAsync(p => p.TopicId == topicId && p.AuthorMemberId == memberId, ct);
        return new TopicWatchState(level, participates);
    }

    /// level null: back to the default (hear about topics you posted in).
    public async Task<Outcome<TopicWatchState>> WatchAsync(Guid memberId, Guid topicId, TopicWatchLevel? level, CancellationToken ct = default)
    {
        if (!await db.ForumTopics.AnyAsync(t => t.Id == topicId && t.State == PostState.Visible, ct)) return new Outcome<TopicWatchState>.NotFound("The topic");
        var existing = await db.TopicWatches.SingleOrDefaultAsync(w => w.MemberId == memberId && w.TopicId == topicId, ct);
        if (level is null) { if (existing is not null) db.TopicWatches.Remove(existing); }
        else if (existing is null) db.TopicWatches.Add(new TopicWatch { MemberId = memberId, TopicId = topicId, Level = level.Value });
        else { existing.Level = level.Value; existing.At = DateTimeOffset.UtcNow; }
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { db.ChangeTracker.Clear(); } // the same click twice at once: one row
        return await StateAsync(memberId, topicId, ct);
    }

    /// The member an unsubscribe link names, or null for a link that is not ours.
    public async Task<(Guid Id, string Username)?> MemberOfAsync(string? token, CancellationToken ct = default)
    {
        if (links.MemberOf(token) is not { } id) return null;
        var username = await db.ForumMembers.AsNoTracking().Where(m => m.Id == id).Select(m => m.Username).SingleOrDefaultAsync(ct);
        return username is null ? null : (id, username);
    }

    /// Both kinds off; the digest waiting for them is dropped with it. Idempotent.
    public async Task<Outcome<string>> UnsubscribeAsync(string? token, CancellationToken ct = default)
    {
        if (await MemberOfAsync(token, ct) is not { } member)
            return new Outcome<string>.NotFound("This unsubscribe link");
        await ChangeAsync(member.Id, MemberEmailMode.Off, MemberEmailMode.Off, ct);
        return member.Username;
    }
}
