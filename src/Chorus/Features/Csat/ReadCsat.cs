using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Csat;

/// Satisfied: rated 4 or 5. Score: the share of satisfied ratings, the usual CSAT figure.
public sealed record CsatFigures(int Surveys, int Rated, double? AverageRating, double? Score);

public sealed record CsatRow(string? Id, string Name, CsatFigures Figures);

public sealed record CsatComment(long Number, int Rating, string Comment, string? TeamName, string? AgentName, DateTimeOffset RatedAt);

public sealed record CsatReport(DateTimeOffset Since, CsatFigures Overall, IReadOnlyList<CsatRow> Teams, IReadOnlyList<CsatRow> Agents, IReadOnlyList<CsatComment> Comments);

/// Satisfaction results per team and per agent (who was assigned when the conversation was solved), for
/// the staff page and /api/v1/csat. A viewer of a private team's results must be able to see that team.
public sealed class ReadCsat(ChorusDb db)
{
    public async Task<CsatReport> RunAsync(StaffActor actor, DateTimeOffset? since, CancellationToken ct = default)
    {
        var from = since ?? DateTimeOffset.UtcNow.AddDays(-30);
        var hidden = actor.HiddenTeamIds.ToList();
        var rows = await db.Set<CsatSurvey>().AsNoTracking()
            .Where(s => s.SolvedAt >= from && (s.TeamId == null || !hidden.Contains(s.TeamId.Value)))
            .Select(s => new { s.TeamId, s.AssigneeId, s.Rating, s.Comment, s.RatedAt, s.ConversationId }).ToListAsync(ct);
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var agentIds = rows.Where(r => r.AssigneeId != null).Select(r => r.AssigneeId!).Distinct().ToList();
        var agents = await db.Users.AsNoTracking().Where(u => agentIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);

        static CsatFigures Figures(IEnumerable<int?> ratings)
        {
            var all = ratings.ToList();
            var rated = all.Where(r => r is not null).Select(r => r!.Value).ToList();
            return new CsatFigures(all.Count, rated.Count, rated.Count == 0 ? null : Math.Round(rated.Average(), 2),
                rated.Count == 0 ? null : Math.Round(100.0 * rated.Count(r => r >= 4) / rated.Count, 1));
        }
        var byTeam = rows.GroupBy(r => r.TeamId)
            .Select(g => new CsatRow(g.Key?.ToString(), g.Key is { } t ? teams.GetValueOrDefault(t, "A removed team") : "No team", Figures(g.Select(r => r.Rating))))
            .OrderByDescending(r => r.Figures.Rated).ThenBy(r => r.Name).ToList();
        var byAgent = rows.GroupBy(r => r.AssigneeId)
            .Select(g => new CsatRow(g.Key, g.Key is { } a ? agents.GetValueOrDefault(a, "A former colleague") : "Unassigned", Figures(g.Select(r => r.Rating))))
            .OrderByDescending(r => r.Figures.Rated).ThenBy(r => r.Name).ToList();
        var commented = rows.Where(r => r.Comment != null && r.Rating != null).OrderByDescending(r => r.RatedAt).Take(20).ToList();
        var ids = commented.Select(r => r.ConversationId).ToList();
        var numbers = await db.Conversations.AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Number, ct);
        var comments = commented.Select(r => new CsatComment(numbers.GetValueOrDefault(r.ConversationId), r.Rating!.Value, r.Comment!,
            r.TeamId is { } t ? teams.GetValueOrDefault(t) : null, r.AssigneeId is { } a ? agents.GetValueOrDefault(a) : null, r.RatedAt!.Value)).ToList();
        return new CsatReport(from, Figures(rows.Select(r => r.Rating)), byTeam, byAgent, comments);
    }
}
