using System.Globalization;
using System.Text;

namespace Chorus.Features.Listening.Spikes;

/// Runs the spike detector over a series file (timestamp,value) and writes timestamp,alert, so anyone can
/// score Chorus's detector with the Numenta Anomaly Benchmark's scorer.
public static class DetectSpikesInFile
{
    /// Exit code 0 when every row was read, 1 when some were malformed (reported by line; a row with a
    /// timestamp but no usable value is written with alert 0 and not fed to the detector), 2 when the
    /// file could not be used at all (nothing is written then).
    public static int Run(FileInfo input, FileInfo output, SpikeDetectorOptions options, bool withScores, TextWriter errors)
    {
        if (!input.Exists)
        {
            errors.WriteLine($"Cannot read {input.FullName}: no such file.");
            return 2;
        }
        var detector = new DetectSpikes(options);
        var bad = new List<int>();
        int rows = 0, alerts = 0;
        var temp = output.FullName + ".partial";
        try
        {
            using (var reader = new StreamReader(input.FullName, Encoding.UTF8))
            using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)) { NewLine = "\n" })
            {
                var header = reader.ReadLine()?.Split(',').Select(h => h.Trim().Trim('"').ToLowerInvariant()).ToList();
                var (timeColumn, valueColumn) = (header?.IndexOf("timestamp") ?? -1, header?.IndexOf("value") ?? -1);
                if (timeColumn < 0 || valueColumn < 0)
                {
                    errors.WriteLine($"{input.Name}:1: expected a header naming the columns timestamp and value, e.g. \"timestamp,value\".");
                    writer.Close();
                    File.Delete(temp);
                    return 2;
                }
                writer.WriteLine(withScores ? "timestamp,alert,score,threshold" : "timestamp,alert");
                var lineNumber = 1;
                while (reader.ReadLine() is { } line)
                {
                    lineNumber++;
                    if (line.Trim().Length == 0) continue;
                    var fields = line.Split(',');
                    var timestamp = timeColumn < fields.Length ? fields[timeColumn].Trim() : "";
                    if (timestamp.Length == 0)
                    {
                        bad.Add(lineNumber);
                        errors.WriteLine($"{input.Name}:{lineNumber}: skipped, no timestamp.");
                        continue;
                    }
                    rows++;
                    var raw = valueColumn < fields.Length ? fields[valueColumn].Trim() : "";
                    var problem = !double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value)
                        ? $"the value \"{raw}\" is not a number"
                        : value < 0 ? $"the value {raw} is negative"
                        : options.Kind == SeriesKind.Shares && value > 1 ? $"the share {raw} is above 1"
                        : null;
                    if (problem is not null)
                    {
                        bad.Add(lineNumber);
                        errors.WriteLine($"{input.Name}:{lineNumber}: {problem}; written with alert 0 and left out of the detector.");
                        writer.WriteLine(withScores ? $"{timestamp},0,," : $"{timestamp},0");
                        continue;
                    }
                    var verdict = detector.Observe(value);
                    if (verdict.Alert) alerts++;
                    writer.WriteLine(withScores
                        ? string.Create(CultureInfo.InvariantCulture, $"{timestamp},{(verdict.Alert ? 1 : 0)},{verdict.Score:0.###},{verdict.Threshold:0.###}")
                        : $"{timestamp},{(verdict.Alert ? 1 : 0)}");
                }
            }
            File.Move(temp, output.FullName, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temp)) File.Delete(temp);
            errors.WriteLine($"Cannot run the detector on {input.FullName} into {output.FullName}: {e.Message}");
            return 2;
        }
        errors.WriteLine($"{rows} points, {alerts} alerts, written to {output.FullName}."
            + (bad.Count == 0 ? "" : $" {bad.Count} malformed rows (lines {string.Join(", ", bad.Take(20))}{(bad.Count > 20 ? ", …" : "")})."));
        return bad.Count == 0 ? 0 : 1;
    }
}
