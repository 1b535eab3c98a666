using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.HelpCenter;

public enum DeflectionResult { Counted, AlreadyCounted, UnknownArticle }

public sealed record DeflectionCount(Guid ArticleId, string Title, string Slug, int Deflections);

public sealed record DeflectionReport(DateTimeOffset? Since, int Total, IReadOnlyList<DeflectionCount> Articles);

/// A deflection: a web-form visitor read a suggested article and said it answered their question, so no
/// conversation was needed. One per visit (the form's request id), whichever article and however often
/// they click; withdrawn if the visitor sends the form after all.
public sealed class RecordDeflection(ChorusDb db)
{
    public async Task<DeflectionResult> RunAsync(Guid visitId, string articleSlug, CancellationToken ct = default)
    {
        var articleId = await db.Set<HelpArticle>().Where(a => a.Slug == articleSlug && a.Status == ArticleStatus.Published && !a.Internal)
            .Select(a => (Guid?)a.Id).SingleOrDefaultAsync(ct);
        if (articleId is null || visitId == Guid.Empty) return DeflectionResult.UnknownArticle;
        if (await db.Set<HelpDeflection>().AnyAsync(d => d.VisitId == visitId, ct)) return DeflectionResult.AlreadyCounted;
        db.Add(new HelpDeflection { VisitId = visitId, ArticleId = articleId.Value });
        try
        {
            await db.SaveChangesAsync(ct);
            return DeflectionResult.Counted;
        }
        catch (DbUpdateException)
        {
            // The same visit clicked twice at once: the unique index kept one.
            return DeflectionResult.AlreadyCounted;
        }
    }

    /// The visitor sent the form after all: their question was not answered.
    public async Task<int> WithdrawAsync(Guid visitId, CancellationToken ct = default)
    {
        // Removed through the change tracker, so the reports' deflection count goes down with it.
        var deflections = await db.Set<HelpDeflection>().Where(d => d.VisitId == visitId).ToListAsync(ct);
        if (deflections.Count == 0) return 0;
        db.RemoveRange(deflections);
        try { return await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { return 0; } // withdrawn at the same moment by another request
    }

    public async Task<DeflectionReport> ReportAsync(DateTimeOffset? since, CancellationToken ct = default)
    {
        var q = db.Set<HelpDeflection>().AsNoTracking();
        if (since is { } s) q = q.Where(d => d.At >= s);
        var counts = await q.GroupBy(d => d.ArticleId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var ids = counts.Select(c => c.Key).ToList();
        var articles = await db.Set<HelpArticle>().AsNoTracking().Where(a => ids.Contains(a.Id)).Select(a => new { a.Id, a.Title, a.Slug }).ToDictionaryAsync(a => a.Id, ct);
        var rows = counts.Where(c => articles.ContainsKey(c.Key))
            .Select(c => new DeflectionCount(c.Key, articles[c.Key].Title, articles[c.Key].Slug, c.Count))
            .OrderByDescending(r => r.Deflections).ThenBy(r => r.Title).ToList();
        return new DeflectionReport(since, rows.Sum(r => r.Deflections), rows);
    }
}
