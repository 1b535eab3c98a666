using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Data;

public static class DatabaseSetup
{
    /// Registers ChorusDb for the configured provider: SQLite (default, a file in the data directory,
    /// WAL) or PostgreSQL (`Database:Provider=Postgres` + `ConnectionStrings:Chorus`).
    public static IServiceCollection AddChorusDatabase(this IServiceCollection services, IConfiguration config)
    {
        var provider = config["Database:Provider"] ?? "Sqlite";
        if (provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase) || provider.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            var cs = config.GetConnectionString("Chorus")
                ?? throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Chorus is not set.");
            services.AddDbContext<ChorusDb, PostgresChorusDb>(o => o.UseNpgsql(cs));
        }
        else if (provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            var cs = config.GetConnectionString("Chorus") ?? SqliteConnectionString(DataDirectory(config));
            services.AddDbContext<ChorusDb, SqliteChorusDb>(o => o.UseSqlite(cs).AddInterceptors(new SqlitePragmas()));
        }
        else throw new InvalidOperationException($"Unknown Database:Provider '{provider}'. Use Sqlite or Postgres.");
        return services;
    }

    public static string DataDirectory(IConfiguration config)
    {
        var dir = Path.GetFullPath(config["Chorus:DataDirectory"] ?? "data");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string SqliteConnectionString(string dataDirectory) =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "chorus.db"), Cache = SqliteCacheMode.Private, Pooling = true }.ToString();

    public static async Task MigrateAsync(this ChorusDb db, CancellationToken ct = default)
    {
        if (db.Provider == DatabaseProvider.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct); // persistent: set once per file
        await db.Database.MigrateAsync(ct);
    }
}

/// Per-connection SQLite settings: wait for the writer instead of failing with SQLITE_BUSY;
/// synchronous=NORMAL, which with WAL is durable across application crashes; a 32 MiB page cache
/// (the default 2 MiB makes index-heavy writes and 50-row inbox pages re-read pages) and temporary
/// b-trees in memory (sorts, IN lists). Pooled connections keep their settings, so they are applied
/// once per native connection rather than on every open (EF opens a connection per query).
file sealed class SqlitePragmas : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Applied = new();

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData) =>
        Apply(connection);

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(System.Data.Common.DbConnection connection)
    {
        var handle = ((SqliteConnection)connection).Handle!;
        if (Applied.TryGetValue(handle, out _)) return;
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;";
        cmd.ExecuteNonQuery();
        Applied.AddOrUpdate(handle, handle);
    }
}
