using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Campaigns;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Notifications;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Chorus.Features.Newsletter;

/// Sends a post as an e-mail newsletter: one mail to each person of the channel's list who has an
/// e-mail address and has not unsubscribed, queued in the outbox from the channel's mailbox. Each
/// mail's Message-ID (the outbox's unique key) is made from the delivery and the person, so a retried
/// publish, a node that takes over, or two nodes at once queue each person's mail exactly once.
/// Every mail carries a one-click unsubscribe (RFC 8058); a reply lands in the mailbox as a
/// conversation with that person.
public sealed class SendNewsletter(IServiceScopeFactory scopes, HtmlCleaner html, PublicUrls urls, UnsubscribeTokens tokens, ILogger<SendNewsletter> log)
{
    private const int Batch = 200;

    public async Task<PublishResult> RunAsync(PublishingChannel channel, Post post, PostDelivery delivery, string text, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var mailbox = await (from m in db.Mailboxes.AsNoTracking() join c in db.Channels on m.ChannelId equals c.Id
                             where m.ChannelId == channel.MailboxId select new { Mailbox = m, c.Name, c.Enabled }).SingleOrDefaultAsync(ct);
        if (mailbox is null) return new PublishResult.Failed($"{channel.Name} has no mailbox to send from; an admin chooses one.");
        if (!mailbox.Enabled) return new PublishResult.Failed($"The mailbox {mailbox.Name} is switched off; an admin switches it on, then retry.");
        if (channel.PersonListId is not { } listId || !await db.Set<PersonList>().AnyAsync(l => l.Id == listId, ct))
            return new PublishResult.Failed($"{channel.Name} has no list of people to send to; an admin chooses one.");

        var members = await db.Set<PersonListMember>().Where(m => m.ListId == listId).Select(m => m.PersonId).ToListAsync(ct);
        var optedOut = new HashSet<Guid>();
        var recipients = new List<(Guid Id, string Name, string Email)>();
        foreach (var chunk in members.Chunk(500))
        {
            optedOut.UnionWith(await db.Set<NewsletterOptOut>().Where(o => chunk.Contains(o.PersonId)).Select(o => o.PersonId).ToListAsync(ct));
            var people = await db.People.AsNoTracking().Where(p => chunk.Contains(p.Id) && p.MergedIntoId == null)
                .Select(p => new { p.Id, p.Name, Email = p.Identities.Where(i => i.Kind == IdentityKind.Email).OrderBy(i => i.CreatedAt).Select(i => i.Handle).FirstOrDefault() })
                .ToListAsync(ct);
            recipients.AddRange(people.Where(p => p.Email is not null && !optedOut.Contains(p.Id)).Select(p => (p.Id, p.Name, p.Email!)));
        }

        var domain = OutgoingEmail.Domain(mailbox.Mailbox);
        // Images are linked from the public image route (not inline): one copy served, however many people read it.
        var images = (await ReadPosts.ImagesAsync(db, post.Id, ct)).Select(i => (Url: urls.To(ManagePostImages.PublicPath(i.Id)), i.AltText)).ToList();
        var body = html.MarkdownToHtml(text) + string.Concat(images.Select(i =>
            $"""<p><img src="{OutgoingEmail.Encode(i.Url)}" alt="{OutgoingEmail.Encode(i.AltText)}" style="max-width:100%;height:auto"></p>"""));
        text += string.Concat(images.Select(i => $"\n\n[Image{(i.AltText.Length > 0 ? ": " + i.AltText : "")}] {i.Url}"));
        var queued = 0;
        foreach (var chunk in recipients.Chunk(Batch))
        {
            ct.ThrowIfCancellationRequested();
            var keys = chunk.ToDictionary(r => MessageId(delivery.Id, r.Id, domain));
            var already = (await db.Outbox.Where(o => keys.Keys.Contains(o.IdempotencyKey)).Select(o => o.IdempotencyKey).ToListAsync(ct)).ToHashSet();
            var fresh = keys.Where(k => !already.Contains(k.Key)).ToList();
            foreach (var (key, r) in fresh) OutgoingEmail.Queue(db, mailbox.Mailbox, null, OutboxPurpose.Newsletter, Compose(mailbox.Mailbox, mailbox.Name, post.Title, text, body, r, key, channel.Id));
            try
            {
                await db.SaveChangesAsync(ct);
                queued += fresh.Count;
            }
            catch (DbUpdateException e)
            {
                // Another node queued some of these meanwhile: the unique Message-ID kept them single. Queue the rest one by one.
                log.LogInformation("Newsletter {Delivery}: a batch met mail queued elsewhere ({Error}); queueing one by one", delivery.Id, e.GetBaseException().Message);
                db.ChangeTracker.Clear();
                foreach (var (key, r) in fresh)
                {
                    OutgoingEmail.Queue(db, mailbox.Mailbox, null, OutboxPurpose.Newsletter, Compose(mailbox.Mailbox, mailbox.Name, post.Title, text, body, r, key, channel.Id));
                    try { await db.SaveChangesAsync(ct); queued++; }
                    catch (DbUpdateException) { }
                    db.ChangeTracker.Clear();
                }
            }
        }
        var skipped = members.Count - recipients.Count;
        log.LogInformation("Newsletter {Post} on {Channel}: {Queued} queued, {Recipients} recipients, {Skipped} skipped", post.Id, channel.Name, queued, recipients.Count, skipped);
        return new PublishResult.Published(null, null, $"Sent to {recipients.Count:N0} {(recipients.Count == 1 ? "person" : "people")}"
            + (skipped == 0 ? "." : $"; skipped {skipped:N0} (unsubscribed {optedOut.Count:N0}, the rest without an e-mail address or merged)."));
    }

    /// The same for every attempt: the outbox's unique key, and what a reply's In-Reply-To names.
    public static string MessageId(Guid deliveryId, Guid personId, string domain) => $"{MessageIdPrefix(deliveryId)}{personId:N}@{domain}";

    /// What the Message-IDs of one delivery's mails start with.
    public static string MessageIdPrefix(Guid deliveryId) => $"newsletter.{deliveryId:N}.";

    private MimeMessage Compose(Mailbox mailbox, string fromName, string subject, string text, string body, (Guid Id, string Name, string Email) to, string messageId, Guid channelId)
    {
        var unsubscribe = urls.To("/newsletter/unsubscribe/" + tokens.For(to.Id, channelId));
        var footer = $"You get this because you are on our list. Unsubscribe with one click: {unsubscribe}";
        var mime = OutgoingEmail.Compose(mailbox, fromName, to.Name, to.Email, TextLimits.Cut(subject, 500), $"{text}\n\n--\n{footer}",
            $"""{body}<hr><p style="color:#666;font-size:small">You get this because you are on our list. <a href="{OutgoingEmail.Encode(unsubscribe)}">Unsubscribe</a> with one click.</p>""",
            messageId);
        // RFC 2369 and RFC 8058: mail programs show an unsubscribe button that posts to the link without opening it.
        mime.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
        mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        mime.Headers.Add("Precedence", "bulk");
        return mime;
    }
}
