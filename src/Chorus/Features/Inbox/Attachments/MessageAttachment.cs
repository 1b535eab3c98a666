using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Inbox.Attachments;

/// A file that came with a message (an e-mail attachment, an inline image) or that a staff member
/// attached to a reply. The bytes live in the <see cref="AttachmentStore"/> under their SHA-256;
/// a file over a size limit keeps its row (name, size, why) so the thread says what was dropped.
public class MessageAttachment
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid MessageId { get; set; }
    /// Order within the message, as the files came (ids made in one millisecond do not sort by time).
    public int Position { get; set; }
    public string FileName { get; set; } = "";
    /// What the sender declared; never served as is (see <see cref="AttachmentTypes.Safe"/>).
    public string ContentType { get; set; } = AttachmentTypes.Binary;
    public long Size { get; set; }
    /// Hex SHA-256 of the content: its name in the store. Null when the file was not stored.
    public string? ContentHash { get; set; }
    /// The MIME Content-ID an HTML body refers to as cid:…, for inline images.
    public string? ContentId { get; set; }
    /// Why the file was not stored (over a size limit); null when it was.
    public string? DroppedReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class MessageAttachmentConfiguration : IEntityTypeConfiguration<MessageAttachment>
{
    public void Configure(EntityTypeBuilder<MessageAttachment> e)
    {
        e.HasIndex(a => a.MessageId);
        e.HasOne<Message>().WithMany().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        e.Property(a => a.FileName).HasMaxLength(255);
        e.Property(a => a.ContentType).HasMaxLength(100);
        e.Property(a => a.ContentHash).HasMaxLength(64);
        e.Property(a => a.ContentId).HasMaxLength(255);
        e.Property(a => a.DroppedReason).HasMaxLength(500);
    }
}

/// What the thread and the API show of an attachment.
public sealed record AttachmentView(Guid Id, string FileName, string ContentType, long Size, bool Stored, string? DroppedReason, string? DownloadUrl)
{
    public bool IsImage => Stored && AttachmentTypes.Safe(ContentType).StartsWith("image/", StringComparison.Ordinal);
}

public static class AttachmentTypes
{
    public const string Binary = "application/octet-stream";

    // Types a browser shows without running anything. Everything else (HTML, SVG, XML, scripts,
    // office files...) is served as bytes, so it is saved, never rendered on our origin.
    private static readonly HashSet<string> Shown = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "application/pdf", "text/plain",
    };

    /// The content type an attachment is served with.
    public static string Safe(string? declared)
    {
        var type = (declared ?? "").Split(';')[0].Trim().ToLowerInvariant();
        return type == "image/jpg" ? "image/jpeg" : Shown.Contains(type) ? type : Binary;
    }

    /// A file name safe to store and to put in Content-Disposition: no path, no control characters.
    public static string CleanFileName(string? name, string fallback)
    {
        var s = (name ?? "").Replace('\\', '/');
        s = s[(s.LastIndexOf('/') + 1)..];
        s = new string(s.Where(ch => !char.IsControl(ch) && ch is not ('"' or '<' or '>' or '|' or '*' or '?' or ':')).ToArray()).Trim().Trim('.');
        if (s.Length == 0) s = fallback;
        if (s.Length > 200)
        {
            var ext = Path.GetExtension(s);
            s = s[..(200 - Math.Min(ext.Length, 20))] + (ext.Length <= 20 ? ext : "");
        }
        return s;
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes / 1048576.0:0.#} MB",
    };
}
