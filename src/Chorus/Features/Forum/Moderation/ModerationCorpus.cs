using System.Reflection;
using System.Text;

namespace Chorus.Features.Forum.Moderation;

/// A labelled text: Spam / Toxic are null where its source says nothing about that question.
public sealed record LabelledText(string Text, string Source, bool? Spam, bool? Toxic)
{
    /// One row in five, chosen by a stable hash of the text, is never trained on: the evaluation split.
    public bool HeldBack => StableHash(Text) % 5 == 0;

    private static uint StableHash(string s)
    {
        var h = 2166136261u; // FNV-1a: the same on every machine and run, unlike string.GetHashCode
        foreach (var b in Encoding.UTF8.GetBytes(s)) h = (h ^ b) * 16777619u;
        return h;
    }
}

/// Reads the training corpus embedded in the assembly (see Corpus/README.md for sources and licences).
public static class ModerationCorpus
{
    public static IReadOnlyList<LabelledText> Load()
    {
        var all = new List<LabelledText>();
        foreach (var name in new[] { "Youtube01-Psy.csv", "Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv" })
            foreach (var row in Csv.Read(Resource(name)).Skip(1))
                if (row.Length >= 5 && row[3].Trim().Length > 0)
                {
                    var spam = row[4].Trim() == "1";
                    all.Add(new(System.Net.WebUtility.HtmlDecode(row[3]).Trim('\uFEFF', ' '), "youtube", spam, spam ? null : false));
                }
        foreach (var line in Resource("SMSSpamCollection.train.tsv").Split('\n').Skip(1))
        {
            var tab = line.IndexOf('\t');
            if (tab < 0) continue;
            var spam = line[..tab] == "spam";
            all.Add(new(line[(tab + 1)..].TrimEnd('\r'), "sms", spam, spam ? null : false));
        }
        foreach (var row in Csv.Read(Resource("davidson-labeled_data.train.csv")).Skip(1))
            if (row.Length >= 7) all.Add(new(row[6], "davidson", null, row[5].Trim() != "2"));
        foreach (var row in Csv.Read(Resource("jigsaw-test_examples.train.csv")).Skip(1))
            if (row.Length >= 2) all.Add(new(row[0], "jigsaw", null, row[1].Trim() == "1"));
        // Real forum posts and comments: what clean community text looks like (neither spam nor toxic).
        foreach (var line in Resource("stackexchange-history-meta.tsv").Split('\n').Skip(1))
        {
            var tab = line.IndexOf('\t');
            if (tab > 0) all.Add(new(line[(tab + 1)..], "stackexchange", false, false));
        }
        return all;
    }

    private static string Resource(string file)
    {
        var asm = typeof(ModerationCorpus).Assembly;
        var name = asm.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith("." + file, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The moderation corpus file {file} is not embedded in {asm.GetName().Name}.");
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks.
    private static class Csv
    {
        public static IEnumerable<string[]> Read(string text)
        {
            var row = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else if (c == '"') quoted = false;
                    else field.Append(c);
                }
                else if (c == '"' && field.Length == 0) quoted = true;
                else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
                else if (c == '\n')
                {
                    row.Add(field.ToString().TrimEnd('\r'));
                    field.Clear();
                    yield return row.ToArray();
                    row.Clear();
                }
                else field.Append(c);
            }
            if (field.Length > 0 || row.Count > 0)
            {
                row.Add(field.ToString());
                yield return row.ToArray();
            }
        }
    }
}
