using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Chorus.Features.Cli.Bench;

/// The ceiling for SQLite ingest: the same rows the pipeline writes (organizations, people, identities,
/// conversations, activities, messages, and the conversation updates), into a database with the same
/// schema, indexes, FTS5 triggers and connection settings, in transactions of the same size, with
/// prepared statements whose parameters are reused, and with no reads at all (people and threads are
/// resolved from memory). The pipeline cannot beat this, so pipeline/ceiling says how close it is.
public static class RawInsertCeiling
{
    public sealed record Outcome(CpuClock Clock, long Rows);

    public static async Task<Outcome> RunAsync(IServiceProvider services, SyntheticTraffic traffic, IReadOnlyDictionary<Guid, Guid?> channelTeams, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        await db.MigrateAsync(ct);
        await db.Database.OpenConnectionAsync(ct); // through EF, so the app's connection pragmas apply
        var connection = (SqliteConnection)db.Database.GetDbConnection();

        var people = new Dictionary<string, Guid>();
        var organizations = new Dictionary<string, Guid>();
        var threads = new Dictionary<(Guid, string), OpenThread>();
        long number = 1000, rows = 0;
        var clock = new CpuClock();

        using var insertOrganization = Prepare(connection, """INSERT INTO "Organizations" ("Id", "Name", "Domain", "CreatedAt") VALUES (@p0, @p1, @p2, @p3)""", 4);
        using var insertPerson = Prepare(connection, """INSERT INTO "People" ("Id", "Name", "Kind", "Stage", "OrganizationId", "Notes", "CreatedAt", "MergedIntoId") VALUES (@p0, @p1, @p2, @p3, @p4, NULL, @p5, NULL)""", 6);
        using var insertIdentity = Prepare(connection, """INSERT INTO "Identities" ("Id", "PersonId", "Kind", "Handle", "DisplayName", "CreatedAt") VALUES (@p0, @p1, @p2, @p3, @p4, @p5)""", 6);
        using var insertConversation = Prepare(connection, """
            INSERT INTO "Conversations" ("Id", "Number", "ChannelId", "ExternalThreadId", "Subject", "Status", "Priority", "TeamId", "AssigneeId", "RequesterId", "RequesterKind",
                "Sentiment", "Preview", "MessageCount", "CreatedAt", "UpdatedAt", "LastMessageAt", "WaitingSince", "FirstReplyAt", "SolvedAt", "MergedIntoId", "Version")
            VALUES (@p0, @p1, @p2, @p3, @p4, 'New', 'Normal', @p5, NULL, @p6, 'Customer', NULL, @p7, 1, @p8, @p9, @p8, @p8, NULL, NULL, NULL, 0)
            """, 10);
        using var insertActivity = Prepare(connection, """INSERT INTO "Activities" ("Id", "PersonId", "At", "Kind", "ConversationId", "Summary", "Data") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, NULL)""", 6);
        using var updateConversation = Prepare(connection, """
            UPDATE "Conversations" SET "MessageCount" = @p0, "Preview" = @p1, "LastMessageAt" = @p2, "UpdatedAt" = @p3, "Version" = "Version" + 1 WHERE "Id" = @p4
            """, 5);
        using var insertMessage = Prepare(connection, """
            INSERT INTO "Messages" ("Id", "ConversationId", "Kind", "ChannelId", "ExternalId", "AuthorPersonId", "AuthorStaffId", "Text", "Html", "CreatedAt")
            VALUES (@p0, @p1, 'Inbound', @p2, @p3, @p4, NULL, @p5, NULL, @p6)
            """, 7);

        SqliteCommand[] all = [insertOrganization, insertPerson, insertIdentity, insertConversation, insertActivity, updateConversation, insertMessage];
        foreach (var batch in traffic.Envelopes().Chunk(IngestPipeline.MaxBatch))
        {
            clock.Start();
            using var tx = connection.BeginTransaction();
            foreach (var cmd in all) cmd.Transaction = tx;
            foreach (var e in batch)
            {
                var handle = Identity.Normalize(e.Author.Kind, e.Author.Handle);
                if (!people.TryGetValue(handle, out var personId))
                {
                    Guid? organizationId = null;
                    if (EmailAddress.Domain(handle) is { } domain && !EmailAddress.FreeMailDomains.Contains(domain))
                    {
                        if (!organizations.TryGetValue(domain, out var org))
                        {
                            organizations[domain] = org = Guid.CreateVersion7();
                            rows += Run(insertOrganization, Text(org), domain.Split('.')[0], domain, Time(DateTimeOffset.UtcNow));
                        }
                        organizationId = org;
                    }
                    people[handle] = personId = Guid.CreateVersion7();
                    rows += Run(insertPerson, Text(personId), e.Author.Name ?? handle, nameof(PersonKind.Customer), nameof(LifecycleStage.Visitor),
                        organizationId is { } o ? Text(o) : DBNull.Value, Time(DateTimeOffset.UtcNow));
                    rows += Run(insertIdentity, Text(Guid.CreateVersion7()), Text(personId), e.Author.Kind.ToString(), handle, (object?)e.Author.Name ?? DBNull.Value, Time(DateTimeOffset.UtcNow));
                }

                var text = e.Text!.Trim();
                var preview = TextLimits.Preview(text);
                var key = (e.ChannelId, e.ExternalThreadId ?? e.ExternalId);
                if (!threads.TryGetValue(key, out var thread))
                {
                    threads[key] = thread = new OpenThread(Guid.CreateVersion7());
                    var subject = e.Subject ?? "";
                    rows += Run(insertConversation, Text(thread.Id), ++number, Text(e.ChannelId), key.Item2, subject,
                        channelTeams[e.ChannelId] is { } team ? Text(team) : DBNull.Value, Text(personId), preview, Time(e.At), Time(DateTimeOffset.UtcNow));
                    rows += Run(insertActivity, Text(Guid.CreateVersion7()), Text(personId), Time(e.At), ActivityKinds.ConversationStarted, Text(thread.Id),
                        $"Started #{number}: {subject}");
                }
                else
                {
                    thread.Messages++;
                    rows += Run(updateConversation, thread.Messages, preview, Time(e.At), Time(DateTimeOffset.UtcNow), Text(thread.Id));
                }
                rows += Run(insertMessage, Text(Guid.CreateVersion7()), Text(thread.Id), Text(e.ChannelId), e.ExternalId, Text(personId), text, Time(e.At));
            }
            tx.Commit();
            clock.Stop();
        }
        return new Outcome(clock, rows);
    }

    private sealed class OpenThread(Guid id)
    {
        public Guid Id => id;
        public int Messages { get; set; } = 1;
    }

    // The same encodings EF uses on SQLite: GUIDs as upper-case text, times as DateTimeOffsetToBinaryConverter longs.
    private static readonly Func<DateTimeOffset, long> TimeConverter = new DateTimeOffsetToBinaryConverter().ConvertToProviderTyped;

    private static string Text(Guid id) => id.ToString().ToUpperInvariant();

    private static long Time(DateTimeOffset at) => TimeConverter(at);

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, int parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        for (var i = 0; i < parameters; i++) cmd.Parameters.Add(new SqliteParameter($"@p{i}", null));
        cmd.Prepare();
        return cmd;
    }

    private static int Run(SqliteCommand cmd, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        return cmd.ExecuteNonQuery();
    }
}
