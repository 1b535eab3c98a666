using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Listening.Sentiment;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.PressRoom;

public sealed record CoverageView(Guid Id, string Url, string Headline, string? Summary, string Outlet, DateOnly PublishedOn, long? Reach,
    double Sentiment, string SentimentLabel, Guid? ReleaseId, string? ReleaseTitle, Guid? JournalistId, string? JournalistName, DateTimeOffset CreatedAt);

public sealed record CoverageInput(string? Url, string? Headline, string? Outlet = null, string? PublishedOn = null, long? Reach = null,
    string? Summary = null, Guid? ReleaseId = null, Guid? JournalistId = null);

/// Articles and reach per day (periods up to 62 days) or per week starting Monday (longer ones).
public sealed record CoveragePoint(DateOnly Start, int Articles, long Reach);

public sealed record CoverageOverTime(DateOnly From, DateOnly To, string Bucket, IReadOnlyList<CoveragePoint> Points, int Articles, long Reach, double? AverageSentiment);

public sealed record VoiceShare(string Name, bool IsUs, int Articles, double Share);

public sealed record ShareOfVoice(DateOnly From, DateOnly To, IReadOnlyList<VoiceShare> Voices, int Articles);

public sealed record CompetitorView(Guid Id, string Name);

public sealed record CompetitorInput(string? Name);

/// Coverage: articles logged by hand with their outlet, date, reach and sentiment (scored from the
/// headline and summary), linked to the release that earned them and to the journalist who wrote them;
/// coverage over time and share of voice against competitors named in headlines.
public partial class ManageCoverage(ChorusDb db, RecordAudit audit)
{
    public static async Task<List<CoverageView>> ViewsAsync(ChorusDb db, IQueryable<Coverage> query, CancellationToken ct)
    {
        var rows = await (from c in query.AsNoTracking()
                          orderby c.PublishedOn descending, c.CreatedAt descending
                          select new CoverageView(c.Id, c.Url, c.Headline, c.Summary, c.Outlet, c.PublishedOn, c.Reach, c.Sentiment, "",
                              c.ReleaseId, db.Set<PressRelease>().Where(r => r.Id == c.ReleaseId).Select(r => r.Title).FirstOrDefault(),
                              c.JournalistId, db.People.Where(p => p.Id == c.JournalistId).Select(p => p.Name).FirstOrDefault(), c.CreatedAt))
            .Take(1000).ToListAsync(ct);
        return rows.Select(r => r with { SentimentLabel = Label(r.Sentiment) }).ToList();
    }

    public static string Label(double sentiment) => sentiment >= 0.05 ? "positive" : sentiment <= -0.05 ? "negative" : "neutral";

    public Task<List<CoverageView>> ListAsync(Guid? releaseId, DateOnly? from, DateOnly? to, CancellationToken ct = default) =>
        ViewsAsync(db, db.Set<Coverage>().Where(c => (releaseId == null || c.ReleaseId == releaseId)
            && (from == null || c.PublishedOn >= from) && (to == null || c.PublishedOn <= to)), ct);

    public async Task<Outcome<CoverageView>> CreateAsync(StaffActor actor, CoverageInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<CoverageView>.Forbidden("Viewers cannot log coverage.");
        var coverage = new Coverage { CreatedByName = actor.Name };
        if (await ApplyAsync(coverage, input, ct) is { } invalid) return invalid;
        db.Add(coverage);
        audit.Add(actor, "coverage.logged", "coverage", coverage.Id.ToString(), $"{coverage.Outlet}: {coverage.Headline}");
        await db.SaveChangesAsync(ct);
        return (await ViewsAsync(db, db.Set<Coverage>().Where(c => c.Id == coverage.Id), ct)).Single();
    }

    public async Task<Outcome<CoverageView>> UpdateAsync(StaffActor actor, Guid id, CoverageInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<CoverageView>.Forbidden("Viewers cannot change coverage.");
        var coverage = await db.Set<Coverage>().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (coverage is null) return new Outcome<CoverageView>.NotFound("Coverage");
        if (await ApplyAsync(coverage, input, ct) is { } invalid) return invalid;
        audit.Add(actor, "coverage.updated", "coverage", id.ToString(), $"{coverage.Outlet}: {coverage.Headline}");
        await db.SaveChangesAsync(ct);
        return (await ViewsAsync(db, db.Set<Coverage>().Where(c => c.Id == id), ct)).Single();
    }

    public async Task<Outcome<bool>> DeleteAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<bool>.Forbidden("Viewers cannot change coverage.");
        var coverage = await db.Set<Coverage>().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (coverage is null) return new Outcome<bool>.NotFound("Coverage");
        db.Remove(coverage);
        audit.Add(actor, "coverage.deleted", "coverage", id.ToString(), $"{coverage.Outlet}: {coverage.Headline}");
        await db.SaveChangesAsync(ct);
        return true;
    }

    private async Task<Outcome<CoverageView>?> ApplyAsync(Coverage c, CoverageInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var url = input.Url?.Trim() ?? "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || url.Length > 2000)
            errors["url"] = ["Give the article's address (http:// or https://, up to 2,000 characters)."];
        else if (await db.Set<Coverage>().AnyAsync(x => x.Url == url && x.Id != c.Id, ct))
            errors["url"] = ["This article is logged already."];
        var headline = input.Headline?.Trim() ?? "";
        if (headline.Length is 0 or > 300) errors["headline"] = ["Give the article's headline (up to 300 characters)."];
        if (input.Summary?.Trim().Length > 2000) errors["summary"] = ["A summary is at most 2,000 characters."];
        var published = DateOnly.FromDateTime(DateTime.UtcNow);
        if (!string.IsNullOrWhiteSpace(input.PublishedOn) && !DateOnly.TryParseExact(input.PublishedOn.Trim(), "yyyy-MM-dd", out published))
            errors["publishedOn"] = [$"\"{input.PublishedOn}\" is not a date (use 2026-12-01)."];
        else if (published > DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1))) errors["publishedOn"] = ["An article logged as coverage is already out: the date cannot be in the future."];
        if (input.Reach is < 0) errors["reach"] = ["Reach is a number of readers, 0 or more."];
        if (input.ReleaseId is { } releaseId && !await db.Set<PressRelease>().AnyAsync(r => r.Id == releaseId, ct)) errors["releaseId"] = ["That press release does not exist."];
        string? journalistOutlet = null;
        if (input.JournalistId is { } journalistId)
        {
            var journalist = await db.People.Where(p => p.Id == journalistId && p.Kind == PersonKind.Press)
                .Select(p => new { Outlet = p.Organization != null ? p.Organization.Name : null }).SingleOrDefaultAsync(ct);
            if (journalist is null) errors["journalistId"] = ["That person is not a media contact."];
            journalistOutlet = journalist?.Outlet;
        }
        // Without an outlet: the journalist's, else the site's name from the address.
        var outlet = input.Outlet?.Trim() is { Length: > 0 } o ? o : journalistOutlet ?? (uri is null ? "" : uri.Host.StartsWith("www.") ? uri.Host[4..] : uri.Host);
        if (outlet.Length > 200) errors["outlet"] = ["An outlet's name is at most 200 characters."];
        if (errors.Count > 0) return new Outcome<CoverageView>.Invalid(errors);

        c.Url = url;
        c.Headline = headline;
        c.Summary = string.IsNullOrWhiteSpace(input.Summary) ? null : input.Summary.Trim();
        c.Outlet = outlet;
        c.PublishedOn = published;
        c.Reach = input.Reach;
        c.ReleaseId = input.ReleaseId;
        c.JournalistId = input.JournalistId;
        c.Sentiment = Math.Round(ScoreSentiment.Default.Score(headline + ". " + c.Summary), 3);
        return null;
    }

    /// Articles and reach over a period, per day up to 62 days, per week (from Monday) beyond.
    public async Task<CoverageOverTime> OverTimeAsync(DateOnly from, DateOnly to, Guid? releaseId, CancellationToken ct = default)
    {
        var rows = await db.Set<Coverage>().AsNoTracking()
            .Where(c => c.PublishedOn >= from && c.PublishedOn <= to && (releaseId == null || c.ReleaseId == releaseId))
            .Select(c => new { c.PublishedOn, c.Reach, c.Sentiment }).ToListAsync(ct);
        var weekly = to.DayNumber - from.DayNumber > 62;
        DateOnly BucketOf(DateOnly d) => weekly ? d.AddDays(-(((int)d.DayOfWeek + 6) % 7)) : d;
        var points = new List<CoveragePoint>();
        for (var d = BucketOf(from); d <= to; d = d.AddDays(weekly ? 7 : 1))
        {
            var start = d;
            var inBucket = rows.Where(r => BucketOf(r.PublishedOn) == start).ToList();
            points.Add(new CoveragePoint(start, inBucket.Count, inBucket.Sum(r => r.Reach ?? 0)));
        }
        return new CoverageOverTime(from, to, weekly ? "week" : "day", points, rows.Count, rows.Sum(r => r.Reach ?? 0),
            rows.Count == 0 ? null : Math.Round(rows.Average(r => r.Sentiment), 3));
    }

    /// Each competitor's articles are the coverage whose headline or summary names it (as a word); ours
    /// are those that name no competitor, or were earned by one of our releases.
    public async Task<ShareOfVoice> ShareOfVoiceAsync(DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        var rows = await db.Set<Coverage>().AsNoTracking().Where(c => c.PublishedOn >= from && c.PublishedOn <= to)
            .Select(c => new { c.Headline, c.Summary, c.ReleaseId }).ToListAsync(ct);
        var competitors = await db.Set<Competitor>().AsNoTracking().OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(ct);
        var patterns = competitors.ToDictionary(n => n, n => new Regex(@"(?<![\p{L}\p{N}])" + Regex.Escape(n) + @"(?![\p{L}\p{N}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200)));
        var counts = competitors.ToDictionary(n => n, _ => 0);
        var ours = 0;
        foreach (var r in rows)
        {
            var text = r.Headline + " " + r.Summary;
            var named = competitors.Where(n => patterns[n].IsMatch(text)).ToList();
            foreach (var n in named) counts[n]++;
            if (named.Count == 0 || r.ReleaseId is not null) ours++;
        }
        var total = ours + counts.Values.Sum();
        double Share(int n) => total == 0 ? 0 : Math.Round((double)n / total, 4);
        var voices = new List<VoiceShare> { new("Us", true, ours, Share(ours)) };
        voices.AddRange(competitors.Select(n => new VoiceShare(n, false, counts[n], Share(counts[n]))));
        return new ShareOfVoice(from, to, voices, rows.Count);
    }

    public Task<List<CompetitorView>> CompetitorsAsync(CancellationToken ct = default) =>
        db.Set<Competitor>().AsNoTracking().OrderBy(c => c.Name).Select(c => new CompetitorView(c.Id, c.Name)).ToListAsync(ct);

    public async Task<Outcome<CompetitorView>> AddCompetitorAsync(StaffActor actor, CompetitorInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<CompetitorView>.Forbidden("Viewers cannot change competitors.");
        var name = input.Name?.Trim() ?? "";
        if (name.Length is < 2 or > 100) return Outcome<CompetitorView>.Invalid.One("name", "A competitor's name is 2 to 100 characters.");
        var lower = name.ToLower();
        if (await db.Set<Competitor>().AnyAsync(c => c.Name.ToLower() == lower, ct)) return Outcome<CompetitorView>.Invalid.One("name", $"{name} is on the list already.");
        var c = new Competitor { Name = name };
        db.Add(c);
        audit.Add(actor, "competitor.added", "competitor", c.Id.ToString(), name);
        await db.SaveChangesAsync(ct);
        return new CompetitorView(c.Id, c.Name);
    }

    public async Task<Outcome<bool>> RemoveCompetitorAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<bool>.Forbidden("Viewers cannot change competitors.");
        var c = await db.Set<Competitor>().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (c is null) return new Outcome<bool>.NotFound("Competitor");
        db.Remove(c);
        audit.Add(actor, "competitor.removed", "competitor", id.ToString(), c.Name);
        await db.SaveChangesAsync(ct);
        return true;
    }
}
