using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Problems;

/// A defect or cause behind many conversations (ITIL's "problem"), owned by a team such as Product &
/// Engineering Liaison: open while it is looked into, a known error once the cause is understood (usually
/// with an engineering issue to follow), solved when the fix shipped and the requesters can be told.
public class Problem
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// Human reference shown as P-Number; allocated from the "problem" counter.
    public long Number { get; set; }
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public ProblemStatus Status { get; set; } = ProblemStatus.Open;
    /// The engineering issue that tracks the fix (an http(s) address).
    public string? EngineeringUrl { get; set; }
    public Guid? TeamId { get; set; }
    public string? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? SolvedAt { get; set; }
    /// Optimistic concurrency: the API and the page send the version they saw.
    public int Version { get; set; }

    public string Reference => $"P-{Number}";
}

public enum ProblemStatus { Open, KnownError, Solved }

/// One conversation about the problem.
public class ProblemLink
{
    public Guid ProblemId { get; set; }
    public Guid ConversationId { get; set; }
    public string? LinkedById { get; set; }
    public DateTimeOffset LinkedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// The requester of a conversation was answered for this problem ("Solve and answer everyone"). Inserting
/// the row claims the answer in the reply's transaction, so a second run (or a second node, or a click
/// twice) never answers anyone twice, and unlinking then linking again does not forget it.
public class ProblemAnswer
{
    public Guid ProblemId { get; set; }
    public Guid ConversationId { get; set; }
    public Guid? MessageId { get; set; }
    public string? AnsweredById { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

public static class ProblemModel
{
    public static string ToDisplay(this ProblemStatus s) => s switch
    {
        ProblemStatus.KnownError => "known error",
        _ => s.ToString().ToLowerInvariant(),
    };

    public static void Apply(ModelBuilder b)
    {
        b.Entity<Problem>(e =>
        {
            e.ToTable("Problems");
            e.HasIndex(p => p.Number).IsUnique();
            e.HasIndex(p => new { p.Status, p.UpdatedAt });
            e.Property(p => p.Title).HasMaxLength(200);
            e.Property(p => p.Description).HasMaxLength(ManageProblems.MaxDescription);
            e.Property(p => p.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.EngineeringUrl).HasMaxLength(1000);
            e.Property(p => p.CreatedById).HasMaxLength(450);
            e.Property(p => p.Version).IsConcurrencyToken();
            e.Ignore(p => p.Reference);
            e.HasOne<Team>().WithMany().HasForeignKey(p => p.TeamId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<ProblemLink>(e =>
        {
            e.ToTable("ProblemLinks");
            e.HasKey(l => new { l.ProblemId, l.ConversationId });
            e.HasIndex(l => l.ConversationId);
            e.Property(l => l.LinkedById).HasMaxLength(450);
            e.HasOne<Problem>().WithMany().HasForeignKey(l => l.ProblemId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Conversation>().WithMany().HasForeignKey(l => l.ConversationId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ProblemAnswer>(e =>
        {
            e.ToTable("ProblemAnswers");
            e.HasKey(a => new { a.ProblemId, a.ConversationId });
            e.Property(a => a.AnsweredById).HasMaxLength(450);
            e.HasOne<Problem>().WithMany().HasForeignKey(a => a.ProblemId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Conversation>().WithMany().HasForeignKey(a => a.ConversationId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    /// Reserves the next problem number in the caller's transaction (the counter row is made on first use).
    public static async Task<long> ReserveNumberAsync(ChorusDb db, CancellationToken ct)
    {
        await db.Database.ExecuteSqlRawAsync("""INSERT INTO "Counters" ("Name", "Value") VALUES ('problem', 0) ON CONFLICT ("Name") DO NOTHING""", ct);
        return (await db.Database.SqlQuery<long>(
            $"""UPDATE "Counters" SET "Value" = "Value" + 1 WHERE "Name" = 'problem' RETURNING "Value" """).ToListAsync(ct)).Single();
    }
}
