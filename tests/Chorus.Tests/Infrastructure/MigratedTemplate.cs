using Chorus.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Chorus.Tests.Infrastructure;

/// Every test database starts as a copy of one database migrated once per test run and provider.
/// Applying every migration to an empty database is identical work for each of the thousands of hosts
/// the suite starts, and was most of a short test's time; copying a file or cloning a PostgreSQL
/// template is a fraction of it. The host still runs MigrateAsync on start (nothing pending, so a
/// no-op) and bootstraps the workspace itself, so what a test sees is what a fresh start produces.
/// Migrations themselves are still exercised: the template is made by the same MigrateAsync.
internal static class MigratedTemplate
{
    private static readonly Lazy<string> SqliteTemplate = new(MigrateSqliteTemplate);
    private static readonly Lock PostgresLock = new();
    private static string? _postgresTemplate;

    public static void CreateSqliteFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(SqliteTemplate.Value, path);
    }

    public static void CreatePostgresDatabase(string adminConnectionString, string database)
    {
        var template = PostgresTemplate(adminConnectionString);
        using var conn = new NpgsqlConnection(adminConnectionString);
        conn.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE {database} TEMPLATE {template}", conn);
        cmd.ExecuteNonQuery();
    }

    private static string MigrateSqliteTemplate()
    {
        var dir = Path.Combine(Path.GetTempPath(), "chorus-template-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "chorus.db");
        var cs = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString();
        using (var db = new SqliteChorusDb(new DbContextOptionsBuilder<SqliteChorusDb>().UseSqlite(cs).ConfigureWarnings(SchemaCheckedElsewhere).Options))
        {
            db.MigrateAsync().GetAwaiter().GetResult();
            db.Database.ExecuteSqlRaw("PRAGMA wal_checkpoint(TRUNCATE);"); // everything in the file itself, so a copy is whole
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, true); } catch (IOException) { } };
        return file;
    }

    private static string PostgresTemplate(string adminConnectionString)
    {
        lock (PostgresLock)
        {
            if (_postgresTemplate is not null) return _postgresTemplate;
            var name = "chorus_template_" + Guid.NewGuid().ToString("N")[..12];
            using (var conn = new NpgsqlConnection(adminConnectionString))
            {
                conn.Open();
                using var create = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
                create.ExecuteNonQuery();
            }
            // Pooling off: a pooled idle connection to the template would make every clone of it fail.
            var cs = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = false }.ConnectionString;
            using (var db = new PostgresChorusDb(new DbContextOptionsBuilder<PostgresChorusDb>().UseNpgsql(cs).ConfigureWarnings(SchemaCheckedElsewhere).Options))
                db.MigrateAsync().GetAwaiter().GetResult();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DropQuietly(adminConnectionString, name);
            return _postgresTemplate = name;
        }
    }

    /// A model change without its migration is SchemaTests' failure to report, by name, not every test's.
    private static void SchemaCheckedElsewhere(WarningsConfigurationBuilder w) => w.Ignore(RelationalEventId.PendingModelChangesWarning);

    private static void DropQuietly(string adminConnectionString, string database)
    {
        try
        {
            using var conn = new NpgsqlConnection(adminConnectionString);
            conn.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", conn);
            drop.ExecuteNonQuery();
        }
        catch (NpgsqlException) { } // the server may already be stopping with the test run
    }
}
