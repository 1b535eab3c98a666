using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Csat;

/// The satisfaction survey of one solve of a conversation: sent when it was solved (by e-mail for e-mail
/// and web-form conversations, and on the requester's page), rated 1–5 with an optional comment. A
/// conversation reopened and solved again gets a new survey; rating again updates the same one.
public class CsatSurvey
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ConversationId { get; set; }
    /// The solve this survey asks about: the conversation's SolvedAt at the time.
    public DateTimeOffset SolvedAt { get; set; }
    /// Who answered the conversation, as it was solved: results are per team and agent.
    public Guid? TeamId { get; set; }
    public string? AssigneeId { get; set; }
    public int? Rating { get; set; }
    public string? Comment { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? RatedAt { get; set; }
    /// Whether the survey e-mail was queued (false: no mailbox or no address; the requester's page still asks).
    public bool Emailed { get; set; }
}

public static class CsatModel
{
    public static void ConfigureCsat(this ModelBuilder b) => b.Entity<CsatSurvey>(e =>
    {
        e.ToTable("CsatSurveys");
        e.HasIndex(s => new { s.ConversationId, s.SolvedAt }).IsUnique();
        e.HasIndex(s => s.RatedAt);
        e.Property(s => s.AssigneeId).HasMaxLength(450);
        e.Property(s => s.Comment).HasMaxLength(2000);
        e.HasOne<Conversation>().WithMany().HasForeignKey(s => s.ConversationId).OnDelete(DeleteBehavior.Cascade);
    });
}
