using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.HelpCenter;

/// A section of the help center ("Billing", "Getting started"). Its public address is /help/{slug}.
public class HelpCategory
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// Lower-case letters, digits and dashes.
    public string Slug { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public int Position { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

public enum ArticleStatus { Draft, Published }

/// A help-center article, written in Markdown by staff. Only published, non-internal articles are ever
/// shown to the public (pages, search, suggestions on the web form, rule replies). An internal article is
/// a playbook: how the team handles a refund, a security report, a journalist; staff read it only.
public class HelpArticle
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CategoryId { get; set; }
    public HelpCategory? Category { get; set; }
    public string Title { get; set; } = "";
    /// Its public address: /help/articles/{slug}. Unique.
    public string Slug { get; set; } = "";
    public string Body { get; set; } = "";
    /// Body rendered and sanitized (HtmlCleaner) when saved, so readers never pay for it.
    public string Html { get; set; } = "";
    /// Plain text of the body, for search and excerpts.
    public string Text { get; set; } = "";
    public ArticleStatus Status { get; set; }
    /// A playbook: for staff only, never on public pages, search or suggestions.
    public bool Internal { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
    public string? UpdatedById { get; set; }
    /// The reply an article was written from ("Turn this answer into an article"), when it was.
    public Guid? SourceMessageId { get; set; }
    public int HelpfulCount { get; set; }
    public int NotHelpfulCount { get; set; }
    public int Version { get; set; }

    public bool IsPublic => Status == ArticleStatus.Published && !Internal;
}

/// One visitor's "Was this helpful?" answer on one article; answering again changes it.
public class HelpVote
{
    public Guid ArticleId { get; set; }
    /// A random id kept in the visitor's cookie: one vote per visitor and article.
    public string Voter { get; set; } = "";
    public bool Helpful { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

/// A visitor of the web form read a suggested article and said it answered their question, so they did
/// not send the form. Counted once per visit (the form's request id), for the article that answered.
public class HelpDeflection
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid VisitId { get; set; }
    public Guid ArticleId { get; set; }
    public DateTimeOffset At { get; set; } = DateTimeOffset.UtcNow;
}

public static class HelpCenterModel
{
    public static void ConfigureHelpCenter(this ModelBuilder b)
    {
        b.Entity<HelpCategory>(e =>
        {
            e.ToTable("HelpCategories");
            e.Property(c => c.Slug).HasMaxLength(60);
            e.Property(c => c.Name).HasMaxLength(100);
            e.Property(c => c.Description).HasMaxLength(500);
            e.HasIndex(c => c.Slug).IsUnique();
        });
        b.Entity<HelpArticle>(e =>
        {
            e.ToTable("HelpArticles");
            e.Property(a => a.Title).HasMaxLength(200);
            e.Property(a => a.Slug).HasMaxLength(100);
            e.Property(a => a.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(a => a.UpdatedById).HasMaxLength(450);
            e.Property(a => a.Version).IsConcurrencyToken();
            e.HasIndex(a => a.Slug).IsUnique();
            e.HasIndex(a => new { a.CategoryId, a.Status });
            e.HasOne(a => a.Category).WithMany().HasForeignKey(a => a.CategoryId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<HelpVote>(e =>
        {
            e.ToTable("HelpVotes");
            e.HasKey(v => new { v.ArticleId, v.Voter });
            e.Property(v => v.Voter).HasMaxLength(40);
            e.HasOne<HelpArticle>().WithMany().HasForeignKey(v => v.ArticleId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<HelpDeflection>(e =>
        {
            e.ToTable("HelpDeflections");
            e.HasIndex(d => d.VisitId).IsUnique();
            e.HasIndex(d => new { d.ArticleId, d.At });
            e.HasOne<HelpArticle>().WithMany().HasForeignKey(d => d.ArticleId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
