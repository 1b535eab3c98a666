using System.CommandLine;
using System.Globalization;
using System.Text;

namespace Chorus.Features.Listening.Sentiment;

/// `chorus sentiment --in TEXTS.tsv --out SCORES.tsv`: the scorer Chorus applies to inbound messages and
/// mentions, on a file. Needs no database.
public static class SentimentCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--in") { Description = "UTF-8 file of rows id<TAB>text, one per line (an optional first line \"id<TAB>text\" is a header)", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "File to write rows id<TAB>compound to: a score in [-1, 1], below -0.05 negative, above 0.05 positive", Required = true };
        var cmd = new Command("sentiment", "Score the sentiment of texts with Chorus's lexicon-and-rules scorer (after VADER).") { input, output };
        cmd.TreatUnmatchedTokensAsErrors = false; // configuration switches are accepted (and unused) as by every command
        cmd.SetAction(parse => Run(parse.GetValue(input)!, parse.GetValue(output)!, Console.Error));
        return cmd;
    }

    /// Scores every well-formed row; a malformed one is reported with its line number and skipped.
    /// Exit code 0 when every row was scored, 1 when some were skipped, 2 when nothing could be done.
    public static int Run(FileInfo input, FileInfo output, TextWriter errors)
    {
        if (!input.Exists)
        {
            errors.WriteLine($"Cannot read {input.FullName}: no such file.");
            return 2;
        }
        var scorer = ScoreSentiment.Default;
        var skipped = new List<int>();
        var scored = 0;
        var temp = output.FullName + ".partial";
        try
        {
            using (var reader = new StreamReader(input.FullName, Encoding.UTF8))
            using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)) { NewLine = "\n" })
            {
                var lineNumber = 0;
                while (reader.ReadLine() is { } line)
                {
                    lineNumber++;
                    if (line.Length == 0) continue;
                    if (lineNumber == 1 && line.Equals("id\ttext", StringComparison.OrdinalIgnoreCase)) continue;
                    var tab = line.IndexOf('\t');
                    var problem = tab < 0 ? "no tab between the id and the text"
                        : tab == 0 ? "the id is empty"
                        : null;
                    if (problem is not null)
                    {
                        skipped.Add(lineNumber);
                        errors.WriteLine($"{input.Name}:{lineNumber}: skipped, {problem} (expected id<TAB>text).");
                        continue;
                    }
                    var score = scorer.Score(line[(tab + 1)..]);
                    writer.Write(line.AsSpan(0, tab));
                    writer.Write('\t');
                    writer.WriteLine(score.ToString("0.0###", CultureInfo.InvariantCulture));
                    scored++;
                }
            }
            File.Move(temp, output.FullName, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temp)) File.Delete(temp);
            errors.WriteLine($"Cannot score {input.FullName} into {output.FullName}: {e.Message}");
            return 2;
        }
        errors.WriteLine(skipped.Count == 0
            ? $"Scored {scored} rows into {output.FullName}."
            : $"Scored {scored} rows into {output.FullName}; skipped {skipped.Count} malformed rows (lines {Lines(skipped)}).");
        return skipped.Count == 0 ? 0 : 1;
    }

    private static string Lines(List<int> lines) => lines.Count <= 20
        ? string.Join(", ", lines)
        : string.Join(", ", lines.Take(20)) + $", and {lines.Count - 20} more";
}
