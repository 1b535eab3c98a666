using System.Text.RegularExpressions;

namespace Chorus.Features.Forum.Moderation;

/// A binary multinomial Naive Bayes over binarized features (each feature counts once per text), with
/// Laplace smoothing and equal class priors: the training sets' class balance says nothing about a forum's.
/// Learning is adding counts, so a moderator's decision updates it in place. Not thread-safe: the owner locks.
public sealed class NaiveBayes
{
    private const double Alpha = 1.0;
    private readonly Dictionary<string, double>[] _counts = [new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
    private readonly double[] _totals = new double[2];
    private readonly HashSet<string> _vocabulary = new(StringComparer.Ordinal);

    public int Vocabulary => _vocabulary.Count;

    public void Add(IReadOnlyCollection<string> features, bool positive, double weight = 1)
    {
        var c = positive ? 1 : 0;
        foreach (var f in features)
        {
            _counts[c][f] = _counts[c].GetValueOrDefault(f) + weight;
            _totals[c] += weight;
            _vocabulary.Add(f);
        }
    }

    /// P(positive | features). Features never seen in training carry no evidence and are skipped.
    public double Probability(IReadOnlyCollection<string> features)
    {
        var v = _vocabulary.Count + 1;
        var logOdds = 0.0;
        var known = 0;
        foreach (var f in features)
        {
            if (!_vocabulary.Contains(f)) continue;
            known++;
            logOdds += Math.Log((_counts[1].GetValueOrDefault(f) + Alpha) / (_totals[1] + Alpha * v))
                     - Math.Log((_counts[0].GetValueOrDefault(f) + Alpha) / (_totals[0] + Alpha * v));
        }
        if (known == 0) return 0.5;
        // Naive Bayes adds up correlated evidence as if it were independent and so is overconfident on
        // long texts; scaling by the square root of the evidence count keeps probabilities usable as scores.
        logOdds /= Math.Sqrt(Math.Max(1, known / 4.0));
        return 1 / (1 + Math.Exp(-logOdds));
    }
}

/// Turns a text into classifier features: lower-case words and word pairs, plus markers for what
/// spam looks like whatever the words (links, e-mail addresses, phone numbers, money, shouting).
public static partial class TextFeatures
{
    public static IReadOnlyCollection<string> Of(string text)
    {
        var features = new HashSet<string>(StringComparer.Ordinal);
        if (Url().IsMatch(text)) features.Add("__link");
        if (Email().IsMatch(text)) features.Add("__email");
        if (Phone().IsMatch(text)) features.Add("__phone");
        if (Money().IsMatch(text)) features.Add("__money");
        var withoutLinks = Url().Replace(text, " ");
        var letters = withoutLinks.Count(char.IsLetter);
        if (letters >= 12 && withoutLinks.Count(char.IsUpper) > letters * 0.6) features.Add("__shouting");
        if (withoutLinks.Contains("!!", StringComparison.Ordinal)) features.Add("__exclaim");
        string? previous = null;
        foreach (Match m in Word().Matches(withoutLinks.ToLowerInvariant()))
        {
            var w = m.Value.Length > 30 ? m.Value[..30] : m.Value;
            if (w.All(char.IsDigit)) w = w.Length >= 4 ? "__digits" : "__num";
            features.Add(w);
            if (previous is not null) features.Add(previous + " " + w);
            previous = w;
        }
        return features;
    }

    [GeneratedRegex(@"(https?://|www\.)\S+|\b[a-z0-9-]+\.(com|net|org|info|ru|biz|ly|io)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Url();
    [GeneratedRegex(@"\b[\w.+-]+@[\w-]+\.[\w.]+\b")]
    private static partial Regex Email();
    [GeneratedRegex(@"\b\d{5,}\b|\b\d{3}[ -]\d{3,4}[ -]\d{3,4}\b")]
    private static partial Regex Phone();
    [GeneratedRegex(@"[£$€]\s?\d|\d\s?(usd|eur|gbp|p)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Money();
    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}']*")]
    private static partial Regex Word();
}
