using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Chorus.Data;
using Chorus.Features.Inbox;
using Chorus.Tests.Email;
using Chorus.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chorus.Tests.Faults;

/// PostgreSQL goes away under load (every connection dropped, new ones refused, as in a restart):
/// Chorus stays up, says what is wrong, refuses work clearly instead of hanging, and picks up again
/// when the database returns, with everything it acknowledged stored.
public class DatabaseOutageTests
{
    [NeedsEnvFact("TEST_PG")]
    public async Task PostgreSQL_going_away_under_load_leaves_Chorus_up_saying_so_and_it_resumes_having_lost_nothing_it_acknowledged()
    {
        await using var app = new ChorusFactory(Provider.Postgres);
        await using var database = new FlakyPort(); // Chorus reaches PostgreSQL only through here
        var real = new NpgsqlConnectionStringBuilder(app.PostgresConnectionString);
        database.StartForwardingTo(real.Host!, real.Port);
        app.Settings["ConnectionStrings:Chorus"] = new NpgsqlConnectionStringBuilder(real.ConnectionString)
            { Host = "127.0.0.1", Port = database.Port, Timeout = 3, CommandTimeout = 10 }.ConnectionString;
        var agent = await app.StaffAsync("admin");
        var anonymous = app.CreateClient();

        var acknowledged = new ConcurrentDictionary<string, bool>();
        var refused = 0;
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = $"outage-{i}";
                try
                {
                    using var r = await agent.Http.PostAsJsonAsync("/api/v1/inbound", new
                    {
                        externalId = id, threadId = $"outage-thread-{i % 50}", author = new { kind = "Email", handle = $"p{i % 20}@outage.test" }, text = $"Message {i}",
                    });
                    if (r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK) acknowledged[id] = true;
                    else if (r.StatusCode == HttpStatusCode.ServiceUnavailable && r.Headers.RetryAfter is not null) Interlocked.Increment(ref refused);
                    else throw new InvalidOperationException($"{id}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}"); // no 500s, no rejections
                }
                catch (HttpRequestException) { Interlocked.Increment(ref refused); }
                catch (TaskCanceledException) when (stop.IsCancellationRequested) { }
            }
        });

        await Eventually.TrueAsync(() => Task.FromResult(acknowledged.Count >= 50), "ingest under way");
        database.Cut();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        await Eventually.TrueAsync(async () => (await anonymous.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            "/health/ready says the database is unavailable");
        var refusedWhileDown = Volatile.Read(ref refused);
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref refused) >= refusedWhileDown + 5), "inbound answered 503 + Retry-After while the database is away");

        database.StartForwardingTo(real.Host!, real.Port);
        await Eventually.TrueAsync(async () => (await anonymous.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "/health/ready recovers");
        var atReturn = acknowledged.Count;
        await Eventually.TrueAsync(() => Task.FromResult(acknowledged.Count >= atReturn + 50), "ingest resumes");
        await stop.CancelAsync();
        await load;

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var stored = await db.Messages.Where(m => m.Kind == MessageKind.Inbound).Select(m => m.ExternalId!).ToListAsync();
        Assert.Equal(stored.Count, stored.Distinct().Count());
        var lost = acknowledged.Keys.Except(stored).ToList();
        Assert.True(lost.Count == 0, $"acknowledged but not stored: {string.Join(", ", lost.Take(10))}");
        Assert.Equal(0, await db.Conversations.CountAsync(c => !db.Messages.Any(m => m.ConversationId == c.Id)));
    }
}
