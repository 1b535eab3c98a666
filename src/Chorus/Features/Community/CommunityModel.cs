using Chorus.Features.Channels;
using Chorus.Features.Forum;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community;

/// Why a member flags a post.
public enum FlagReason { Spam, Rude, OffTopic, Other }

/// What a moderator made of a flag: agreed (the post came down) or disagreed (the post stays).
public enum FlagResolution { Agreed, Disagreed }

/// A member's flag on a post: one per member and post. Its weight is the member's trust level when they
/// flagged (new members weigh nothing), so a handful of trusted members can take a post down and a
/// swarm of fresh accounts cannot.
public class ForumFlag
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PostId { get; set; }
    public Guid MemberId { get; set; }
    public FlagReason Reason { get; set; }
    public string? Note { get; set; }
    public int Weight { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? ResolvedAt { get; set; }
    public FlagResolution? Resolution { get; set; }
    public string? ResolvedByName { get; set; }
}

/// Silenced: reads but cannot post. Suspended: cannot sign in. Banned: cannot sign in, ever.
public enum SanctionKind { Silence, Suspend, Ban }

/// A staff sanction on a member. In force from At until EndsAt (null for a ban) unless lifted earlier:
/// expiry needs no job, every check compares with the clock.
public class MemberSanction
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid MemberId { get; set; }
    public SanctionKind Kind { get; set; }
    public string Reason { get; set; } = "";
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? EndsAt { get; set; }
    public string ByName { get; set; } = "";
    public DateTimeOffset? LiftedAt { get; set; }
    public string? LiftedByName { get; set; }
}

/// A post's text before a moderator edited it: number 1 is the original.
public class ForumPostRevision
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PostId { get; set; }
    public int Number { get; set; }
    public string Markdown { get; set; } = "";
    public string AuthorName { get; set; } = "";
    public DateTimeOffset At { get; set; }
    /// Who replaced this text, when and why.
    public string EditedByName { get; set; } = "";
    public DateTimeOffset EditedAt { get; set; } = DateTimeOffset.UtcNow;
    public string? Reason { get; set; }
}

/// A person blocked on every channel: their forum posts are refused, their e-mails and web-form
/// submissions are filed as <see cref="BlockedMessage"/>s instead of conversations.
public class PersonBlock
{
    public Guid PersonId { get; set; }
    public string Reason { get; set; } = "";
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
    public string ByName { get; set; } = "";
}

/// A message from a blocked person, kept (never lost) but not a conversation. (ChannelId, ExternalId)
/// is unique, like messages, so a redelivery is recognised.
public class BlockedMessage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ChannelId { get; set; }
    public string ExternalId { get; set; } = "";
    public Guid PersonId { get; set; }
    public string AuthorHandle { get; set; } = "";
    public string? AuthorName { get; set; }
    public string? Subject { get; set; }
    public string Text { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public DateTimeOffset ReceivedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal static class CommunityModelConfiguration
{
    public static void ConfigureCommunity(this ModelBuilder b)
    {
        b.Entity<ForumFlag>(e =>
        {
            e.Property(f => f.Reason).HasConversion<string>().HasMaxLength(20);
            e.Property(f => f.Resolution).HasConversion<string>().HasMaxLength(20);
            e.Property(f => f.Note).HasMaxLength(500);
            e.Property(f => f.ResolvedByName).HasMaxLength(200);
            e.HasIndex(f => new { f.PostId, f.MemberId }).IsUnique();
            e.HasIndex(f => new { f.ResolvedAt, f.At });
            e.HasOne<ForumPost>().WithMany().HasForeignKey(f => f.PostId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ForumMember>().WithMany().HasForeignKey(f => f.MemberId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<MemberSanction>(e =>
        {
            e.Property(s => s.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(s => s.Reason).HasMaxLength(500);
            e.Property(s => s.ByName).HasMaxLength(200);
            e.Property(s => s.LiftedByName).HasMaxLength(200);
            e.HasIndex(s => new { s.MemberId, s.At });
            e.HasOne<ForumMember>().WithMany().HasForeignKey(s => s.MemberId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ForumPostRevision>(e =>
        {
            e.Property(r => r.AuthorName).HasMaxLength(200);
            e.Property(r => r.EditedByName).HasMaxLength(200);
            e.Property(r => r.Reason).HasMaxLength(500);
            e.HasIndex(r => new { r.PostId, r.Number }).IsUnique();
            e.HasOne<ForumPost>().WithMany().HasForeignKey(r => r.PostId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<PersonBlock>(e =>
        {
            e.HasKey(x => x.PersonId);
            e.Property(x => x.Reason).HasMaxLength(500);
            e.Property(x => x.ByName).HasMaxLength(200);
            e.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<BlockedMessage>(e =>
        {
            e.Property(m => m.ExternalId).HasMaxLength(500);
            e.Property(m => m.AuthorHandle).HasMaxLength(320);
            e.Property(m => m.AuthorName).HasMaxLength(200);
            e.Property(m => m.Subject).HasMaxLength(500);
            e.HasIndex(m => new { m.ChannelId, m.ExternalId }).IsUnique();
            e.HasIndex(m => m.ReceivedAt);
            e.HasIndex(m => m.PersonId);
            e.HasOne<Channel>().WithMany().HasForeignKey(m => m.ChannelId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
