using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Newsletter;

/// A person who unsubscribed: later newsletters skip them. One row per person, kept until they are erased.
public class NewsletterOptOut
{
    public Guid PersonId { get; set; }
    public DateTimeOffset At { get; set; }
    /// The newsletter's channel whose link they used (null when unknown).
    public Guid? ChannelId { get; set; }
}

internal sealed class NewsletterOptOutConfiguration : IEntityTypeConfiguration<NewsletterOptOut>
{
    public void Configure(EntityTypeBuilder<NewsletterOptOut> e)
    {
        e.ToTable("NewsletterOptOuts");
        e.HasKey(x => x.PersonId);
        e.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class NewsletterModel
{
    public static void Apply(ModelBuilder b) => b.ApplyConfiguration(new NewsletterOptOutConfiguration());
}
