using System.Globalization;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests.Forum;

/// `chorus moderation score` and `evaluate` as users run them: a real process over real files.
public class ModerationCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "chorus-moderation-" + Guid.NewGuid().ToString("N"))).FullName;

    [Fact]
    public async Task Score_writes_a_spam_and_a_toxicity_probability_per_id()
    {
        var input = Path.Combine(_dir, "texts.tsv");
        var output = Path.Combine(_dir, "scores.tsv");
        await File.WriteAllTextAsync(input, """
            id	text
            q1	How do I reset my password? The link on the sign-in page does not work for me.
            s1	WINNER!! Claim your FREE prize now, call 08001234567 or visit http://free-prizes.example.com
            t1	Shut up you stupid idiot

            """.Replace("\r\n", "\n"));
        var (exit, stdout, stderr) = await ChorusCliProcess.RunAsync(_dir, "moderation", "score", "--in", input, "--out", output);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("Scored 3 texts", stdout);

        var rows = (await File.ReadAllLinesAsync(output)).Select(l => l.Split('\t')).ToDictionary(r => r[0],
            r => (Spam: double.Parse(r[1], CultureInfo.InvariantCulture), Toxicity: double.Parse(r[2], CultureInfo.InvariantCulture)));
        Assert.Equal(["q1", "s1", "t1"], rows.Keys.ToArray());
        Assert.All(rows.Values, v => Assert.InRange(v.Spam, 0, 1));
        Assert.True(rows["s1"].Spam > 0.9 && rows["q1"].Spam < 0.1, $"spam: s1 {rows["s1"].Spam}, q1 {rows["q1"].Spam}");
        Assert.True(rows["t1"].Toxicity > 0.9 && rows["q1"].Toxicity < 0.1, $"toxicity: t1 {rows["t1"].Toxicity}, q1 {rows["q1"].Toxicity}");
    }

    [Fact]
    public async Task A_malformed_file_is_reported_by_line_and_nothing_is_written()
    {
        var input = Path.Combine(_dir, "bad.tsv");
        var output = Path.Combine(_dir, "out.tsv");
        await File.WriteAllTextAsync(input, "a\tfine text\nno tab on this line\nb\tanother\n");
        var (exit, _, stderr) = await ChorusCliProcess.RunAsync(_dir, "moderation", "score", "--in", input, "--out", output);
        Assert.Equal(2, exit);
        Assert.Contains("line 2: expected id<TAB>text", stderr);
        Assert.False(File.Exists(output));

        var missing = await ChorusCliProcess.RunAsync(_dir, "moderation", "score", "--in", Path.Combine(_dir, "nope.tsv"), "--out", output);
        Assert.Equal(2, missing.Exit);
        Assert.Contains("There is no file", missing.Err);
    }

    [Fact]
    public async Task Evaluate_prints_precision_and_recall_on_the_held_back_split()
    {
        var (exit, stdout, stderr) = await ChorusCliProcess.RunAsync(_dir, "moderation", "evaluate");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("precision", stdout);
        Assert.Matches(@"spam\s+[\d,]+\s+[\d,]+\s+\d", stdout);
        Assert.Matches(@"toxicity\s+[\d,]+\s+[\d,]+\s+\d", stdout);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
