using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum;

/// A section of the community forum ("Getting started", "Bugs"...). Ordered by Position.
public class ForumCategory
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// The category's address: /forum/c/{slug}. Lower-case letters, digits and dashes.
    public string Slug { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public int Position { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    /// Questions for Support: a topic nobody answered in time appears in Support's inbox (Community.Bridge).
    public bool IsSupport { get; set; }
}

/// Who sees a post. Held: waits in the review queue (its author and staff see it); Hidden and Deleted:
/// taken down by a moderator (only staff see them, marked). A topic has the state of its first post.
public enum PostState { Visible, Held, Hidden, Deleted }

/// Earned by reading, posting and being liked (see <see cref="Members.TrustLevels"/>); never lowered automatically.
public enum TrustLevel { New, Basic, Member, Regular, Leader }

/// A community member's forum account. Signs in with its own cookie, never as staff. Becomes a
/// Person (with a Forum identity) when the e-mail address is confirmed.
public class ForumMember
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// Null until the e-mail address is confirmed; then the person whose timeline shows the member's posts.
    public Guid? PersonId { get; set; }
    /// Shown on posts and used for @mentions; unique case-insensitively (UsernameKey).
    public string Username { get; set; } = "";
    public string UsernameKey { get; set; } = "";
    /// Stored lower-case; unique.
    public string Email { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public DateTimeOffset? EmailConfirmedAt { get; set; }
    public TrustLevel Trust { get; set; } = TrustLevel.New;
    public int FailedSignIns { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    /// Changes on password change or staff action; a cookie carrying an old stamp is refused.
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? LastSeenAt { get; set; }
}

public class ForumTopic
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CategoryId { get; set; }
    public ForumCategory? Category { get; set; }
    public string Title { get; set; } = "";
    public Guid? AuthorMemberId { get; set; }
    public string? AuthorStaffId { get; set; }
    public string AuthorName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset LastPostAt { get; set; } = DateTimeOffset.UtcNow;
    /// Visible replies (the first post is not a reply).
    public int ReplyCount { get; set; }
    /// The position the newest post took; the next one takes LastPosition + 1.
    public int LastPosition { get; set; }
    public bool IsPinned { get; set; }
    public bool IsLocked { get; set; }
    public Guid? AcceptedPostId { get; set; }
    public PostState State { get; set; } = PostState.Visible;
    /// The inbox conversation an unanswered support topic became (Community.Bridge).
    public Guid? ConversationId { get; set; }
    /// Set when a moderator merged this topic into another (TopicMerging): its posts live there now, and its
    /// address and feed lead there.
    public Guid? MergedIntoId { get; set; }
}

public class ForumPost
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TopicId { get; set; }
    /// 1 for the topic's first post, then 2, 3... in the order posted: pages read ranges of it.
    public int Position { get; set; }
    public Guid? AuthorMemberId { get; set; }
    public string? AuthorStaffId { get; set; }
    public string AuthorName { get; set; } = "";
    /// Written by staff: shown as an official answer.
    public bool IsOfficial { get; set; }
    /// What the author wrote (Markdown) ...
    public string Markdown { get; set; } = "";
    /// ... rendered once, sanitized, with @mentions linked; what readers get.
    public string Html { get; set; } = "";
    /// Plain text, for search, feeds and the classifier.
    public string Text { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public PostState State { get; set; } = PostState.Visible;
    /// Why it waits for review ("first post of a new member", "links from a new member", "likely spam").
    public string? HeldReason { get; set; }
    public double SpamScore { get; set; }
    public double ToxicityScore { get; set; }
    public int LikeCount { get; set; }
    public string? ModeratedByName { get; set; }
    public DateTimeOffset? ModeratedAt { get; set; }
    public string? ModerationReason { get; set; }
    /// The form submission that created it: a second submission of the same form finds this post.
    public Guid? RequestId { get; set; }
    /// Set when a moderator changed the text (its earlier versions are ForumPostRevisions): readers see "edited".
    public DateTimeOffset? EditedAt { get; set; }
    public string? EditedByName { get; set; }
}

/// A member's like of a post (one per member and post).
public class ForumLike
{
    public Guid PostId { get; set; }
    public Guid MemberId { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

/// How far a member has read a topic: trust levels count topics entered and posts read.
public class ForumTopicRead
{
    public Guid MemberId { get; set; }
    public Guid TopicId { get; set; }
    public int HighestPosition { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

/// A moderator's decision the classifier learns from: the post's text and what it turned out to be.
public class ModerationExample
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
    public Guid? PostId { get; set; }
    public string Text { get; set; } = "";
    public bool? Spam { get; set; }
    public bool? Toxic { get; set; }
}

internal static class ForumModelConfiguration
{
    public static void ConfigureForum(this ModelBuilder b)
    {
        b.Entity<ForumCategory>(e =>
        {
            e.Property(c => c.Slug).HasMaxLength(60);
            e.Property(c => c.Name).HasMaxLength(100);
            e.Property(c => c.Description).HasMaxLength(500);
            e.HasIndex(c => c.Slug).IsUnique();
        });
        b.Entity<ForumMember>(e =>
        {
            e.Property(m => m.Username).HasMaxLength(30);
            e.Property(m => m.UsernameKey).HasMaxLength(30);
            e.Property(m => m.Email).HasMaxLength(320);
            e.Property(m => m.PasswordHash).HasMaxLength(500);
            e.Property(m => m.SecurityStamp).HasMaxLength(50);
            e.Property(m => m.Trust).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(m => m.UsernameKey).IsUnique();
            e.HasIndex(m => m.Email).IsUnique();
            e.HasIndex(m => m.PersonId);
            e.HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<ForumTopic>(e =>
        {
            e.Property(t => t.Title).HasMaxLength(200);
            e.Property(t => t.AuthorName).HasMaxLength(200);
            e.Property(t => t.State).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(t => new { t.CategoryId, t.State, t.IsPinned, t.LastPostAt });
            e.HasIndex(t => t.AuthorMemberId);
            e.HasIndex(t => t.ConversationId);
            e.HasOne(t => t.Category).WithMany().HasForeignKey(t => t.CategoryId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ForumMember>().WithMany().HasForeignKey(t => t.AuthorMemberId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<ForumPost>(e =>
        {
            e.Property(p => p.AuthorName).HasMaxLength(200);
            e.Property(p => p.State).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.HeldReason).HasMaxLength(200);
            e.Property(p => p.ModeratedByName).HasMaxLength(200);
            e.Property(p => p.ModerationReason).HasMaxLength(500);
            e.Property(p => p.EditedByName).HasMaxLength(200);
            // A topic page reads one range of positions: this index makes page 50 as cheap as page 1.
            e.HasIndex(p => new { p.TopicId, p.Position }).IsUnique();
            e.HasIndex(p => new { p.State, p.CreatedAt });
            e.HasIndex(p => new { p.AuthorMemberId, p.CreatedAt });
            e.HasIndex(p => p.RequestId).IsUnique();
            e.HasOne<ForumTopic>().WithMany().HasForeignKey(p => p.TopicId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ForumMember>().WithMany().HasForeignKey(p => p.AuthorMemberId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<ForumLike>(e =>
        {
            e.HasKey(l => new { l.PostId, l.MemberId });
            e.HasIndex(l => l.MemberId);
            e.HasOne<ForumPost>().WithMany().HasForeignKey(l => l.PostId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ForumMember>().WithMany().HasForeignKey(l => l.MemberId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ForumTopicRead>(e =>
        {
            e.HasKey(r => new { r.MemberId, r.TopicId });
            e.HasOne<ForumTopic>().WithMany().HasForeignKey(r => r.TopicId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ForumMember>().WithMany().HasForeignKey(r => r.MemberId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ModerationExample>(e => e.HasIndex(x => x.At));
    }
}
