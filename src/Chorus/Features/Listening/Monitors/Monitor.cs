using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Listening.Monitors;

/// A saved listening query (DESIGN: Monitor): which mentions count, from which languages, tracked over time.
public class Monitor
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    /// The boolean query as written (MonitorQuery parses it).
    public string Query { get; set; } = "";
    /// ISO 639-1 codes separated by commas ("en,de"); empty means every language.
    public string Languages { get; set; } = "";
    public bool Enabled { get; set; } = true;
    public string? CreatedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}

public sealed class MonitorConfiguration : IEntityTypeConfiguration<Monitor>
{
    public void Configure(EntityTypeBuilder<Monitor> e)
    {
        e.ToTable("Monitors");
        e.Property(m => m.Name).HasMaxLength(100);
        e.Property(m => m.Query).HasMaxLength(MonitorQuery.MaxLength);
        e.Property(m => m.Languages).HasMaxLength(200);
        e.HasIndex(m => m.Name).IsUnique();
    }
}
