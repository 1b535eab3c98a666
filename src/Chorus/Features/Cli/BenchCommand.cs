using System.CommandLine;

namespace Chorus.Features.Cli;

/// `chorus bench`: builds a synthetic workspace through the real pipeline and measures it (see bench/README.md).
public static class BenchCommand
{
    public static Command Create()
    {
        var cmd = new Command("bench", "Build a synthetic workspace through the real ingest pipeline and measure ingest, inbox views and search.") { TreatUnmatchedTokensAsErrors = false };
        cmd.SetAction((parse, ct) =>
        {
            Console.Error.WriteLine("The benchmark is not built yet.");
            return Task.FromResult(2);
        });
        return cmd;
    }
}
