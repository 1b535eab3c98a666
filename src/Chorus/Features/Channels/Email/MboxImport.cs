using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Channels.Email;

/// An mbox archive an admin uploaded into a mailbox channel, and how importing it went. The file
/// waits under the data directory until the import finished; an import interrupted by a restart
/// resumes where ImportMbox's checkpoint says.
public class MboxImport
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ChannelId { get; set; }
    /// The name the file had on the admin's computer (shown, never used as a path).
    public string FileName { get; set; } = "";
    public long Bytes { get; set; }
    public MboxImportStatus Status { get; set; } = MboxImportStatus.Queued;
    /// How far the file was read, in bytes, and what became of its messages so far.
    public long Position { get; set; }
    public int Read { get; set; }
    public int Filed { get; set; }
    public int Duplicates { get; set; }
    public int Skipped { get; set; }
    /// Why messages were skipped: JSON of <see cref="SkipReason"/>s.
    public string? SkipReasonsJson { get; set; }
    /// Set when the file had been read to its end by an earlier import: nothing new in it.
    public bool AlreadyImported { get; set; }
    public string? Error { get; set; }
    /// While Running: until when the node running it holds it (renewed as it goes). A node that
    /// stopped without saying so loses it then, and the next node resumes the import.
    public DateTimeOffset? LockedUntil { get; set; }
    public string? StartedById { get; set; }
    public string StartedByName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? FinishedAt { get; set; }
}

public enum MboxImportStatus { Queued, Running, Finished, Failed }

internal sealed class MboxImportConfiguration : IEntityTypeConfiguration<MboxImport>
{
    public void Configure(EntityTypeBuilder<MboxImport> e)
    {
        e.HasIndex(i => new { i.ChannelId, i.CreatedAt });
        e.HasIndex(i => i.Status);
        e.HasOne<Channel>().WithMany().HasForeignKey(i => i.ChannelId).OnDelete(DeleteBehavior.Cascade);
        e.Property(i => i.FileName).HasMaxLength(255);
        e.Property(i => i.Status).HasConversion<string>().HasMaxLength(20);
        e.Property(i => i.Error).HasMaxLength(1000);
        e.Property(i => i.StartedById).HasMaxLength(450);
        e.Property(i => i.StartedByName).HasMaxLength(200);
    }
}
