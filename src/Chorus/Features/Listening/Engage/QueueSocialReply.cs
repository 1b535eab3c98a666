using System.Text.Json;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Engage;

/// What a public reply on reddit or Mastodon carries through the outbox: the post answered (reddit fullname, or the
/// Mastodon status URI, resolved to the source's own id when sent) and the text as it will read there.
/// Platform "mastodon-status": a reply to a campaign post's reply, sent from the publishing account, InReplyTo already the instance's status id.
public sealed record SocialReplyPayload(string Platform, string InReplyTo, string Text)
{
    public const string MastodonStatus = "mastodon-status";
}

/// A reply written in a conversation that came from a reddit or Mastodon mention leaves as a public reply to that post,
/// through the outbox, saved with the reply in the caller's unit of work (so it is queued once, or not at all).
/// A conversation that a reply to a campaign's Mastodon post started is answered from the account that published the post.
/// Hacker News, feeds and webhooks have no API to answer through: such a reply is refused with the reason.
public sealed class QueueSocialReply(ChorusDb db)
{
    public const int RedditMaxLength = 10_000;
    public const int MastodonMaxLength = 500;

    /// Ok(true) when queued; Ok(false) when the conversation is not from a listening source (not ours to send).
    public async Task<Outcome<bool>> AddAsync(Conversation conversation, Message reply, CancellationToken ct = default)
    {
        var channel = await db.Channels.AsNoTracking().Where(c => c.Id == conversation.ChannelId).Select(c => new { c.Kind, c.Name }).SingleAsync(ct);
        if (channel.Kind is not (ChannelKind.Reddit or ChannelKind.Mastodon or ChannelKind.HackerNews or ChannelKind.Rss or ChannelKind.Webhook)) return false;
        if (channel.Kind is not (ChannelKind.Reddit or ChannelKind.Mastodon))
            return new Outcome<bool>.Conflict($"{EngageMention.PlatformName(channel.Kind)} has no API to answer through, so this reply cannot be posted from Chorus. "
                                              + "Answer on the site and keep a record here as an internal note.");
        // Replies to campaign posts arrive on a channel that shares its id with the publishing channel (see PollPostEngagement).
        var publishing = channel.Kind == ChannelKind.Mastodon && !await db.Sources.AnyAsync(s => s.ChannelId == conversation.ChannelId, ct)
                         && await db.Set<Campaigns.PublishingChannel>().AnyAsync(p => p.Id == conversation.ChannelId, ct);
        if (!publishing && !await db.ReplyAccounts.AnyAsync(a => a.ChannelId == conversation.ChannelId, ct))
            return new Outcome<bool>.Conflict($"{channel.Name} has no account to reply with. An admin sets one under Admin → Sources → {channel.Name} → Reply account.");
        var target = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.Kind == MessageKind.Inbound && m.ExternalId != null)
            .OrderByDescending(m => m.CreatedAt).Select(m => m.ExternalId).FirstOrDefaultAsync(ct);
        if (target is null) return new Outcome<bool>.Conflict($"#{conversation.Number} has no post to answer.");

        var text = reply.Text.Trim();
        if (channel.Kind == ChannelKind.Mastodon)
        {
            // Mastodon posts are plain text, and a reply names whom it answers so they are notified.
            text = HtmlCleaner.ToText(reply.Html ?? reply.Text).Trim();
            var acct = await db.Identities.AsNoTracking().Where(i => i.PersonId == conversation.RequesterId && i.Kind == IdentityKind.Mastodon)
                .OrderBy(i => i.CreatedAt).Select(i => i.Handle).FirstOrDefaultAsync(ct);
            if (acct is not null && !text.Contains("@" + acct, StringComparison.OrdinalIgnoreCase)) text = $"@{acct} {text}";
            if (text.Length > MastodonMaxLength)
                return new Outcome<bool>.Conflict($"A Mastodon reply is at most {MastodonMaxLength} characters with the @mention; this one is {text.Length}.");
        }
        else if (text.Length > RedditMaxLength)
            return new Outcome<bool>.Conflict($"A reddit comment is at most {RedditMaxLength:N0} characters; this one is {text.Length:N0}.");

        db.Outbox.Add(new OutboxItem
        {
            ChannelId = conversation.ChannelId, ConversationId = conversation.Id, MessageId = reply.Id, Purpose = OutboxPurpose.Reply,
            IdempotencyKey = "social-reply:" + reply.Id,
            Payload = JsonSerializer.Serialize(new SocialReplyPayload(
                channel.Kind == ChannelKind.Reddit ? "reddit" : publishing ? SocialReplyPayload.MastodonStatus : "mastodon", target, text)),
            CreatedAt = reply.CreatedAt, NextAttemptAt = reply.CreatedAt,
        });
        return true;
    }
}
