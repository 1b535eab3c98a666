using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.HelpCenter;

public sealed record HelpCategoryInput(string? Name, string? Slug, string? Description, int? Position);

public sealed record HelpCategoryView(Guid Id, string Name, string Slug, string? Description, int Position, int Articles)
{
    public static HelpCategoryView Of(HelpCategory c, int articles) => new(c.Id, c.Name, c.Slug, c.Description, c.Position, articles);
}

/// Version: the version the editor started from (0 for a new article); an edit over someone else's is refused.
/// SourceMessageId: the reply it was written from ("Turn this answer into an article"), kept when the article is created.
public sealed record ArticleInput(string? Title, string? Slug, string? Body, Guid? CategoryId, bool? Internal, int? Version, Guid? SourceMessageId = null);

public sealed record ArticleView(Guid Id, string Title, string Slug, string Body, string Html, Guid CategoryId, string CategoryName, ArticleStatus Status,
    bool Internal, DateTimeOffset? PublishedAt, DateTimeOffset UpdatedAt, int HelpfulCount, int NotHelpfulCount, int Deflections, Guid? SourceMessageId, int Version)
{
    public string PublicPath => $"/help/articles/{Slug}";
}

public sealed record ArticleRow(Guid Id, string Title, string Slug, string CategoryName, ArticleStatus Status, bool Internal, DateTimeOffset UpdatedAt,
    int HelpfulCount, int NotHelpfulCount, int Deflections);

/// Staff write the help center: categories, and articles in Markdown that are drafts until published.
/// Agents and admins write and publish (every change audited); viewers read.
public sealed partial class ManageArticles(ChorusDb db, HtmlCleaner cleaner, RecordAudit audit)
{
    public const int MaxBody = 100_000;
    /// Addresses under /help that are pages of their own, not categories.
    private static readonly HashSet<string> ReservedSlugs = ["articles", "search", "suggest", "deflections", "votes"];

    // ---- categories ----

    public async Task<List<HelpCategoryView>> CategoriesAsync(CancellationToken ct = default)
    {
        var counts = await db.Set<HelpArticle>().GroupBy(a => a.CategoryId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return (await db.Set<HelpCategory>().AsNoTracking().OrderBy(c => c.Position).ThenBy(c => c.Name).ToListAsync(ct))
            .Select(c => HelpCategoryView.Of(c, counts.GetValueOrDefault(c.Id))).ToList();
    }

    public async Task<Outcome<HelpCategoryView>> SaveCategoryAsync(StaffActor actor, Guid? id, HelpCategoryInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<HelpCategoryView>.Forbidden("Viewers read the help center; agents and admins change it.");
        HelpCategory? category = null;
        if (id is { } existing && (category = await db.Set<HelpCategory>().SingleOrDefaultAsync(c => c.Id == existing, ct)) is null)
            return new Outcome<HelpCategoryView>.NotFound("The category");
        var name = input.Name?.Trim() ?? category?.Name ?? "";
        if (name.Length is < 2 or > 100) return Outcome<HelpCategoryView>.Invalid.One("name", "A category name is 2 to 100 characters.");
        var slug = (input.Slug?.Trim().ToLowerInvariant() is { Length: > 0 } given ? given : category?.Slug ?? Slugify(name, 60));
        if (!SlugPattern().IsMatch(slug) || slug.Length > 60) return Outcome<HelpCategoryView>.Invalid.One("slug", "An address is 2 to 60 lower-case letters, digits and dashes.");
        if (ReservedSlugs.Contains(slug)) return Outcome<HelpCategoryView>.Invalid.One("slug", $"/help/{slug} is taken by the help center itself; choose another address.");
        if (await db.Set<HelpCategory>().AnyAsync(c => c.Slug == slug && c.Id != (id ?? Guid.Empty), ct))
            return Outcome<HelpCategoryView>.Invalid.One("slug", $"Another category is at /help/{slug}.");
        var created = category is null;
        if (category is null)
        {
            category = new HelpCategory { Position = (await db.Set<HelpCategory>().MaxAsync(c => (int?)c.Position, ct) ?? 0) + 1 };
            db.Add(category);
        }
        category.Name = name;
        category.Slug = slug;
        if (input.Description is not null) category.Description = input.Description.Trim() is { Length: > 0 } d ? TextLimits.Cut(d, 500) : null;
        if (input.Position is { } p) category.Position = p;
        audit.Add(actor, created ? "help.category-created" : "help.category-changed", "help-category", category.Id.ToString(), category.Name);
        await db.SaveChangesAsync(ct);
        return HelpCategoryView.Of(category, created ? 0 : await db.Set<HelpArticle>().CountAsync(a => a.CategoryId == category.Id, ct));
    }

    public async Task<Outcome<bool>> DeleteCategoryAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<bool>.Forbidden("Viewers read the help center; agents and admins change it.");
        var category = await db.Set<HelpCategory>().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (category is null) return new Outcome<bool>.NotFound("The category");
        var articles = await db.Set<HelpArticle>().CountAsync(a => a.CategoryId == id, ct);
        if (articles > 0) return new Outcome<bool>.Conflict($"{category.Name} has {articles} article{(articles == 1 ? "" : "s")}: move or delete them first.");
        db.Remove(category);
        audit.Add(actor, "help.category-deleted", "help-category", id.ToString(), category.Name);
        await db.SaveChangesAsync(ct);
        return true;
    }

    // ---- articles ----

    public async Task<List<ArticleRow>> ListAsync(string? query, ArticleStatus? status, Guid? categoryId, bool? @internal, CancellationToken ct = default)
    {
        var q = db.Set<HelpArticle>().AsNoTracking();
        if (status is { } s) q = q.Where(a => a.Status == s);
        if (categoryId is { } c) q = q.Where(a => a.CategoryId == c);
        if (@internal is { } i) q = q.Where(a => a.Internal == i);
        var rows = await q.Select(a => new { a.Id, a.Title, a.Slug, Category = a.Category!.Name, a.Status, a.Internal, a.UpdatedAt, a.HelpfulCount, a.NotHelpfulCount, a.Text }).ToListAsync(ct);
        var deflections = await DeflectionCountsAsync(ct);
        var text = query?.Trim();
        return rows.Where(r => string.IsNullOrEmpty(text) || r.Title.Contains(text, StringComparison.OrdinalIgnoreCase) || r.Text.Contains(text, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(r => r.UpdatedAt)
            .Select(r => new ArticleRow(r.Id, r.Title, r.Slug, r.Category, r.Status, r.Internal, r.UpdatedAt, r.HelpfulCount, r.NotHelpfulCount, deflections.GetValueOrDefault(r.Id)))
            .ToList();
    }

    public async Task<ArticleView?> GetAsync(Guid id, CancellationToken ct = default)
    {
        var a = await db.Set<HelpArticle>().AsNoTracking().Include(x => x.Category).SingleOrDefaultAsync(x => x.Id == id, ct);
        return a is null ? null : View(a, await db.Set<HelpDeflection>().CountAsync(d => d.ArticleId == id, ct));
    }

    /// The article as HTML, exactly as readers will see it (the editor's preview).
    public string Preview(string markdown) => cleaner.MarkdownToHtml(markdown);

    public async Task<Outcome<ArticleView>> SaveAsync(StaffActor actor, Guid? id, ArticleInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<ArticleView>.Forbidden("Viewers read the help center; agents and admins write it.");
        HelpArticle? article = null;
        if (id is { } existing)
        {
            article = await db.Set<HelpArticle>().Include(a => a.Category).SingleOrDefaultAsync(a => a.Id == existing, ct);
            if (article is null) return new Outcome<ArticleView>.NotFound("The article");
            if (input.Version is { } v && v != article.Version)
                return new Outcome<ArticleView>.Conflict("Someone else saved this article since you opened it. Reload it to see their changes, then make yours again.");
        }
        var errors = new Dictionary<string, string[]>();
        var title = input.Title?.Trim() ?? article?.Title ?? "";
        var body = (input.Body ?? article?.Body ?? "").Trim();
        if (title.Length is < 3 or > 200) errors["title"] = ["Give the article a title of 3 to 200 characters."];
        if (body.Length == 0) errors["body"] = ["Write the article (Markdown)."];
        else if (body.Length > MaxBody) errors["body"] = [$"An article is at most {MaxBody:N0} characters."];
        var categoryId = input.CategoryId ?? article?.CategoryId;
        HelpCategory? category = categoryId is { } cid ? await db.Set<HelpCategory>().SingleOrDefaultAsync(c => c.Id == cid, ct) : null;
        if (category is null) errors["categoryId"] = [categoryId is null ? "Choose a category." : "That category does not exist."];
        var slug = input.Slug?.Trim().ToLowerInvariant() is { Length: > 0 } given ? given : article?.Slug;
        if (slug is not null && (!SlugPattern().IsMatch(slug) || slug.Length > 100))
            errors["slug"] = ["An address is 2 to 100 lower-case letters, digits and dashes."];
        else if (slug is not null && await db.Set<HelpArticle>().AnyAsync(a => a.Slug == slug && a.Id != (id ?? Guid.Empty), ct))
            errors["slug"] = [$"Another article is at /help/articles/{slug}."];
        if (errors.Count > 0) return new Outcome<ArticleView>.Invalid(errors);

        var created = article is null;
        if (article is null)
        {
            article = new HelpArticle { Status = ArticleStatus.Draft };
            if (input.SourceMessageId is { } source && await db.Messages.AnyAsync(m => m.Id == source, ct)) article.SourceMessageId = source;
            db.Add(article);
        }
        article.Title = title;
        article.Slug = slug ?? await FreeSlugAsync(Slugify(title, 90), ct);
        article.Body = body;
        article.Html = cleaner.MarkdownToHtml(body);
        article.Text = HtmlCleaner.ToText(article.Html);
        article.CategoryId = category!.Id;
        article.Category = category;
        if (input.Internal is { } isInternal) article.Internal = isInternal;
        article.UpdatedAt = DateTimeOffset.UtcNow;
        article.UpdatedById = actor.Id;
        article.Version++;
        audit.Add(actor, created ? "help.article-created" : "help.article-changed", "help-article", article.Id.ToString(), $"{article.Title} ({article.Status.ToString().ToLowerInvariant()}{(article.Internal ? ", playbook" : "")})");
        if (await SaveOrConflictAsync(ct) is { } conflict) return conflict;
        return View(article, created ? 0 : await db.Set<HelpDeflection>().CountAsync(d => d.ArticleId == article.Id, ct));
    }

    /// Publishes (or takes back to draft) an article. A playbook "published" is visible to every colleague, never to the public.
    public async Task<Outcome<ArticleView>> SetPublishedAsync(StaffActor actor, Guid id, bool published, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<ArticleView>.Forbidden("Viewers read the help center; agents and admins publish.");
        var article = await db.Set<HelpArticle>().Include(a => a.Category).SingleOrDefaultAsync(a => a.Id == id, ct);
        if (article is null) return new Outcome<ArticleView>.NotFound("The article");
        var status = published ? ArticleStatus.Published : ArticleStatus.Draft;
        if (article.Status != status)
        {
            article.Status = status;
            if (published) article.PublishedAt = DateTimeOffset.UtcNow;
            article.UpdatedAt = DateTimeOffset.UtcNow;
            article.UpdatedById = actor.Id;
            article.Version++;
            audit.Add(actor, published ? "help.article-published" : "help.article-unpublished", "help-article", article.Id.ToString(), article.Title);
            if (await SaveOrConflictAsync(ct) is { } conflict) return conflict;
        }
        return View(article, await db.Set<HelpDeflection>().CountAsync(d => d.ArticleId == id, ct));
    }

    public async Task<Outcome<bool>> DeleteAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<bool>.Forbidden("Viewers read the help center; agents and admins change it.");
        var article = await db.Set<HelpArticle>().SingleOrDefaultAsync(a => a.Id == id, ct);
        if (article is null) return new Outcome<bool>.NotFound("The article");
        db.Remove(article);
        audit.Add(actor, "help.article-deleted", "help-article", id.ToString(), article.Title);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// "Turn this answer into an article": the draft's body is the reply's text, its title the conversation's subject.
    /// Not saved: the agent reviews it (removing the customer's details) in the editor first.
    public async Task<Outcome<ArticleInput>> DraftFromMessageAsync(StaffActor actor, Guid messageId, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<ArticleInput>.Forbidden("Viewers read the help center; agents and admins write it.");
        var found = await (from m in db.Messages.AsNoTracking()
                           join c in db.Conversations.AsNoTracking() on m.ConversationId equals c.Id
                           where m.Id == messageId
                           select new { m.Kind, m.Text, c.Subject, c.TeamId }).SingleOrDefaultAsync(ct);
        if (found is null || !actor.CanSeeTeam(found.TeamId)) return new Outcome<ArticleInput>.NotFound("The message");
        if (found.Kind is not (MessageKind.Reply or MessageKind.Note))
            return Outcome<ArticleInput>.Invalid.One("messageId", "Only a colleague's reply or note can become an article.");
        var title = TextLimits.Cut(found.Subject.Trim() is { Length: >= 3 } s ? s : "New article", 200);
        var category = await db.Set<HelpCategory>().OrderBy(c => c.Position).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        return new ArticleInput(title, null, TextLimits.Cut(found.Text.Trim(), MaxBody), category, false, 0, messageId);
    }

    public async Task<Dictionary<Guid, int>> DeflectionCountsAsync(CancellationToken ct = default) =>
        await db.Set<HelpDeflection>().GroupBy(d => d.ArticleId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);

    private async Task<Outcome<ArticleView>?> SaveOrConflictAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return new Outcome<ArticleView>.Conflict("Someone else saved this article at the same moment. Reload it to see their changes, then make yours again.");
        }
        catch (DbUpdateException)
        {
            // Two articles created with the same title at once: the unique slug index refused the second.
            return Outcome<ArticleView>.Invalid.One("slug", "Another article took this address a moment ago; choose another.");
        }
    }

    private async Task<string> FreeSlugAsync(string slug, CancellationToken ct)
    {
        var taken = await db.Set<HelpArticle>().Where(a => a.Slug == slug || a.Slug.StartsWith(slug + "-")).Select(a => a.Slug).ToListAsync(ct);
        if (!taken.Contains(slug)) return slug;
        for (var n = 2; ; n++) if (!taken.Contains($"{slug}-{n}")) return $"{slug}-{n}";
    }

    private static ArticleView View(HelpArticle a, int deflections) => new(a.Id, a.Title, a.Slug, a.Body, a.Html, a.CategoryId, a.Category?.Name ?? "",
        a.Status, a.Internal, a.PublishedAt, a.UpdatedAt, a.HelpfulCount, a.NotHelpfulCount, deflections, a.SourceMessageId, a.Version);

    public static string Slugify(string text, int max) =>
        NotSlug().Replace(text.Trim().ToLowerInvariant(), "-").Trim('-') is { Length: >= 2 } s ? (s.Length > max ? s[..max].Trim('-') : s) : "article";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    private static partial Regex SlugPattern();
    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();
}
