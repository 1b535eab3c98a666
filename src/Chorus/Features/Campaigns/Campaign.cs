using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Campaigns;

public enum CampaignObjective { Awareness, Engagement, Conversion, Advocacy }

/// Marketing's broadcast: a campaign groups the posts (per channel, scheduled) and the tracked links
/// that serve one objective between two dates. Its owner team works on its posts.
public class Campaign
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public CampaignObjective Objective { get; set; }
    public string? Description { get; set; }
    public DateOnly StartsOn { get; set; }
    public DateOnly EndsOn { get; set; }
    public Guid OwnerTeamId { get; set; }
    public string? BudgetNote { get; set; }
    public string? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public List<CampaignChannel> Channels { get; set; } = [];
}

/// A publishing channel a campaign uses; its posts go out on (a choice of) these.
public class CampaignChannel
{
    public Guid CampaignId { get; set; }
    public Guid ChannelId { get; set; }
}

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> e)
    {
        e.ToTable("Campaigns");
        e.Property(c => c.Name).HasMaxLength(200);
        e.HasIndex(c => c.Name).IsUnique();
        e.Property(c => c.Objective).HasConversion<string>().HasMaxLength(20);
        e.Property(c => c.Description).HasMaxLength(2000);
        e.Property(c => c.BudgetNote).HasMaxLength(500);
        e.HasIndex(c => c.StartsOn);
        e.HasOne<Team>().WithMany().HasForeignKey(c => c.OwnerTeamId).OnDelete(DeleteBehavior.Restrict);
        e.HasMany(c => c.Channels).WithOne().HasForeignKey(c => c.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CampaignChannelConfiguration : IEntityTypeConfiguration<CampaignChannel>
{
    public void Configure(EntityTypeBuilder<CampaignChannel> e)
    {
        e.ToTable("CampaignChannels");
        e.HasKey(c => new { c.CampaignId, c.ChannelId });
        e.HasOne<PublishingChannel>().WithMany().HasForeignKey(c => c.ChannelId).OnDelete(DeleteBehavior.Restrict);
    }
}
