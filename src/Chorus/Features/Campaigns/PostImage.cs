using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Campaigns;

/// An image attached to a post, published with it on every channel (a Mastodon media attachment, a
/// webhook's image, a figure on the newsroom, an image in the newsletter). The bytes live in the
/// AttachmentStore under their hash; the type is what the bytes are, never what the name says.
public class PostImage
{
    public const int MaxPerPost = 4;       // Mastodon's limit of media on one status
    public const int MaxAltText = 1500;    // Mastodon's limit of a media description
    public const long DefaultMaxBytes = 8L * 1024 * 1024;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PostId { get; set; }
    /// Order on the post, from 0.
    public int Position { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public string Hash { get; set; } = "";
    public long Size { get; set; }
    /// What the image shows, for people who cannot see it (Mastodon's "description", HTML's alt).
    public string AltText { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// An image uploaded to one Mastodon account for one delivery: remembered as soon as the instance
/// answers, so a retry after a failure posts the status with this media id instead of uploading again.
public class PostImageUpload
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DeliveryId { get; set; }
    public Guid ImageId { get; set; }
    public string MediaId { get; set; } = "";
    /// The instance answered 202 and had not finished processing it when last asked.
    public bool Processing { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class PostImageConfiguration : IEntityTypeConfiguration<PostImage>
{
    public void Configure(EntityTypeBuilder<PostImage> e)
    {
        e.ToTable("PostImages");
        e.Property(i => i.FileName).HasMaxLength(255);
        e.Property(i => i.ContentType).HasMaxLength(50);
        e.Property(i => i.Hash).HasMaxLength(64);
        e.Property(i => i.AltText).HasMaxLength(PostImage.MaxAltText);
        e.HasIndex(i => new { i.PostId, i.Position });
        e.HasIndex(i => i.Hash);
        e.HasOne<Post>().WithMany().HasForeignKey(i => i.PostId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PostImageUploadConfiguration : IEntityTypeConfiguration<PostImageUpload>
{
    public void Configure(EntityTypeBuilder<PostImageUpload> e)
    {
        e.ToTable("PostImageUploads");
        e.Property(u => u.MediaId).HasMaxLength(100);
        e.HasIndex(u => new { u.DeliveryId, u.ImageId }).IsUnique();
        e.HasOne<PostDelivery>().WithMany().HasForeignKey(u => u.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<PostImage>().WithMany().HasForeignKey(u => u.ImageId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// Which image formats a post takes, told by their first bytes (a renamed file is caught).
public static class ImageFormats
{
    public const string Accepted = "PNG, JPEG, GIF or WebP";

    /// The content type the bytes are, or null when they are none of the accepted formats.
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return "image/png";
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "image/jpeg";
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return "image/gif";
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        return null;
    }

    public static string Extension(string contentType) => contentType switch
    {
        "image/png" => ".png", "image/jpeg" => ".jpg", "image/gif" => ".gif", _ => ".webp",
    };
}
