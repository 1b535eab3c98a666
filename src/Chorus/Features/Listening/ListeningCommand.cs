using System.CommandLine;
using Chorus.Features.Listening.Spikes;

namespace Chorus.Features.Listening;

/// `chorus listening …`: the listening tools that work on files, without a database.
public static class ListeningCommand
{
    public static Command Create()
    {
        var listening = new Command("listening", "Listening tools: run the spike detector on a series file.");
        listening.Subcommands.Add(Detect());
        return listening;
    }

    private static Command Detect()
    {
        var series = new Option<FileInfo>("--series") { Description = "CSV with a header and columns timestamp,value (the Numenta Anomaly Benchmark format), one row per bucket in time order", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "CSV to write timestamp,alert to (alert is 1 where a spike starts, else 0)", Required = true };
        var kind = new Option<string>("--kind") { Description = "counts (mentions per bucket) or shares (a fraction in [0, 1], e.g. the negative share)", DefaultValueFactory = _ => "counts" };
        kind.AcceptOnlyFromAmong("counts", "shares");
        var scores = new Option<bool>("--scores") { Description = "Also write each point's anomaly score and the threshold it had to pass" };
        var cmd = new Command("detect", "Run the streaming spike detector over a series: each point is decided from the points before it only.")
        {
            series, output, kind, scores,
        };
        cmd.TreatUnmatchedTokensAsErrors = false; // configuration switches are accepted (and unused) as by every command
        cmd.SetAction(parse => DetectSpikesInFile.Run(parse.GetValue(series)!, parse.GetValue(output)!,
            parse.GetValue(kind) == "shares" ? SpikeDetectorOptions.ForShares : SpikeDetectorOptions.ForCounts, parse.GetValue(scores), Console.Error));
        return cmd;
    }
}
