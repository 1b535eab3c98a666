using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.People;

/// A saved, named list of people (say "Beta testers" or "Journalists at launch"), the target of an
/// outreach: one conversation with each member.
public class PersonList
{
    public const int MaxMembers = 5000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public string? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public List<PersonListMember> Members { get; set; } = [];
}

public class PersonListMember
{
    public Guid ListId { get; set; }
    public Guid PersonId { get; set; }
    public DateTimeOffset AddedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class PersonListConfiguration : IEntityTypeConfiguration<PersonList>
{
    public void Configure(EntityTypeBuilder<PersonList> e)
    {
        e.ToTable("PersonLists");
        e.Property(l => l.Name).HasMaxLength(100);
        e.HasIndex(l => l.Name).IsUnique();
        e.HasMany(l => l.Members).WithOne().HasForeignKey(m => m.ListId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PersonListMemberConfiguration : IEntityTypeConfiguration<PersonListMember>
{
    public void Configure(EntityTypeBuilder<PersonListMember> e)
    {
        e.ToTable("PersonListMembers");
        e.HasKey(m => new { m.ListId, m.PersonId });
        e.HasIndex(m => m.PersonId);
        e.HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}
