using System.Globalization;
using System.Text;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests.Listening;

/// `chorus listening detect` as users run it: a real process on small series files.
public class ListeningCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chorus-detect-").FullName;
    private static readonly DateTime Start = new(2015, 2, 26, 21, 42, 53);

    private string Series(int points, Func<int, string> value, string header = "timestamp,value")
    {
        var csv = new StringBuilder(header + "\n");
        for (var i = 0; i < points; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{Start.AddMinutes(5 * i):yyyy-MM-dd HH:mm:ss},{value(i)}\n");
        var path = Path.Combine(_dir, "series.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    private static string Calm(int i) => (20 + (i * 7919 % 9)).ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Writes_timestamp_and_alert_for_every_point_with_an_alert_where_the_spike_starts()
    {
        var series = Series(900, i => i is >= 700 and < 720 ? "400" : Calm(i));
        var output = Path.Combine(_dir, "alerts.csv");
        var (exit, _, err) = await ChorusCliProcess.RunAsync(_dir, "listening", "detect", "--series", series, "--out", output);
        Assert.True(exit == 0, err);
        Assert.Contains("900 points, 1 alerts", err);

        var lines = File.ReadAllLines(output);
        Assert.Equal("timestamp,alert", lines[0]);
        Assert.Equal(901, lines.Length);
        Assert.Equal(File.ReadAllLines(series).Skip(1).Select(l => l.Split(',')[0]), lines.Skip(1).Select(l => l.Split(',')[0]));
        var alerts = lines.Skip(1).Select((l, i) => (Alert: l.Split(',')[1], i)).Where(x => x.Alert == "1").Select(x => x.i).ToList();
        Assert.Equal([700], alerts);
        Assert.All(lines.Skip(1), l => Assert.Contains(l.Split(',')[1], new[] { "0", "1" }));
    }

    [Fact]
    public async Task Malformed_values_are_reported_by_line_written_as_no_alert_and_the_rest_is_still_decided()
    {
        var series = Series(600, i => i switch { 10 => "lots", 11 => "-3", 12 => "", 500 => "900", _ => Calm(i) });
        var output = Path.Combine(_dir, "alerts.csv");
        var (exit, _, err) = await ChorusCliProcess.RunAsync(_dir, "listening", "detect", "--series", series, "--out", output, "--scores");
        Assert.Equal(1, exit);
        Assert.Contains("series.csv:12: the value \"lots\" is not a number", err);
        Assert.Contains("series.csv:13: the value -3 is negative", err);
        Assert.Contains("series.csv:14: the value \"\" is not a number", err);
        var lines = File.ReadAllLines(output);
        Assert.Equal("timestamp,alert,score,threshold", lines[0]);
        Assert.Equal(601, lines.Length);
        Assert.StartsWith($"{Start.AddMinutes(50):yyyy-MM-dd HH:mm:ss},0,,", lines[11]);
        Assert.StartsWith($"{Start.AddMinutes(2500):yyyy-MM-dd HH:mm:ss},1,", lines[501]);
    }

    [Fact]
    public async Task A_file_without_the_header_is_refused_and_nothing_is_written()
    {
        var series = Series(10, Calm, header: "when,count");
        var output = Path.Combine(_dir, "alerts.csv");
        var (exit, _, err) = await ChorusCliProcess.RunAsync(_dir, "listening", "detect", "--series", series, "--out", output);
        Assert.Equal(2, exit);
        Assert.Contains("expected a header naming the columns timestamp and value", err);
        Assert.False(File.Exists(output));

        var missing = await ChorusCliProcess.RunAsync(_dir, "listening", "detect", "--series", Path.Combine(_dir, "nope.csv"), "--out", output);
        Assert.Equal(2, missing.Exit);
        Assert.Contains("no such file", missing.Err);

        var help = await ChorusCliProcess.RunAsync(_dir, "listening", "detect", "--help");
        Assert.Equal(0, help.Exit);
        Assert.Contains("--series", help.Out);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
