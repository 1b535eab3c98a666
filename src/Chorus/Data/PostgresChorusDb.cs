using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using NpgsqlTypes;

namespace Chorus.Data;

public class PostgresChorusDb(DbContextOptions<PostgresChorusDb> options) : ChorusDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override async Task<IAsyncDisposable> BeginSnapshotAsync(CancellationToken ct) =>
        await Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct); // one snapshot for the whole transaction

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        // Full-text search: generated tsvector columns with GIN indexes (SQLite uses FTS5 tables instead).
        b.Entity<Message>().Property<NpgsqlTsVector>("SearchVector")
            .HasComputedColumnSql("to_tsvector('simple', coalesce(\"Text\", ''))", stored: true);
        b.Entity<Message>().HasIndex("SearchVector").HasMethod("GIN");
        b.Entity<Conversation>().Property<NpgsqlTsVector>("SearchVector")
            .HasComputedColumnSql("to_tsvector('simple', coalesce(\"Subject\", ''))", stored: true);
        b.Entity<Conversation>().HasIndex("SearchVector").HasMethod("GIN");
    }
}

public class PostgresChorusDbDesignFactory : IDesignTimeDbContextFactory<PostgresChorusDb>
{
    public PostgresChorusDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresChorusDb>().UseNpgsql("Host=127.0.0.1;Database=design;Username=design").Options);
}
