using System.Diagnostics;
using System.Text;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests;

/// The chorus executable as users run it: a real process, its output and its exit code.
public class CliTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "chorus-cli-" + Guid.NewGuid().ToString("N"));

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => ChorusCliProcess.RunAsync(_dataDir, args);

    [Fact]
    public async Task Help_lists_every_command()
    {
        var (exit, output, _) = await RunAsync("--help");
        Assert.Equal(0, exit);
        foreach (var command in new[] { "migrate", "users", "search", "bench", "sentiment", "listening" }) Assert.Contains(command, output);
    }

    [Fact]
    public async Task Users_add_creates_a_staff_user_in_a_team_that_users_list_shows()
    {
        var (exit, output, error) = await RunAsync("users", "add", "--email", "lee@example.org", "--name", "Lee Agent", "--role", "agent", "--team", "Support", "--password", "long-enough-password");
        Assert.True(exit == 0, output + error);
        Assert.Contains("Added lee@example.org as agent", output);

        var list = await RunAsync("users", "list");
        Assert.Equal(0, list.Exit);
        var line = list.Out.Split('\n').Single(l => l.StartsWith("lee@example.org"));
        Assert.Contains("agent", line);
        Assert.Contains("Support", line);
    }

    [Fact]
    public async Task Users_add_explains_bad_input_and_exits_non_zero()
    {
        var unknownTeam = await RunAsync("users", "add", "--email", "kim@example.org", "--team", "Nope", "--password", "long-enough-password");
        Assert.Equal(2, unknownTeam.Exit);
        Assert.Contains("There is no team 'Nope'", unknownTeam.Err);

        var badEmail = await RunAsync("users", "add", "--email", "not-an-address", "--password", "long-enough-password");
        Assert.Equal(2, badEmail.Exit);
        Assert.Contains("not a valid e-mail", badEmail.Err);

        var missing = await RunAsync("users", "add");
        Assert.NotEqual(0, missing.Exit);
    }

    [Fact]
    public async Task First_start_prints_the_url_the_admin_password_once_and_the_demo_sign_in()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { ChorusCliProcess.Dll, "--urls", "http://127.0.0.1:0", $"--Chorus:DataDirectory={_dataDir}", "--Chorus:DemoConversations=40" })
            psi.ArgumentList.Add(a);
        var printed = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var p = Process.Start(psi)!)
        {
            p.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (printed) printed.AppendLine(e.Data);
                if (e.Data.Contains("Demo workspace sign-in")) ready.TrySetResult();
            };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            try { await ready.Task.WaitAsync(TimeSpan.FromMinutes(2)); }
            finally { p.Kill(entireProcessTree: true); await p.WaitForExitAsync(); }
        }
        var text = printed.ToString();
        Assert.Matches(@"Chorus is running at http://127\.0\.0\.1:\d+", text);
        Assert.Matches(@"First admin: admin@chorus\.local / \S{12,}", text);
        Assert.Contains("Demo workspace sign-in: dana@chorus.test / chorus-demo", text);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
