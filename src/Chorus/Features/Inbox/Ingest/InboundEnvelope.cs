using Chorus.Common;
using Chorus.Features.People;

namespace Chorus.Features.Inbox.Ingest;

/// What every channel adapter turns its input into. (ChannelId, ExternalId) is the idempotency key.
public sealed record InboundEnvelope(
    Guid ChannelId,
    string ExternalId,
    string? ExternalThreadId,
    InboundAuthor Author,
    DateTimeOffset At,
    string? Subject,
    string? Text,
    string? Html,
    IReadOnlyList<InboundAttachment>? Attachments = null,
    /// The team that owns a new conversation when it is not the channel's default (a reply to a campaign's post: the campaign's team).
    Guid? TeamId = null);

/// A file that came with an inbound message, already in the attachment store (or dropped, with the
/// reason). Its id is chosen before ingest so the HTML body can point at it.
public sealed record InboundAttachment(Guid Id, string FileName, string ContentType, long Size, string? ContentHash, string? ContentId, string? DroppedReason);

public sealed record InboundAuthor(IdentityKind Kind, string Handle, string? Name);

public enum IngestStatus { Created, Appended, Duplicate, Rejected, Blocked }

/// What became of one envelope: a new conversation, a message appended to one, a duplicate of an
/// earlier delivery (pointing at what that delivery created), a rejection with the reason, or — from a
/// blocked person — kept as a blocked message (MessageId is the BlockedMessage; no conversation).
public sealed record IngestResult(IngestStatus Status, Guid ConversationId, long ConversationNumber, Guid MessageId, Guid PersonId, string? Error = null)
{
    public static IngestResult Rejected(string error) => new(IngestStatus.Rejected, Guid.Empty, 0, Guid.Empty, Guid.Empty, error);
}

/// The store could not be reached — a database restarting, a network cut — which is no fault of the
/// envelopes: nothing was written, and the caller keeps them and tries again (the API answers 503 with
/// Retry-After, a mailbox poll fails and is retried from its checkpoint).
public sealed class StoreUnavailableException(Exception cause)
    : Exception("The database cannot be reached right now: " + cause.GetBaseException().Message, cause)
{
    /// Whether a failure means the store is unreachable (rather than that it refused this write).
    public static bool Describes(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is StoreUnavailableException or System.Net.Sockets.SocketException or TimeoutException
                || x is System.Data.Common.DbException { IsTransient: true })
                return true;
        return false;
    }
}

/// What ingest reads from an envelope before storing it: its plain text and that text's sentiment. Pure
/// CPU work, so it is done before the writer's turn (by the request that delivered the envelope, or on
/// every core for a bulk import), never while the one writer waits.
public readonly record struct EnvelopeText(string Text, double Sentiment)
{
    public static EnvelopeText Of(InboundEnvelope e)
    {
        var text = string.IsNullOrWhiteSpace(e.Text) ? HtmlCleaner.ToText(e.Html!) : e.Text!.Trim();
        return new EnvelopeText(text, Listening.Sentiment.ScoreSentiment.Default.Score(text));
    }
}
