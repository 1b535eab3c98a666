using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Reports;

// Reports read these maintained aggregates, never the messages: one row per UTC day and (team, channel),
// kept current in the same transaction as the change they count (see CountForReports). A conversation
// without a team counts under Guid.Empty, so the key has no nulls and upserts find their row.

/// Per day, team and channel: what came in, what was solved, and how the backlog moved. Each change counts
/// under the team that had the conversation when it happened (created by Support, moved to Legal: Support's
/// creation, Legal's backlog from the move).
public class ReportDay
{
    public DateOnly Day { get; set; }
    public Guid TeamId { get; set; }
    public Guid ChannelId { get; set; }
    /// Conversations created.
    public int Created { get; set; }
    /// Conversations solved (status became Solved).
    public int Solved { get; set; }
    /// Solved or closed conversations that came back (a new message, an agent reopening).
    public int Reopened { get; set; }
    /// Conversations that entered the unsolved set of this team and channel (created, reopened, moved in)...
    public int BacklogIn { get; set; }
    /// ...and that left it (solved, closed, merged, moved out). The backlog at the end of a day is the sum of In − Out up to it.
    public int BacklogOut { get; set; }
    /// Conversations that got their first public reply.
    public int FirstReplies { get; set; }
    /// SLA targets measured when they stopped (first reply given, conversation solved): met by their due time, or missed.
    public int FirstReplySlaMet { get; set; }
    public int FirstReplySlaMissed { get; set; }
    public int ResolutionSlaMet { get; set; }
    public int ResolutionSlaMissed { get; set; }
    /// Satisfaction ratings of the conversations solved on this day: how many, how many 4 or 5, and their sum (for the average).
    public int CsatRated { get; set; }
    public int CsatSatisfied { get; set; }
    public int CsatRatingSum { get; set; }
    /// Web-form visitors answered by a suggested article (team and channel Guid.Empty: a deflection has neither).
    public int Deflections { get; set; }
}

/// A histogram of how long something took, per day, team and channel: <see cref="Count"/> conversations
/// fell into <see cref="Bucket"/> (see <see cref="LatencyBuckets"/>). Medians and p90 are read from it.
public class ReportLatency
{
    public DateOnly Day { get; set; }
    public Guid TeamId { get; set; }
    public Guid ChannelId { get; set; }
    public LatencyKind Kind { get; set; }
    public int Bucket { get; set; }
    public int Count { get; set; }
}

public enum LatencyKind { FirstReply, Resolution }

/// What one staff user did on one day.
public class ReportAgentDay
{
    public DateOnly Day { get; set; }
    public string StaffUserId { get; set; } = "";
    public int Replies { get; set; }
    public int Notes { get; set; }
    /// Conversations that became solved while assigned to them.
    public int Solved { get; set; }
}

/// Conversations carrying a tag, by the day the conversation was created (tags added later count on that day).
public class ReportTagDay
{
    public DateOnly Day { get; set; }
    public string Tag { get; set; } = "";
    public int Conversations { get; set; }
}

public static class ReportsModel
{
    public static void ConfigureReports(this ModelBuilder b)
    {
        b.Entity<ReportDay>(e => e.ToTable("ReportDays").HasKey(r => new { r.Day, r.TeamId, r.ChannelId }));
        b.Entity<ReportLatency>(e => e.ToTable("ReportLatencies").HasKey(r => new { r.Day, r.TeamId, r.ChannelId, r.Kind, r.Bucket }));
        b.Entity<ReportAgentDay>(e =>
        {
            e.ToTable("ReportAgentDays").HasKey(r => new { r.Day, r.StaffUserId });
            e.Property(r => r.StaffUserId).HasMaxLength(450);
        });
        b.Entity<ReportTagDay>(e =>
        {
            e.ToTable("ReportTagDays").HasKey(r => new { r.Day, r.Tag });
            e.Property(r => r.Tag).HasMaxLength(50);
        });
    }
}

/// Log-scaled time buckets from a minute to a year: each bucket's upper bound is 1.25× the previous one,
/// so a median or p90 read from a histogram is within 12 % of the exact figure, whatever the scale.
public static class LatencyBuckets
{
    private const double Factor = 1.25;
    public static readonly int Count = (int)Math.Ceiling(Math.Log(525_600) / Math.Log(Factor)) + 1; // up to a year

    /// The bucket of a duration: 0 holds everything up to one minute.
    public static int Of(TimeSpan duration)
    {
        var minutes = Math.Max(duration.TotalMinutes, 0);
        if (minutes <= 1) return 0;
        return Math.Min((int)Math.Ceiling(Math.Log(minutes) / Math.Log(Factor)), Count - 1);
    }

    /// Upper bound of a bucket, in minutes.
    public static double UpperMinutes(int bucket) => Math.Pow(Factor, bucket);

    /// The <paramref name="quantile"/> (0.5 = median) of a histogram, in minutes, interpolated inside its bucket
    /// on the log scale; null when the histogram is empty.
    public static double? Quantile(IReadOnlyDictionary<int, int> histogram, double quantile)
    {
        var total = histogram.Values.Sum();
        if (total == 0) return null;
        var rank = quantile * total;
        var seen = 0;
        foreach (var (bucket, count) in histogram.Where(h => h.Value > 0).OrderBy(h => h.Key))
        {
            if (seen + count >= rank)
            {
                var within = count == 0 ? 1 : (rank - seen) / count;
                var low = bucket == 0 ? 0 : Math.Log(UpperMinutes(bucket - 1));
                var high = Math.Log(UpperMinutes(bucket));
                return bucket == 0 ? within : Math.Exp(low + (high - low) * within);
            }
            seen += count;
        }
        return UpperMinutes(histogram.Keys.Max());
    }
}
