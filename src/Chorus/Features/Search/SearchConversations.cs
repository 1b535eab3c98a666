using System.Text;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Search;

/// Full-text search with the database's own engine: SQLite FTS5 tables (kept current by triggers)
/// or PostgreSQL generated tsvector columns with GIN indexes. Returns composable id queries so a
/// search combines with any inbox filter in one SQL statement, with no cap on how far back it looks.
public class SearchConversations(ChorusDb db)
{
    public IQueryable<Guid> ConversationIds(string query)
    {
        if (db.Provider == DatabaseProvider.Postgres)
        {
            var q = query.Trim();
            return db.Database.SqlQuery<Guid>($"""
                SELECT "ConversationId" AS "Value" FROM "Messages" WHERE "SearchVector" @@ websearch_to_tsquery('simple', {q})
                UNION SELECT "Id" AS "Value" FROM "Conversations" WHERE "SearchVector" @@ websearch_to_tsquery('simple', {q})
                """);
        }
        var fts = ToFts5(query);
        if (fts is null) return db.Conversations.Where(_ => false).Select(c => c.Id);
        return db.Database.SqlQuery<Guid>($"""
            SELECT m."ConversationId" AS "Value" FROM "MessageSearch" s JOIN "Messages" m ON m.rowid = s.rowid WHERE "MessageSearch" MATCH {fts}
            UNION SELECT c."Id" AS "Value" FROM "ConversationSearch" s JOIN "Conversations" c ON c.rowid = s.rowid WHERE "ConversationSearch" MATCH {fts}
            """);
    }

    /// Rebuilds the SQLite full-text index from the tables (needed after a VACUUM, which may renumber
    /// the rowids the index points at). PostgreSQL's generated columns never need it.
    public async Task<bool> RebuildAsync(CancellationToken ct = default)
    {
        if (db.Provider != DatabaseProvider.Sqlite) return false;
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"MessageSearch\"(\"MessageSearch\") VALUES ('rebuild'); INSERT INTO \"ConversationSearch\"(\"ConversationSearch\") VALUES ('rebuild');", ct);
        return true;
    }

    /// People whose name or any identity handle contains the text.
    public IQueryable<Guid> PersonIds(string query)
    {
        var q = query.Trim().ToLower();
        if (q.Length < 2) return db.People.Where(_ => false).Select(p => p.Id);
        return db.People.Where(p => p.MergedIntoId == null && p.Name.ToLower().Contains(q)).Select(p => p.Id)
            .Union(db.Identities.Where(i => i.Handle.ToLower().Contains(q)).Select(i => i.PersonId));
    }

    /// Turns what a person types into a safe FTS5 query: every word quoted (no syntax errors from
    /// quotes, dashes or colons), all words required, the last one matched as a prefix.
    internal static string? ToFts5(string input)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in input)
        {
            if (char.IsLetterOrDigit(ch)) current.Append(ch);
            else if (current.Length > 0) { words.Add(current.ToString()); current.Clear(); }
        }
        if (current.Length > 0) words.Add(current.ToString());
        if (words.Count == 0) return null;
        return string.Join(' ', words.Select((w, i) => i == words.Count - 1 ? $"\"{w}\"*" : $"\"{w}\""));
    }
}

public static class SearchFeature
{
    public static IServiceCollection AddSearch(this IServiceCollection services) => services.AddScoped<SearchConversations>();
}
