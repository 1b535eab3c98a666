using System.Data.Common;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Chorus.Features.Inbox.Ingest;

/// Writes the rows of one ingest batch with plain ADO.NET commands inside the context's transaction.
/// Tables, columns and value conversions come from the EF model, and every parameter is made by the
/// column's own type mapping, exactly as SaveChanges would. Change tracking is skipped, and so is its
/// per-entity cost, which made ingest several times slower than the database. SQLite reuses one
/// prepared statement per table. Providers that batch (Npgsql) send all rows in one round trip.
internal sealed class RowWriter(ChorusDb db)
{
    private readonly List<(Statement Statement, object Entity, object? Expected)> _rows = [];
    private readonly Dictionary<Type, Statement> _inserts = [];
    private readonly List<(Conversation Entity, object?[] Read)> _updates = [];
    private readonly Dictionary<long, Statement> _updateStatements = [];
    private IProperty[]? _updatable;
    private readonly List<(Conversation Conversation, Reports.ReportedState? Before)> _reported = []; // for the report aggregates

    public void Insert<T>(T entity) where T : class
    {
        if (entity is Conversation created) _reported.Add((created, null));
        if (!_inserts.TryGetValue(typeof(T), out var statement))
            _inserts[typeof(T)] = statement = Statement.Insert(db, db.Model.FindEntityType(typeof(T))!);
        _rows.Add((statement, entity, null));
    }

    /// Remembers a stored conversation as read, before ingest changes it. On save, like SaveChanges, only
    /// the columns that changed are written (an unchanged indexed column costs no index maintenance), and
    /// the version is bumped and checked against the one read, so a concurrent edit fails the batch
    /// instead of being overwritten.
    public void Update(Conversation conversation)
    {
        _updatable ??= db.Model.FindEntityType(typeof(Conversation))!.GetProperties()
            .Where(p => !p.IsPrimaryKey() && p.GetComputedColumnSql() is null && !p.IsShadowProperty() && p.Name != nameof(Conversation.Version))
            .ToArray();
        _reported.Add((conversation, Reports.ReportedState.Of(conversation)));
        _updates.Add((conversation, _updatable.Select(p => p.GetGetter().GetClrValueUsingContainingEntity(conversation)).ToArray()));
    }

    private void AddUpdates()
    {
        var type = db.Model.FindEntityType(typeof(Conversation))!;
        foreach (var (conversation, read) in _updates)
        {
            long changed = 0;
            for (var i = 0; i < _updatable!.Length; i++)
                if (!_updatable[i].GetValueComparer().Equals(read[i], _updatable[i].GetGetter().GetClrValueUsingContainingEntity(conversation)))
                    changed |= 1L << i;
            if (changed == 0) continue;
            if (!_updateStatements.TryGetValue(changed, out var statement))
                _updateStatements[changed] = statement = Statement.Update(db, type,
                    [.. _updatable.Where((_, i) => (changed & (1L << i)) != 0).Select(p => p.Name), nameof(Conversation.Version)], nameof(Conversation.Version));
            _rows.Add((statement, conversation, conversation.Version));
            conversation.Version++;
        }
        _updates.Clear();
    }

    /// Writes every row, in dependency order (the order of <paramref name="order"/>) so foreign keys hold at each statement.
    public async Task SaveAsync(Type[] order, CancellationToken ct)
    {
        AddUpdates();
        var rows = _rows.OrderBy(r => Rank(order, r.Entity.GetType())).ToList();
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("Ingest rows are written inside the batch's transaction.");
        if (connection.CanCreateBatch) await SaveBatchedAsync(connection, transaction, rows, ct);
        else await SaveOneByOneAsync(connection, transaction, rows, ct);

        var counted = new Reports.CountForReports();
        var now = DateTimeOffset.UtcNow;
        foreach (var (conversation, before) in _reported) counted.Conversation(before, Reports.ReportedState.Of(conversation), now);
        _reported.Clear();
        await counted.ApplyAsync(db, ct);
    }

    private static int Rank(Type[] order, Type type) =>
        Array.IndexOf(order, type) is var i and >= 0 ? i : throw new InvalidOperationException($"No write order for {type.Name}.");

    private static async Task SaveOneByOneAsync(DbConnection connection, DbTransaction transaction, List<(Statement Statement, object Entity, object? Expected)> rows, CancellationToken ct)
    {
        var commands = new Dictionary<Statement, DbCommand>();
        try
        {
            foreach (var (statement, entity, expected) in rows)
            {
                if (!commands.TryGetValue(statement, out var command))
                {
                    commands[statement] = command = connection.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = statement.Sql;
                }
                command.Parameters.Clear();
                statement.Bind(command, command.Parameters, entity, expected);
                Check(statement, await command.ExecuteNonQueryAsync(ct));
            }
        }
        finally
        {
            foreach (var command in commands.Values) await command.DisposeAsync();
        }
    }

    private static async Task SaveBatchedAsync(DbConnection connection, DbTransaction transaction, List<(Statement Statement, object Entity, object? Expected)> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        await using var factory = connection.CreateCommand(); // type mappings make parameters through a command
        foreach (var (statement, entity, expected) in rows)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement.Sql;
            statement.Bind(factory, command.Parameters, entity, expected);
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct);
        for (var i = 0; i < rows.Count; i++) Check(rows[i].Statement, batch.BatchCommands[i].RecordsAffected);
    }

    private static void Check(Statement statement, int affected)
    {
        if (affected != 1)
            throw new DbUpdateConcurrencyException($"Expected to write one row with \"{statement.Sql}\", wrote {affected}: the row changed or disappeared meanwhile.");
    }

    /// One INSERT or UPDATE statement of one table, and how to bind an entity's values to it.
    private sealed class Statement
    {
        private readonly Column[] _columns;
        private readonly Column? _expected;
        private readonly string[] _names;
        private readonly string _expectedName;

        private Statement(string sql, Column[] columns, Column? expected, ISqlGenerationHelper helper)
        {
            Sql = sql;
            _columns = columns;
            _expected = expected;
            _names = columns.Select((_, i) => helper.GenerateParameterName($"p{i}")).ToArray();
            _expectedName = helper.GenerateParameterName("expected");
        }

        public string Sql { get; }

        public static Statement Insert(ChorusDb db, IEntityType type)
        {
            var sql = db.GetService<ISqlGenerationHelper>();
            var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
            // Computed columns (PostgreSQL's search vectors) are the database's to fill.
            var columns = type.GetProperties().Where(p => p.GetComputedColumnSql() is null).Select(Column.Of).ToArray();
            if (columns.FirstOrDefault(c => c.Property.IsShadowProperty()) is { Property: { } shadow })
                throw new InvalidOperationException($"{type.DisplayName()}.{shadow.Name} is a shadow property: ingest writes entities' own properties only.");
            var names = string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(table)!)));
            var values = string.Join(", ", columns.Select((_, i) => sql.GenerateParameterName($"p{i}")));
            return new Statement($"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({names}) VALUES ({values})", columns, null, sql);
        }

        public static Statement Update(ChorusDb db, IEntityType type, string[] set, string concurrencyToken)
        {
            var sql = db.GetService<ISqlGenerationHelper>();
            var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
            var key = type.FindPrimaryKey()!.Properties.Single();
            var columns = set.Select(name => Column.Of(type.FindProperty(name)!)).Append(Column.Of(key)).ToArray();
            var assignments = string.Join(", ", columns[..^1].Select((c, i) =>
                $"{sql.DelimitIdentifier(c.Property.GetColumnName(table)!)} = {sql.GenerateParameterName($"p{i}")}"));
            var token = Column.Of(type.FindProperty(concurrencyToken)!);
            return new Statement(
                $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {assignments} " +
                $"WHERE {sql.DelimitIdentifier(key.GetColumnName(table)!)} = {sql.GenerateParameterName($"p{columns.Length - 1}")} " +
                $"AND {sql.DelimitIdentifier(token.Property.GetColumnName(table)!)} = {sql.GenerateParameterName("expected")}",
                columns, token, sql);
        }

        public void Bind(DbCommand factory, DbParameterCollection parameters, object entity, object? expected)
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                var (property, mapping) = _columns[i];
                parameters.Add(mapping.CreateParameter(factory, _names[i], property.GetGetter().GetClrValueUsingContainingEntity(entity), property.IsNullable));
            }
            if (_expected is var (token, tokenMapping))
                parameters.Add(tokenMapping.CreateParameter(factory, _expectedName, expected, token.IsNullable));
        }
    }

    private readonly record struct Column(IProperty Property, RelationalTypeMapping Mapping)
    {
        public static Column Of(IProperty property) => new(property, property.GetRelationalTypeMapping());
    }
}
