using Chorus.Features.Campaigns;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Engagement;

/// What came back from one published Mastodon status: its reply, boost and favourite counts as
/// Mastodon reports them, and when it is next read. One node at a time reads it (the lease); a
/// rate limit or an error moves the next read later; reading stops when the status is gone or
/// the post is older than the reading window.
public class PostEngagement
{
    /// The post's delivery on the Mastodon channel (one row each).
    public Guid DeliveryId { get; set; }
    public Guid PostId { get; set; }
    /// The publishing channel the status was published on.
    public Guid ChannelId { get; set; }
    public int Replies { get; set; }
    public int Boosts { get; set; }
    public int Favourites { get; set; }
    public DateTimeOffset? PolledAt { get; set; }
    public DateTimeOffset NextPollAt { get; set; }
    /// Failed reads in a row; the wait before the next grows with it.
    public int Failures { get; set; }
    public string? LastError { get; set; }
    /// Set when reading stopped for good: the status was deleted, or the window passed.
    public string? StoppedReason { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
}

internal sealed class PostEngagementConfiguration : IEntityTypeConfiguration<PostEngagement>
{
    public void Configure(EntityTypeBuilder<PostEngagement> e)
    {
        e.ToTable("PostEngagements");
        e.HasKey(x => x.DeliveryId);
        e.HasIndex(x => x.PostId);
        e.HasIndex(x => new { x.StoppedReason, x.NextPollAt });
        e.HasIndex(x => x.ChannelId);
        e.Property(x => x.LastError).HasMaxLength(1000);
        e.Property(x => x.StoppedReason).HasMaxLength(200);
        e.Property(x => x.LeaseOwner).HasMaxLength(100);
        e.HasOne<PostDelivery>().WithOne().HasForeignKey<PostEngagement>(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// The engagement feature's tables, applied by ChorusDb.
public static class EngagementModel
{
    public static void Apply(ModelBuilder b)
    {
        b.ApplyConfiguration(new PostEngagementConfiguration());
        b.ApplyConfiguration(new FollowerCountConfiguration());
    }
}
