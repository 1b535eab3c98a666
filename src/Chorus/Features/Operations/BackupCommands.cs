using System.CommandLine;
using Chorus.Data;
using Chorus.Features.Cli;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Operations;

/// `chorus backup --to DIR` and `chorus restore --from DIR`.
public static class BackupCommands
{
    public static Command Backup()
    {
        var to = new Option<string>("--to") { Description = "Folder to write the backup into (created if missing; backing up into it again copies only new attachment files)", Required = true };
        var cmd = new Command("backup", "Back up the workspace: the database (SQLite online, safe while Chorus serves; PostgreSQL with pg_dump) and the attachment files.") { to };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(async (parse, ct) =>
        {
            await using var app = ChorusCli.Host(parse);
            using var scope = app.Services.CreateScope();
            try
            {
                var manifest = await scope.ServiceProvider.GetRequiredService<BackupWorkspace>()
                    .BackUpAsync(Path.GetFullPath(parse.GetValue(to)!), new Progress<string>(Console.WriteLine), ct);
                Console.WriteLine($"Backup complete: {manifest.Conversations:N0} conversations, {manifest.Messages:N0} messages, {manifest.AttachmentFiles:N0} attachment files ({manifest.Provider}).");
                return 0;
            }
            catch (BackupException e) { Console.Error.WriteLine(e.Message); return 1; }
        });
        return cmd;
    }

    public static Command Restore()
    {
        var from = new Option<string>("--from") { Description = "A folder written by chorus backup", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace a workspace that already has conversations" };
        var cmd = new Command("restore", "Restore a backup into the configured workspace (stop Chorus first), then migrate it to this version.") { from, force };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(async (parse, ct) =>
        {
            await using var app = ChorusCli.Host(parse);
            using var scope = app.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            try
            {
                if (!parse.GetValue(force) && await HasConversationsAsync(db, ct))
                {
                    Console.Error.WriteLine("This workspace already has conversations; restoring replaces all of them. Run again with --force to do that.");
                    return 2;
                }
                var manifest = await scope.ServiceProvider.GetRequiredService<BackupWorkspace>()
                    .RestoreAsync(Path.GetFullPath(parse.GetValue(from)!), new Progress<string>(Console.WriteLine), ct);
                await ChorusApp.MigrateAndBootstrapAsync(scope.ServiceProvider);
                Console.WriteLine($"Restored the backup of {manifest.CreatedAt:u}: {manifest.Conversations:N0} conversations, {manifest.Messages:N0} messages.");
                return 0;
            }
            catch (BackupException e) { Console.Error.WriteLine(e.Message); return 1; }
        });
        return cmd;
    }

    /// An empty or brand-new database (no tables yet) has none.
    private static async Task<bool> HasConversationsAsync(ChorusDb db, CancellationToken ct)
    {
        if (!(await db.Database.GetAppliedMigrationsAsync(ct)).Any()) return false;
        return await db.Conversations.AnyAsync(ct);
    }
}
