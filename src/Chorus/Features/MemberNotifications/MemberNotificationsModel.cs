using Chorus.Features.Forum;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.MemberNotifications;

/// How a member hears about one kind of news: an e-mail each time, one e-mail a day, or not at all.
public enum MemberEmailMode { Immediately, Daily, Off }

/// What a notification is about: a reply in a topic the member started, replied to or watches, or an @mention of them.
public enum MemberNotificationKind { Reply, Mention }

/// A member's own choice for each kind; a member without a row gets the defaults (an e-mail each time).
public class MemberEmailPreference
{
    public Guid MemberId { get; set; }
    public MemberEmailMode Replies { get; set; } = MemberEmailMode.Immediately;
    public MemberEmailMode Mentions { get; set; } = MemberEmailMode.Immediately;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// Watching: replies reach the member although they never posted in the topic. Muted: nothing about the topic
/// reaches them, although they started it or replied to it. No row: they hear about topics they posted in.
public enum TopicWatchLevel { Watching, Muted }

public class TopicWatch
{
    public Guid MemberId { get; set; }
    public Guid TopicId { get; set; }
    public TopicWatchLevel Level { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

/// One piece of news for one member about one post (a member hears about a post once: a mention wins over a
/// reply). Sent immediately (SentAt set when its e-mail is queued) or waiting for the daily digest, which
/// claims it with its DigestId in the same unit of work as the digest e-mail, so it is sent once.
public class MemberNotification
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid MemberId { get; set; }
    public Guid PostId { get; set; }
    public MemberNotificationKind Kind { get; set; }
    public MemberEmailMode Delivery { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? SentAt { get; set; }
    public Guid? DigestId { get; set; }
}

/// A post whose news has yet to reach its members: one row written in the post's own transaction, however
/// many members follow the topic; <see cref="FanOutMemberNotifications"/> turns it into their notifications
/// and e-mails in the background, in batches, and deletes it when every member was told.
public class MemberNotificationJob
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PostId { get; set; }
    /// Null: everyone the post concerns (the topic's followers and the members it mentions). Otherwise only
    /// these members, as mentioned (a moderator's edit added their @mention): member ids, comma-separated.
    public string? OnlyMentioned { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; } = DateTimeOffset.UtcNow;
    public string? LastError { get; set; }
}

/// Which node does a singleton job (the daily digest) until when: a node takes an expired lease with one
/// conditional update, so two nodes never run the job at the same time.
public class JobLease
{
    public string Name { get; set; } = "";
    public string? Owner { get; set; }
    public DateTimeOffset? Until { get; set; }
}

internal static class MemberNotificationsModel
{
    public static void Apply(ModelBuilder b)
    {
        b.Entity<MemberEmailPreference>(e =>
        {
            e.HasKey(p => p.MemberId);
            e.Property(p => p.Replies).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.Mentions).HasConversion<string>().HasMaxLength(20);
            e.HasOne<ForumMember>().WithOne().HasForeignKey<MemberEmailPreference>(p => p.MemberId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<TopicWatch>(e =>
        {
            e.HasKey(w => new { w.MemberId, w.TopicId });
            e.HasIndex(w => new { w.TopicId, w.Level });
            e.Property(w => w.Level).HasConversion<string>().HasMaxLength(20);
            e.HasOne<ForumMember>().WithMany().HasForeignKey(w => w.MemberId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ForumTopic>().WithMany().HasForeignKey(w => w.TopicId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<MemberNotification>(e =>
        {
            e.HasIndex(n => new { n.MemberId, n.PostId }).IsUnique();
            e.HasIndex(n => new { n.Delivery, n.DigestId, n.CreatedAt });
            e.HasIndex(n => n.DigestId);
            e.Property(n => n.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(n => n.Delivery).HasConversion<string>().HasMaxLength(20);
            e.HasOne<ForumMember>().WithMany().HasForeignKey(n => n.MemberId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ForumPost>().WithMany().HasForeignKey(n => n.PostId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<MemberNotificationJob>(e =>
        {
            e.HasIndex(j => j.NextAttemptAt);
            e.Property(j => j.LastError).HasMaxLength(1000);
            e.HasOne<ForumPost>().WithMany().HasForeignKey(j => j.PostId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<JobLease>(e =>
        {
            e.HasKey(l => l.Name);
            e.Property(l => l.Name).HasMaxLength(100);
            e.Property(l => l.Owner).HasMaxLength(200);
        });
    }
}
