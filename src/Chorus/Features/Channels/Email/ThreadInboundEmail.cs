using System.Text.RegularExpressions;
using Chorus.Data;
using Chorus.Features.Inbox;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Chorus.Features.Channels.Email;

/// Finds the conversation an incoming e-mail belongs to, before it enters the ingest pipeline, and
/// returns that conversation's thread id (null: a new thread, keyed by the message's own id).
/// In order: In-Reply-To/References naming a message we stored → the reply token in a recipient
/// address → the same subject (without Re:/Fwd:) from the same requester within a week.
public partial class ThreadInboundEmail(ChorusDb db)
{
    public static readonly TimeSpan SubjectWindow = TimeSpan.FromDays(7);

    /// <paramref name="tokens"/>: the mailbox's address and reply-token key (null when importing into a
    /// channel without a mailbox, which never handed out tokens).
    public async Task<string?> RunAsync(Guid channelId, ReplyTokenKey? tokens, MimeMessage mime, InboundEmail.File email, CancellationToken ct = default)
        => await ByReferencesAsync(channelId, mime, ct)
           ?? (tokens is null ? null : await ByReplyTokenAsync(channelId, tokens, mime, ct))
           ?? await BySubjectAsync(channelId, email, ct);

    /// Message-IDs this message answers, nearest first: In-Reply-To, then References from the newest back.
    public static List<string> ReferencedIds(MimeMessage mime)
    {
        var ids = new List<string>();
        if (!string.IsNullOrWhiteSpace(mime.InReplyTo)) ids.Add(mime.InReplyTo.Trim());
        ids.AddRange(mime.References.Reverse());
        return ids.Where(i => i.Length <= 500).Distinct().Take(50).ToList();
    }

    private async Task<string?> ByReferencesAsync(Guid channelId, MimeMessage mime, CancellationToken ct)
    {
        var ids = ReferencedIds(mime);
        if (ids.Count == 0) return null;
        var found = await (from m in db.Messages
                           join c in db.Conversations on m.ConversationId equals c.Id
                           where m.ChannelId == channelId && ids.Contains(m.ExternalId!)
                           select new { m.ExternalId, c.ExternalThreadId }).ToListAsync(ct);
        return ids.Select(id => found.FirstOrDefault(f => f.ExternalId == id)?.ExternalThreadId).FirstOrDefault(t => t is not null);
    }

    private async Task<string?> ByReplyTokenAsync(Guid channelId, ReplyTokenKey tokens, MimeMessage mime, CancellationToken ct)
    {
        // Delivered-To / X-Original-To carry the address when we were only in Bcc.
        var recipients = mime.To.Mailboxes.Concat(mime.Cc.Mailboxes).Select(a => a.Address)
            .Concat(mime.Headers.Where(h => h.Field.Equals("Delivered-To", StringComparison.OrdinalIgnoreCase) || h.Field.Equals("X-Original-To", StringComparison.OrdinalIgnoreCase))
                .Select(h => h.Value.Trim().Trim('<', '>')));
        foreach (var recipient in recipients)
        {
            if (ReplyTokens.NumberIn(tokens.Address, recipient, tokens.Key) is not { } number) continue;
            var thread = await db.Conversations.Where(c => c.Number == number && c.ChannelId == channelId)
                .Select(c => c.ExternalThreadId).FirstOrDefaultAsync(ct);
            if (thread is not null) return thread;
        }
        return null;
    }

    private async Task<string?> BySubjectAsync(Guid channelId, InboundEmail.File email, CancellationToken ct)
    {
        var subject = NormalizeSubject(email.Subject);
        if (subject.Length == 0) return null;
        var handle = Identity.Normalize(IdentityKind.Email, email.From);
        var since = email.At - SubjectWindow;
        var candidates = await (from c in db.Conversations
                                join i in db.Identities on c.RequesterId equals i.PersonId
                                where i.Kind == IdentityKind.Email && i.Handle == handle && c.ChannelId == channelId
                                      && c.MergedIntoId == null && c.Status != ConversationStatus.Closed && c.LastMessageAt >= since
                                select new { c.Subject, c.ExternalThreadId, c.LastMessageAt }).ToListAsync(ct);
        return candidates.Where(c => NormalizeSubject(c.Subject) == subject)
            .OrderByDescending(c => c.LastMessageAt).Select(c => c.ExternalThreadId).FirstOrDefault();
    }

    /// "Re: AW: Fwd: [#42] Late order" → "[#42] late order": reply and forward prefixes in common languages removed.
    public static string NormalizeSubject(string? subject)
    {
        if (string.IsNullOrWhiteSpace(subject)) return "";
        var s = ReplyPrefix().Replace(subject.Trim(), "");
        return string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
    }

    [GeneratedRegex(@"^(\s*(re|fwd?|aw|wg|sv|vs|antw|ref|tr|rv|r)\s*(\[\d+\])?\s*:)+\s*", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyPrefix();
}
