using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox.Attachments;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Campaigns;

/// An image as it arrives (a browser upload, a multipart API request): read once, checked by its bytes.
public sealed record ImageUpload(string FileName, Stream Content, string? AltText);

/// Alt text and place of an attached image; null leaves a field as it is. Position counts from 0.
public sealed record PostImageInput(string? AltText = null, int? Position = null);

/// A stored image's bytes, for the staff preview and the public image route.
public sealed record PostImageFile(Stream Content, string ContentType, string FileName);

/// Attaching images to a post while it is written (a draft or in review): at most four, PNG, JPEG,
/// GIF or WebP by their bytes, within the size limit, each with its alt text; removed and reordered.
/// The campaign's team and admins do it, as they change the text.
public class ManagePostImages(ChorusDb db, AttachmentStore store, ReadPosts read, RecordAudit audit, IConfiguration config)
{
    /// Largest image taken (Chorus:Campaigns:MaxImageBytes); Mastodon takes 16 MB, so 8 MB leaves room.
    public long MaxBytes { get; } = config.GetValue("Chorus:Campaigns:MaxImageBytes", PostImage.DefaultMaxBytes);

    public async Task<Outcome<PostDetail>> AddAsync(StaffActor actor, Guid postId, ImageUpload upload, CancellationToken ct = default)
    {
        if (await EditableAsync(actor, postId, ct) is { } refused) return refused;
        var alt = upload.AltText?.Trim() ?? "";
        if (alt.Length > PostImage.MaxAltText) return Outcome<PostDetail>.Invalid.One("altText", $"Alt text is at most {PostImage.MaxAltText:N0} characters.");
        var count = await db.Set<PostImage>().CountAsync(i => i.PostId == postId, ct);
        if (count >= PostImage.MaxPerPost)
            return Outcome<PostDetail>.Invalid.One("file", $"A post has at most {PostImage.MaxPerPost} images; remove one to attach {Name(upload.FileName)}.");

        // Read to the limit plus one byte: enough to say "too big" without keeping a huge upload.
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await upload.Content.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > MaxBytes)
                return Outcome<PostDetail>.Invalid.One("file", $"{Name(upload.FileName)} is larger than {Megabytes(MaxBytes)}; attach a smaller image.");
        }
        if (buffer.Length == 0) return Outcome<PostDetail>.Invalid.One("file", $"{Name(upload.FileName)} is empty.");
        var type = ImageFormats.Sniff(buffer.GetBuffer().AsSpan(0, (int)Math.Min(buffer.Length, 16)));
        if (type is null) return Outcome<PostDetail>.Invalid.One("file", $"{Name(upload.FileName)} is not an image Chorus can publish; attach a {ImageFormats.Accepted} file.");

        buffer.Position = 0;
        if (await store.SaveAsync(buffer, MaxBytes, ct) is not AttachmentStore.SaveResult.Stored stored)
            return Outcome<PostDetail>.Invalid.One("file", $"{Name(upload.FileName)} is larger than {Megabytes(MaxBytes)}; attach a smaller image.");
        var fileName = CleanName(upload.FileName, type);
        var image = new PostImage { PostId = postId, Position = count, FileName = fileName, ContentType = type, Hash = stored.Hash, Size = stored.Size, AltText = alt };
        db.Add(image);
        audit.Add(actor, "post.image-added", "post", postId.ToString(), fileName);
        await TouchAsync(postId, ct);
        return await read.GetAsync(postId, ct);
    }

    public async Task<Outcome<PostDetail>> UpdateAsync(StaffActor actor, Guid postId, Guid imageId, PostImageInput input, CancellationToken ct = default)
    {
        if (await EditableAsync(actor, postId, ct) is { } refused) return refused;
        var images = await db.Set<PostImage>().Where(i => i.PostId == postId).OrderBy(i => i.Position).ToListAsync(ct);
        var image = images.FirstOrDefault(i => i.Id == imageId);
        if (image is null) return new Outcome<PostDetail>.NotFound("Image");
        if (input.AltText is { } altText)
        {
            var alt = altText.Trim();
            if (alt.Length > PostImage.MaxAltText) return Outcome<PostDetail>.Invalid.One("altText", $"Alt text is at most {PostImage.MaxAltText:N0} characters.");
            if (alt != image.AltText)
            {
                image.AltText = alt;
                // Uploaded to Mastodon with the old description by a failed attempt: upload it afresh next time.
                db.RemoveRange(await db.Set<PostImageUpload>().Where(u => u.ImageId == imageId).ToListAsync(ct));
            }
        }
        if (input.Position is { } position)
        {
            if (position < 0 || position >= images.Count) return Outcome<PostDetail>.Invalid.One("position", $"Position is 0 to {images.Count - 1}.");
            images.Remove(image);
            images.Insert(position, image);
            Renumber(images);
        }
        audit.Add(actor, "post.image-changed", "post", postId.ToString(), image.FileName);
        await TouchAsync(postId, ct);
        return await read.GetAsync(postId, ct);
    }

    public async Task<Outcome<PostDetail>> RemoveAsync(StaffActor actor, Guid postId, Guid imageId, CancellationToken ct = default)
    {
        if (await EditableAsync(actor, postId, ct) is { } refused) return refused;
        var images = await db.Set<PostImage>().Where(i => i.PostId == postId).OrderBy(i => i.Position).ToListAsync(ct);
        var image = images.FirstOrDefault(i => i.Id == imageId);
        if (image is null) return new Outcome<PostDetail>.NotFound("Image");
        db.Remove(image);
        images.Remove(image);
        Renumber(images);
        // The bytes stay: the store is shared by content, and another post may hold the same image.
        audit.Add(actor, "post.image-removed", "post", postId.ToString(), image.FileName);
        await TouchAsync(postId, ct);
        return await read.GetAsync(postId, ct);
    }

    /// An image of any post, for staff (the composer's previews).
    public async Task<PostImageFile?> OpenForStaffAsync(Guid imageId, CancellationToken ct = default) =>
        await db.Set<PostImage>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == imageId, ct) is { } image ? Open(image) : null;

    /// An image for anyone: only once its post was approved (it is then on its way out, or out, on
    /// webhooks, the newsroom and in mail); a draft's or a post in review's image is not there (404).
    public async Task<PostImageFile?> OpenPublicAsync(Guid imageId, CancellationToken ct = default)
    {
        var image = await (from i in db.Set<PostImage>().AsNoTracking()
                           join p in db.Set<Post>() on i.PostId equals p.Id
                           where i.Id == imageId && p.Status != PostStatus.Draft && p.Status != PostStatus.InReview
                           select i).SingleOrDefaultAsync(ct);
        return image is null ? null : Open(image);
    }

    /// The address an image is published at (for webhooks, the newsroom, newsletters).
    public static string PublicPath(Guid imageId) => $"/media/posts/{imageId}";

    /// The address staff preview an image at (the staff cookie).
    public static string StaffPath(Guid imageId) => $"/marketing/post-images/{imageId}";

    private PostImageFile? Open(PostImage image) =>
        store.OpenRead(image.Hash) is { } stream ? new PostImageFile(stream, image.ContentType, image.FileName) : null;

    private async Task<Outcome<PostDetail>?> EditableAsync(StaffActor actor, Guid postId, CancellationToken ct)
    {
        var post = await (from p in db.Set<Post>().AsNoTracking()
                          join c in db.Set<Campaign>() on p.CampaignId equals c.Id
                          where p.Id == postId
                          select new { p.Status, c.OwnerTeamId }).SingleOrDefaultAsync(ct);
        if (post is null) return new Outcome<PostDetail>.NotFound("Post");
        if (!ManageCampaigns.CanManage(actor, post.OwnerTeamId)) return new Outcome<PostDetail>.Forbidden("Only the campaign's team and admins change its posts.");
        if (post.Status is not (PostStatus.Draft or PostStatus.InReview))
            return new Outcome<PostDetail>.Conflict($"The post is {ManagePosts.Words(post.Status)}: withdraw it to a draft before changing its images.");
        return null;
    }

    private async Task TouchAsync(Guid postId, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        await db.Set<Post>().Where(p => p.Id == postId).ExecuteUpdateAsync(s => s.SetProperty(p => p.UpdatedAt, DateTimeOffset.UtcNow), ct);
    }

    private static void Renumber(List<PostImage> images)
    {
        for (var i = 0; i < images.Count; i++) images[i].Position = i;
    }

    private static string Name(string fileName) => string.IsNullOrWhiteSpace(fileName) ? "The file" : $"\"{Path.GetFileName(fileName)}\"";

    private static string Megabytes(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.#} MB" : $"{bytes / 1024.0:0.#} KB";

    /// A name to show and to hand to Mastodon: the upload's own, with the extension its bytes call for.
    private static string CleanName(string fileName, string type)
    {
        var stem = Path.GetFileNameWithoutExtension(Path.GetFileName(fileName ?? ""));
        stem = new string(stem.Where(c => !char.IsControl(c) && c is not ('"' or '\\' or '/')).ToArray()).Trim();
        if (stem.Length == 0) stem = "image";
        if (stem.Length > 200) stem = stem[..200];
        return stem + ImageFormats.Extension(type);
    }
}
