using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum.Moderation;

public sealed record ModerationScore(double Spam, double Toxicity);

/// The forum's spam and toxicity classifier: trained from the embedded corpus on first use, then it
/// learns from every moderator decision. Decisions are stored (ModerationExample), so a restart or
/// another node replays them: <see cref="CatchUpAsync"/> applies the ones this process has not seen.
public sealed class ModerationModel
{
    /// A moderator's decision on this forum's own posts says more than a tweet in the corpus.
    public const double DecisionWeight = 3;

    private readonly Lock _lock = new();
    private readonly Lazy<(NaiveBayes Spam, NaiveBayes Toxic)> _models;
    private readonly HashSet<Guid> _applied = [];
    private DateTimeOffset _caughtUpTo = DateTimeOffset.MinValue;

    public ModerationModel() : this(includeHeldBack: false) { }

    /// includeHeldBack: false trains on four rows in five (what ships, so the held-back figures describe it).
    public ModerationModel(bool includeHeldBack) =>
        _models = new(() => Train(ModerationCorpus.Load().Where(t => includeHeldBack || !t.HeldBack)));

    public static (NaiveBayes Spam, NaiveBayes Toxic) Train(IEnumerable<LabelledText> texts)
    {
        var spam = new NaiveBayes();
        var toxic = new NaiveBayes();
        foreach (var t in texts)
        {
            var f = TextFeatures.Of(t.Text);
            if (t.Spam is { } s) spam.Add(f, s);
            if (t.Toxic is { } x) toxic.Add(f, x);
        }
        return (spam, toxic);
    }

    public ModerationScore Score(string text)
    {
        var f = TextFeatures.Of(text);
        var (spam, toxic) = _models.Value;
        lock (_lock) return new(spam.Probability(f), toxic.Probability(f));
    }

    public void Learn(string text, bool? spam, bool? toxic)
    {
        var f = TextFeatures.Of(text);
        var models = _models.Value;
        lock (_lock)
        {
            if (spam is { } s) models.Spam.Add(f, s, DecisionWeight);
            if (toxic is { } x) models.Toxic.Add(f, x, DecisionWeight);
        }
    }

    /// Applies stored decisions this process has not learned yet (made before it started, or on another node).
    public async Task CatchUpAsync(ChorusDb db, CancellationToken ct = default)
    {
        DateTimeOffset since;
        lock (_lock) since = _caughtUpTo;
        // A minute of overlap: decisions committed out of order by other nodes are still picked up; _applied skips repeats.
        var from = since == DateTimeOffset.MinValue ? since : since.AddMinutes(-1);
        var rows = await db.ModerationExamples.AsNoTracking().Where(e => e.At >= from).OrderBy(e => e.At).ToListAsync(ct);
        foreach (var row in rows) Apply(row);
    }

    /// Learns a decision once (the node that made it applies it at once; CatchUp skips it later).
    public void Apply(ModerationExample example)
    {
        lock (_lock)
        {
            if (!_applied.Add(example.Id)) return;
            if (example.At > _caughtUpTo) _caughtUpTo = example.At;
        }
        Learn(example.Text, example.Spam, example.Toxic);
    }
}

/// Precision and recall on the held-back fifth of the corpus (the split the shipped model never saw).
public static class ModerationEvaluation
{
    public sealed record Figures(string Model, int Examples, int Positives, double Threshold, double Precision, double Recall, double F1, double Accuracy);

    public static IReadOnlyList<Figures> Run(double threshold = 0.5)
    {
        var corpus = ModerationCorpus.Load();
        var (spam, toxic) = ModerationModel.Train(corpus.Where(t => !t.HeldBack));
        var test = corpus.Where(t => t.HeldBack).ToList();
        return
        [
            Measure("spam", spam, test.Where(t => t.Spam is not null).Select(t => (t.Text, t.Spam!.Value)).ToList(), threshold),
            Measure("toxicity", toxic, test.Where(t => t.Toxic is not null).Select(t => (t.Text, t.Toxic!.Value)).ToList(), threshold),
        ];
    }

    private static Figures Measure(string name, NaiveBayes model, List<(string Text, bool Label)> test, double threshold)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0;
        foreach (var (text, label) in test)
        {
            var predicted = model.Probability(TextFeatures.Of(text)) >= threshold;
            if (predicted && label) tp++; else if (predicted) fp++; else if (label) fn++; else tn++;
        }
        var precision = tp + fp == 0 ? 0 : tp / (double)(tp + fp);
        var recall = tp + fn == 0 ? 0 : tp / (double)(tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new(name, test.Count, tp + fn, threshold, precision, recall, f1, (tp + tn) / (double)Math.Max(1, test.Count));
    }
}
