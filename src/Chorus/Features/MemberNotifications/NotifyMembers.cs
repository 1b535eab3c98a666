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
/// in the outbox), the daily digest, or nothing.
/// The post's own transaction stores one <see cref="MemberNotificationJob"/>, whatever the topic's following,
/// so a reply to a topic with hundreds of followers is as quick to write as any; <see cref="FanOutMemberNotifications"/>
/// expands it in the background with <see cref="TellAsync"/>, a batch of members per transaction. Each member's
/// notification row and e-mail are committed together and a member is told about a post once (a unique
/// (member, post) row), so a fan-out cut short by a crash resumes where it stopped: nobody missed, nobody twice.
public partial class NotifyMembers(ChorusDb db, ManageEmailNotifications settings, PublicUrls urls, UnsubscribeLinks unsubscribe, MemberFanOutSignal signal)
{
    /// Adds the post's fan-out to the caller's unit of work (sent once the caller saved and committed).
    public Task QueueAsync(ForumPost post, ForumTopic topic, CancellationToken ct = default)
    {
        if (post.State != PostState.Visible || topic.State != PostState.Visible) return Task.CompletedTask;
        // A topic's first post concerns only the members it mentions: without a mention there is nobody to tell.
        if (post.Position == 1 && !ProfileLink().IsMatch(post.Html)) return Task.CompletedTask;
        Add(new MemberNotificationJob { PostId = post.Id });
        return Task.CompletedTask;
    }

    /// A moderator's edit added @mentions to a published post: the members it mentions now and did not before
    /// hear about it, by their own mention setting, unless they already heard about this post (as a reply they
    /// follow, or mentioned in an earlier version). Those mentioned before are not told again. Added to the
    /// caller's unit of work, like <see cref="QueueAsync"/>; a post still held is announced on approval instead.
    public async Task QueueAddedMentionsAsync(ForumPost post, ForumTopic topic, string htmlBefore, CancellationToken ct = default)
    {
        if (post.State != PostState.Visible || topic.State != PostState.Visible) return;
        var mentioned = await MentionedAsync(post.Html, ct);
        mentioned.ExceptWith(await MentionedAsync(htmlBefore, ct));
        if (post.AuthorMemberId is { } author) mentioned.Remove(author);
        if (mentioned.Count == 0) return;
        Add(new MemberNotificationJob { PostId = post.Id, OnlyMentioned = string.Join(',', mentioned.Order()) });
    }

    /// After the caller committed a transaction holding a job: the fan-out starts now rather than at its next poll.
    public void Committed() => signal.Wake();

    private void Add(MemberNotificationJob job)
    {
        db.MemberNotificationJobs.Add(job);
        signal.WakeOnSave(db);
    }

    /// Everyone the job's post concerns, in a stable order (a resumed fan-out walks the same list), and which
    /// of them it mentions. Empty when the post or its topic is no longer public: nobody hears about it.
    public async Task<(List<Guid> Audience, HashSet<Guid> Mentioned)> AudienceAsync(MemberNotificationJob job, CancellationToken ct = default)
    {
        var post = await db.ForumPosts.AsNoTracking().SingleOrDefaultAsync(p => p.Id == job.PostId, ct);
        var topic = post is null ? null : await db.ForumTopics.AsNoTracking().SingleOrDefaultAsync(t => t.Id == post.TopicId, ct);
        if (post is null || topic is null || post.State != PostState.Visible || topic.State != PostState.Visible) return ([], []);
        var mentioned = await MentionedAsync(post.Html, ct);
        HashSet<Guid> audience;
        if (job.OnlyMentioned is { } only)
        {
            mentioned.IntersectWith(only.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse));
            audience = [.. mentioned];
        }
        else
        {
            audience = [.. mentioned];
            if (post.Position > 1)
            {
                if (topic.AuthorMemberId is { } starter) audience.Add(starter);
                // Those who had replied when it was posted: the fan-out may run after later replies.
                var (topicId, position) = (topic.Id, post.Position);
                audience.UnionWith(await db.ForumPosts.AsNoTracking().Where(p => p.TopicId == topicId && p.Position < position && p.AuthorMemberId != null && p.State != PostState.Deleted)
                    .Select(p => p.AuthorMemberId!.Value).Distinct().ToListAsync(ct));
                audience.UnionWith(await db.TopicWatches.AsNoTracking().Where(w => w.TopicId == topicId && w.Level == TopicWatchLevel.Watching)
                    .Select(w => w.MemberId).ToListAsync(ct));
            }
        }
        if (post.AuthorMemberId is { } author) audience.Remove(author);
        return ([.. audience.Order()], mentioned);
    }

    /// Tells one batch of the audience about the job's post: a notification row for each member who may hear
    /// about it and has not yet, and the e-mail of those who want one now, added to the caller's unit of work
    /// (the caller saves them in one transaction). Returns how many members it told.
    public async Task<int> TellAsync(MemberNotificationJob job, IReadOnlyList<Guid> batch, HashSet<Guid> mentioned, CancellationToken ct = default)
    {
        if (batch.Count == 0 || await settings.SendingMailboxAsync(ct) is not { } mailbox) return 0;
        var post = await db.ForumPosts.AsNoTracking().SingleOrDefaultAsync(p => p.Id == job.PostId, ct);
        var topic = post is null ? null : await db.ForumTopics.AsNoTracking().SingleOrDefaultAsync(t => t.Id == post.TopicId, ct);
        // Taken down while its fan-out ran: the members not told yet are not told.
        if (post is null || topic is null || post.State != PostState.Visible || topic.State != PostState.Visible) return 0;

        var ids = batch.ToList();
        var now = DateTimeOffset.UtcNow;
        var postId = post.Id;
        var muted = await db.TopicWatches.AsNoTracking().Where(w => w.TopicId == topic.Id && w.Level == TopicWatchLevel.Muted && ids.Contains(w.MemberId))
            .Select(w => w.MemberId).ToListAsync(ct);
        var told = await db.MemberNotifications.AsNoTracking().Where(n => n.PostId == postId && ids.Contains(n.MemberId)).Select(n => n.MemberId).ToListAsync(ct);
        ids.RemoveAll(id => muted.Contains(id) || told.Contains(id));
        if (ids.Count == 0) return 0;
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
