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
    IReadOnlyList<InboundAttachment>? Attachments = null);

/// A file that came with an inbound message, already in the attachment store (or dropped, with the
/// reason). Its id is chosen before ingest so the HTML body can point at it.
public sealed record InboundAttachment(Guid Id, string FileName, string ContentType, long Size, string? ContentHash, string? ContentId, string? DroppedReason);

public sealed record InboundAuthor(IdentityKind Kind, string Handle, string? Name);

public enum IngestStatus { Created, Appended, Duplicate, Rejected }

/// What became of one envelope: a new conversation, a message appended to one, a duplicate of an
/// earlier delivery (pointing at what that delivery created), or a rejection with the reason.
public sealed record IngestResult(IngestStatus Status, Guid ConversationId, long ConversationNumber, Guid MessageId, Guid PersonId, string? Error = null)
{
    public static IngestResult Rejected(string error) => new(IngestStatus.Rejected, Guid.Empty, 0, Guid.Empty, Guid.Empty, error);
}
