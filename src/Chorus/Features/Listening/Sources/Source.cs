using System.Text.Json;
using Chorus.Features.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Listening.Sources;

/// Where mentions come from (DESIGN: a Channel of kind RSS, reddit, Hacker News, Mastodon or webhook):
/// what to ask the service, how often, and how the last polls went. The channel row carries the name
/// and whether it is on; this row is keyed by it, as a mailbox is.
public class Source
{
    public Guid ChannelId { get; set; }
    /// The service's address, e.g. https://www.reddit.com, so tests (and self-hosted services) can point elsewhere.
    /// For RSS/Atom it is the feed's own address.
    public string BaseUrl { get; set; } = "";
    /// What to listen for: reddit "r/sub" or search words; Hacker News search words; Mastodon "#tag" or search words.
    public string Query { get; set; } = "";
    public int IntervalSeconds { get; set; } = 300;
    /// Webhook sources: the HMAC secret, protected with the Data Protection keys.
    public string? SecretProtected { get; set; }

    public SourceState State { get; set; } = SourceState.New;
    public string? LastError { get; set; }
    public int ConsecutiveFailures { get; set; }
    public DateTimeOffset? RateLimitedUntil { get; set; }
    public DateTimeOffset? LastPolledAt { get; set; }
    public DateTimeOffset? LastSucceededAt { get; set; }
    public DateTimeOffset NextPollAt { get; set; } = DateTimeOffset.UtcNow;
    /// Where the next poll resumes (JSON of <see cref="SourceCheckpoint"/>).
    public string? Checkpoint { get; set; }
    public long MentionsFound { get; set; }

    /// Which node polls the source now, and until when (two nodes never poll one source at once).
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;

    public SourceCheckpoint ReadCheckpoint() =>
        Checkpoint is null ? new SourceCheckpoint() : JsonSerializer.Deserialize<SourceCheckpoint>(Checkpoint) ?? new SourceCheckpoint();
}

public enum SourceState { New, Ok, Failing, RateLimited }

/// What a source remembers between polls: the newest item seen (by id and by time) and the feed's validators.
public sealed record SourceCheckpoint
{
    public string? NewestId { get; init; }
    public DateTimeOffset? NewestAt { get; init; }
    public string? ETag { get; init; }
    public string? LastModified { get; init; }

    public string Serialize() => JsonSerializer.Serialize(this);

    /// How a person reads it on the source's page.
    public string Describe() =>
        NewestAt is null && NewestId is null && ETag is null ? "nothing read yet"
        : string.Join(", ", new[]
        {
            NewestAt is { } at ? $"newest item {at:yyyy-MM-dd HH:mm:ss} UTC" : null,
            NewestId is { } id ? $"id {id}" : null,
            ETag is { } etag ? $"ETag {etag}" : null,
        }.Where(s => s is not null));
}

internal sealed class SourceConfiguration : IEntityTypeConfiguration<Source>
{
    public void Configure(EntityTypeBuilder<Source> e)
    {
        e.ToTable("ListeningSources");
        e.HasKey(s => s.ChannelId);
        e.HasOne<Channel>().WithOne().HasForeignKey<Source>(s => s.ChannelId).OnDelete(DeleteBehavior.Cascade);
        e.Property(s => s.BaseUrl).HasMaxLength(2000);
        e.Property(s => s.Query).HasMaxLength(500);
        e.Property(s => s.SecretProtected).HasMaxLength(2000);
        e.Property(s => s.State).HasConversion<string>().HasMaxLength(20);
        e.Property(s => s.LastError).HasMaxLength(1000);
        e.Property(s => s.Checkpoint).HasMaxLength(2000);
        e.Property(s => s.LeaseOwner).HasMaxLength(200);
        e.HasIndex(s => s.NextPollAt);
    }
}
