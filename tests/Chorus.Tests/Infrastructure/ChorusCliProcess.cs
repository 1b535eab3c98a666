using System.Diagnostics;

namespace Chorus.Tests.Infrastructure;

/// Runs the chorus executable as users do: a real process on a given data directory, without the demo workspace.
public static class ChorusCliProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Chorus.dll");

    public static async Task<(int Exit, string Out, string Err)> RunAsync(string dataDir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add($"--Chorus:DataDirectory={dataDir}");
        psi.ArgumentList.Add("--Chorus:DemoWorkspace=false");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
