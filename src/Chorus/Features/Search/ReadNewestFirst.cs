using System.Data;
using System.Text.Json;
using Chorus.Data;
using Chorus.Features.Inbox;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Chorus.Features.Search;

/// The first conversations a common search term matches, newest first, on SQLite, found without building
/// the set of every matching message (476,000 rows for "order" in a million messages: most of what such
/// a search cost). The conversations are walked in the inbox's order, filters and all, and each is checked
/// against the full-text matches read newest row first, from one statement that is read only as far as
/// needed. A conversation is decided once the matches have been read back past its oldest message (and
/// past its own row, for the subject), so the page holds exactly the conversations, in exactly the order,
/// that the whole set gives; the walk stops when the page is full. When deciding would read too far (a
/// long-lived conversation that does not match, a filter few matching conversations pass), it gives up
/// (null) and the caller uses the plan that builds the whole set.
/// Everything is read in one snapshot (the caller's), so the queue of not-yet-indexed messages and the
/// full-text index agree: a message is in exactly one of them.
public sealed class ReadNewestFirst
{
    /// Full-text rows read (messages and subjects together) before giving up: a few milliseconds.
    public const int DefaultMaxRows = 30_000;
    /// Conversations walked before giving up.
    public const int DefaultMaxConversations = 5_000;
    /// Matching people read into memory; more are checked by the database as the walk goes.
    public const int DefaultMaxPeople = 50_000;

    private readonly ChorusDb _db;
    private readonly string? _fts;
    private readonly string _words;
    private readonly long? _number;
    private readonly HashSet<Guid>? _people;
    private readonly IQueryable<Guid>? _everyone;
    private readonly int _maxRows;
    private readonly int _maxConversations;
    private readonly int _maxPeople;

    internal ReadNewestFirst(ChorusDb db, string? fts, string words, long? number, HashSet<Guid>? people, IQueryable<Guid>? everyone,
        int maxRows, int maxConversations, int maxPeople)
    {
        _db = db;
        _fts = fts;
        _words = words;
        _number = number;
        _people = people;
        _everyone = everyone;
        _maxRows = Math.Max(1, maxRows);
        _maxConversations = Math.Max(1, maxConversations);
        _maxPeople = Math.Max(0, maxPeople);
    }

    /// How far the last call read (for the benchmark and tests): full-text rows, conversations walked, and whether it gave up.
    public (int Rows, int Conversations, bool GaveUp) LastRead { get; private set; }

    /// The ids of the first <paramref name="count"/> matching conversations of <paramref name="parts"/>
    /// (disjoint queries, e.g. one per status, whose union is the view), newest first; fewer when fewer
    /// match; null when finding them would read too far. Call inside a snapshot (ChorusDb.BeginSnapshotAsync).
    public async Task<IReadOnlyList<Guid>?> FirstAsync(IReadOnlyList<IQueryable<Conversation>> parts, int count, CancellationToken ct = default)
    {
        var connection = (SqliteConnection)_db.Database.GetDbConnection();
        if (connection.State != ConnectionState.Open) throw new InvalidOperationException("ReadNewestFirst reads inside a snapshot.");
        var transaction = (SqliteTransaction?)_db.Database.CurrentTransaction?.GetDbTransaction();

        var budget = new RowBudget(_maxRows);
        var queued = await QueuedMatchesAsync(connection, transaction, ct);
        // Many matching people ("Okafor": thousands) are read once into memory rather than by every step of the walk.
        var people = _people;
        var everyone = _everyone;
        if (everyone is not null && await UpToAsync(everyone, _maxPeople, ct) is { } all) (people, everyone) = (all, null);
        using var messages = new MatchesNewestFirst(connection, transaction, "MessageSearch", _fts);
        using var subjects = new MatchesNewestFirst(connection, transaction, "ConversationSearch", _fts);
        // A term no message and no subject has (a person's name, say) needs no row ids at all.
        var textMatches = !(messages.MatchesNothing() && subjects.MatchesNothing());
        var found = new List<Guid>(count);
        var walked = 0;
        var chunk = Math.Clamp(count * 2, 64, 1_000);
        Walked? last = null;
        var gaveUp = false;
        try
        {
            while (found.Count < count)
            {
                var batch = await NextAsync(parts, last, chunk, everyone, ct);
                if (batch.Count == 0) break; // every conversation of the view walked
                last = batch[^1];

                // Row ids are needed only for conversations no cheaper check settles.
                var rows = await RowIdsAsync(connection, transaction, textMatches ? batch.Where(c => !Settled(c, people, queued)).Select(c => c.Id).ToList() : [], ct);
                foreach (var c in batch)
                {
                    if (++walked > _maxConversations) return Give();
                    var match = Settled(c, people, queued);
                    if (!match && rows.TryGetValue(c.Id, out var own))
                    {
                        // What has been read already first; then read messages back, then subjects.
                        if (messages.SeenAny(own.Messages) || subjects.SeenAny(own.Conversation)) match = true;
                        else if (messages.AnyOf(own.Messages, budget) is not { } byMessage) return Give();
                        else if (byMessage) match = true;
                        else if (subjects.AnyOf(own.Conversation, budget) is not { } bySubject) return Give();
                        else match = bySubject;
                    }
                    if (!match) continue;
                    found.Add(c.Id);
                    if (found.Count == count) break;
                }
                chunk = Math.Min(chunk * 2, 1_000);
            }
            return found;
        }
        finally
        {
            LastRead = (_maxRows - budget.Left, walked, gaveUp);
        }

        IReadOnlyList<Guid>? Give()
        {
            gaveUp = true;
            return null;
        }
    }

    /// All of them, or null when there are more than <paramref name="max"/> (reading stops there).
    private static async Task<HashSet<Guid>?> UpToAsync(IQueryable<Guid> ids, int max, CancellationToken ct)
    {
        var all = new HashSet<Guid>();
        await foreach (var id in ids.AsAsyncEnumerable().WithCancellation(ct))
            if (all.Add(id) && all.Count > max) return null;
        return all;
    }

    private bool Settled(Walked c, HashSet<Guid>? people, HashSet<Guid> queued) =>
        c.Number == _number || c.ByPerson || (people?.Contains(c.RequesterId) ?? false) || queued.Contains(c.Id);

    private sealed record Walked(Guid Id, long Number, Guid RequesterId, DateTimeOffset LastMessageAt, bool ByPerson);

    /// The next conversations of the view after <paramref name="after"/>, in the inbox's order (last message, then number, descending).
    private static async Task<List<Walked>> NextAsync(IReadOnlyList<IQueryable<Conversation>> parts, Walked? after, int take, IQueryable<Guid>? everyone, CancellationToken ct)
    {
        var next = new List<Walked>();
        foreach (var part in parts)
        {
            var q = part;
            if (after is not null)
            {
                var at = after.LastMessageAt;
                var number = after.Number;
                q = q.Where(c => c.LastMessageAt < at || (c.LastMessageAt == at && c.Number < number));
            }
            var ordered = q.OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Number).Take(take);
            if (everyone is not null)
                next.AddRange(await ordered.Select(c => new Walked(c.Id, c.Number, c.RequesterId, c.LastMessageAt, everyone.Contains(c.RequesterId))).ToListAsync(ct));
            else
                next.AddRange(await ordered.Select(c => new Walked(c.Id, c.Number, c.RequesterId, c.LastMessageAt, false)).ToListAsync(ct));
        }
        if (parts.Count == 1) return next;
        // Each part gave its own first ones; the view's first ones are among them.
        return next.OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Number).Take(take).ToList();
    }

    /// Conversations with a queued (not yet indexed) message that has every word, read whole: the queue is
    /// short except right after a burst, and the full-set plan reads it whole too.
    private async Task<HashSet<Guid>> QueuedMatchesAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken ct)
    {
        var queued = new HashSet<Guid>();
        if (_fts is null) return queued;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT m."ConversationId" FROM "MessageSearchPending" p CROSS JOIN "Messages" m ON m.rowid = p."MessageRowId"
            WHERE NOT EXISTS (SELECT 1 FROM json_each($words) w WHERE instr(lower(m."Text"), lower(w.value)) = 0)
            """;
        command.Parameters.AddWithValue("$words", _words);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) queued.Add(reader.GetGuid(0));
        return queued;
    }

    private sealed record OwnRows(long[] Conversation, List<long> Messages);

    /// The row id of each conversation and of its messages (the index on messages by conversation has them).
    private static async Task<Dictionary<Guid, OwnRows>> RowIdsAsync(SqliteConnection connection, SqliteTransaction? transaction, List<Guid> ids, CancellationToken ct)
    {
        var rows = new Dictionary<Guid, OwnRows>();
        if (ids.Count == 0) return rows;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // Ids are stored as upper-case text (EF Core's SQLite mapping).
        command.CommandText = """
            SELECT "Id", rowid, 1 FROM "Conversations" WHERE "Id" IN (SELECT value FROM json_each($ids))
            UNION ALL SELECT "ConversationId", rowid, 0 FROM "Messages" WHERE "ConversationId" IN (SELECT value FROM json_each($ids))
            """;
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(ids.Select(id => id.ToString().ToUpperInvariant())));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            if (!rows.TryGetValue(id, out var own)) rows[id] = own = new OwnRows([long.MinValue], []);
            if (reader.GetInt64(2) == 1) own.Conversation[0] = reader.GetInt64(1);
            else own.Messages.Add(reader.GetInt64(1));
        }
        return rows;
    }

    private sealed class RowBudget(int rows)
    {
        public int Left { get; private set; } = rows;

        public bool Take()
        {
            if (Left == 0) return false;
            Left--;
            return true;
        }
    }

    /// The row ids an FTS5 query matches, read newest (highest) first and only as far back as a question needs.
    private sealed class MatchesNewestFirst : IDisposable
    {
        private readonly SqliteCommand? _command;
        private SqliteDataReader? _reader;
        private readonly HashSet<long> _seen = [];
        /// Every match with a row id at or above this has been read.
        private long _bound = long.MaxValue;

        public MatchesNewestFirst(SqliteConnection connection, SqliteTransaction? transaction, string table, string? fts)
        {
            if (fts is null)
            {
                _bound = long.MinValue; // matches nothing: everything is decided
                return;
            }
            _command = connection.CreateCommand();
            _command.Transaction = transaction;
            _command.CommandText = $"""SELECT rowid FROM "{table}" WHERE "{table}" MATCH $match ORDER BY rowid DESC""";
            _command.Parameters.AddWithValue("$match", fts);
        }

        /// Whether one of the rows is a match already read.
        public bool SeenAny(IReadOnlyList<long> rows)
        {
            foreach (var row in rows)
                if (row >= _bound && _seen.Contains(row)) return true;
            return false;
        }

        /// Whether the query matches no row at all (reads the first match to know).
        public bool MatchesNothing()
        {
            if (_bound == long.MaxValue) Advance();
            return _bound == long.MinValue && _seen.Count == 0;
        }

        /// Whether any of the rows matches, reading back until all of them are decided; null when the budget ran out first.
        public bool? AnyOf(IReadOnlyList<long> rows, RowBudget budget)
        {
            if (rows.Count == 0) return false;
            if (SeenAny(rows)) return true;
            var lowest = rows.Min();
            while (_bound > lowest)
            {
                if (!budget.Take()) return null;
                if (Advance() is { } row && rows.Contains(row)) return true;
            }
            return false;
        }

        /// Reads the next (older) match; null at the end.
        private long? Advance()
        {
            _reader ??= _command!.ExecuteReader();
            if (!_reader.Read())
            {
                _bound = long.MinValue; // read to the end
                return null;
            }
            var row = _reader.GetInt64(0);
            _seen.Add(row);
            _bound = row;
            return row;
        }

        public void Dispose()
        {
            _reader?.Dispose();
            _command?.Dispose();
        }
    }
}
