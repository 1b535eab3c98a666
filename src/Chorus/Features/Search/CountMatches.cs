using System.Data.Common;
using Chorus.Data;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Chorus.Features.Search;

/// How many conversations of a view a search matches, exactly up to a cap and "at least the cap" beyond it
/// (the inbox shows "10,000+", as Gmail says "many"). An exact total of a common word builds the set of every
/// matching message (~450,000 for "order" in a million messages), far more work than the page it stands
/// above. This reads the matches lazily instead, checks each one's conversation against the view (filters,
/// hidden private teams, statuses) by its key, and stops as soon as the cap is passed. A rare term is read to
/// its end, which is cheap. `Chorus:Search:CountCap` sets the cap.
public class CountMatches(ChorusDb db, SearchConversations search, IConfiguration config)
{
    public const int DefaultCap = 10_000;
    /// Conversations checked against the view at once (PostgreSQL).
    private const int Chunk = 1_000;

    public int Cap => Math.Max(1, config.GetValue("Chorus:Search:CountCap", DefaultCap));

    /// <paramref name="view"/>: the conversations the search looks in, every filter applied but the search.
    public async Task<CappedTotal> CountAsync(IQueryable<Conversation> view, string query, CancellationToken ct = default)
    {
        var cap = Cap;
        var counted = new HashSet<Guid>();
        await using var snapshot = await db.BeginSnapshotAsync(ct); // the reads below agree on one state

        // The number, then the requester's name or handle (their conversations by the index on requester).
        if (long.TryParse(query.Trim().TrimStart('#'), out var number))
            counted.UnionWith(await view.Where(c => c.Number == number).Select(c => c.Id).ToListAsync(ct));
        var people = search.PersonIds(query);
        await foreach (var id in view.Where(c => people.Contains(c.RequesterId)).Select(c => c.Id).AsAsyncEnumerable().WithCancellation(ct))
            if (counted.Add(id) && counted.Count > cap) return new CappedTotal(cap, true);

        // Words in a message or the subject: conversations as the full-text index names them (again and again,
        // for a conversation with many matching messages), each checked against the view.
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // In SQLite itself, row by row: each match's conversation is looked up by key and checked against the
            // view in the same statement, and the reading stops when the cap is passed.
            foreach (var source in SqliteTextMatches(query))
                await foreach (var id in source.Where(id => view.Any(c => c.Id == id)).AsAsyncEnumerable().WithCancellation(ct))
                    if (counted.Add(id) && counted.Count > cap) return new CappedTotal(cap, true);
            return new CappedTotal(counted.Count, false);
        }

        // PostgreSQL: a chunk at a time from a cursor, the new ones checked against the view by key.
        var looked = new HashSet<Guid>(counted);
        var pending = new List<Guid>(Chunk);
        await foreach (var id in PostgresTextMatchesAsync(query, ct))
        {
            if (!looked.Add(id)) continue;
            pending.Add(id);
            if (pending.Count < Chunk) continue;
            if (await CheckAsync() > cap) return new CappedTotal(cap, true);
        }
        await CheckAsync();
        return counted.Count > cap ? new CappedTotal(cap, true) : new CappedTotal(counted.Count, false);

        async Task<int> CheckAsync()
        {
            if (pending.Count == 0) return counted.Count;
            var ids = pending.ToList();
            pending.Clear();
            counted.UnionWith(await view.Where(c => ids.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct));
            return counted.Count;
        }
    }

    /// Queued (not yet indexed) messages first, a short list read whole as the search does; then subjects, then
    /// messages. CROSS JOIN keeps SQLite's order: the index first, then the row it names.
    private IEnumerable<IQueryable<Guid>> SqliteTextMatches(string query)
    {
        if (SearchConversations.ToFts5(query) is not { } fts) yield break;
        var words = SearchConversations.Words(query);
        yield return db.Database.SqlQuery<Guid>($"""
            SELECT m."ConversationId" AS "Value" FROM "MessageSearchPending" p CROSS JOIN "Messages" m ON m.rowid = p."MessageRowId"
            WHERE NOT EXISTS (SELECT 1 FROM json_each({words}) w WHERE instr(lower(m."Text"), lower(w.value)) = 0)
            """);
        yield return db.Database.SqlQuery<Guid>(
            $"""SELECT c."Id" AS "Value" FROM "ConversationSearch" s CROSS JOIN "Conversations" c ON c.rowid = s.rowid WHERE "ConversationSearch" MATCH {fts}""");
        yield return db.Database.SqlQuery<Guid>(
            $"""SELECT m."ConversationId" AS "Value" FROM "MessageSearch" s CROSS JOIN "Messages" m ON m.rowid = s.rowid WHERE "MessageSearch" MATCH {fts}""");
    }

    /// Conversations with a subject or a message the words match (the last word a prefix, as the search reads
    /// them), through a cursor in the caller's snapshot transaction: a plain reader would have the server send
    /// every row, however few are read.
    private async IAsyncEnumerable<Guid> PostgresTextMatchesAsync(string query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        await using (var declare = Command(connection, transaction, $"""
            DECLARE chorus_search_total NO SCROLL CURSOR FOR
            SELECT "Id" FROM "Conversations" WHERE "SearchVector" @@ {SearchConversations.PostgresQuery("$1")}
            UNION ALL SELECT "ConversationId" FROM "Messages" WHERE "SearchVector" @@ {SearchConversations.PostgresQuery("$1")}
            """, query.Trim()))
            await declare.ExecuteNonQueryAsync(ct);
        for (var more = true; more;)
        {
            more = false;
            await using var fetch = Command(connection, transaction, $"FETCH FORWARD {Chunk * 2} FROM chorus_search_total");
            await using var reader = await fetch.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                more = true;
                yield return reader.GetGuid(0);
            }
        }
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, string? value = null)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (value is not null)
        {
            var p = command.CreateParameter();
            p.Value = value; // positional: $1
            command.Parameters.Add(p);
        }
        return command;
    }
}

/// A search's total: exact, or when <see cref="AtLeast"/>, more than <see cref="Count"/> (shown "10,000+").
public sealed record CappedTotal(int Count, bool AtLeast)
{
    public override string ToString() => AtLeast ? $"{Count:N0}+" : Count.ToString("N0");
}
