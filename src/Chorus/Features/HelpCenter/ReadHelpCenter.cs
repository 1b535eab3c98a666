using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.HelpCenter;

public sealed record PublicArticleLink(string Title, string Slug, string? Excerpt);

public sealed record PublicCategory(string Name, string Slug, string? Description, IReadOnlyList<PublicArticleLink> Articles);

public sealed record PublicArticle(Guid Id, string Title, string Slug, string Html, string CategoryName, string CategorySlug, DateTimeOffset UpdatedAt,
    IReadOnlyList<PublicArticleLink> Related);

/// What the public help center shows: published, non-internal articles only, whoever asks.
public sealed class ReadHelpCenter(ChorusDb db, SearchArticles search)
{
    private IQueryable<HelpArticle> Public => db.Set<HelpArticle>().AsNoTracking().Where(a => a.Status == ArticleStatus.Published && !a.Internal);

    /// Categories that have public articles, each with its articles (titles only).
    public async Task<List<PublicCategory>> CategoriesAsync(CancellationToken ct = default)
    {
        var categories = await db.Set<HelpCategory>().AsNoTracking().OrderBy(c => c.Position).ThenBy(c => c.Name).ToListAsync(ct);
        var articles = await Public.OrderBy(a => a.Title).Select(a => new { a.CategoryId, a.Title, a.Slug }).ToListAsync(ct);
        return categories.Select(c => new PublicCategory(c.Name, c.Slug, c.Description,
                articles.Where(a => a.CategoryId == c.Id).Select(a => new PublicArticleLink(a.Title, a.Slug, null)).ToList()))
            .Where(c => c.Articles.Count > 0).ToList();
    }

    public async Task<PublicCategory?> CategoryAsync(string slug, CancellationToken ct = default)
    {
        var category = await db.Set<HelpCategory>().AsNoTracking().SingleOrDefaultAsync(c => c.Slug == slug, ct);
        if (category is null) return null;
        var articles = await Public.Where(a => a.CategoryId == category.Id).OrderBy(a => a.Title).Select(a => new { a.Title, a.Slug, a.Text }).ToListAsync(ct);
        return new PublicCategory(category.Name, category.Slug, category.Description,
            articles.Select(a => new PublicArticleLink(a.Title, a.Slug, Common.TextLimits.Preview(a.Text))).ToList());
    }

    public async Task<PublicArticle?> ArticleAsync(string slug, CancellationToken ct = default)
    {
        var a = await Public.Where(x => x.Slug == slug).Select(x => new
        {
            x.Id, x.Title, x.Slug, x.Html, x.CategoryId, CategoryName = x.Category!.Name, CategorySlug = x.Category.Slug, x.UpdatedAt,
        }).SingleOrDefaultAsync(ct);
        if (a is null) return null;
        var related = await Public.Where(x => x.CategoryId == a.CategoryId && x.Id != a.Id).OrderBy(x => x.Title).Take(5)
            .Select(x => new PublicArticleLink(x.Title, x.Slug, null)).ToListAsync(ct);
        return new PublicArticle(a.Id, a.Title, a.Slug, a.Html, a.CategoryName, a.CategorySlug, a.UpdatedAt, related);
    }

    public Task<List<ArticleHit>> SearchAsync(string? query, int take = 20, CancellationToken ct = default) =>
        search.RunAsync(query, ArticleAudience.Public, take, ct);

    /// Records a visitor's "Was this helpful?" answer: one per visitor and article, answering again changes it.
    public async Task<bool> VoteAsync(string slug, string voter, bool helpful, CancellationToken ct = default)
    {
        var article = await db.Set<HelpArticle>().SingleOrDefaultAsync(a => a.Slug == slug && a.Status == ArticleStatus.Published && !a.Internal, ct);
        if (article is null) return false;
        var vote = await db.Set<HelpVote>().SingleOrDefaultAsync(v => v.ArticleId == article.Id && v.Voter == voter, ct);
        if (vote is null) db.Add(vote = new HelpVote { ArticleId = article.Id, Voter = voter, Helpful = helpful });
        else if (vote.Helpful == helpful) return true;
        else vote.Helpful = helpful;
        vote.At = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(ct);
        // The counts are recounted rather than incremented: two votes at once cannot lose one.
        var helpfulCount = await db.Set<HelpVote>().CountAsync(v => v.ArticleId == article.Id && v.Helpful, ct);
        var notHelpfulCount = await db.Set<HelpVote>().CountAsync(v => v.ArticleId == article.Id && !v.Helpful, ct);
        await db.Set<HelpArticle>().Where(a => a.Id == article.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.HelpfulCount, helpfulCount).SetProperty(a => a.NotHelpfulCount, notHelpfulCount), ct);
        return true;
    }
}
