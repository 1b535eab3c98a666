using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Campaigns;

/// The campaigns feature's tables, applied by ChorusDb (the feature reads them with db.Set&lt;T&gt;()).
public static class CampaignsModel
{
    public static void Apply(ModelBuilder b)
    {
        b.ApplyConfiguration(new PublishingChannelConfiguration());
        b.ApplyConfiguration(new CampaignConfiguration());
        b.ApplyConfiguration(new CampaignChannelConfiguration());
        b.ApplyConfiguration(new PostConfiguration());
        b.ApplyConfiguration(new PostDeliveryConfiguration());
        b.ApplyConfiguration(new PostCommentConfiguration());
        b.ApplyConfiguration(new TrackedLinkConfiguration());
        b.ApplyConfiguration(new TrackedLinkDayConfiguration());
        b.ApplyConfiguration(new PostImageConfiguration());
        b.ApplyConfiguration(new PostImageUploadConfiguration());
    }
}
