using System.CommandLine;
using System.Globalization;
using System.Text;

namespace Chorus.Features.Forum.Moderation;

/// `chorus moderation score --in TEXTS.tsv --out SCORES.tsv` runs the shipped classifier over a file;
/// `chorus moderation evaluate` prints its precision and recall on the held-back split.
/// Neither needs a database: the model is trained from the corpus embedded in Chorus.
public static class ModerationCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--in") { Description = "TSV, one text per line: id<TAB>text (a header line 'id<TAB>text' is skipped)", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write id<TAB>spam probability<TAB>toxicity probability", Required = true };
        // Configuration switches (--Chorus:DataDirectory=...) may follow any command; these ignore them.
        var score = new Command("score", "Score texts for spam and toxicity with the shipped model.") { input, output };
        score.TreatUnmatchedTokensAsErrors = false;
        score.SetAction(async (parse, ct) => await ScoreAsync(parse.GetValue(input)!, parse.GetValue(output)!, Console.Out, Console.Error, ct));

        var threshold = new Option<double>("--threshold") { Description = "Probability from which a text counts as spam / toxic", DefaultValueFactory = _ => 0.5 };
        var evaluate = new Command("evaluate", "Precision and recall of the shipped model on the held-back fifth of its corpus.") { threshold };
        evaluate.TreatUnmatchedTokensAsErrors = false;
        evaluate.SetAction(parse =>
        {
            Console.WriteLine("model      examples  positives  precision  recall  F1     accuracy");
            foreach (var f in ModerationEvaluation.Run(parse.GetValue(threshold)))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{f.Model,-10} {f.Examples,8:N0}  {f.Positives,9:N0}  {f.Precision,9:P1}  {f.Recall,6:P1}  {f.F1,5:F3}  {f.Accuracy,8:P1}"));
            return 0;
        });

        var moderation = new Command("moderation", "The forum's spam and toxicity classifier.");
        moderation.Subcommands.Add(score);
        moderation.Subcommands.Add(evaluate);
        return moderation;
    }

    /// Reads every line first: a malformed line is reported with its number and nothing is written.
    public static async Task<int> ScoreAsync(string inPath, string outPath, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (!File.Exists(inPath))
        {
            await stderr.WriteLineAsync($"There is no file {inPath}.");
            return 2;
        }
        var rows = new List<(string Id, string Text)>();
        var errors = new List<string>();
        var lineNumber = 0;
        foreach (var raw in await File.ReadAllLinesAsync(inPath, Encoding.UTF8, ct))
        {
            lineNumber++;
            if (raw.Length == 0) continue;
            var tab = raw.IndexOf('\t');
            if (tab <= 0) { errors.Add($"line {lineNumber}: expected id<TAB>text"); continue; }
            var id = raw[..tab];
            if (lineNumber == 1 && id.Equals("id", StringComparison.OrdinalIgnoreCase)) continue;
            rows.Add((id, raw[(tab + 1)..]));
        }
        if (errors.Count > 0)
        {
            foreach (var e in errors.Take(20)) await stderr.WriteLineAsync(e);
            if (errors.Count > 20) await stderr.WriteLineAsync($"... and {errors.Count - 20} more");
            await stderr.WriteLineAsync($"{inPath}: {errors.Count} malformed line(s); nothing written.");
            return 2;
        }
        var model = new ModerationModel();
        var sb = new StringBuilder();
        foreach (var (id, text) in rows)
        {
            // Texts in a TSV cannot hold tabs or line breaks; "\t" and "\n" written out stand for them.
            var s = model.Score(text.Replace("\\n", "\n").Replace("\\t", "\t"));
            sb.Append(id).Append('\t').Append(s.Spam.ToString("0.0000", CultureInfo.InvariantCulture))
              .Append('\t').Append(s.Toxicity.ToString("0.0000", CultureInfo.InvariantCulture)).Append('\n');
        }
        // Written to a temporary file and moved: a reader never sees half a result.
        var tmp = outPath + ".tmp";
        await File.WriteAllTextAsync(tmp, sb.ToString(), new UTF8Encoding(false), ct);
        File.Move(tmp, outPath, overwrite: true);
        await stdout.WriteLineAsync($"Scored {rows.Count:N0} texts into {outPath}.");
        return 0;
    }
}
