using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.Listening.Mentions;
using Chorus.Features.People;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Engage;

/// A mention engaged: the conversation it became, and whether this call made it (false: it was engaged before).
public sealed record EngagedMention(Guid MentionId, Guid ConversationId, long Number, Guid PersonId, bool Created);

/// "Turn into conversation": the mention goes through the ingest pipeline like any inbound message, so its author
/// becomes (or is found as) a Person by their identity on the source's platform, and the conversation is threaded,
/// routed, ruled and assigned as every other. The mention's post is the conversation's first message, keyed by the
/// post's id on the source's channel, so engaging it twice (two agents, two clicks) finds the same conversation.
public sealed class EngageMention(ChorusDb db, IngestPipeline ingest, RecordAudit audit, InboxEvents events)
{
    public async Task<Outcome<EngagedMention>> RunAsync(StaffActor actor, Guid mentionId, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<EngagedMention>.Forbidden("Viewers cannot turn mentions into conversations.");
        var mention = await db.Mentions.AsNoTracking().SingleOrDefaultAsync(m => m.Id == mentionId, ct);
        if (mention is null) return new Outcome<EngagedMention>.NotFound("Mention");
        if (await ConversationOfAsync(db, mention, ct) is { } existing)
            return new EngagedMention(mention.Id, existing.Id, existing.Number, existing.RequesterId, false);

        var channel = await db.Channels.AsNoTracking().SingleAsync(c => c.Id == mention.ChannelId, ct);
        if (AuthorOf(channel.Kind, mention) is not { } author)
            return new Outcome<EngagedMention>.Conflict("This mention has no author to talk to (the post was deleted, or the source does not say who wrote it).");
        var text = string.IsNullOrWhiteSpace(mention.Text) ? mention.Title ?? "" : mention.Text;
        var envelope = new InboundEnvelope(mention.ChannelId, mention.ExternalId, mention.ExternalId, author, mention.PublishedAt,
            mention.Title ?? $"{PlatformName(channel.Kind)} post by {mention.AuthorName ?? author.Handle}", text, null);
        var result = await ingest.IngestAsync(envelope, ct);
        switch (result.Status)
        {
            case IngestStatus.Rejected:
                return new Outcome<EngagedMention>.Conflict("The mention could not become a conversation: " + result.Error);
            case IngestStatus.Blocked:
                return new Outcome<EngagedMention>.Conflict($"{author.Handle} is on the block list, so their posts do not become conversations.");
            case IngestStatus.Duplicate:
                return new EngagedMention(mention.Id, result.ConversationId, result.ConversationNumber, result.PersonId, false);
        }

        // Where it came from, for whoever picks it up.
        var c = await db.Conversations.SingleAsync(x => x.Id == result.ConversationId, ct);
        var note = Inbox.Actions.ConversationGuard.Event(c, $"{actor.Name} turned a mention on {channel.Name} into {(result.Status == IngestStatus.Created ? "this conversation" : "a message of this conversation")}."
                                                            + (mention.Url is null ? "" : $" {mention.Url}"));
        note.CreatedAt = mention.PublishedAt.AddTicks(1);
        db.Messages.Add(note);
        audit.Add(actor, "mention.engaged", "conversation", result.ConversationNumber.ToString(), $"mention {mention.ExternalId} on {channel.Name}");
        await db.SaveChangesAsync(ct);
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
        return new EngagedMention(mention.Id, result.ConversationId, result.ConversationNumber, result.PersonId, result.Status == IngestStatus.Created);
    }

    /// The conversation a mention became, if it was engaged: the one holding its post as a message.
    public static async Task<(Guid Id, long Number, Guid RequesterId)?> ConversationOfAsync(ChorusDb db, Mention mention, CancellationToken ct)
    {
        var found = await (from m in db.Messages
                           join c in db.Conversations on m.ConversationId equals c.Id
                           where m.ChannelId == mention.ChannelId && m.ExternalId == mention.ExternalId
                           select new { c.Id, c.Number, c.RequesterId }).FirstOrDefaultAsync(ct);
        return found is null ? null : (found.Id, found.Number, found.RequesterId);
    }

    /// Conversation numbers of the given mentions that were engaged, for the mention lists.
    public static async Task<Dictionary<Guid, long>> NumbersAsync(ChorusDb db, IReadOnlyCollection<Guid> mentionIds, CancellationToken ct)
    {
        if (mentionIds.Count == 0) return [];
        var rows = await (from mention in db.Mentions
                          where mentionIds.Contains(mention.Id)
                          join m in db.Messages on new { mention.ChannelId, ExternalId = (string?)mention.ExternalId } equals new { m.ChannelId, m.ExternalId }
                          join c in db.Conversations on m.ConversationId equals c.Id
                          select new { mention.Id, c.Number }).ToListAsync(ct);
        return rows.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.First().Number);
    }

    /// The author as an identity on the mention's platform: a reddit user by name (without "u/"), a Mastodon account as
    /// user@server (without the leading "@"), a Hacker News user; other sources by the name they give.
    public static InboundAuthor? AuthorOf(ChannelKind kind, Mention m)
    {
        var handle = m.AuthorHandle?.Trim();
        if (string.IsNullOrEmpty(handle)) handle = m.AuthorName?.Trim();
        if (string.IsNullOrEmpty(handle)) return null;
        var identityKind = ChannelKinds.DefaultIdentityKind(kind);
        handle = identityKind switch
        {
            IdentityKind.Reddit when handle.StartsWith("u/", StringComparison.OrdinalIgnoreCase) => handle[2..],
            IdentityKind.Reddit when handle.StartsWith("/u/", StringComparison.OrdinalIgnoreCase) => handle[3..],
            IdentityKind.Mastodon => handle.TrimStart('@'),
            IdentityKind.External => $"{m.Platform}:{handle}",
            _ => handle,
        };
        return handle.Length == 0 ? null : new InboundAuthor(identityKind, handle, m.AuthorName);
    }

    public static string PlatformName(ChannelKind kind) => kind switch
    {
        ChannelKind.Reddit => "reddit", ChannelKind.Mastodon => "Mastodon", ChannelKind.HackerNews => "Hacker News",
        ChannelKind.Rss => "Feed", _ => "Webhook",
    };
}
