using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Chorus.Tests.Infrastructure;

/// A workspace run the way users run Chorus: the real executable as its own process (so a test can
/// kill -9 it and start it again), on a data directory and either SQLite or a throwaway PostgreSQL database.
public sealed class ProcessWorkspace : IAsyncDisposable
{
    private readonly string? _pgAdmin;
    private readonly string? _pgDatabase;

    public Provider Provider { get; }
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "chorus-proc-" + Guid.NewGuid().ToString("N"));
    public const string AdminEmail = "operator@test.chorus";

    public ProcessWorkspace(Provider provider)
    {
        Provider = provider;
        Directory.CreateDirectory(DataDirectory);
        if (provider == Provider.Postgres)
        {
            _pgAdmin = TestEnv.Require("TEST_PG");
            _pgDatabase = "chorus_p_" + Guid.NewGuid().ToString("N")[..12];
            using var conn = new NpgsqlConnection(_pgAdmin);
            conn.Open();
            using var cmd = new NpgsqlCommand($"CREATE DATABASE {_pgDatabase}", conn);
            cmd.ExecuteNonQuery();
        }
    }

    private string? PgConnection => _pgDatabase is null ? null
        : new NpgsqlConnectionStringBuilder(_pgAdmin) { Database = _pgDatabase, MaxPoolSize = 40 }.ConnectionString;

    /// The settings every command and server of this workspace gets.
    public IEnumerable<string> Settings(IEnumerable<string>? extra = null)
    {
        if (PgConnection is { } pg) { yield return "--Database:Provider=Postgres"; yield return $"--ConnectionStrings:Chorus={pg}"; }
        foreach (var e in extra ?? []) yield return e;
    }

    /// Migrates, adds an admin (through the command line, as an operator would) and returns their API token.
    public async Task<string> AdminTokenAsync()
    {
        var add = await ChorusCliProcess.RunAsync(DataDirectory, [.. new[] { "users", "add", "--email", AdminEmail, "--role", "admin", "--password", ChorusFactory.Password }.Concat(Settings())]);
        if (add.Exit != 0 && !add.Err.Contains("already")) throw new InvalidOperationException($"users add: {add.Out} {add.Err}");
        var token = await ChorusCliProcess.RunAsync(DataDirectory, [.. new[] { "users", "token", "--email", AdminEmail }.Concat(Settings())]);
        if (token.Exit != 0) throw new InvalidOperationException($"users token: {token.Out} {token.Err}");
        return token.Out.Trim().Split('\n')[^1].Trim();
    }

    public static StaffClient Client(ChorusServerProcess server, string token)
    {
        var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new StaffClient(http, "", AdminEmail, "admin");
    }

    /// A read-only look at the database, for counting what was stored.
    public ChorusDb OpenDb() => Provider == Provider.Postgres
        ? new PostgresChorusDb(new DbContextOptionsBuilder<PostgresChorusDb>().UseNpgsql(PgConnection).Options)
        : new SqliteChorusDb(new DbContextOptionsBuilder<SqliteChorusDb>().UseSqlite($"Data Source={Path.Combine(DataDirectory, "chorus.db")}").Options);

    public async ValueTask DisposeAsync()
    {
        if (_pgDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(_pgAdmin);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_pgDatabase} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// One Chorus server process on a fixed loopback port (the same port across a kill and a restart).
public sealed class ChorusServerProcess : IAsyncDisposable
{
    private Process? _process;
    private readonly ProcessWorkspace _workspace;
    private readonly string[] _extra;

    public int Port { get; } = LoopbackPorts.Free();
    public Uri Address => new($"http://127.0.0.1:{Port}/");
    public int? ProcessId => _process?.Id;
    public string LogFile => Path.Combine(_workspace.DataDirectory, $"server-{Port}.log");

    private ChorusServerProcess(ProcessWorkspace workspace, string[] extra)
    {
        _workspace = workspace;
        _extra = extra;
    }

    public static async Task<ChorusServerProcess> StartAsync(ProcessWorkspace workspace, params string[] extra)
    {
        var server = new ChorusServerProcess(workspace, extra);
        await server.RestartAsync();
        return server;
    }

    public async Task RestartAsync()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ChorusCliProcess.Dll);
        psi.ArgumentList.Add($"--urls=http://127.0.0.1:{Port}");
        psi.ArgumentList.Add($"--Chorus:DataDirectory={_workspace.DataDirectory}");
        psi.ArgumentList.Add("--Chorus:DemoWorkspace=false");
        psi.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        foreach (var s in _workspace.Settings(_extra)) psi.ArgumentList.Add(s);
        var log = new StreamWriter(LogFile, append: true) { AutoFlush = true };
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(180); // generous: a loaded CI machine starts slowly
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Chorus exited with {_process.ExitCode}: {File.ReadAllText(LogFile)}");
            try
            {
                if ((await probe.GetAsync(new Uri(Address, "health/live"))).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("Chorus did not start: " + File.ReadAllText(LogFile));
    }

    /// kill -9: no shutdown hooks, no flushing, mid-whatever it was doing.
    public void Kill()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

}
