using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.People;

namespace Chorus.Features.Inbox;

/// A thread with the public on one channel. A support ticket is a conversation.
public class Conversation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// Human reference shown as #Number; allocated from the conversation counter.
    public long Number { get; set; }
    public Guid ChannelId { get; set; }
    public Channel? Channel { get; set; }
    public string? ExternalThreadId { get; set; }
    public string Subject { get; set; } = "";
    public ConversationStatus Status { get; set; } = ConversationStatus.New;
    public Priority Priority { get; set; } = Priority.Normal;
    public Guid? TeamId { get; set; }
    public Team? Team { get; set; }
    public string? AssigneeId { get; set; }
    public StaffUser? Assignee { get; set; }
    public Guid RequesterId { get; set; }
    public Person? Requester { get; set; }
    /// The requester's kind, copied here so the inbox's person-kind filter reads one index instead of looking up
    /// every requester. The database keeps it in step (triggers of migration RequesterKind): on insert, when the
    /// requester changes (people merges and their undo) and when a person's kind changes. Code never sets it.
    public PersonKind RequesterKind { get; set; }
    public double? Sentiment { get; set; }
    public string Preview { get; set; } = "";
    public int MessageCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset LastMessageAt { get; set; } = DateTimeOffset.UtcNow;
    /// When the requester's oldest unanswered message arrived; null when nobody waits on us.
    public DateTimeOffset? WaitingSince { get; set; }
    public DateTimeOffset? FirstReplyAt { get; set; }
    public DateTimeOffset? SolvedAt { get; set; }
    /// Set when this conversation was merged into another; it then stays closed and points there.
    public Guid? MergedIntoId { get; set; }
    /// SLA (Features/Sla), worked out whenever the conversation is saved: the policy that applies and its due times.
    public Guid? SlaPolicyId { get; set; }
    public DateTimeOffset? FirstReplyDueAt { get; set; }
    public DateTimeOffset? ResolutionDueAt { get; set; }
    /// The target still running that is due first (first reply until replied, then resolution unless paused); null when none runs.
    public DateTimeOffset? SlaDueAt { get; set; }
    /// While pending, on hold or solved, the resolution clock stops; the business minutes it stood still add to the target.
    public DateTimeOffset? SlaPausedSince { get; set; }
    public double SlaPausedMinutes { get; set; }
    /// Optimistic concurrency: bumped on every save, so a second editor gets a conflict instead of overwriting.
    public int Version { get; set; }
    public List<ConversationTag> Tags { get; set; } = [];
    public List<ConversationFollower> Followers { get; set; } = [];
    public List<Message> Messages { get; set; } = [];
}

public enum ConversationStatus { New, Open, Pending, OnHold, Solved, Closed }

public enum Priority { Low, Normal, High, Urgent }

public class ConversationTag
{
    public Guid ConversationId { get; set; }
    public string Tag { get; set; } = "";
}

public class ConversationFollower
{
    public Guid ConversationId { get; set; }
    public string StaffUserId { get; set; } = "";
}

/// One item in a conversation.
public class Message
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ConversationId { get; set; }
    public MessageKind Kind { get; set; }
    public Guid ChannelId { get; set; }
    /// The channel's id of this item: the idempotency key, unique per channel.
    public string? ExternalId { get; set; }
    public Guid? AuthorPersonId { get; set; }
    public string? AuthorStaffId { get; set; }
    public string Text { get; set; } = "";
    /// Sanitized HTML, when the item came with HTML.
    public string? Html { get; set; }
    /// How positive (up to 1) or negative (down to −1) an inbound message reads, scored at ingest
    /// (Listening.Sentiment.ScoreSentiment); null for staff messages and messages stored before scoring.
    public double? Sentiment { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

public enum MessageKind { Inbound, Reply, Note, Event }

/// An in-app notification for a staff user (an @mention, an assignment).
public class Notification
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string StaffUserId { get; set; } = "";
    public string Kind { get; set; } = "";
    public Guid ConversationId { get; set; }
    public Guid? MessageId { get; set; }
    public string Text { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? ReadAt { get; set; }
}

public static class NotificationKinds
{
    public const string Mention = "mention";
    public const string Assigned = "assigned";
}
