using Chorus.Features.Admin;
using Chorus.Features.Campaigns;
using Chorus.Features.Inbox;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.PressRoom;

/// What PR knows about a journalist beyond the person's profile (a person of kind press; the outlet
/// is the person's organization, the notes the person's notes): the beats they cover.
public class MediaContact
{
    public const int MaxBeats = 500;

    public Guid PersonId { get; set; }
    /// Comma-separated, as typed ("games, hardware").
    public string Beats { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// A named list of journalists, the audience of a press release's distribution.
public class MediaList
{
    public const int MaxMembers = 2000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public List<MediaListMember> Members { get; set; } = [];
}

public class MediaListMember
{
    public Guid ListId { get; set; }
    public Guid PersonId { get; set; }
    public DateTimeOffset AddedAt { get; set; } = DateTimeOffset.UtcNow;
}

public enum PressReleaseStatus { Draft, Approved, Published }

/// A press release in Markdown: a draft, approved by a colleague other than its author, then
/// published, at once or under embargo until a moment in a time zone (it reaches the newsroom then).
public class PressRelease
{
    public const int MaxBody = 50_000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Slug { get; set; } = "";
    public string Title { get; set; } = "";
    /// One or two sentences: the newsroom's teaser and the e-mail's first lines.
    public string Summary { get; set; } = "";
    public string Body { get; set; } = "";
    public PressReleaseStatus Status { get; set; }
    public Guid OwnerTeamId { get; set; }
    /// Set when published under embargo: not public before this moment (UTC).
    public DateTimeOffset? EmbargoUntil { get; set; }
    /// The IANA time zone the embargo was given in; shown back in it.
    public string TimeZone { get; set; } = "UTC";
    /// When it is (or becomes) public on the newsroom: the embargo's end, or the moment it was published.
    public DateTimeOffset? PublicAt { get; set; }
    public string AuthorId { get; set; } = "";
    public string AuthorName { get; set; } = "";
    public string? ApprovedByName { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// A release sent to one journalist: one conversation (their reply threads into it) and one tracked
/// link, so PR sees per recipient whether it was sent, the link opened, answered and covered.
public class Pitch
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ReleaseId { get; set; }
    public Guid PersonId { get; set; }
    public string PersonName { get; set; } = "";
    public string EmailAddress { get; set; } = "";
    public Guid? ConversationId { get; set; }
    public Guid? TrackedLinkId { get; set; }
    public DateTimeOffset SentAt { get; set; } = DateTimeOffset.UtcNow;
    public string SentByName { get; set; } = "";
}

/// An article about us (or a competitor), logged by hand, possibly earned by a release.
public class Coverage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Url { get; set; } = "";
    public string Headline { get; set; } = "";
    public string? Summary { get; set; }
    public string Outlet { get; set; } = "";
    public DateOnly PublishedOn { get; set; }
    /// Readers or views the outlet claims, when known.
    public long? Reach { get; set; }
    /// −1…1 from ScoreSentiment of the headline and summary.
    public double Sentiment { get; set; }
    public Guid? ReleaseId { get; set; }
    /// The journalist who wrote it, when known (marks their pitch "covered").
    public Guid? JournalistId { get; set; }
    public string? CreatedByName { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// A competitor named by hand, counted in coverage headlines for share of voice.
public class Competitor
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// The press room's tables, applied by ChorusDb.
public static class PressRoomModel
{
    public static void Apply(ModelBuilder b)
    {
        b.Entity<MediaContact>(e =>
        {
            e.ToTable("MediaContacts");
            e.HasKey(m => m.PersonId);
            e.Property(m => m.Beats).HasMaxLength(MediaContact.MaxBeats);
            e.HasOne<Person>().WithOne().HasForeignKey<MediaContact>(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<MediaList>(e =>
        {
            e.ToTable("MediaLists");
            e.Property(l => l.Name).HasMaxLength(100);
            e.Property(l => l.Description).HasMaxLength(500);
            e.HasIndex(l => l.Name).IsUnique();
            e.HasMany(l => l.Members).WithOne().HasForeignKey(m => m.ListId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<MediaListMember>(e =>
        {
            e.ToTable("MediaListMembers");
            e.HasKey(m => new { m.ListId, m.PersonId });
            e.HasIndex(m => m.PersonId);
            e.HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<PressRelease>(e =>
        {
            e.ToTable("PressReleases");
            e.Property(r => r.Slug).HasMaxLength(120);
            e.HasIndex(r => r.Slug).IsUnique();
            e.Property(r => r.Title).HasMaxLength(200);
            e.Property(r => r.Summary).HasMaxLength(1000);
            e.Property(r => r.Body).HasMaxLength(PressRelease.MaxBody);
            // A change fails when someone else moved the release meanwhile (approved, published).
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(20).IsConcurrencyToken();
            e.Property(r => r.TimeZone).HasMaxLength(64);
            e.Property(r => r.AuthorId).HasMaxLength(450);
            e.Property(r => r.AuthorName).HasMaxLength(200);
            e.Property(r => r.ApprovedByName).HasMaxLength(200);
            e.HasIndex(r => new { r.Status, r.PublicAt });
            e.HasOne<Team>().WithMany().HasForeignKey(r => r.OwnerTeamId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<Pitch>(e =>
        {
            e.ToTable("Pitches");
            e.HasIndex(p => new { p.ReleaseId, p.PersonId }).IsUnique(); // each journalist gets a release once
            e.HasIndex(p => p.PersonId);
            e.Property(p => p.PersonName).HasMaxLength(200);
            e.Property(p => p.EmailAddress).HasMaxLength(320);
            e.Property(p => p.SentByName).HasMaxLength(200);
            e.HasOne<PressRelease>().WithMany().HasForeignKey(p => p.ReleaseId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Person>().WithMany().HasForeignKey(p => p.PersonId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Conversation>().WithMany().HasForeignKey(p => p.ConversationId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<TrackedLink>().WithMany().HasForeignKey(p => p.TrackedLinkId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<Coverage>(e =>
        {
            e.ToTable("Coverage");
            e.Property(c => c.Url).HasMaxLength(2000);
            e.Property(c => c.Headline).HasMaxLength(300);
            e.Property(c => c.Summary).HasMaxLength(2000);
            e.Property(c => c.Outlet).HasMaxLength(200);
            e.Property(c => c.CreatedByName).HasMaxLength(200);
            e.HasIndex(c => c.PublishedOn);
            e.HasIndex(c => c.ReleaseId);
            e.HasIndex(c => c.Url).IsUnique();
            e.HasOne<PressRelease>().WithMany().HasForeignKey(c => c.ReleaseId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<Person>().WithMany().HasForeignKey(c => c.JournalistId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<Competitor>(e =>
        {
            e.ToTable("Competitors");
            e.Property(c => c.Name).HasMaxLength(100);
            e.HasIndex(c => c.Name).IsUnique();
        });
    }
}
