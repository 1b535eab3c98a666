using Chorus.Features.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Listening.Mentions;

/// Something said in public on a listened-to source (DESIGN: Mention), stored once however many sources
/// and nodes see it: one row per post (Platform + ExternalId) and per canonical address.
public class Mention
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// The source that found it first.
    public Guid ChannelId { get; set; }
    /// Where the post lives, for identity across sources: "reddit", "hackernews", "mastodon", "rss", "webhook:{channel}".
    public string Platform { get; set; } = "";
    /// The platform's id of the post (reddit fullname, Algolia objectID, the Mastodon status URI, the feed item's guid).
    public string ExternalId { get; set; } = "";
    /// The link back to the post.
    public string? Url { get; set; }
    /// The link with case, tracking parameters, fragments and mirror hosts normalized (see CanonicalUrls): the same post
    /// reached through two sources has the same one.
    public string? CanonicalUrl { get; set; }
    public string? AuthorHandle { get; set; }
    public string? AuthorName { get; set; }
    public string? Title { get; set; }
    public string Text { get; set; } = "";
    /// Reach: the post's score (reddit and Hacker News points, Mastodon boosts + favourites) and the author's followers where known.
    public int? Score { get; set; }
    public int? Followers { get; set; }
    /// VADER-style compound score in [-1, 1] of the title and text.
    public double Sentiment { get; set; }
    public string? Language { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public DateTimeOffset FoundAt { get; set; } = DateTimeOffset.UtcNow;

    public const double NegativeBelow = -0.05;
    public const double PositiveAbove = 0.05;
    public bool IsNegative => Sentiment < NegativeBelow;
}

/// A mention that matched a monitor's query when it was found: what the monitor's charts, stream and spike detector count.
public class MentionMatch
{
    public Guid MonitorId { get; set; }
    public Guid MentionId { get; set; }
    /// Copied from the mention so a monitor's buckets are read from one index.
    public DateTimeOffset PublishedAt { get; set; }
    public bool Negative { get; set; }
}

internal sealed class MentionConfiguration : IEntityTypeConfiguration<Mention>
{
    public void Configure(EntityTypeBuilder<Mention> e)
    {
        e.ToTable("Mentions");
        e.HasOne<Channel>().WithMany().HasForeignKey(m => m.ChannelId).OnDelete(DeleteBehavior.Cascade);
        e.Property(m => m.Platform).HasMaxLength(100);
        e.Property(m => m.ExternalId).HasMaxLength(500);
        e.Property(m => m.Url).HasMaxLength(2000);
        e.Property(m => m.CanonicalUrl).HasMaxLength(2000);
        e.Property(m => m.AuthorHandle).HasMaxLength(200);
        e.Property(m => m.AuthorName).HasMaxLength(200);
        e.Property(m => m.Title).HasMaxLength(500);
        e.Property(m => m.Text).HasMaxLength(MentionLimits.TextLength);
        e.Property(m => m.Language).HasMaxLength(10);
        e.HasIndex(m => new { m.Platform, m.ExternalId }).IsUnique();
        e.HasIndex(m => m.CanonicalUrl).IsUnique();
        e.HasIndex(m => m.PublishedAt);
        e.Ignore(m => m.IsNegative);
    }
}

internal sealed class MentionMatchConfiguration : IEntityTypeConfiguration<MentionMatch>
{
    public void Configure(EntityTypeBuilder<MentionMatch> e)
    {
        e.ToTable("MentionMatches");
        e.HasKey(m => new { m.MonitorId, m.MentionId });
        e.HasOne<Monitors.Monitor>().WithMany().HasForeignKey(m => m.MonitorId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Mention>().WithMany().HasForeignKey(m => m.MentionId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(m => new { m.MonitorId, m.PublishedAt });
        e.HasIndex(m => m.MentionId);
    }
}

public static class MentionLimits
{
    public const int TextLength = 10_000;
}
