using System.Globalization;
using System.Text;
using Chorus.Common;

namespace Chorus.Features.CampaignReports;

/// Campaign reports: per campaign reach, engagement, clicks, conversions, follower growth, coverage over
/// time and share of voice (Reports → Campaigns; JSON and CSV under /api/v1/reports/campaigns).
public static class CampaignReportsFeature
{
    public static IServiceCollection AddCampaignReports(this IServiceCollection services) => services.AddScoped<ReadCampaignReport>();

    public static void MapCampaignReportsApi(this RouteGroupBuilder api)
    {
        var reports = api.MapGroup("/reports/campaigns").WithTags("Reports");
        reports.MapGet("/{id:guid}", async (Guid id, string? from, string? to, ReadCampaignReport read, HttpContext http) =>
                await RunAsync(id, from, to, read, http, v => TypedResults.Ok(v)))
            .WithSummary("A campaign's reach, engagement, clicks (robots apart), conversions, follower growth, coverage over time and share of voice; " +
                         "the charts cover from–to (yyyy-MM-dd, default the campaign's dates)");
        reports.MapGet("/{id:guid}/csv", async (Guid id, string? from, string? to, string? table, ReadCampaignReport read, HttpContext http) =>
                await CsvAsync(id, from, to, table, read, http))
            .WithSummary("The same as CSV: one row per post (table=posts, the default) or per day or week of the period (table=periods)");
    }

    /// The page's CSV links: the same files as the API's, for a signed-in browser.
    public static void MapCampaignReportDownloads(this IEndpointRouteBuilder app) =>
        app.MapGet("/reports/campaigns/{id:guid}/csv", async (Guid id, string? from, string? to, string? table, ReadCampaignReport read, HttpContext http) =>
                await CsvAsync(id, from, to, table, read, http))
            .RequireAuthorization(Policies.Staff).ExcludeFromDescription();

    private static Task<IResult> CsvAsync(Guid id, string? from, string? to, string? table, ReadCampaignReport read, HttpContext http) =>
        (table ?? "posts") switch
        {
            "posts" => RunAsync(id, from, to, read, http, PostsCsv),
            "periods" => RunAsync(id, from, to, read, http, PeriodsCsv),
            _ => Task.FromResult<IResult>(ApiResults.Invalid("table", "table: posts or periods.")),
        };

    private static async Task<IResult> RunAsync(Guid id, string? from, string? to, ReadCampaignReport read, HttpContext http, Func<CampaignReport, IResult> ok)
    {
        if (!Day(from, out var f)) return ApiResults.Invalid("from", "from: a date as yyyy-MM-dd.");
        if (!Day(to, out var t)) return ApiResults.Invalid("to", "to: a date as yyyy-MM-dd.");
        return ApiResults.From(await read.RunAsync(id, f, t, http.RequestAborted), ok);
    }

    private static bool Day(string? text, out DateOnly? day)
    {
        day = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return false;
        day = d;
        return true;
    }

    public static IResult PostsCsv(CampaignReport r)
    {
        var csv = new StringBuilder("post,published_at,channels,reach,replies,boosts,favourites,engagement,clicks,robot_clicks,conversations,people\n");
        foreach (var p in r.Posts)
            csv.AppendLine(string.Join(',', Cell(p.Title), p.PublishedAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "",
                Cell(string.Join("; ", p.Channels)), p.Reach, p.Replies, p.Boosts, p.Favourites, p.Replies + p.Boosts + p.Favourites, p.Clicks, p.RobotClicks,
                p.Conversations, p.People));
        return File(r, "posts", csv);
    }

    public static IResult PeriodsCsv(CampaignReport r)
    {
        var csv = new StringBuilder("start,end,posts_published,reach,engagement,conversations,clicks,robot_clicks,coverage_articles,coverage_reach");
        foreach (var f in r.Followers) csv.Append(',').Append(Cell("followers " + f.ChannelName));
        csv.Append('\n');
        foreach (var p in r.Periods)
        {
            var coverage = r.Coverage.Points.FirstOrDefault(c => c.Start == p.Start);
            csv.Append(string.Join(',', p.Start.ToString("yyyy-MM-dd"), p.End.ToString("yyyy-MM-dd"), p.PostsPublished, p.Reach, p.Engagement, p.Conversations,
                p.Clicks, p.RobotClicks, coverage?.Articles ?? 0, coverage?.Reach ?? 0));
            // Followers at the end of the period (the last count known by then).
            foreach (var f in r.Followers) csv.Append(',').Append(f.Points.LastOrDefault(x => x.Day <= p.End)?.Followers?.ToString(CultureInfo.InvariantCulture) ?? "");
            csv.Append('\n');
        }
        return File(r, "periods", csv);
    }

    private static IResult File(CampaignReport r, string table, StringBuilder csv)
    {
        var slug = new string(r.Name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"chorus-campaign-{(slug.Length > 0 ? slug : "report")}-{table}.csv");
    }

    /// A CSV cell: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is defused so a spreadsheet never runs it.
    private static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
