using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Inbox.Attachments;

/// The bytes of one stored file, by their SHA-256, when `Chorus:Attachments:Store` is `Database`
/// (see <see cref="AttachmentStore"/>): nodes then share attachments through the database alone.
public class AttachmentContent
{
    public string Hash { get; set; } = "";
    public byte[] Bytes { get; set; } = [];
    public long Size { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class AttachmentContentConfiguration : IEntityTypeConfiguration<AttachmentContent>
{
    public void Configure(EntityTypeBuilder<AttachmentContent> e)
    {
        e.HasKey(x => x.Hash);
        e.Property(x => x.Hash).HasMaxLength(64);
    }
}
