using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Chorus.Data;

public class SqliteChorusDb(DbContextOptions<SqliteChorusDb> options) : ChorusDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

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
