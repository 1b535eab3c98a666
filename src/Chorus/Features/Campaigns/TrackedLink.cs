using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Campaigns;

/// A short link /l/{code} that redirects to its target with UTM parameters and counts the clicks of
/// people (link-preview robots and crawlers are counted apart).
public class TrackedLink
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Code { get; set; } = "";
    /// Null for a link that belongs to no campaign (a press release's link for one journalist).
    public Guid? CampaignId { get; set; }
    public Guid? PostId { get; set; }
    public string TargetUrl { get; set; } = "";
    public string? UtmSource { get; set; }
    public string? UtmMedium { get; set; }
    public string? UtmCampaign { get; set; }
    public string? UtmContent { get; set; }
    public long Clicks { get; set; }
    public long BotClicks { get; set; }
    public string? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// Clicks on one tracked link on one day (UTC), kept up to date as clicks are counted, so clicks over
/// time are read from a few rows rather than from every click.
public class TrackedLinkDay
{
    public Guid LinkId { get; set; }
    public DateOnly Day { get; set; }
    public long Clicks { get; set; }
    public long BotClicks { get; set; }
}

internal sealed class TrackedLinkDayConfiguration : IEntityTypeConfiguration<TrackedLinkDay>
{
    public void Configure(EntityTypeBuilder<TrackedLinkDay> e)
    {
        e.ToTable("TrackedLinkDays");
        e.HasKey(d => new { d.LinkId, d.Day });
        e.HasIndex(d => d.Day);
        e.HasOne<TrackedLink>().WithMany().HasForeignKey(d => d.LinkId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TrackedLinkConfiguration : IEntityTypeConfiguration<TrackedLink>
{
    public void Configure(EntityTypeBuilder<TrackedLink> e)
    {
        e.ToTable("TrackedLinks");
        e.Property(l => l.Code).HasMaxLength(16);
        e.HasIndex(l => l.Code).IsUnique();
        e.Property(l => l.TargetUrl).HasMaxLength(2000);
        foreach (var p in new[] { nameof(TrackedLink.UtmSource), nameof(TrackedLink.UtmMedium), nameof(TrackedLink.UtmCampaign), nameof(TrackedLink.UtmContent) })
            e.Property(p).HasMaxLength(100);
        e.HasIndex(l => l.CampaignId);
        e.HasIndex(l => l.PostId);
        e.HasOne<Campaign>().WithMany().HasForeignKey(l => l.CampaignId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Post>().WithMany().HasForeignKey(l => l.PostId).OnDelete(DeleteBehavior.SetNull);
    }
}
