using System.Globalization;
using System.Text;
using Chorus.Common;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Features.Reports;

public static class ReportsFeature
{
    public static IServiceCollection AddReports(this IServiceCollection services) =>
        services.AddScoped<ReadReports>().AddScoped<RebuildReports>();

    public static void MapReportsApi(this RouteGroupBuilder api)
    {
        var reports = api.MapGroup("/reports").WithTags("Reports");
        reports.MapGet("/overview", async ([AsParameters] ReportParameters p, ReadReports read, HttpContext http) =>
                p.ToQuery() is { } q ? ApiResults.From(await read.OverviewAsync(await http.ActorAsync(), q, http.RequestAborted), v => TypedResults.Ok(v)) : p.Invalid())
            .WithSummary("The backlog story: per day or week, conversations created, solved, reopened, the backlog at the end, first-reply and resolution times (median, p90), SLA attainment, CSAT, deflections; volume by channel and tag; agent activity");
        reports.MapGet("/overview.csv", async ([AsParameters] ReportParameters p, ReadReports read, HttpContext http) =>
                p.ToQuery() is { } q ? ApiResults.From(await read.OverviewAsync(await http.ActorAsync(), q, http.RequestAborted), v => Csv(v)) : p.Invalid())
            .WithSummary("The same periods as CSV, one row per day or week");
        reports.MapPost("/rebuild", async (RebuildReports rebuild, HttpContext http) => TypedResults.Ok(await rebuild.RunAsync(http.RequestAborted)))
            .RequireAuthorization(Policies.Admin)
            .WithSummary("Recount the report aggregates from the stored conversations (admins; also `chorus reports rebuild`)");
    }

    /// The page's CSV link: the same file as the API's, for a signed-in browser.
    public static void MapReportDownloads(this IEndpointRouteBuilder app) =>
        app.MapGet("/reports/overview.csv", async ([AsParameters] ReportParameters p, ReadReports read, HttpContext http) =>
                p.ToQuery() is { } q ? ApiResults.From(await read.OverviewAsync(await http.ActorAsync(), q, http.RequestAborted), v => Csv(v)) : p.Invalid())
            .RequireAuthorization(Policies.Staff).ExcludeFromDescription();

    public static IResult Csv(ReportOverview report)
    {
        var csv = new StringBuilder("start,end,created,solved,reopened,backlog,first_replies,first_reply_median_minutes,first_reply_p90_minutes,resolution_median_minutes,resolution_p90_minutes," +
                                    "first_reply_sla_met,first_reply_sla_missed,resolution_sla_met,resolution_sla_missed,csat_rated,csat_satisfied,csat_average,deflections\n");
        foreach (var p in report.Periods)
            csv.AppendLine(string.Join(',', p.Start.ToString("yyyy-MM-dd"), p.End.ToString("yyyy-MM-dd"), p.Created, p.Solved, p.Reopened, p.Backlog, p.FirstReplies,
                N(p.FirstReplyMedianMinutes), N(p.FirstReplyP90Minutes), N(p.ResolutionMedianMinutes), N(p.ResolutionP90Minutes),
                p.FirstReplySla.Met, p.FirstReplySla.Missed, p.ResolutionSla.Met, p.ResolutionSla.Missed, p.Csat.Rated, p.Csat.Satisfied, N(p.Csat.Average), p.Deflections));
        var name = $"chorus-report-{report.Query.From:yyyy-MM-dd}-{report.Query.To:yyyy-MM-dd}.csv";
        return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", name);
    }

    private static string N(double? v) => v?.ToString("0.##", CultureInfo.InvariantCulture) ?? "";
}

/// Query string of a report: from and to as yyyy-MM-dd (default: the last twelve weeks), interval day or week.
public sealed class ReportParameters
{
    public string? From { get; set; }
    public string? To { get; set; }
    public string? Interval { get; set; }
    public Guid? TeamId { get; set; }
    public Guid? ChannelId { get; set; }

    private string? _error;

    public ReportQuery? ToQuery()
    {
        var fallback = ReportQuery.Default(DateTimeOffset.UtcNow);
        if (!Day(From, fallback.From, out var from)) { _error = "from: a date as yyyy-MM-dd."; return null; }
        if (!Day(To, fallback.To, out var to)) { _error = "to: a date as yyyy-MM-dd."; return null; }
        if (!Enum.TryParse<ReportInterval>(Interval ?? "week", true, out var interval) || !Enum.IsDefined(interval)) { _error = "interval: day or week."; return null; }
        return new ReportQuery(from, to, interval, TeamId, ChannelId);
    }

    public IResult Invalid() => ApiResults.Invalid("query", _error ?? "Invalid report query.");

    private static bool Day(string? text, DateOnly fallback, out DateOnly day)
    {
        day = fallback;
        return string.IsNullOrWhiteSpace(text) || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}
