using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Chorus.Data;

public class SqliteChorusDb(DbContextOptions<SqliteChorusDb> options) : ChorusDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    /// A deferred transaction: it takes a read snapshot at its first query and never the write lock
    /// (EF's own BeginTransaction would say BEGIN IMMEDIATE and queue behind the ingest writer).
    public override async Task<IAsyncDisposable> BeginSnapshotAsync(CancellationToken ct)
    {
        await Database.OpenConnectionAsync(ct);
        var tx = ((SqliteConnection)Database.GetDbConnection()).BeginTransaction(deferred: true);
        await Database.UseTransactionAsync(tx, ct);
        return new Snapshot(this, tx);
    }

    private sealed class Snapshot(SqliteChorusDb db, SqliteTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await db.Database.UseTransactionAsync(null);
            await tx.DisposeAsync(); // rolls back: nothing was written
            await db.Database.CloseConnectionAsync();
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder b)
    {
        base.ConfigureConventions(b);
        // SQLite cannot order or compare DateTimeOffset stored as text; all our times are UTC,
        // so the binary (ticks) form sorts correctly.
        b.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

/// Lets `dotnet ef migrations add --context SqliteChorusDb` build the model without a running app.
public class SqliteChorusDbDesignFactory : IDesignTimeDbContextFactory<SqliteChorusDb>
{
    public SqliteChorusDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteChorusDb>().UseSqlite("Data Source=design.db").Options);
}
