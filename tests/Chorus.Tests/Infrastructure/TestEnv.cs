namespace Chorus.Tests.Infrastructure;

/// Integration tests read their servers from environment variables that test.sh exports.
public static class TestEnv
{
    public static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    public static bool IsCi => Environment.GetEnvironmentVariable("CI") == "true";

    /// Fails under CI=true when a server the test needs is missing; elsewhere the caller skips.
    public static string Require(string name) =>
        Get(name) ?? throw new InvalidOperationException($"{name} is not set: run the tests through ./test.sh, which starts the servers.");
}

/// A fact that needs servers named by environment variables. Skipped locally when they are missing;
/// under CI=true it runs and fails, so a missing server is never a silent skip.
public sealed class NeedsEnvFactAttribute : FactAttribute
{
    public NeedsEnvFactAttribute(params string[] vars)
    {
        var missing = vars.Where(v => TestEnv.Get(v) is null).ToArray();
        if (missing.Length > 0 && !TestEnv.IsCi) Skip = "environment variable(s) not set: " + string.Join(", ", missing);
    }
}
