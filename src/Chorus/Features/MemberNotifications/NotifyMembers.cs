using System.Text.RegularExpressions;
using Chorus.Data;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Community;
using Chorus.Features.Forum;
using Chorus.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.MemberNotifications;

/// Tells members about a post the moment it becomes public (posted, or approved from the review queue):
/// the members it @mentions, and the members who started, replied to or watch its topic. Never its author,
/// never a member who muted the topic, is suspended, banned or blocked, or has not confirmed their address;
/// never about a post or topic readers cannot see. Each member's preference decides: an e-mail now (queued
/// in the outbox in the caller's unit of work, so it leaves once, with the post), the daily digest, or nothing.
public partial class NotifyMembers(ChorusDb db, ManageEmailNotifications settings, PublicUrls urls, UnsubscribeLinks unsubscribe)
{
    /// Adds the notifications (and their e-mails) to the caller's unit of work; returns how many members hear about it.
    public async Task<int> QueueAsync(ForumPost post, ForumTopic topic, CancellationToken ct = default)
    {
        if (post.State != PostState.Visible || topic.State != PostState.Visible) return 0;
        var mentioned = await MentionedAsync(post.Html, ct);
        var audience = new HashSet<Guid>(mentioned);
        if (post.Position > 1)
        {
            if (topic.AuthorMemberId is { } starter) audience.Add(starter);
            var topicId = topic.Id;
            audience.UnionWith(await db.ForumPosts.AsNoTracking().Where(p => p.TopicId == topicId && p.AuthorMemberId != null && p.State != PostState.Deleted)
                .Select(p => p.AuthorMemberId!.Value).Distinct().ToListAsync(ct));
            audience.UnionWith(await db.TopicWatches.AsNoTracking().Where(w => w.TopicId == topicId && w.Level == TopicWatchLevel.Watching)
                .Select(w => w.MemberId).ToListAsync(ct));
        }
        return await QueueForAsync(post, topic, audience, mentioned, ct);
    }

    /// A moderator's edit added @mentions to a published post: the members it mentions now and did not before
    /// hear about it, by their own mention setting, unless they already heard about this post (as a reply they
    /// follow, or mentioned in an earlier version). Those mentioned before are not told again. Added to the
    /// caller's unit of work, like <see cref="QueueAsync"/>; a post still held is announced on approval instead.
    public async Task<int> QueueAddedMentionsAsync(ForumPost post, ForumTopic topic, string htmlBefore, CancellationToken ct = default)
    {
        if (post.State != PostState.Visible || topic.State != PostState.Visible) return 0;
        var mentioned = await MentionedAsync(post.Html, ct);
        mentioned.ExceptWith(await MentionedAsync(htmlBefore, ct));
        return await QueueForAsync(post, topic, [.. mentioned], mentioned, ct);
    }

    private async Task<int> QueueForAsync(ForumPost post, ForumTopic topic, HashSet<Guid> audience, HashSet<Guid> mentioned, CancellationToken ct)
    {
        if (post.AuthorMemberId is { } author) audience.Remove(author);
        if (audience.Count == 0 || await settings.SendingMailboxAsync(ct) is not { } mailbox) return 0;

        var ids = audience.ToList();
        var now = DateTimeOffset.UtcNow;
        var postId = post.Id;
        var muted = await db.TopicWatches.AsNoTracking().Where(w => w.TopicId == topic.Id && w.Level == TopicWatchLevel.Muted && ids.Contains(w.MemberId))
            .Select(w => w.MemberId).ToListAsync(ct);
        var told = await db.MemberNotifications.AsNoTracking().Where(n => n.PostId == postId && ids.Contains(n.MemberId)).Select(n => n.MemberId).ToListAsync(ct);
        ids.RemoveAll(id => muted.Contains(id) || told.Contains(id));
        var recipients = await Eligible(db, now, ids).ToListAsync(ct);

        var count = 0;
        foreach (var r in recipients)
        {
            var kind = mentioned.Contains(r.MemberId) ? MemberNotificationKind.Mention : MemberNotificationKind.Reply;
            var mode = kind == MemberNotificationKind.Mention ? r.Mentions : r.Replies;
            if (mode == MemberEmailMode.Off) continue;
            var n = new MemberNotification { MemberId = r.MemberId, PostId = post.Id, Kind = kind, Delivery = mode, CreatedAt = now };
            if (mode == MemberEmailMode.Immediately)
            {
                var line = new NotificationLine(post.Id, topic.Id, topic.Title, post.AuthorName, kind, post.Text, post.CreatedAt);
                var mime = MemberEmails.One(mailbox, urls, unsubscribe, new MemberRecipient(r.MemberId, r.Username, r.Email), line);
                OutgoingEmail.Queue(db, mailbox, null, OutboxPurpose.MemberEmail, mime);
                n.SentAt = now;
            }
            db.MemberNotifications.Add(n);
            count++;
        }
        return count;
    }

    public sealed record EligibleMember(Guid MemberId, string Username, string Email, MemberEmailMode Replies, MemberEmailMode Mentions);

    /// Members who may get community e-mail now, with their preferences: confirmed, not suspended or
    /// banned (a silenced member still reads, so still hears), their person not blocked.
    internal static IQueryable<EligibleMember> Eligible(ChorusDb db, DateTimeOffset now, IReadOnlyCollection<Guid> memberIds) =>
        from m in db.ForumMembers.AsNoTracking()
        where memberIds.Contains(m.Id) && m.EmailConfirmedAt != null
              && !db.MemberSanctions.Any(s => s.MemberId == m.Id && s.Kind != SanctionKind.Silence && s.LiftedAt == null && (s.EndsAt == null || s.EndsAt > now))
              && !db.PersonBlocks.Any(b => b.PersonId == m.PersonId)
        join p in db.MemberEmailPreferences on m.Id equals p.MemberId into pj
        from p in pj.DefaultIfEmpty()
        select new EligibleMember(m.Id, m.Username, m.Email,
            p == null ? MemberEmailMode.Immediately : p.Replies, p == null ? MemberEmailMode.Immediately : p.Mentions);

    /// The members a post mentions: RenderPost links each @mention of a confirmed member to their profile.
    private async Task<HashSet<Guid>> MentionedAsync(string html, CancellationToken ct)
    {
        var keys = ProfileLink().Matches(html).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct().Take(20).ToList();
        if (keys.Count == 0) return [];
        return (await db.ForumMembers.AsNoTracking().Where(m => keys.Contains(m.UsernameKey)).Select(m => m.Id).ToListAsync(ct)).ToHashSet();
    }

    [GeneratedRegex(@"<a href=""/forum/u/([A-Za-z0-9_.-]+)""")]
    private static partial Regex ProfileLink();
}
