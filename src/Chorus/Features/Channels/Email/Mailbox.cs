using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Channels.Email;

/// The settings and read position of an e-mail channel: where to read (IMAP), where to send (SMTP)
/// and which address customers write to. One per channel of kind Email; the key is the channel's id.
public class Mailbox
{
    public Guid ChannelId { get; set; }
    public string Address { get; set; } = "";

    public string ImapHost { get; set; } = "";
    public int ImapPort { get; set; } = 993;
    public MailSecurity ImapSecurity { get; set; } = MailSecurity.SslOnConnect;
    public string ImapUser { get; set; } = "";
    /// Protected with ASP.NET Data Protection (<see cref="MailboxSecrets"/>); never leaves the server.
    public string? ImapPasswordProtected { get; set; }
    public string ImapFolder { get; set; } = "INBOX";

    public string SmtpHost { get; set; } = "";
    public int SmtpPort { get; set; } = 587;
    public MailSecurity SmtpSecurity { get; set; } = MailSecurity.StartTls;
    /// Empty when the SMTP server accepts mail from us without signing in (a local relay).
    public string SmtpUser { get; set; } = "";
    public string? SmtpPasswordProtected { get; set; }

    /// What happens to a message in the IMAP folder once it is ingested.
    public ProcessedAction ProcessedAction { get; set; } = ProcessedAction.MarkSeen;
    /// Destination folder when <see cref="ProcessedAction"/> is Move.
    public string? ProcessedFolder { get; set; }
    public int PollIntervalSeconds { get; set; } = 60;
    /// Key of the reply tokens in plus-addresses (protected), so a token cannot be forged.
    public string ReplyTokenKeyProtected { get; set; } = "";

    // Read position: messages with a UID above LastUid in a folder with this UIDVALIDITY are new.
    public long? UidValidity { get; set; }
    public long LastUid { get; set; }
    public DateTimeOffset? LastPolledAt { get; set; }
    /// Why the last poll failed; null after a successful one.
    public string? LastError { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }
    public int ConsecutiveFailures { get; set; }
    /// Which node polls the mailbox, and until when (renewed while it works): two nodes never read
    /// the same mailbox at once.
    public string? PollLeaseOwner { get; set; }
    public DateTimeOffset? PollLeaseUntil { get; set; }
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}

public enum MailSecurity { None, StartTls, SslOnConnect }

public enum ProcessedAction { MarkSeen, Move }

/// A message the poller did not turn into a conversation message, and why (for the admin to see).
public class InboundEmailRejection
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ChannelId { get; set; }
    public long? Uid { get; set; }
    public string? MessageId { get; set; }
    public string? From { get; set; }
    public string? Subject { get; set; }
    public string Reason { get; set; } = "";
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class MailboxConfiguration : IEntityTypeConfiguration<Mailbox>
{
    public void Configure(EntityTypeBuilder<Mailbox> e)
    {
        e.HasKey(m => m.ChannelId);
        e.HasOne<Channel>().WithOne().HasForeignKey<Mailbox>(m => m.ChannelId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(m => m.Address).IsUnique();
        e.Property(m => m.Address).HasMaxLength(320);
        e.Property(m => m.ImapHost).HasMaxLength(255);
        e.Property(m => m.ImapUser).HasMaxLength(320);
        e.Property(m => m.ImapFolder).HasMaxLength(255);
        e.Property(m => m.SmtpHost).HasMaxLength(255);
        e.Property(m => m.SmtpUser).HasMaxLength(320);
        e.Property(m => m.ProcessedFolder).HasMaxLength(255);
        e.Property(m => m.ImapSecurity).HasConversion<string>().HasMaxLength(20);
        e.Property(m => m.SmtpSecurity).HasConversion<string>().HasMaxLength(20);
        e.Property(m => m.ProcessedAction).HasConversion<string>().HasMaxLength(20);
        e.Property(m => m.LastError).HasMaxLength(1000);
        e.Property(m => m.PollLeaseOwner).HasMaxLength(100);
    }
}

internal sealed class InboundEmailRejectionConfiguration : IEntityTypeConfiguration<InboundEmailRejection>
{
    public void Configure(EntityTypeBuilder<InboundEmailRejection> e)
    {
        e.HasIndex(r => new { r.ChannelId, r.At });
        e.HasOne<Channel>().WithMany().HasForeignKey(r => r.ChannelId).OnDelete(DeleteBehavior.Cascade);
        e.Property(r => r.MessageId).HasMaxLength(500);
        e.Property(r => r.From).HasMaxLength(320);
        e.Property(r => r.Subject).HasMaxLength(500);
        e.Property(r => r.Reason).HasMaxLength(1000);
    }
}
