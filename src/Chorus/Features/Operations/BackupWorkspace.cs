using System.Diagnostics;
using System.Text.Json;
using Chorus.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Chorus.Features.Operations;

/// What a backup folder holds, written beside the data as backup.json.
public sealed record BackupManifest(DateTimeOffset CreatedAt, string Provider, long Conversations, long Messages, int AttachmentFiles, string Database);

/// A whole workspace to a folder and back: the database (SQLite through its online backup API, safe
/// while Chorus serves; PostgreSQL through pg_dump / pg_restore) and the attachment files, which are
/// stored by content hash and never change, so a backup into the same folder again copies only new ones.
public sealed class BackupWorkspace(ChorusDb db, IConfiguration config)
{
    private const string SqliteFile = "chorus.db", PostgresFile = "chorus.pgdump", ManifestFile = "backup.json";

    private string DataDirectory => DatabaseSetup.DataDirectory(config);

    public async Task<BackupManifest> BackUpAsync(string folder, IProgress<string> progress, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        string file;
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            file = SqliteFile;
            var target = Path.Combine(folder, file);
            var partial = target + ".partial"; // a backup cut short never looks like a good one
            File.Delete(partial);
            var source = (SqliteConnection)db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                await using var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString());
                await destination.OpenAsync(ct);
                source.BackupDatabase(destination);
            }
            finally { await db.Database.CloseConnectionAsync(); }
            File.Move(partial, target, overwrite: true);
        }
        else
        {
            file = PostgresFile;
            var target = Path.Combine(folder, file);
            await RunPostgresToolAsync("pg_dump", ["--format=custom", "--no-owner", "--file", target + ".partial"], ct);
            File.Move(target + ".partial", target, overwrite: true);
        }
        progress.Report($"Database saved to {Path.Combine(folder, file)}");

        var copied = CopyNewFiles(Path.Combine(DataDirectory, "attachments"), Path.Combine(folder, "attachments"));
        progress.Report($"Attachment files: {copied.Copied} copied, {copied.Total - copied.Copied} already in the backup");

        var manifest = new BackupManifest(DateTimeOffset.UtcNow, db.Provider.ToString(), await db.Conversations.LongCountAsync(ct),
            await db.Messages.LongCountAsync(ct), copied.Total, file);
        await File.WriteAllTextAsync(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }), ct);
        return manifest;
    }

    /// Replaces this workspace's database with the backup's and brings back its attachment files.
    /// Chorus must not be serving this workspace meanwhile.
    public async Task<BackupManifest> RestoreAsync(string folder, IProgress<string> progress, CancellationToken ct)
    {
        var manifestPath = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifestPath)) throw new BackupException($"{folder} is not a Chorus backup (no {ManifestFile}).");
        var manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(manifestPath, ct))
                       ?? throw new BackupException($"{manifestPath} cannot be read.");
        if (!manifest.Provider.Equals(db.Provider.ToString(), StringComparison.OrdinalIgnoreCase))
            throw new BackupException($"The backup is of a {manifest.Provider} workspace; this one is configured for {db.Provider}.");

        if (db.Provider == DatabaseProvider.Sqlite)
        {
            var target = (SqliteConnection)db.Database.GetDbConnection();
            await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, manifest.Database), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await source.OpenAsync(ct);
            await db.Database.OpenConnectionAsync(ct);
            try { source.BackupDatabase(target); } // page by page into the workspace's file, in one step
            finally { await db.Database.CloseConnectionAsync(); }
        }
        else
        {
            await RunPostgresToolAsync("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", Path.Combine(folder, manifest.Database)], ct);
        }
        progress.Report("Database restored");
        var copied = CopyNewFiles(Path.Combine(folder, "attachments"), Path.Combine(DataDirectory, "attachments"));
        progress.Report($"Attachment files: {copied.Copied} restored, {copied.Total - copied.Copied} were already there");
        return manifest;
    }

    private static (int Total, int Copied) CopyNewFiles(string from, string to)
    {
        if (!Directory.Exists(from)) return (0, 0);
        int total = 0, copied = 0;
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            total++;
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            if (File.Exists(target) && new FileInfo(target).Length == new FileInfo(file).Length) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target + ".partial", overwrite: true);
            File.Move(target + ".partial", target, overwrite: true);
            copied++;
        }
        return (total, copied);
    }

    /// pg_dump / pg_restore against the configured database (connection settings passed as PG* variables).
    private async Task RunPostgresToolAsync(string tool, string[] args, CancellationToken ct)
    {
        var cs = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (tool == "pg_restore") { psi.ArgumentList.Add("--dbname"); psi.ArgumentList.Add(cs.Database ?? ""); }
        psi.Environment["PGHOST"] = cs.Host;
        psi.Environment["PGPORT"] = cs.Port.ToString();
        psi.Environment["PGUSER"] = cs.Username;
        psi.Environment["PGDATABASE"] = cs.Database;
        if (cs.Password is { Length: > 0 } password) psi.Environment["PGPASSWORD"] = password;
        Process process;
        try { process = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new BackupException($"{tool} was not found. Install PostgreSQL's client tools (Debian: postgresql-client) or back up with your own PostgreSQL tooling.");
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync(ct);
            await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0) throw new BackupException($"{tool} failed ({process.ExitCode}): {(await error).Trim()}");
        }
    }
}

/// A backup or restore that cannot go on, with what to do about it.
public sealed class BackupException(string message) : Exception(message);
