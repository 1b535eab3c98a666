using System.Globalization;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests.Listening;

/// `chorus sentiment` as users run it: a real process on small files.
public class SentimentCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chorus-sentiment-").FullName;

    private string File(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Scores_each_row_into_id_tab_compound()
    {
        var input = File("texts.tsv", "id\ttext\nm1\tI love this product, it works great!\nm2\tThe app crashed again and I lost all my work.\nm3\tOrder 1234 shipped.\r\nm4\ttabs\tinside the text are part of it: awful\n");
        var output = Path.Combine(_dir, "scores.tsv");
        var (exit, _, err) = await ChorusCliProcess.RunAsync(_dir, "sentiment", "--in", input, "--out", output);
        Assert.True(exit == 0, err);
        Assert.Contains("Scored 4 rows", err);

        var rows = System.IO.File.ReadAllLines(output).Select(l => l.Split('\t')).ToList();
        Assert.Equal(["m1", "m2", "m3", "m4"], rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal(2, r.Length));
        var scores = rows.ToDictionary(r => r[0], r => double.Parse(r[1], CultureInfo.InvariantCulture));
        Assert.InRange(scores["m1"], 0.5, 1);
        Assert.InRange(scores["m2"], -1, -0.05);
        Assert.Equal(0, scores["m3"]);
        Assert.InRange(scores["m4"], -1, -0.05);
    }

    [Fact]
    public async Task Malformed_rows_are_reported_by_line_and_the_others_are_still_scored()
    {
        var input = File("texts.tsv", "a\tgreat\nno tab on this line\n\tempty id\nb\tterrible\n");
        var output = Path.Combine(_dir, "scores.tsv");
        var (exit, _, err) = await ChorusCliProcess.RunAsync(_dir, "sentiment", "--in", input, "--out", output);
        Assert.Equal(1, exit);
        Assert.Contains("texts.tsv:2: skipped, no tab between the id and the text", err);
        Assert.Contains("texts.tsv:3: skipped, the id is empty", err);
        Assert.Contains("Scored 2 rows", err);
        Assert.Contains("skipped 2 malformed rows (lines 2, 3)", err);
        Assert.Equal(["a", "b"], System.IO.File.ReadAllLines(output).Select(l => l.Split('\t')[0]));
    }

    [Fact]
    public async Task A_missing_input_file_is_an_error_and_writes_nothing()
    {
        var output = Path.Combine(_dir, "scores.tsv");
        var (exit, _, err) = await ChorusCliProcess.RunAsync(_dir, "sentiment", "--in", Path.Combine(_dir, "nope.tsv"), "--out", output);
        Assert.Equal(2, exit);
        Assert.Contains("no such file", err);
        Assert.False(System.IO.File.Exists(output));

        var help = await ChorusCliProcess.RunAsync(_dir, "sentiment", "--help");
        Assert.Equal(0, help.Exit);
        Assert.Contains("--in", help.Out);
        Assert.Contains("--out", help.Out);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
