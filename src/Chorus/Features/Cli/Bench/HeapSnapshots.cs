using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Chorus.Features.Cli.Bench;

/// Heap snapshots of a running Chorus process with `dotnet-gcdump` (optional: the soak says so and goes on without).
/// A gcdump forces a full, blocking collection and lists what survived it, so the difference between two snapshots is
/// what the process kept, not garbage a later gen2 collection would have taken: the question the GC's own per-generation
/// figures cannot answer when no gen2 collection ran for minutes.
public static partial class HeapSnapshots
{
    public const string Install = "dotnet tool install -g dotnet-gcdump --version 10.0.750501";

    /// Instances of one type that survived the collection, and their bytes for a type of one size. dotnet-gcdump's report
    /// gives the size of the first instance it met, so for strings and arrays (null here) only the count is known.
    public sealed record TypeCount(long Count, long? Bytes);

    /// What one `dotnet-gcdump report` says: live bytes and objects in all, and per type.
    public sealed record Histogram(long Bytes, long Objects, IReadOnlyDictionary<string, TypeCount> Types);

    /// One snapshot during the run: when, how many requests had been served by then, and the histogram.
    public sealed record Snapshot(string Label, TimeSpan At, long Requests, TimeSpan Took, string File, Histogram Heap);

    /// dotnet-gcdump on the PATH or where `dotnet tool install -g` puts it; null when it is not installed.
    public static string? FindTool()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools"));
        return dirs.Select(d => Path.Combine(d, OperatingSystem.IsWindows() ? "dotnet-gcdump.exe" : "dotnet-gcdump")).FirstOrDefault(File.Exists);
    }

    /// Collects a gcdump of <paramref name="pid"/> into <paramref name="file"/> and reads its histogram.
    public static async Task<Snapshot> TakeAsync(string tool, int pid, string label, TimeSpan at, long requests, string file, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await RunAsync(tool, ["collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", file, "--timeout", "600"], ct);
        var took = clock.Elapsed;
        var heap = Parse(await RunAsync(tool, ["report", file], ct));
        return new Snapshot(label, at, requests, took, file, heap);
    }

    private static async Task<string> RunAsync(string tool, IReadOnlyList<string> args, CancellationToken ct)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The report formats its numbers in the current culture: invariant keeps the parser's commas.
        start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet-gcdump {args[0]} exited with {process.ExitCode}: {(await error).Trim()} {(await output).Trim()}".Trim());
        return await output;
    }

    /// Reads `dotnet-gcdump report`: two summary lines ("N  GC Heap bytes", "N  GC Heap objects"), then one line a type,
    /// "bytes  count  Type  [module]". Arrays come in size buckets ("System.Byte[] (Bytes > 10K)"), added up here per type.
    public static Histogram Parse(string report)
    {
        long bytes = 0, objects = 0;
        var types = new Dictionary<string, TypeCount>(StringComparer.Ordinal);
        foreach (var line in report.Split('\n'))
        {
            if (Summary().Match(line) is { Success: true } s)
            {
                var n = Number(s.Groups["n"].Value);
                if (s.Groups["what"].Value == "bytes") bytes = n; else objects = n;
            }
            else if (Row().Match(line) is { Success: true } r)
            {
                var type = Bucket().Replace(r.Groups["type"].Value.Trim(), "");
                var count = Number(r.Groups["count"].Value);
                long? size = type.EndsWith("[]", StringComparison.Ordinal) || type == "System.String" ? null : Number(r.Groups["bytes"].Value) * count;
                types[type] = types.TryGetValue(type, out var t) ? new TypeCount(t.Count + count, t.Bytes + size) : new TypeCount(count, size);
            }
        }
        if (bytes == 0) throw new FormatException("dotnet-gcdump report has no \"GC Heap bytes\" line: " + report[..Math.Min(report.Length, 300)]);
        return new Histogram(bytes, objects, types);
    }

    private static long Number(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*(?<n>[\d,]+)\s+GC Heap (?<what>bytes|objects)\s*$")]
    private static partial Regex Summary();

    [GeneratedRegex(@"^\s*(?<bytes>[\d,]+)\s+(?<count>[\d,]+)\s+(?<type>\S.*?)(?:\s+\[[^\]]*\])?\s*$")]
    private static partial Regex Row();

    [GeneratedRegex(@"\s*\(Bytes\s*>\s*[\w.]+\)\s*$")]
    private static partial Regex Bucket();

    /// The types whose live instances grew most from the first snapshot to the last: by count, and by bytes where known.
    public static IReadOnlyList<(string Type, long CountGrowth, long? BytesGrowth)> Growers(IReadOnlyList<Snapshot> snapshots, int top)
    {
        if (snapshots.Count < 2) return [];
        var (first, last) = (snapshots[0].Heap.Types, snapshots[^1].Heap.Types);
        var growth = last.Select(t => (Type: t.Key, Count: t.Value.Count - (first.GetValueOrDefault(t.Key)?.Count ?? 0),
            Bytes: t.Value.Bytes - (first.GetValueOrDefault(t.Key)?.Bytes ?? 0))).Where(g => g.Count > 0 || g.Bytes > 0).ToList();
        return [.. growth.OrderByDescending(g => g.Count).Take(top)
            .Union(growth.Where(g => g.Bytes is not null).OrderByDescending(g => g.Bytes).Take(top))
            .OrderByDescending(g => g.Count)];
    }

    /// The snapshots and the biggest growers as Markdown.
    public static string Markdown(IReadOnlyList<Snapshot> snapshots, int top = 15)
    {
        var sb = new StringBuilder("| snapshot | time | requests served | live heap after full GC | live objects | gcdump took |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var s in snapshots)
            sb.Append(CultureInfo.InvariantCulture, $"| {s.Label} | {s.At:mm\\:ss} | {s.Requests:N0} | **{s.Heap.Bytes / 1048576.0:N1} MiB** | {s.Heap.Objects:N0} | {s.Took.TotalSeconds:N1} s |\n");
        var growers = Growers(snapshots, top);
        if (growers.Count == 0) return sb.ToString();
        sb.Append(CultureInfo.InvariantCulture, $"\nTypes that grew most between the first and the last snapshot (live instances, and KiB for types of one size):\n\n| type | ")
            .AppendJoin(" | ", snapshots.Select(s => s.Label)).Append(" | growth |\n| --- | ").Append(string.Concat(snapshots.Select(_ => "---: | "))).Append("---: |\n");
        foreach (var g in growers)
        {
            sb.Append("| `").Append(g.Type.Replace("|", "\\|", StringComparison.Ordinal)).Append("` | ");
            foreach (var s in snapshots)
                sb.Append(s.Heap.Types.TryGetValue(g.Type, out var t) ? Cell(t.Count, t.Bytes, "N0") : "0").Append(" | ");
            sb.Append(Cell(g.CountGrowth, g.BytesGrowth, "+#,0;-#,0;0")).Append(" |\n");
        }
        return sb.ToString();
    }

    private static string Cell(long count, long? bytes, string format) =>
        count.ToString(format, CultureInfo.InvariantCulture) + (bytes is { } b ? $" ({(b / 1024.0).ToString(format, CultureInfo.InvariantCulture)} KiB)" : "");

    /// Memory is flat when the live heap after the last snapshot's full collection is less than 10 % above the first's
    /// (after warm-up): a cache or list that grows with the requests served shows up as a steady climb over the run.
    public static bool IsFlat(IReadOnlyList<Snapshot> snapshots) =>
        snapshots.Count >= 2 && snapshots[^1].Heap.Bytes < snapshots[0].Heap.Bytes * 1.10;

    /// Live-heap growth from the first snapshot to the last per 1,000 requests served between them.
    public static (double GrowthMiB, double BytesPerThousandRequests)? Growth(IReadOnlyList<Snapshot> snapshots)
    {
        if (snapshots.Count < 2 || snapshots[^1].Requests <= snapshots[0].Requests) return null;
        var bytes = snapshots[^1].Heap.Bytes - snapshots[0].Heap.Bytes;
        return (bytes / 1048576.0, bytes * 1000.0 / (snapshots[^1].Requests - snapshots[0].Requests));
    }
}
