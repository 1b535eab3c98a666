using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Channels.Outbox;

/// One message waiting to leave (or that left) on a channel. Written in the same transaction as the
/// action that causes it, so a reply is never stored without being queued, nor queued without being stored.
/// An item is about one conversation, except mail to a forum member (a sign-up confirmation), which
/// belongs to no conversation. A reply carries its conversation message (its delivery state shows on
/// that message); mail that is not a conversation message (a web-form confirmation, a colleague's
/// notification) has no MessageId and says what it is in <see cref="Purpose"/>.
public class OutboxItem
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ChannelId { get; set; }
    public Guid? ConversationId { get; set; }
    /// The conversation message this item delivers; null for mail that is not a message of the thread.
    public Guid? MessageId { get; set; }
    public OutboxPurpose Purpose { get; set; } = OutboxPurpose.Reply;
    /// Unique per item and identical on every attempt (for e-mail: the Message-ID), so a receiver can
    /// recognise a repeated delivery.
    public string IdempotencyKey { get; set; } = "";
    /// What is sent, rendered when the reply was written (for e-mail: the whole MIME message).
    public string Payload { get; set; } = "";
    public DeliveryStatus Status { get; set; } = DeliveryStatus.Queued;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; } = DateTimeOffset.UtcNow;
    /// While Sending: until when this node owns the item. A node that crashed mid-send loses it then.
    public DateTimeOffset? LockedUntil { get; set; }
    /// When this attempt's message started going to the server (its recipient was accepted). An item
    /// found Sending after a crash with this set may have been delivered, so it is not sent again
    /// without a person deciding; without it, nothing reached the server and it is sent again.
    public DateTimeOffset? HandedOffAt { get; set; }
    public string? LastError { get; set; }
    /// What the receiving side reported without failing the delivery, e.g. "delayed: reason" from a
    /// delay notice (the server is still trying). The newest report wins.
    public string? Note { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? SentAt { get; set; }
}

public enum DeliveryStatus { Queued, Sending, Sent, Failed }

public enum OutboxPurpose
{
    /// A public reply (or the first message of an outreach) to the requester.
    Reply,
    /// The confirmation a web-form requester gets, with their reference and private link.
    Confirmation,
    /// An e-mail to a colleague (an @mention, an assignment): staff only, never to the requester.
    StaffNotification,
    /// An outbound webhook call made by a rule (Payload: the address and JSON body).
    Webhook,
    /// An e-mail to a forum member (sign-up confirmation): about no conversation.
    MemberEmail,
    /// The satisfaction survey a requester gets when their conversation is solved (Features/Csat).
    SatisfactionSurvey,
    /// A campaign's e-mail newsletter to one person (Features/Newsletter): about no conversation until they reply.
    Newsletter,
}

internal sealed class OutboxItemConfiguration : IEntityTypeConfiguration<OutboxItem>
{
    public void Configure(EntityTypeBuilder<OutboxItem> e)
    {
        e.ToTable("Outbox");
        e.HasIndex(o => o.IdempotencyKey).IsUnique();
        e.HasIndex(o => o.MessageId).IsUnique();
        e.HasIndex(o => new { o.Status, o.NextAttemptAt });
        e.HasIndex(o => o.ConversationId);
        e.HasOne<Message>().WithMany().HasForeignKey(o => o.MessageId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Conversation>().WithMany().HasForeignKey(o => o.ConversationId).OnDelete(DeleteBehavior.Cascade);
        e.Property(o => o.Purpose).HasConversion<string>().HasMaxLength(20);
        e.HasOne<Channel>().WithMany().HasForeignKey(o => o.ChannelId).OnDelete(DeleteBehavior.Restrict);
        e.Property(o => o.IdempotencyKey).HasMaxLength(500);
        e.Property(o => o.Status).HasConversion<string>().HasMaxLength(20);
        e.Property(o => o.LastError).HasMaxLength(1000);
        e.Property(o => o.Note).HasMaxLength(1000);
    }
}
