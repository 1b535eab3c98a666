using Chorus.Data;
using Chorus.Features.Inbox.Ingest;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Search;

/// Moves stored messages into SQLite's full-text index, after ingest has committed them (see the
/// DeferredMessageIndex migration). Tokenizing text is most of what storing a message costs, so ingest
/// comes first: while batches are arriving the indexer waits, unless the queue has grown past
/// <see cref="MaxBacklog"/>, and then they take turns. A burst is stored at the speed of plain inserts and
/// indexed right after it. Search reads queued messages directly, so nothing is unsearchable meanwhile.
/// PostgreSQL indexes in the row itself (generated tsvector columns): there this does nothing.
public sealed class IndexMessages(IServiceScopeFactory scopes, WriteInboundBatch ingest, ILogger<IndexMessages> log) : BackgroundService
{
    /// Messages per transaction: small enough that a waiting ingest batch is held up for milliseconds.
    public const int ChunkSize = 500;
    /// Beyond this many queued messages the index no longer waits for ingest to pause.
    public const int MaxBacklog = 20_000;

    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using (var scope = scopes.CreateScope())
            if (scope.ServiceProvider.GetRequiredService<ChorusDb>().Provider != DatabaseProvider.Sqlite) return;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (ingest.IsBusy && await BacklogAsync(stoppingToken) < MaxBacklog)
                    await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken);
                else if (await IndexChunkAsync(stoppingToken) == 0)
                    await Task.Delay(IdlePoll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The queue stays as it is and search keeps reading it; try again shortly.
                log.LogError(ex, "Indexing messages for search failed; retrying in 5 s");
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }

    /// Indexes everything queued now (the benchmark, tests, and `chorus search rebuild` use it); returns how many.
    public async Task<long> IndexAllAsync(CancellationToken ct = default)
    {
        long total = 0;
        for (int n; (n = await IndexChunkAsync(ct)) > 0;) total += n;
        return total;
    }

    /// How many stored messages wait for the index.
    public async Task<int> BacklogAsync(CancellationToken ct = default)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        if (db.Provider != DatabaseProvider.Sqlite) return 0;
        return await db.Database.SqlQuery<int>($"""SELECT count(*) AS "Value" FROM "MessageSearchPending" """).SingleAsync(ct);
    }

    /// Indexes the oldest queued messages in one transaction and takes them off the queue; returns how many.
    /// The write runs on the ingest writer's connection, between batches (WriteInboundBatch.WriteInTurnAsync).
    private async Task<int> IndexChunkAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        if (db.Provider != DatabaseProvider.Sqlite) return 0;
        // A read first, so an idle indexer never takes the write lock.
        if (!await db.Database.SqlQuery<bool>($"""SELECT EXISTS (SELECT 1 FROM "MessageSearchPending") AS "Value" """).SingleAsync(ct)) return 0;

        return await ingest.WriteInTurnAsync(async writer =>
        {
            await using var tx = await writer.Database.BeginTransactionAsync(ct);
            await writer.Database.ExecuteSqlAsync($"""
                INSERT INTO "MessageSearch"(rowid, "Text")
                SELECT m.rowid, m."Text" FROM "Messages" m
                WHERE m.rowid IN (SELECT "MessageRowId" FROM "MessageSearchPending" ORDER BY "MessageRowId" LIMIT {ChunkSize})
                """, ct);
            var indexed = await writer.Database.ExecuteSqlAsync($"""
                DELETE FROM "MessageSearchPending"
                WHERE "MessageRowId" IN (SELECT "MessageRowId" FROM "MessageSearchPending" ORDER BY "MessageRowId" LIMIT {ChunkSize})
                """, ct);
            await tx.CommitAsync(ct);
            return indexed;
        }, ct);
    }
}
