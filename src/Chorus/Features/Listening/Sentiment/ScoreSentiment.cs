using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Chorus.Features.Listening.Sentiment;

/// Scores how positive or negative a short text is: a compound score in [-1, 1] (below −0.05 reads as
/// negative, above 0.05 as positive). Lexicon and rules after VADER (Hutto &amp; Gilbert, ICWSM 2014):
/// word valences from its human-rated lexicon, emoji read as their descriptions, and rules for
/// negation ("not good"), intensifiers and dampeners ("very", "kind of"), ALL-CAPS emphasis,
/// "but" (what follows it weighs more), "least", a few idioms, and "!" / "??" emphasis.
/// Thread-safe, allocation-light, no I/O after the lexicon is loaded once.
public sealed class ScoreSentiment
{
    // Empirical increments from the VADER paper.
    private const double Boost = 0.293;
    private const double CapsBoost = 0.733;
    private const double NegationScale = -0.74;
    private const double ExclamationBoost = 0.292;
    private const double QuestionBoost = 0.18;
    // Sentences longer than this are scored on their beginning: the score saturates long before.
    private const int MaxTokens = 400;

    private static readonly FrozenSet<string> Negations = new[]
    {
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't", "couldn't",
        "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither", "don't",
        "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt", "needn't", "never", "none", "nope", "nor",
        "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "oughtn't", "shan't",
        "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
    }.ToFrozenSet();

    private static readonly FrozenDictionary<string, double> Boosters = BuildBoosters();

    private static FrozenDictionary<string, double> BuildBoosters()
    {
        var up = new[]
        {
            "absolutely", "amazingly", "awfully", "completely", "considerable", "considerably", "decidedly", "deeply", "effing",
            "enormous", "enormously", "entirely", "especially", "exceptional", "exceptionally", "extreme", "extremely", "fabulously",
            "flipping", "flippin", "frackin", "fracking", "fricking", "frickin", "frigging", "friggin", "fully", "fuckin", "fucking",
            "fuggin", "fugging", "greatly", "hella", "highly", "hugely", "incredible", "incredibly", "intensely", "major", "majorly",
            "more", "most", "particularly", "purely", "quite", "really", "remarkably", "so", "substantially", "thoroughly", "total",
            "totally", "tremendous", "tremendously", "uber", "unbelievably", "unusually", "utter", "utterly", "very",
        };
        var down = new[]
        {
            "almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of", "less", "little", "marginal",
            "marginally", "occasional", "occasionally", "partly", "scarce", "scarcely", "slight", "slightly", "somewhat", "sort of",
            "sorta", "sortof", "sort-of",
        };
        return up.Select(w => KeyValuePair.Create(w, Boost)).Concat(down.Select(w => KeyValuePair.Create(w, -Boost))).ToFrozenDictionary();
    }

    // Phrases whose meaning is not the sum of their words.
    private static readonly FrozenDictionary<string, double> Idioms = new Dictionary<string, double>
    {
        ["the shit"] = 3, ["the bomb"] = 3, ["bad ass"] = 1.5, ["badass"] = 1.5, ["bus stop"] = 0, ["yeah right"] = -2,
        ["kiss of death"] = -1.5, ["to die for"] = 3, ["beating heart"] = 3.1, ["broken heart"] = -2.9,
    }.ToFrozenDictionary();

    private readonly FrozenDictionary<string, double> _lexicon;
    // Every word a rule looks at, in lower case: a token is matched against it without allocating, and any
    // other word is read as "" (or "n't" when it is a contraction like "shouldn't've", which negates).
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _vocabulary;
    private readonly int _longestWord;
    private readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _emoji;
    // The first UTF-16 unit of every emoji: most characters of non-English text are not one, and need no lookup.
    private readonly FrozenSet<char> _emojiStarts;
    private readonly int _longestEmoji;

    public ScoreSentiment(FrozenDictionary<string, double> lexicon, FrozenDictionary<string, string> emoji)
    {
        _lexicon = lexicon;
        string[] ruleWords = ["but", "least", "no", "kind", "of", "or", "nor", "so", "this", "never", "without", "doubt", "at", "very", "enough"];
        var vocabulary = lexicon.Keys.Concat(Boosters.Keys.SelectMany(k => k.Split(' '))).Concat(Negations)
            .Concat(Idioms.Keys.SelectMany(k => k.Split(' '))).Concat(ruleWords).ToFrozenSet(StringComparer.Ordinal);
        _vocabulary = vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        _longestWord = vocabulary.Max(w => w.Length);
        _emoji = emoji.GetAlternateLookup<ReadOnlySpan<char>>();
        _emojiStarts = emoji.Keys.Select(k => k[0]).ToFrozenSet();
        _longestEmoji = emoji.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max();
    }

    private static readonly Lazy<ScoreSentiment> Shipped = new(LoadShipped);

    /// The scorer with the lexicons shipped inside Chorus, loaded once on first use.
    public static ScoreSentiment Default => Shipped.Value;

    private static ScoreSentiment LoadShipped()
    {
        var assembly = typeof(ScoreSentiment).Assembly;
        string Read(string name)
        {
            using var stream = assembly.GetManifestResourceStream($"Chorus.Listening.{name}")
                ?? throw new InvalidOperationException($"The sentiment lexicon {name} is not embedded in Chorus.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        var lexicon = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in Read("vader_lexicon.txt").Split('\n'))
        {
            var fields = line.Split('\t');
            if (fields.Length >= 2 && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var valence))
                lexicon[fields[0]] = valence;
        }
        var emoji = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Read("emoji_utf8_lexicon.txt").Split('\n'))
        {
            var fields = line.TrimEnd('\r').Split('\t');
            if (fields.Length >= 2 && fields[0].Length > 0) emoji[fields[0]] = fields[1];
        }
        return new ScoreSentiment(lexicon.ToFrozenDictionary(StringComparer.Ordinal), emoji.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// The compound score of a text, rounded to 4 decimals; 0 for a text with no sentiment-bearing words.
    public double Score(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return 0;
        var (lower, upper) = Tokenize(ReplaceEmoji(text));
        if (lower.Length == 0) return 0;
        // ALL-CAPS only stands out when some words, not all, are in capitals.
        var caps = upper.Count(u => u);
        var someCaps = caps > 0 && caps < upper.Length;

        var valences = new double[lower.Length];
        for (var i = 0; i < lower.Length; i++)
        {
            // Modifiers carry no valence of their own; they act on the word they modify.
            if (Boosters.ContainsKey(lower[i])) continue;
            if (lower[i] == "kind" && i + 1 < lower.Length && lower[i + 1] == "of") continue;
            valences[i] = Valence(lower, upper, i, someCaps);
        }
        ApplyBut(lower, valences);

        var sum = valences.Sum();
        var emphasis = PunctuationEmphasis(text);
        if (sum > 0) sum += emphasis;
        else if (sum < 0) sum -= emphasis;
        return Math.Round(Normalize(sum), 4);
    }

    private double Valence(string[] lower, bool[] upper, int i, bool someCaps)
    {
        if (!_lexicon.TryGetValue(lower[i], out var lexical)) return 0;
        var valence = lexical;
        // "no" before another sentiment word negates it rather than counting as negative itself.
        if (lower[i] == "no" && i + 1 < lower.Length && _lexicon.ContainsKey(lower[i + 1])) valence = 0;
        if ((i > 0 && lower[i - 1] == "no") || (i > 1 && lower[i - 2] == "no")
            || (i > 2 && lower[i - 3] == "no" && lower[i - 1] is "or" or "nor"))
            valence = lexical * NegationScale;

        if (someCaps && upper[i]) valence += valence > 0 ? CapsBoost : -CapsBoost;

        // Up to three words back: intensifiers (weaker the further away) and negations.
        for (var back = 1; back <= 3 && i - back >= 0; back++)
        {
            var before = lower[i - back];
            if (_lexicon.ContainsKey(before)) continue;
            var scalar = BoosterScalar(before, someCaps && upper[i - back], valence);
            valence += back switch { 2 => scalar * 0.95, 3 => scalar * 0.9, _ => scalar };
            valence = Negate(valence, lower, i, back);
        }
        if (i > 0) valence = ApplyIdioms(valence, lower, i);
        return ApplyLeast(valence, lower, i);
    }

    private static double BoosterScalar(string lower, bool emphasized, double valence)
    {
        if (!Boosters.TryGetValue(lower, out var scalar)) return 0;
        if (valence < 0) scalar = -scalar;
        if (emphasized) scalar += valence > 0 ? CapsBoost : -CapsBoost;
        return scalar;
    }

    private static double Negate(double valence, string[] lower, int i, int back)
    {
        var before = lower[i - back];
        switch (back)
        {
            case 1:
                return IsNegation(before) ? valence * NegationScale : valence;
            case 2:
                // "never so good" intensifies; "without doubt" is not a negation.
                if (before == "never" && lower[i - 1] is "so" or "this") return valence * 1.25;
                if (before == "without" && lower[i - 1] == "doubt") return valence;
                return IsNegation(before) ? valence * NegationScale : valence;
            default:
                if (before == "never" && (lower[i - 2] is "so" or "this" || lower[i - 1] is "so" or "this")) return valence * 1.25;
                if (before == "without" && (lower[i - 2] == "doubt" || lower[i - 1] == "doubt")) return valence;
                return IsNegation(before) ? valence * NegationScale : valence;
        }
    }

    private static bool IsNegation(string lower) => Negations.Contains(lower) || lower.Contains("n't", StringComparison.Ordinal);

    // Every idiom and two-word dampener has one of these words; most sentences have none of them nearby.
    private static readonly FrozenSet<string> IdiomWords =
        new[] { "shit", "bomb", "ass", "badass", "stop", "right", "death", "die", "heart", "kind", "sort", "just" }.ToFrozenSet();

    private static double ApplyIdioms(double valence, string[] lower, int i)
    {
        var nearby = false;
        for (var k = Math.Max(0, i - 3); k <= Math.Min(lower.Length - 1, i + 2) && !nearby; k++) nearby = IdiomWords.Contains(lower[k]);
        if (!nearby) return valence;
        string At(int k) => k >= 0 && k < lower.Length ? lower[k] : "";
        string[] around =
        [
            $"{At(i - 1)} {lower[i]}", $"{At(i - 2)} {At(i - 1)} {lower[i]}", $"{At(i - 2)} {At(i - 1)}",
            $"{At(i - 3)} {At(i - 2)} {At(i - 1)}", $"{At(i - 3)} {At(i - 2)}",
        ];
        foreach (var phrase in around)
            if (Idioms.TryGetValue(phrase, out var idiom)) { valence = idiom; break; }
        if (i + 1 < lower.Length && Idioms.TryGetValue($"{lower[i]} {lower[i + 1]}", out var next)) valence = next;
        if (i + 2 < lower.Length && Idioms.TryGetValue($"{lower[i]} {lower[i + 1]} {lower[i + 2]}", out var next2)) valence = next2;
        // Two-word dampeners ("kind of good", "sort of nice").
        foreach (var phrase in (ReadOnlySpan<string>)[around[3], around[4], around[2]])
            if (Boosters.TryGetValue(phrase, out var scalar)) valence += scalar;
        return valence;
    }

    private double ApplyLeast(double valence, string[] lower, int i)
    {
        // "least" negates ("the least funny"), except in "at least" and "very least".
        if (i > 0 && lower[i - 1] == "least" && !_lexicon.ContainsKey("least")
            && (i == 1 || (lower[i - 2] != "at" && lower[i - 2] != "very")))
            return valence * NegationScale;
        return valence;
    }

    /// Contrast: what comes after the first "but" counts one and a half times, what comes before it half.
    private static void ApplyBut(string[] lower, double[] valences)
    {
        var but = Array.IndexOf(lower, "but");
        if (but < 0) return;
        for (var i = 0; i < valences.Length; i++)
            valences[i] *= i < but ? 0.5 : i > but ? 1.5 : 1;
    }

    private static double PunctuationEmphasis(string text)
    {
        int exclamations = 0, questions = 0;
        foreach (var c in text)
        {
            if (c == '!') exclamations++;
            else if (c == '?') questions++;
        }
        var emphasis = Math.Min(exclamations, 4) * ExclamationBoost;
        if (questions > 1) emphasis += questions <= 3 ? questions * QuestionBoost : 0.96;
        return emphasis;
    }

    private static double Normalize(double sum, double alpha = 15) => Math.Clamp(sum / Math.Sqrt(sum * sum + alpha), -1, 1);

    /// Emoji become their lexicon description ("😁" → "beaming face with smiling eyes"), longest match first.
    private string ReplaceEmoji(string text)
    {
        var ascii = true;
        foreach (var c in text) if (c > 0x7f) { ascii = false; break; }
        if (ascii) return text;
        var sb = new StringBuilder(text.Length + 32);
        var previousSpace = true;
        for (var i = 0; i < text.Length;)
        {
            var matched = 0;
            if (text[i] > 0x7f && _emojiStarts.Contains(text[i]))
                for (var len = Math.Min(_longestEmoji, text.Length - i); len > 0; len--)
                    if (_emoji.TryGetValue(text.AsSpan(i, len), out var description))
                    {
                        if (!previousSpace) sb.Append(' ');
                        sb.Append(description).Append(' ');
                        previousSpace = true;
                        matched = len;
                        break;
                    }
            if (matched > 0) { i += matched; continue; }
            sb.Append(text[i]);
            previousSpace = char.IsWhiteSpace(text[i]);
            i++;
        }
        return sb.ToString();
    }

    /// Whitespace-separated tokens with leading and trailing punctuation removed, unless that leaves two
    /// characters or fewer (then it was an emoticon like ":)" or ":D" and stays whole): each as the lower-case
    /// word the rules know (or "" for any other word), and whether it is in capitals.
    private (string[] Lower, bool[] Upper) Tokenize(string text)
    {
        var lower = new List<string>();
        var upper = new List<bool>();
        Span<char> buffer = stackalloc char[_longestWord];
        for (var i = 0; i < text.Length && lower.Count < MaxTokens;)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            if (i == start) break;
            var token = text.AsSpan(start, i - start);
            int from = 0, to = token.Length;
            while (from < to && IsAsciiPunctuation(token[from])) from++;
            while (to > from && IsAsciiPunctuation(token[to - 1])) to--;
            var word = to - from <= 2 ? token : token[from..to];
            upper.Add(IsUpper(word));
            string? known = null;
            if (word.Length <= buffer.Length)
            {
                var folded = buffer[..word.Length];
                word.ToLowerInvariant(folded);
                _vocabulary.TryGetValue(folded, out known);
            }
            lower.Add(known ?? (word.Contains("n't", StringComparison.OrdinalIgnoreCase) ? "n't" : ""));
        }
        return (lower.ToArray(), upper.ToArray());
    }

    // Python's string.punctuation, as in the reference implementation.
    private static bool IsAsciiPunctuation(char c) => c is > ' ' and < (char)0x7f && !char.IsAsciiLetterOrDigit(c);

    /// Python's str.isupper: at least one cased letter, and no lower-case one.
    private static bool IsUpper(ReadOnlySpan<char> word)
    {
        var cased = false;
        foreach (var c in word)
        {
            if (char.IsLower(c)) return false;
            if (char.IsUpper(c)) cased = true;
        }
        return cased;
    }
}
