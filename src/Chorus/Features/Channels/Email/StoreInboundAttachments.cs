using System.Text.RegularExpressions;
using Chorus.Features.Inbox.Attachments;
using Chorus.Features.Inbox.Ingest;
using MimeKit;

namespace Chorus.Features.Channels.Email;

/// Puts the files of an inbound e-mail into the attachment store: every part that is not the text or
/// HTML body (attachments, inline images, calendar invitations, forwarded messages). A file over the
/// per-file limit, or one that would take the message past the per-message limit, is not stored; it
/// is kept as a row that says which file was dropped and why, and the message itself is filed.
/// Inline images the HTML body refers to as cid:… are pointed at their attachment's address.
/// A blocked sender's files are listed but never stored (their message is filed as a blocked message).
public partial class StoreInboundAttachments(AttachmentStore store)
{
    public sealed record Result(IReadOnlyList<InboundAttachment> Attachments, string? Html);

    public async Task<Result> RunAsync(MimeMessage mime, string? html, bool senderBlocked = false, CancellationToken ct = default)
    {
        var attachments = new List<InboundAttachment>();
        long total = 0;
        var n = 0;
        foreach (var entity in mime.BodyParts)
        {
            if (entity is TextPart { IsAttachment: false } text && (text.IsPlain || text.IsHtml)) continue; // the body
            if (entity is not (MimePart or MessagePart)) continue;
            n++;
            var type = entity.ContentType.MimeType.ToLowerInvariant();
            var name = AttachmentTypes.CleanFileName(entity is MimePart p ? p.FileName : entity.ContentType.Name, DefaultName(entity, n, type));
            var contentId = string.IsNullOrWhiteSpace(entity.ContentId) ? null : Cap(entity.ContentId.Trim('<', '>', ' '), 255);

            if (senderBlocked)
            {
                attachments.Add(new InboundAttachment(Guid.CreateVersion7(), name, Cap(type, 100)!, 0, null, contentId, Community.Blocking.KeepBlockedFilesOut.NotStored));
                continue;
            }
            using var content = new MemoryStream();
            if (entity is MimePart part) { if (part.Content is not null) await part.Content.DecodeToAsync(content, ct); }
            else if (((MessagePart)entity).Message is { } attached) await attached.WriteToAsync(content, ct);
            content.Position = 0;

            var id = Guid.CreateVersion7();
            string? dropped = null;
            string? hash = null;
            var size = content.Length;
            if (size > store.MaxFileBytes)
                dropped = $"Not stored: {AttachmentTypes.Size(size)} is over the limit of {AttachmentTypes.Size(store.MaxFileBytes)} per file.";
            else if (total + size > store.MaxTotalBytes)
                dropped = $"Not stored: the message's files would exceed the limit of {AttachmentTypes.Size(store.MaxTotalBytes)} per message.";
            else if (await store.SaveAsync(content, store.MaxFileBytes, ct) is AttachmentStore.SaveResult.Stored stored)
            {
                hash = stored.Hash;
                total += size;
            }
            attachments.Add(new InboundAttachment(id, name, Cap(type, 100)!, size, hash, contentId, dropped));
        }
        return new Result(attachments, html is null ? null : PointInlineImages(html, attachments));
    }

    /// cid:part@x → /attachments/{id} for stored inline parts; any other cid: stays (and is then
    /// removed with the image by the sanitizer: nothing is fetched from anywhere else).
    public static string PointInlineImages(string html, IReadOnlyList<InboundAttachment> attachments)
    {
        var byCid = attachments.Where(a => a.ContentId is not null && a.ContentHash is not null)
            .GroupBy(a => a.ContentId!, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.OrdinalIgnoreCase);
        if (byCid.Count == 0) return html;
        return CidSource().Replace(html, m =>
        {
            var cid = Uri.UnescapeDataString(m.Groups["cid"].Value).Trim('<', '>');
            return byCid.TryGetValue(cid, out var id) ? $"{m.Groups["pre"].Value}{ReadAttachments.StaffUrl(id)}{m.Groups["q"].Value}" : m.Value;
        });
    }

    private static string DefaultName(MimeEntity entity, int n, string type)
    {
        if (entity is MessagePart) return $"forwarded-message-{n}.eml";
        var ext = MimeTypes.TryGetExtension(type, out var e) ? e : "";
        return $"attachment-{n}{ext}";
    }

    private static string? Cap(string? s, int max) => s is null ? null : s.Length > max ? s[..max] : s;

    [GeneratedRegex(@"(?<pre>\bsrc\s*=\s*(?<q>[""']?))cid:(?<cid>[^""'\s>]+)\k<q>", RegexOptions.IgnoreCase)]
    private static partial Regex CidSource();
}
