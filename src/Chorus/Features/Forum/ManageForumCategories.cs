using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum;

public sealed record CategoryInput(string? Name, string? Slug, string? Description, int? Position, bool? IsSupport = null);

/// Admins add and edit the forum's categories. A new workspace starts with three.
public partial class ManageForumCategories(ChorusDb db, RecordAudit audit)
{
    public static readonly (string Name, string Slug, string Description)[] Defaults =
    [
        ("General", "general", "Say hello, share what you built, talk about anything around the product."),
        ("Help & support", "help", "Ask how to do something or why something does not work. Members and staff answer."),
        ("Ideas & feedback", "ideas", "Suggest features and improvements, and tell us what could be better."),
    ];

    /// Creates the default categories when the forum has none (first start).
    public async Task EnsureDefaultsAsync(CancellationToken ct = default)
    {
        if (await db.ForumCategories.AnyAsync(ct)) return;
        var position = 0;
        foreach (var (name, slug, description) in Defaults)
            db.ForumCategories.Add(new ForumCategory { Name = name, Slug = slug, Description = description, Position = position++, IsSupport = slug == "help" });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { db.ChangeTracker.Clear(); } // another node created them at the same moment
    }

    public async Task<Outcome<ForumCategory>> AddAsync(StaffActor actor, CategoryInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<ForumCategory>.Forbidden("Only admins manage forum categories.");
        var category = new ForumCategory { Position = input.Position ?? await db.ForumCategories.CountAsync(ct) };
        if (await ApplyAsync(category, input with { Slug = input.Slug ?? Slugify(input.Name ?? "") }, ct) is { } invalid) return invalid;
        db.ForumCategories.Add(category);
        audit.Add(actor, "forum.category-added", "forum-category", category.Id.ToString(), category.Name);
        await db.SaveChangesAsync(ct);
        return category;
    }

    public async Task<Outcome<ForumCategory>> UpdateAsync(StaffActor actor, Guid id, CategoryInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<ForumCategory>.Forbidden("Only admins manage forum categories.");
        var category = await db.ForumCategories.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (category is null) return new Outcome<ForumCategory>.NotFound("The category");
        if (await ApplyAsync(category, input, ct) is { } invalid) return invalid;
        audit.Add(actor, "forum.category-changed", "forum-category", category.Id.ToString(), category.Name);
        await db.SaveChangesAsync(ct);
        return category;
    }

    private async Task<Outcome<ForumCategory>?> ApplyAsync(ForumCategory c, CategoryInput input, CancellationToken ct)
    {
        if (input.Name is not null)
        {
            var name = input.Name.Trim();
            if (name.Length is < 2 or > 100) return Outcome<ForumCategory>.Invalid.One("name", "A category name is 2 to 100 characters.");
            c.Name = name;
        }
        else if (c.Name.Length == 0) return Outcome<ForumCategory>.Invalid.One("name", "A category needs a name.");
        if (input.Slug is not null)
        {
            var slug = input.Slug.Trim().ToLowerInvariant();
            if (!SlugPattern().IsMatch(slug)) return Outcome<ForumCategory>.Invalid.One("slug", "An address is 2 to 60 lower-case letters, digits and dashes.");
            if (await db.ForumCategories.AnyAsync(x => x.Slug == slug && x.Id != c.Id, ct)) return Outcome<ForumCategory>.Invalid.One("slug", $"Another category is at /forum/c/{slug}.");
            c.Slug = slug;
        }
        if (input.Description is not null) c.Description = input.Description.Trim() is { Length: > 0 } d ? TextLimits.Cut(d, 500) : null;
        if (input.Position is { } p) c.Position = p;
        if (input.IsSupport is { } support) c.IsSupport = support;
        return null;
    }

    public static string Slugify(string name) => NotSlug().Replace(name.Trim().ToLowerInvariant(), "-").Trim('-') is { Length: >= 2 } s ? (s.Length > 60 ? s[..60].Trim('-') : s) : "category";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$")]
    private static partial Regex SlugPattern();
    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();
}
