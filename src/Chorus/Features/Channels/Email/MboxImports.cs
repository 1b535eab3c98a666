using System.Collections.Concurrent;
using System.Text.Json;
using Chorus.Common;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Email;

/// An import as the admin UI and API show it: the database row with the live progress of a running one.
public sealed record MboxImportView(
    Guid Id, Guid ChannelId, string FileName, long Bytes, MboxImportStatus Status, long Position,
    int Read, int Filed, int Duplicates, int Skipped, IReadOnlyList<SkipReason> SkipReasons, bool AlreadyImported,
    string? Error, string StartedByName, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// Runs uploaded mbox imports in the background, one at a time per node, each claimed with a
/// conditional update and a renewed lock so two nodes never run the same one. Progress is kept live in
/// memory (pages subscribe to <see cref="Changed"/>) and written to the row every second, so a restart
/// resumes an import (ImportMbox continues at its checkpoint) and its counts carry on.
public sealed class MboxImports(IServiceScopeFactory scopes, IConfiguration config, ILogger<MboxImports> log) : BackgroundService
{
    private static readonly TimeSpan Lock = TimeSpan.FromMinutes(2);
    private readonly System.Threading.Channels.Channel<bool> _wake = System.Threading.Channels.Channel.CreateBounded<bool>(new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<Guid, MboxProgress> _live = new();

    /// An import of this channel moved on (started, progressed, finished).
    public event Action<Guid>? Changed;

    public static string Directory(IConfiguration config) => Path.Combine(DatabaseSetup.DataDirectory(config), "imports");
    public static string PathOf(IConfiguration config, Guid importId) => Path.Combine(Directory(config), $"{importId:N}.mbox");

    /// A new import was queued: look now rather than at the next round.
    public void Wake() => _wake.Writer.TryWrite(true);

    public async Task<IReadOnlyList<MboxImportView>> ListAsync(ChorusDb db, Guid channelId, int take = 10, CancellationToken ct = default)
    {
        var rows = await db.MboxImports.AsNoTracking().Where(i => i.ChannelId == channelId)
            .OrderByDescending(i => i.CreatedAt).Take(take).ToListAsync(ct);
        return rows.Select(View).ToList();
    }

    public MboxImportView View(MboxImport i)
    {
        var reasons = i.SkipReasonsJson is null ? [] : JsonSerializer.Deserialize<List<SkipReason>>(i.SkipReasonsJson) ?? [];
        // A running import on this node: its live counts (earlier runs included) are newer than the row's.
        return i.Status == MboxImportStatus.Running && _live.TryGetValue(i.Id, out var p)
            ? new MboxImportView(i.Id, i.ChannelId, i.FileName, i.Bytes, i.Status, p.Position, p.Read, p.Filed,
                p.Duplicates, p.Skipped, reasons, false, null, i.StartedByName, i.CreatedAt, null)
            : new MboxImportView(i.Id, i.ChannelId, i.FileName, i.Bytes, i.Status, i.Position, i.Read, i.Filed, i.Duplicates, i.Skipped,
                reasons, i.AlreadyImported, i.Error, i.StartedByName, i.CreatedAt, i.FinishedAt);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!config.GetValue("Chorus:Email:Imports", true)) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await ClaimNextAsync(stoppingToken) is { } claimed) await RunAsync(claimed, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogError(e, "Mbox imports: looking for work failed"); }
            // Woken by a new upload, or every 30 s for imports another node left behind.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try { await _wake.Reader.ReadAsync(timeout.Token); }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task<MboxImport?> ClaimNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var now = DateTimeOffset.UtcNow;
        var candidates = await db.MboxImports.AsNoTracking()
            .Where(i => i.Status == MboxImportStatus.Queued || (i.Status == MboxImportStatus.Running && i.LockedUntil < now))
            .OrderBy(i => i.CreatedAt).Select(i => i.Id).Take(5).ToListAsync(ct);
        foreach (var id in candidates)
        {
            var claimed = await db.MboxImports
                .Where(i => i.Id == id && (i.Status == MboxImportStatus.Queued || (i.Status == MboxImportStatus.Running && i.LockedUntil < now)))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, MboxImportStatus.Running).SetProperty(i => i.LockedUntil, now + Lock), ct);
            if (claimed == 1) return await db.MboxImports.AsNoTracking().SingleAsync(i => i.Id == id, ct);
        }
        return null;
    }

    private async Task RunAsync(MboxImport import, CancellationToken ct)
    {
        var path = PathOf(config, import.Id);
        // Counts carry on from earlier runs of this import (interrupted by a restart).
        _live[import.Id] = new MboxProgress(import.Position, import.Bytes, import.Read, import.Filed, import.Duplicates, import.Skipped);
        Changed?.Invoke(import.ChannelId);
        using var running = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var flusher = FlushWhileRunningAsync(import, running.Token);
        Outcome<MboxImportResult> outcome;
        try
        {
            // Uploads live in the data directory of the node that took them; a node taking over a stopped
            // import elsewhere (or after the file was removed) cannot read it.
            if (!File.Exists(path))
                throw new FileNotFoundException("the uploaded file is not on this server any more");
            await using var scope = scopes.CreateAsyncScope();
            outcome = await scope.ServiceProvider.GetRequiredService<ImportMbox>().RunAsync(path, import.ChannelId,
                new LiveProgress(p =>
                {
                    _live[import.Id] = p with
                    {
                        Read = import.Read + p.Read, Filed = import.Filed + p.Filed, Duplicates = import.Duplicates + p.Duplicates, Skipped = import.Skipped + p.Skipped,
                    };
                    Changed?.Invoke(import.ChannelId);
                }), ct);
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Shutting down: hand it back at once (with the counts so far) so the next start resumes it.
            await running.CancelAsync();
            await flusher;
            await SaveAsync(import, MboxImportStatus.Queued, null, null, CancellationToken.None);
            return;
        }
        catch (Exception e)
        {
            log.LogError(e, "Mbox import {Import} failed", import.Id);
            outcome = new Outcome<MboxImportResult>.Conflict(
                $"The import stopped: {e.GetBaseException().Message}. Upload the same file again to continue where it stopped; nothing is imported twice.");
        }
        await running.CancelAsync();
        await flusher;
        if (outcome is Outcome<MboxImportResult>.Ok { Value: var result })
            await SaveAsync(import, MboxImportStatus.Finished, result, null, CancellationToken.None);
        else
            await SaveAsync(import, MboxImportStatus.Failed, null, outcome.Error, CancellationToken.None);
        _live.TryRemove(import.Id, out _);
        // Imported or not, the upload has served: an import is resumed by uploading the file again.
        try { File.Delete(path); } catch (IOException e) { log.LogWarning(e, "Could not delete {Path}", path); }
        Changed?.Invoke(import.ChannelId);
    }

    private async Task FlushWhileRunningAsync(MboxImport import, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (!_live.TryGetValue(import.Id, out var p)) continue;
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ChorusDb>().MboxImports.Where(i => i.Id == import.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.LockedUntil, DateTimeOffset.UtcNow + Lock).SetProperty(i => i.Position, p.Position)
                    .SetProperty(i => i.Read, p.Read).SetProperty(i => i.Filed, p.Filed).SetProperty(i => i.Duplicates, p.Duplicates)
                    .SetProperty(i => i.Skipped, p.Skipped), ct);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) { log.LogWarning(e, "Mbox import {Import}: saving progress failed", import.Id); }
    }

    /// Adds this run's counts and skip reasons to those of earlier runs, and ends the run with a status.
    private async Task SaveAsync(MboxImport import, MboxImportStatus status, MboxImportResult? result, string? error, CancellationToken ct)
    {
        _live.TryGetValue(import.Id, out var p);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var row = await db.MboxImports.SingleAsync(i => i.Id == import.Id, ct);
        if (result is not null)
            (row.Read, row.Filed, row.Duplicates, row.Skipped) =
                (import.Read + result.Read, import.Filed + result.Filed, import.Duplicates + result.Duplicates, import.Skipped + result.Skipped);
        else if (p is not null)
            (row.Read, row.Filed, row.Duplicates, row.Skipped) = (p.Read, p.Filed, p.Duplicates, p.Skipped);
        row.Position = result is { Finished: true } ? row.Bytes : p?.Position ?? row.Position;
        if (result is not null)
        {
            var reasons = (row.SkipReasonsJson is null ? [] : JsonSerializer.Deserialize<List<SkipReason>>(row.SkipReasonsJson) ?? [])
                .Concat(result.SkipReasons).GroupBy(r => r.Reason)
                .Select(g => new SkipReason(g.Key, g.Sum(r => r.Count), g.SelectMany(r => r.Examples).Take(5).ToList()))
                .OrderByDescending(r => r.Count).ToList();
            row.SkipReasonsJson = JsonSerializer.Serialize(reasons);
            // Read to its end before: this upload found nothing new in the file.
            row.AlreadyImported = row.Read == 0 && result.Finished && result.ResumedAt >= row.Bytes;
        }
        row.Status = status;
        row.Error = error is null ? null : TextLimits.Cut(error, 1000);
        row.LockedUntil = null;
        if (status is MboxImportStatus.Finished or MboxImportStatus.Failed) row.FinishedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(ct);
    }

    /// Reports on the importer's own thread, at once (Progress<T> would post it for later).
    private sealed class LiveProgress(Action<MboxProgress> report) : IProgress<MboxProgress>
    {
        public void Report(MboxProgress value) => report(value);
    }
}
