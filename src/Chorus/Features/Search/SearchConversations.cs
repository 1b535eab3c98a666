using System.Linq.Expressions;
using System.Text;
using Chorus.Data;
using Chorus.Features.Inbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Search;

/// Full-text search with the database's own engine: SQLite FTS5 tables or PostgreSQL generated tsvector
/// columns with GIN indexes. On SQLite, message text reaches the FTS5 table shortly after it is stored
/// (IndexMessages); the messages still queued are matched by reading their text, so a search never misses
/// a message, however new. Those reads start from the queue (CROSS JOIN fixes SQLite's join order): left to
/// itself the planner may walk every stored message to probe the queue, which it cannot know is small. Produces conditions on conversations, so a
/// search combines with any inbox filter in one SQL statement, with no cap on how far back it looks.
public class SearchConversations(ChorusDb db, IConfiguration config)
{
    /// How many matching messages, or matching people, make a search term common on SQLite (see MatchesAsync).
    internal const int CommonMessages = 5_000;
    internal const int CommonPeople = 1_000;

    /// What a search matches: its words in a message or in the subject, its text in the requester's
    /// name or in one of their handles, or the conversation's number.
    /// On SQLite, newest first (the inbox's order), the plan depends on how much matches. A rare term is
    /// looked up once and the few conversations it names are fetched directly. A common one ("order",
    /// in a third of all messages; "an", in thousands of names) would make that list hundreds of
    /// thousands long, so instead each conversation is checked as the inbox index walks back in time,
    /// and a page is full after a few dozen. Two capped reads tell which it is; both results are
    /// reused, so the full-text index and the people are read no more often than before. For a common
    /// term the match also carries <see cref="ReadNewestFirst"/>, which finds the first pages without
    /// building the set of every matching message (the condition still does, for counts and fallbacks).
    /// `Chorus:Search:CommonMessages` and `Chorus:Search:CommonPeople` move the thresholds, and
    /// `Chorus:Search:NewestFirst=false` turns the newest-first reading off (for comparison).
    public async Task<SearchMatch> MatchesAsync(string query, bool newestFirst, CancellationToken ct = default)
    {
        var number = long.TryParse(query.Trim().TrimStart('#'), out var n) ? n : (long?)null;
        if (db.Provider != DatabaseProvider.Sqlite || !newestFirst)
        {
            var ids = ConversationIds(query);
            var people = PersonIds(query);
            return new SearchMatch(c => ids.Contains(c.Id) || people.Contains(c.RequesterId) || c.Number == number, null);
        }

        var commonMessages = Math.Max(1, config.GetValue("Chorus:Search:CommonMessages", CommonMessages));
        var commonPeople = Math.Max(1, config.GetValue("Chorus:Search:CommonPeople", CommonPeople));
        var fts = ToFts5(query);
        var words = Words(query);
        // A prefix query reads every row of every term it covers before it gives its first ("order*": 450,000 rows,
        // ~12 ms); the same words whole are read lazily. When they alone are common, so is the term, and the prefix
        // query below (only needed for a rare term's list) is skipped.
        var whole = ToFts5(query, lastAsPrefix: false);
        var common = whole is not null && await db.Database.SqlQuery<int>($"""
            SELECT count(*) AS "Value" FROM (SELECT rowid FROM "MessageSearch" WHERE "MessageSearch" MATCH {whole} LIMIT {commonMessages})
            """).SingleAsync(ct) >= commonMessages;
        var messageRows = fts is null || common ? [] : await db.Database.SqlQuery<long>($"""
            SELECT rowid AS "Value" FROM "MessageSearch" WHERE "MessageSearch" MATCH {fts}
            UNION ALL SELECT p."MessageRowId" FROM "MessageSearchPending" p CROSS JOIN "Messages" m ON m.rowid = p."MessageRowId"
                WHERE NOT EXISTS (SELECT 1 FROM json_each({words}) w WHERE instr(lower(m."Text"), lower(w.value)) = 0)
            LIMIT {commonMessages}
            """).ToListAsync(ct);
        // Any commonPeople of them tell "few" from "many": read as they come and stop there (a Take in SQL
        // without an order is the same reading, but EF warns about it on every search).
        var personIds = await PersonIds(query).AsAsyncEnumerable().Take(commonPeople).ToListAsync(ct);
        var subjects = fts is null ? db.Conversations.Where(_ => false)
            : db.Conversations.FromSql($"""SELECT * FROM "Conversations" WHERE rowid IN (SELECT rowid FROM "ConversationSearch" WHERE "ConversationSearch" MATCH {fts})""");

        if (!common && messageRows.Count < commonMessages && personIds.Count < commonPeople)
        {
            var rows = System.Text.Json.JsonSerializer.Serialize(messageRows);
            var fromMessages = db.Messages.FromSql($"""SELECT * FROM "Messages" WHERE rowid IN (SELECT value FROM json_each({rows}))""").Select(m => m.ConversationId);
            var fromSubjects = subjects.Select(c => c.Id);
            return new SearchMatch(c => fromMessages.Contains(c.Id) || fromSubjects.Contains(c.Id) || personIds.Contains(c.RequesterId) || c.Number == number, null);
        }

        // Each side reads the index once into a list of row ids; a conversation is then checked with index lookups.
        var messages = fts is null ? db.Messages.Where(_ => false)
            : db.Messages.FromSql($"""
                SELECT * FROM "Messages" WHERE rowid IN (SELECT rowid FROM "MessageSearch" WHERE "MessageSearch" MATCH {fts})
                UNION ALL SELECT m.* FROM "MessageSearchPending" p JOIN "Messages" m ON m.rowid = p."MessageRowId"
                    WHERE NOT EXISTS (SELECT 1 FROM json_each({words}) w WHERE instr(lower(m."Text"), lower(w.value)) = 0)
                """);
        var fewPeople = personIds.Count < commonPeople;
        var everyone = PersonIds(query);
        Expression<Func<Conversation, bool>> condition = fewPeople
            ? c => messages.Any(m => m.ConversationId == c.Id) || subjects.Any(s => s.Id == c.Id) || personIds.Contains(c.RequesterId) || c.Number == number
            : c => messages.Any(m => m.ConversationId == c.Id) || subjects.Any(s => s.Id == c.Id) || everyone.Contains(c.RequesterId) || c.Number == number;
        var newest = config.GetValue("Chorus:Search:NewestFirst", true)
            ? new ReadNewestFirst(db, fts, words, number, fewPeople ? personIds.ToHashSet() : null, fewPeople ? null : everyone,
                config.GetValue("Chorus:Search:NewestFirstMaxRows", ReadNewestFirst.DefaultMaxRows),
                config.GetValue("Chorus:Search:NewestFirstMaxConversations", ReadNewestFirst.DefaultMaxConversations),
                config.GetValue("Chorus:Search:NewestFirstMaxPeople", ReadNewestFirst.DefaultMaxPeople))
            : null;
        return new SearchMatch(condition, newest);
    }

    /// Conversations with a message or subject that matches, as one list.
    public IQueryable<Guid> ConversationIds(string query)
    {
        if (db.Provider == DatabaseProvider.Postgres)
        {
            return db.Database.SqlQueryRaw<Guid>(PostgresMatchesSql, query.Trim());
        }
        var fts = ToFts5(query);
        if (fts is null) return db.Conversations.Where(_ => false).Select(c => c.Id);
        var words = Words(query);
        return db.Database.SqlQuery<Guid>($"""
            SELECT m."ConversationId" AS "Value" FROM "MessageSearch" s JOIN "Messages" m ON m.rowid = s.rowid WHERE "MessageSearch" MATCH {fts}
            UNION SELECT m."ConversationId" AS "Value" FROM "MessageSearchPending" p CROSS JOIN "Messages" m ON m.rowid = p."MessageRowId"
                WHERE NOT EXISTS (SELECT 1 FROM json_each({words}) w WHERE instr(lower(m."Text"), lower(w.value)) = 0)
            UNION SELECT c."Id" AS "Value" FROM "ConversationSearch" s JOIN "Conversations" c ON c.rowid = s.rowid WHERE "ConversationSearch" MATCH {fts}
            """);
    }

    /// Rebuilds the SQLite full-text index from the tables (needed after a VACUUM, which may renumber
    /// the rowids the index points at); nothing is left queued. PostgreSQL's generated columns never need it.
    public async Task<bool> RebuildAsync(CancellationToken ct = default)
    {
        if (db.Provider != DatabaseProvider.Sqlite) return false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync(
            "DELETE FROM \"MessageSearchPending\"; INSERT INTO \"MessageSearch\"(\"MessageSearch\") VALUES ('rebuild'); INSERT INTO \"ConversationSearch\"(\"ConversationSearch\") VALUES ('rebuild');", ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// People whose name or any identity handle contains the text, for use in Contains (a person may be
    /// listed twice: UNION ALL, since a de-duplicating UNION makes SQLite read both tables in key order).
    public IQueryable<Guid> PersonIds(string query)
    {
        var q = query.Trim().ToLower();
        if (q.Length < 2) return db.People.Where(_ => false).Select(p => p.Id);
        if (db.Provider == DatabaseProvider.Sqlite && q.Length >= 3 && !q.AsSpan().ContainsAny('%', '_', '\\'))
        {
            // The trigram index answers a substring LIKE of three or more characters without reading every
            // person (see the PersonSearch migration); it ignores case as LIKE does.
            var substring = "%" + q + "%";
            return db.Database.SqlQuery<Guid>($"""SELECT "PersonId" AS "Value" FROM "PersonSearch" WHERE "Text" LIKE {substring}""");
        }
        if (db.Provider == DatabaseProvider.Sqlite)
        {
            // SQLite's LIKE ignores case just as its lower() does (ASCII letters), without lower()'s copy
            // of every name: a scan of 100,000 people takes a quarter of the time.
            var pattern = "%" + q.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            return db.People.Where(p => p.MergedIntoId == null && EF.Functions.Like(p.Name, pattern, "\\")).Select(p => p.Id)
                .Concat(db.Identities.Where(i => EF.Functions.Like(i.Handle, pattern, "\\")).Select(i => i.PersonId));
        }
        return db.People.Where(p => p.MergedIntoId == null && p.Name.ToLower().Contains(q)).Select(p => p.Id)
            .Concat(db.Identities.Where(i => i.Handle.ToLower().Contains(q)).Select(i => i.PersonId));
    }

    /// What a person typed, in the SQL parameter <paramref name="parameter"/>, as a PostgreSQL tsquery whose last
    /// word is a prefix, as on SQLite ("subscr" finds "subscription"). websearch_to_tsquery reads any text without
    /// error (quotes, &, |, !, :* are separators or nothing to it) and prints its result with every lexeme quoted;
    /// ":*" goes after the last closing quote only, so nothing typed is ever read as tsquery syntax. A query
    /// without words stays empty and matches nothing.
    internal static string PostgresQuery(string parameter) =>
        $"regexp_replace(websearch_to_tsquery('simple', {parameter})::text, '''$', ''':*')::tsquery";

    /// Conversations with a message or subject that matches the query in parameter {0} (PostgreSQL).
    private static readonly string PostgresMatchesSql = $"""
        SELECT "ConversationId" AS "Value" FROM "Messages" WHERE "SearchVector" @@ {PostgresQuery("{0}")}
        UNION SELECT "Id" AS "Value" FROM "Conversations" WHERE "SearchVector" @@ {PostgresQuery("{0}")}
        """;

    /// Turns what a person types into a safe FTS5 query: every word quoted (no syntax errors from
    /// quotes, dashes or colons), all words required, the last one matched as a prefix.
    internal static string? ToFts5(string input, bool lastAsPrefix = true)
    {
        var words = SplitWords(input);
        if (words.Count == 0) return null;
        return string.Join(' ', words.Select((w, i) => i == words.Count - 1 && lastAsPrefix ? $"\"{w}\"*" : $"\"{w}\""));
    }

    /// The same words as a JSON array, for matching messages not yet in the index: each must occur in the text.
    internal static string Words(string input) => System.Text.Json.JsonSerializer.Serialize(SplitWords(input));

    private static List<string> SplitWords(string input)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in input)
        {
            if (char.IsLetterOrDigit(ch)) current.Append(ch);
            else if (current.Length > 0) { words.Add(current.ToString()); current.Clear(); }
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words;
    }
}

/// A search as a condition on conversations (exact in any order and for counts), and for a common term
/// on SQLite newest first, a faster way to the first pages (null otherwise).
public sealed record SearchMatch(Expression<Func<Conversation, bool>> Condition, ReadNewestFirst? NewestFirst);

public static class SearchFeature
{
    public static IServiceCollection AddSearch(this IServiceCollection services) =>
        services.AddScoped<SearchConversations>().AddScoped<CountMatches>()
            .AddSingleton<IndexMessages>().AddHostedService(sp => sp.GetRequiredService<IndexMessages>());
}
