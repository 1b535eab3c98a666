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

/// A fact that needs servers named by environment variables (test.sh starts them). It always runs: where
/// a server is missing the test fails, naming it (TestEnv.Require), so a missing server is never a skip.
public sealed class NeedsEnvFactAttribute : FactAttribute
{
    public NeedsEnvFactAttribute(params string[] vars) => Vars = vars;

    /// The variables the test reads, for the reader.
    public string[] Vars { get; }
}
