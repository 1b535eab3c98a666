using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chorus.Tests.Infrastructure;

public enum Provider { Sqlite, Postgres }

/// A Chorus host on a fresh database of either provider, with migrations applied exactly as on a real start.
/// PostgreSQL: a throwaway database on the server named by TEST_PG, dropped on dispose.
public class ChorusFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@test.chorus";
    public const string Password = "correct-horse-battery";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "chorus-test-" + Guid.NewGuid().ToString("N"));
    private readonly string? _pgDatabase;
    private readonly string? _pgAdmin;
    private bool _ownsDatabase = true;
    private bool _ownsDataDirectory = true;
    private readonly bool _kestrel;
    private bool _prepared;

    public Provider Provider { get; }

    /// The connection string of this factory's PostgreSQL database (null on SQLite).
    public string? PostgresConnectionString => _pgDatabase is null ? null : new NpgsqlConnectionStringBuilder(_pgAdmin) { Database = _pgDatabase }.ConnectionString;

    /// This node's data directory (attachments; the key ring of versions before it moved to the database).
    public string DataDirectory => _dataDir;
    public Dictionary<string, string?> Settings { get; } = new();

    /// Replaces services after the app registered its own (a test clock, say).
    public Action<IServiceCollection>? TestServices { get; set; }

    public ChorusFactory(Provider provider = Provider.Sqlite, bool kestrel = false)
    {
        Provider = provider;
        _kestrel = kestrel;
        if (kestrel) UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        if (provider == Provider.Postgres)
        {
            _pgAdmin = TestEnv.Require("TEST_PG");
            _pgDatabase = "chorus_t_" + Guid.NewGuid().ToString("N")[..12];
            MigratedTemplate.CreatePostgresDatabase(_pgAdmin, _pgDatabase);
        }
        else MigratedTemplate.CreateSqliteFile(Path.Combine(_dataDir, "chorus.db"));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Chorus:DataDirectory", _dataDir);
        builder.UseSetting("Chorus:DemoWorkspace", "false");
        builder.UseSetting("Chorus:AdminEmail", AdminEmail);
        builder.UseSetting("Chorus:AdminPassword", Password);
        builder.UseSetting("Chorus:RateLimits:PublicPostsPerMinute", "1000");
        if (Provider == Provider.Postgres)
        {
            builder.UseSetting("Database:Provider", "Postgres");
            builder.UseSetting("ConnectionStrings:Chorus", new NpgsqlConnectionStringBuilder(_pgAdmin) { Database = _pgDatabase }.ConnectionString);
        }
        // Staff passwords hashed with 1,000 PBKDF2 rounds instead of 100,000: tests create thousands of users
        // and the default costs a tenth of a second of CPU each. Verification reads the count from the hash.
        builder.ConfigureTestServices(s => s.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000));
        foreach (var (k, v) in Settings) builder.UseSetting(k, v);
        if (TestServices is { } replace) builder.ConfigureTestServices(replace);
    }

    /// Another node of the same workspace: its own process state and data directory, the first node's
    /// PostgreSQL database (left for the first node to drop).
    public ChorusFactory(ChorusFactory sharesDatabaseWith, bool kestrel = false)
    {
        if (sharesDatabaseWith.Provider != Provider.Postgres) throw new ArgumentException("nodes share a PostgreSQL database");
        Provider = Provider.Postgres;
        _kestrel = kestrel;
        if (kestrel) UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _pgAdmin = sharesDatabaseWith._pgAdmin;
        _pgDatabase = sharesDatabaseWith._pgDatabase;
        _ownsDatabase = false;
    }

    /// The same workspace started again once <paramref name="previous"/> is disposed (a restart): its
    /// database and data directory, which the new factory removes on dispose instead of the old one.
    public static ChorusFactory RestartOf(ChorusFactory previous)
    {
        var next = new ChorusFactory(previous.Provider, previous._pgAdmin, previous._pgDatabase, previous._dataDir);
        previous._ownsDatabase = previous._ownsDataDirectory = false;
        return next;
    }

    private ChorusFactory(Provider provider, string? pgAdmin, string? pgDatabase, string dataDir)
    {
        Provider = provider;
        _pgAdmin = pgAdmin;
        _pgDatabase = pgDatabase;
        _dataDir = dataDir;
    }

    /// Migrates and bootstraps (as Program does before serving). Idempotent.
    public async Task PrepareAsync()
    {
        if (_prepared) return;
        _prepared = true;
        using var scope = Services.CreateScope();
        await ChorusApp.MigrateAndBootstrapAsync(scope.ServiceProvider);
    }

    /// The base address of the real Kestrel server (only for factories made with kestrel: true).
    public Uri ServerAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First().TrimEnd('/') + "/");
        }
    }

    /// Creates a staff user (admin, agent or viewer) in the given teams and returns an API client with their token.
    public Task<StaffClient> StaffAsync(string role, params string[] teamNames) => StaffWithEmailAsync(null, role, teamNames);

    /// A staff user with a chosen sign-in address (one that can receive mail, for e-mail notification tests).
    public async Task<StaffClient> StaffWithEmailAsync(string? email, string role, params string[] teamNames)
    {
        await PrepareAsync();
        using var scope = Services.CreateScope();
        var sp = scope.ServiceProvider;
        email ??= $"{role}-{Guid.NewGuid().ToString("N")[..8]}@test.chorus";
        var teams = await sp.GetRequiredService<ManageTeams>().ListAsync();
        var teamIds = teamNames.Select(n => teams.Single(t => t.Name == n).Id).ToList();
        var outcome = await sp.GetRequiredService<ManageStaff>().AddAsync(null, new NewStaff(email, $"{role} {email[..12]}", role, Password, teamIds));
        if (outcome.Error is not null) throw new InvalidOperationException(outcome.Error);
        var user = await sp.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email);
        var actor = (await sp.GetRequiredService<ResolveStaffActor>().ForUserIdAsync(user!.Id))!;
        var token = await sp.GetRequiredService<ManageApiTokens>().IssueAsync(actor, "tests");
        // On a Kestrel factory the client must talk to the real socket, not the default http://localhost.
        var client = _kestrel
            ? new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = ServerAddress }
            : CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return new StaffClient(client, user.Id, email, role);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_pgDatabase is not null && _ownsDatabase)
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(_pgAdmin);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_pgDatabase} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        if (_ownsDataDirectory) try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }
}

/// An API client acting as one staff user.
public sealed record StaffClient(HttpClient Http, string UserId, string Email, string Role)
{
    public Task<HttpResponseMessage> GetAsync(string url) => Http.GetAsync(url);
    public Task<HttpResponseMessage> PostAsync<T>(string url, T body) => Http.PostAsJsonAsync(url, body);
    public Task<HttpResponseMessage> PatchAsync<T>(string url, T body) => Http.PatchAsJsonAsync(url, body);
}
