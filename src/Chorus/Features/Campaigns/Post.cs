using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Campaigns;

public enum PostStatus { Draft, InReview, Approved, Scheduled, Published, Failed }

/// A post of a campaign: written once (title and body), adapted per channel (a delivery's own text),
/// reviewed, approved, scheduled for a moment in a time zone and published on each of its channels.
public class Post
{
    public const int MaxBody = 10000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CampaignId { get; set; }
    /// The newsroom headline; elsewhere only a name for the post.
    public string Title { get; set; } = "";
    public string Body { get; set; } = "";
    public PostStatus Status { get; set; }
    /// When it goes out (UTC). On a draft, the planned moment shown on the calendar.
    public DateTimeOffset? ScheduledAt { get; set; }
    /// The IANA time zone the schedule was given in; the UI shows the moment there.
    public string TimeZone { get; set; } = "UTC";
    public string AuthorId { get; set; } = "";
    public string AuthorName { get; set; } = "";
    public string? ApprovedByName { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
    public List<PostDelivery> Deliveries { get; set; } = [];
}

public enum PublishState { Waiting, Publishing, Published, Failed }

/// One post on one channel: its adapted text and its publishing state. Claimed with a conditional
/// update before it is sent, so each delivery is published once however many nodes run.
public class PostDelivery
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PostId { get; set; }
    public Guid ChannelId { get; set; }
    /// The text adapted for this channel; null publishes the post's body.
    public string? Text { get; set; }
    public PublishState State { get; set; }
    /// When it is due; null until the post is scheduled.
    public DateTimeOffset? DueAt { get; set; }
    public int Attempts { get; set; }
    /// While Publishing: until when one node owns it.
    public DateTimeOffset? LockedUntil { get; set; }
    public string? LastError { get; set; }
    /// Identical on every attempt (Mastodon's Idempotency-Key), so a repeated request publishes nothing new.
    public string IdempotencyKey { get; set; } = Guid.NewGuid().ToString("N");
    /// The channel's id for what was published (a Mastodon status id, a newsroom slug).
    public string? ExternalId { get; set; }
    public string? ExternalUrl { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
}

/// A comment on a post during review, or a workflow event (submitted, approved, failed...).
public class PostComment
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PostId { get; set; }
    public string? AuthorId { get; set; }
    public string AuthorName { get; set; } = "";
    public string Text { get; set; } = "";
    public bool IsEvent { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class PostConfiguration : IEntityTypeConfiguration<Post>
{
    public void Configure(EntityTypeBuilder<Post> e)
    {
        e.ToTable("Posts");
        e.Property(p => p.Title).HasMaxLength(200);
        e.Property(p => p.Body).HasMaxLength(Post.MaxBody);
        // A status change by staff fails when a publisher changed it meanwhile (and the other way round).
        e.Property(p => p.Status).HasConversion<string>().HasMaxLength(20).IsConcurrencyToken();
        e.Property(p => p.TimeZone).HasMaxLength(64);
        e.Property(p => p.AuthorId).HasMaxLength(450);
        e.Property(p => p.AuthorName).HasMaxLength(200);
        e.Property(p => p.ApprovedByName).HasMaxLength(200);
        e.HasIndex(p => new { p.CampaignId, p.CreatedAt });
        e.HasIndex(p => p.ScheduledAt);
        e.HasOne<Campaign>().WithMany().HasForeignKey(p => p.CampaignId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(p => p.Deliveries).WithOne().HasForeignKey(d => d.PostId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PostDeliveryConfiguration : IEntityTypeConfiguration<PostDelivery>
{
    public void Configure(EntityTypeBuilder<PostDelivery> e)
    {
        e.ToTable("PostDeliveries");
        e.HasIndex(d => new { d.PostId, d.ChannelId }).IsUnique();
        e.HasIndex(d => new { d.State, d.DueAt });
        e.HasIndex(d => d.IdempotencyKey).IsUnique();
        e.HasIndex(d => new { d.ChannelId, d.ExternalId });
        e.Property(d => d.Text).HasMaxLength(Post.MaxBody);
        e.Property(d => d.State).HasConversion<string>().HasMaxLength(20).IsConcurrencyToken();
        e.Property(d => d.LastError).HasMaxLength(1000);
        e.Property(d => d.IdempotencyKey).HasMaxLength(100);
        e.Property(d => d.ExternalId).HasMaxLength(500);
        e.Property(d => d.ExternalUrl).HasMaxLength(1000);
        e.HasOne<PublishingChannel>().WithMany().HasForeignKey(d => d.ChannelId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PostCommentConfiguration : IEntityTypeConfiguration<PostComment>
{
    public void Configure(EntityTypeBuilder<PostComment> e)
    {
        e.ToTable("PostComments");
        e.Property(c => c.AuthorName).HasMaxLength(200);
        e.Property(c => c.Text).HasMaxLength(4000);
        e.HasIndex(c => new { c.PostId, c.CreatedAt });
        e.HasOne<Post>().WithMany().HasForeignKey(c => c.PostId).OnDelete(DeleteBehavior.Cascade);
    }
}
