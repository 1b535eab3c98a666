using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Reports;

public enum ReportInterval { Day, Week }

/// What a report covers: [From, To] as UTC days, optionally one team and one channel.
public sealed record ReportQuery(DateOnly From, DateOnly To, ReportInterval Interval = ReportInterval.Week, Guid? TeamId = null, Guid? ChannelId = null)
{
    public const int MaxDays = 731;

    /// The last twelve weeks up to today, by week.
    public static ReportQuery Default(DateTimeOffset now) =>
        new(CountForReports.DayOf(now).AddDays(-83), CountForReports.DayOf(now), ReportInterval.Week);
}

/// SLA targets that stopped in a period, met or missed; <see cref="Percent"/> met (null when none stopped).
public sealed record SlaAttainment(int Met, int Missed)
{
    public double? Percent => Met + Missed == 0 ? null : Math.Round(100.0 * Met / (Met + Missed), 1);
}

/// Ratings of the conversations solved in a period: how many, the share rated 4 or 5 (the CSAT score) and the average.
public sealed record CsatResult(int Rated, int Satisfied, int RatingSum)
{
    public double? Score => Rated == 0 ? null : Math.Round(100.0 * Satisfied / Rated, 1);
    public double? Average => Rated == 0 ? null : Math.Round((double)RatingSum / Rated, 2);
}

/// One period of the backlog story: what came in, what went out, where the backlog stood at its end,
/// how fast first replies and resolutions were (median and p90, minutes; null without any), how many
/// SLA targets were met, how satisfied requesters were, and how many web-form visitors an article answered.
public sealed record ReportPeriod(
    DateOnly Start, DateOnly End, int Created, int Solved, int Reopened, int Backlog, int FirstReplies,
    double? FirstReplyMedianMinutes, double? FirstReplyP90Minutes, double? ResolutionMedianMinutes, double? ResolutionP90Minutes,
    SlaAttainment FirstReplySla, SlaAttainment ResolutionSla, CsatResult Csat, int Deflections);

public sealed record ChannelVolume(Guid ChannelId, string Channel, int Created);

public sealed record TagVolume(string Tag, int Conversations);

public sealed record AgentActivity(string StaffUserId, string Name, int Replies, int Notes, int Solved);

public sealed record ReportOverview(
    ReportQuery Query, IReadOnlyList<ReportPeriod> Periods, int BacklogAtStart, int Created, int Solved,
    double? FirstReplyMedianMinutes, double? FirstReplyP90Minutes, double? ResolutionMedianMinutes, double? ResolutionP90Minutes,
    SlaAttainment FirstReplySla, SlaAttainment ResolutionSla, CsatResult Csat, int Deflections,
    IReadOnlyList<ChannelVolume> Channels, IReadOnlyList<TagVolume> Tags, IReadOnlyList<AgentActivity> Agents);

/// Reads reports from the maintained aggregates (a few rows per day, never the messages). Private teams'
/// figures are left out for staff who may not see them, like their conversations.
public sealed class ReadReports(ChorusDb db)
{
    public async Task<Outcome<ReportOverview>> OverviewAsync(StaffActor actor, ReportQuery q, CancellationToken ct = default)
    {
        if (q.To < q.From) return Outcome<ReportOverview>.Invalid.One("to", "The report ends before it starts.");
        if (q.To.DayNumber - q.From.DayNumber >= ReportQuery.MaxDays) return Outcome<ReportOverview>.Invalid.One("from", $"A report covers at most {ReportQuery.MaxDays} days.");
        if (q.TeamId is { } team && !actor.CanSeeTeam(team)) return new Outcome<ReportOverview>.NotFound("Team");

        var hidden = actor.HiddenTeamIds.ToList();
        var days = db.Set<ReportDay>().AsNoTracking().Where(r => !hidden.Contains(r.TeamId));
        var latencies = db.Set<ReportLatency>().AsNoTracking().Where(r => !hidden.Contains(r.TeamId));
        if (q.TeamId is { } t) { days = days.Where(r => r.TeamId == t); latencies = latencies.Where(r => r.TeamId == t); }
        if (q.ChannelId is { } c) { days = days.Where(r => r.ChannelId == c); latencies = latencies.Where(r => r.ChannelId == c); }

        await using var snapshot = await db.BeginSnapshotAsync(ct); // every chart of the page as of one moment
        var backlogAtStart = await days.Where(r => r.Day < q.From).SumAsync(r => r.BacklogIn - r.BacklogOut, ct);
        var inRange = await days.Where(r => r.Day >= q.From && r.Day <= q.To)
            .GroupBy(r => new { r.Day, r.ChannelId })
            .Select(g => new
            {
                g.Key.Day, g.Key.ChannelId, Created = g.Sum(r => r.Created), Solved = g.Sum(r => r.Solved), Reopened = g.Sum(r => r.Reopened),
                Net = g.Sum(r => r.BacklogIn - r.BacklogOut), FirstReplies = g.Sum(r => r.FirstReplies),
                FirstMet = g.Sum(r => r.FirstReplySlaMet), FirstMissed = g.Sum(r => r.FirstReplySlaMissed),
                ResolutionMet = g.Sum(r => r.ResolutionSlaMet), ResolutionMissed = g.Sum(r => r.ResolutionSlaMissed),
                Rated = g.Sum(r => r.CsatRated), Satisfied = g.Sum(r => r.CsatSatisfied), RatingSum = g.Sum(r => r.CsatRatingSum),
                Deflections = g.Sum(r => r.Deflections),
            }).ToListAsync(ct);
        var histograms = await latencies.Where(r => r.Day >= q.From && r.Day <= q.To)
            .GroupBy(r => new { r.Day, r.Kind, r.Bucket }).Select(g => new { g.Key.Day, g.Key.Kind, g.Key.Bucket, Count = g.Sum(r => r.Count) }).ToListAsync(ct);

        var periods = new List<ReportPeriod>();
        var backlog = backlogAtStart;
        foreach (var (start, end) in Periods(q))
        {
            var rows = inRange.Where(r => r.Day >= start && r.Day <= end).ToList();
            backlog += rows.Sum(r => r.Net);
            var first = Histogram(histograms.Where(h => h.Kind == LatencyKind.FirstReply && h.Day >= start && h.Day <= end).Select(h => (h.Bucket, h.Count)));
            var resolution = Histogram(histograms.Where(h => h.Kind == LatencyKind.Resolution && h.Day >= start && h.Day <= end).Select(h => (h.Bucket, h.Count)));
            periods.Add(new ReportPeriod(start, end, rows.Sum(r => r.Created), rows.Sum(r => r.Solved), rows.Sum(r => r.Reopened), backlog, rows.Sum(r => r.FirstReplies),
                Round(LatencyBuckets.Quantile(first, 0.5)), Round(LatencyBuckets.Quantile(first, 0.9)),
                Round(LatencyBuckets.Quantile(resolution, 0.5)), Round(LatencyBuckets.Quantile(resolution, 0.9)),
                new SlaAttainment(rows.Sum(r => r.FirstMet), rows.Sum(r => r.FirstMissed)), new SlaAttainment(rows.Sum(r => r.ResolutionMet), rows.Sum(r => r.ResolutionMissed)),
                new CsatResult(rows.Sum(r => r.Rated), rows.Sum(r => r.Satisfied), rows.Sum(r => r.RatingSum)), rows.Sum(r => r.Deflections)));
        }
        var allFirst = Histogram(histograms.Where(h => h.Kind == LatencyKind.FirstReply).Select(h => (h.Bucket, h.Count)));
        var allResolution = Histogram(histograms.Where(h => h.Kind == LatencyKind.Resolution).Select(h => (h.Bucket, h.Count)));

        var channelNames = await db.Channels.AsNoTracking().Select(x => new { x.Id, x.Name }).ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        var channels = inRange.GroupBy(r => r.ChannelId)
            .Select(g => new ChannelVolume(g.Key, channelNames.GetValueOrDefault(g.Key, "A deleted channel"), g.Sum(r => r.Created)))
            .Where(v => v.Created > 0).OrderByDescending(v => v.Created).ThenBy(v => v.Channel).ToList();

        // Tags and agents are not kept per team: with a team or channel chosen they are left out rather than shown for everyone.
        var narrowed = q.TeamId is not null || q.ChannelId is not null || hidden.Count > 0;
        var tags = narrowed ? [] : await db.Set<ReportTagDay>().AsNoTracking().Where(r => r.Day >= q.From && r.Day <= q.To)
            .GroupBy(r => r.Tag).Select(g => new { Tag = g.Key, Conversations = g.Sum(r => r.Conversations) })
            .Where(v => v.Conversations > 0).OrderByDescending(v => v.Conversations).ThenBy(v => v.Tag).Take(15)
            .Select(v => new TagVolume(v.Tag, v.Conversations)).ToListAsync(ct);
        var agents = narrowed ? [] : await (from a in db.Set<ReportAgentDay>().AsNoTracking()
                                            where a.Day >= q.From && a.Day <= q.To
                                            group a by a.StaffUserId into g
                                            select new { Id = g.Key, Replies = g.Sum(r => r.Replies), Notes = g.Sum(r => r.Notes), Solved = g.Sum(r => r.Solved) }).ToListAsync(ct);
        var agentIds = agents.Select(a => a.Id).ToList();
        var names = await db.Users.AsNoTracking().Where(u => agentIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var activity = agents.Select(a => new AgentActivity(a.Id, names.GetValueOrDefault(a.Id, "A former colleague"), a.Replies, a.Notes, a.Solved))
            .OrderByDescending(a => a.Replies + a.Solved).ThenBy(a => a.Name).ToList();

        return new Outcome<ReportOverview>.Ok(new ReportOverview(q, periods, backlogAtStart, periods.Sum(p => p.Created), periods.Sum(p => p.Solved),
            Round(LatencyBuckets.Quantile(allFirst, 0.5)), Round(LatencyBuckets.Quantile(allFirst, 0.9)),
            Round(LatencyBuckets.Quantile(allResolution, 0.5)), Round(LatencyBuckets.Quantile(allResolution, 0.9)),
            new SlaAttainment(periods.Sum(p => p.FirstReplySla.Met), periods.Sum(p => p.FirstReplySla.Missed)),
            new SlaAttainment(periods.Sum(p => p.ResolutionSla.Met), periods.Sum(p => p.ResolutionSla.Missed)),
            new CsatResult(periods.Sum(p => p.Csat.Rated), periods.Sum(p => p.Csat.Satisfied), periods.Sum(p => p.Csat.RatingSum)), periods.Sum(p => p.Deflections),
            channels, tags, activity));
    }

    /// The periods of a report: days, or weeks starting on Monday (the first and last may be partial).
    public static IEnumerable<(DateOnly Start, DateOnly End)> Periods(ReportQuery q)
    {
        var start = q.From;
        while (start <= q.To)
        {
            var end = q.Interval == ReportInterval.Day ? start : start.AddDays((7 - ((int)start.DayOfWeek + 6) % 7) - 1);
            if (end > q.To) end = q.To;
            yield return (start, end);
            start = end.AddDays(1);
        }
    }

    private static Dictionary<int, int> Histogram(IEnumerable<(int Bucket, int Count)> rows) =>
        rows.GroupBy(r => r.Bucket).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));

    private static double? Round(double? minutes) => minutes is { } m ? Math.Round(m, 1) : null;
}
