using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Chorus.Data;

public static class DatabaseSetup
{
    /// Registers ChorusDb for the configured provider: SQLite (default, a file in the data directory,
    /// WAL) or PostgreSQL (`Database:Provider=Postgres` + `ConnectionStrings:Chorus`). The options are built
    /// once (their interceptors are singletons), not for every context: every request and background job
    /// makes a context, and rebuilding the options was a few percent of the server's CPU under inbound load.
    public static IServiceCollection AddChorusDatabase(this IServiceCollection services, IConfiguration config)
    {
        var provider = config["Database:Provider"] ?? "Sqlite";
        if (provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase) || provider.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            var cs = config.GetConnectionString("Chorus")
                ?? throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Chorus is not set.");
            services.AddDbContext<ChorusDb, PostgresChorusDb>((sp, o) => o.UseNpgsql(cs).AddInterceptors(new PostgresNulGuard()).AddInterceptors(SaveInterceptors(sp))
                .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)), optionsLifetime: ServiceLifetime.Singleton);
        }
        else if (provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            var cs = config.GetConnectionString("Chorus") ?? SqliteConnectionString(DataDirectory(config));
            services.AddDbContext<ChorusDb, SqliteChorusDb>((sp, o) => o.UseSqlite(cs).AddInterceptors(new SqlitePragmas(config.GetValue("Chorus:Sqlite:WalAutocheckpoint", SqlitePragmas.DefaultWalAutocheckpoint))).AddInterceptors(SaveInterceptors(sp))
                // SQLite cannot alter a column or foreign key in place: EF rebuilds the table, switching foreign
                // keys off outside the migration's transaction, and warns about it on every such migration (and
                // about data fixes that run before the rebuild, as MailOut's backfill of the added column does,
                // correctly). On a first start that is noise a new user cannot act on, so it goes to the debug log.
                .ConfigureWarnings(w => w.Log(
                    (RelationalEventId.NonTransactionalMigrationOperationWarning, LogLevel.Debug),
                    (SqliteEventId.TableRebuildPendingWarning, LogLevel.Debug))
                .Ignore(RelationalEventId.PendingModelChangesWarning)), optionsLifetime: ServiceLifetime.Singleton);
        }
        else throw new InvalidOperationException($"Unknown Database:Provider '{provider}'. Use Sqlite or Postgres.");
        return services;
    }

    /// Interceptors features register for every save (SLA due times, auto-assignment), where the host has them.
    private static IEnumerable<IInterceptor> SaveInterceptors(IServiceProvider sp) =>
        new IInterceptor?[] { sp.GetService<Features.Sla.StampSlaDueTimes>(), sp.GetService<Features.Assignment.QueueAutoAssignment>() }.OfType<IInterceptor>();

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
/// b-trees in memory (sorts, IN lists). The WAL is copied back into the database by the committing writer
/// every 250 pages (`Chorus:Sqlite:WalAutocheckpoint`): each copy stalls every waiting inbound request at once,
/// so shorter copies shorten the tail. 20,000 pages made bulk ingest ~9 % faster but POST /api/v1/inbound's
/// p99 went from 45 to 76 ms; 250 instead of SQLite's 1,000 took 2-4 ms off it without slowing ingest (bench/README.md).
/// Pooled connections keep their settings, so they are applied once per native connection rather than
/// on every open (EF opens a connection per query).
file sealed class SqlitePragmas(int walAutocheckpoint) : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public const int DefaultWalAutocheckpoint = 250;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Applied = new();

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData) =>
        Apply(connection);

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(System.Data.Common.DbConnection connection)
    {
        var handle = ((SqliteConnection)connection).Handle!;
        if (Applied.TryGetValue(handle, out _)) return;
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=" + walAutocheckpoint + ";";
        cmd.ExecuteNonQuery();
        Applied.AddOrUpdate(handle, handle);
    }
}

/// PostgreSQL text cannot hold U+0000: a parameter containing it fails the whole statement (a search,
/// a save). SQLite stores it. Drop the invisible character from text parameters instead of failing the request.
file sealed class PostgresNulGuard : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
{
    public override InterceptionResult<System.Data.Common.DbDataReader> ReaderExecuting(System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<System.Data.Common.DbDataReader> result)
    {
        Strip(command);
        return result;
    }

    public override ValueTask<InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Strip(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Strip(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Strip(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Strip(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Strip(command);
        return ValueTask.FromResult(result);
    }

    private static void Strip(System.Data.Common.DbCommand command)
    {
        foreach (System.Data.Common.DbParameter p in command.Parameters)
        {
            switch (p.Value)
            {
                case string s when s.Contains('\0'):
                    p.Value = s.Replace("\0", "");
                    break;
                case string[] list when list.Any(x => x?.Contains('\0') == true):
                    p.Value = list.Select(x => x?.Replace("\0", "")).ToArray();
                    break;
                case List<string> list when list.Any(x => x?.Contains('\0') == true):
                    p.Value = list.Select(x => x?.Replace("\0", "")).ToList();
                    break;
            }
        }
    }
}
