namespace Chorus.Features.Listening.Spikes;

/// What a series measures, which decides how its noise is modelled.
public enum SeriesKind
{
    /// Mentions per bucket: Poisson-like, so values are compared on a square-root scale where the noise
    /// is about the same (±0.5) whatever the volume.
    Counts,
    /// A share in [0, 1] per bucket, e.g. the share of negative mentions: compared as is.
    Shares,
}

/// How the spike detector is tuned. The defaults are for 5-minute buckets and were chosen on the
/// Numenta Anomaly Benchmark's Twitter-volume series (bench/README.md); nothing in them is specific to
/// one series. Counts in points, so with 5-minute buckets 288 is a day.
public sealed record SpikeDetectorOptions
{
    /// How many past points make the baseline (its median and spread): a week.
    public int BaselinePoints { get; init; } = 2016;
    /// The long scale: the score adds the deviation of the last point and of the mean of this many points (an hour).
    public int LongScalePoints { get; init; } = 12;
    /// Smallest score that can alert.
    public double MinimumScore { get; init; } = 6.5;
    /// Past scores the threshold adapts to: a new alert needs a score above this quantile of the
    /// scores of the last ThresholdHistory points, so a series that is always bursty needs bigger bursts.
    public double ThresholdQuantile { get; init; } = 0.998;
    public int ThresholdHistory { get; init; } = 4032;
    /// After an alert, the detector stays quiet this long: one event is one alert (a day).
    public int QuietPoints { get; init; } = 288;
    /// Points seen before the first alert can fire (a day).
    public int WarmUpPoints { get; init; } = 288;
    public SeriesKind Kind { get; init; } = SeriesKind.Counts;
    /// The spread below which differences are noise: 0.5 on the square-root scale of counts (Poisson noise),
    /// two percentage points for shares.
    public double NoiseFloor { get; init; } = 0.5;

    public static SpikeDetectorOptions ForCounts { get; } = new();
    public static SpikeDetectorOptions ForShares { get; } = new() { Kind = SeriesKind.Shares, NoiseFloor = 0.02 };
}

/// One point's verdict: the anomaly score, the threshold it had to pass, and whether it alerted.
public readonly record struct SpikeVerdict(double Score, double Threshold, bool Alert);

/// A streaming spike detector for a volume series (mentions per bucket) or a share series (negative
/// share). Each point is decided from past points only: the score is how far the newest point, and the
/// mean of the last hour, stand above their robust baselines (median and inter-quartile spread of the
/// last days), in units of that spread; an alert fires when the score passes both a floor and a
/// quantile of the detector's own recent scores, then the detector stays quiet for a day. Its state is
/// the recent points only, so it can be rebuilt by replaying a series.
public sealed class DetectSpikes
{
    private readonly SpikeDetectorOptions _options;
    private readonly Scale _short;
    private readonly Scale _long;
    private readonly RollingWindow _scores;
    private long _seen;
    private long _lastAlert = long.MinValue / 2;

    public DetectSpikes(SpikeDetectorOptions? options = null)
    {
        _options = options ?? SpikeDetectorOptions.ForCounts;
        _short = new Scale(1, _options);
        _long = new Scale(_options.LongScalePoints, _options);
        _scores = new RollingWindow(_options.ThresholdHistory);
    }

    /// Feeds the next point (in time order) and decides it.
    public SpikeVerdict Observe(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(nameof(value), "A point must be a finite number.");
        var y = _options.Kind == SeriesKind.Counts ? Math.Sqrt(Math.Max(0, value)) : value;
        var score = _short.Deviation(y) + _long.Deviation(y);
        var threshold = _scores.Count == 0
            ? _options.MinimumScore
            : Math.Max(_options.MinimumScore, _scores.Quantile(_options.ThresholdQuantile));
        var alert = score > threshold && _seen - _lastAlert > _options.QuietPoints && _seen >= _options.WarmUpPoints;
        if (alert) _lastAlert = _seen;
        _scores.Add(score);
        _seen++;
        return new SpikeVerdict(score, threshold, alert);
    }

    /// The deviation of the mean of the last N points from its own baseline, in robust standard deviations.
    private sealed class Scale(int points, SpikeDetectorOptions options)
    {
        private readonly Queue<double> _recent = new();
        private readonly RollingWindow _baseline = new(options.BaselinePoints);
        private readonly double _floor = options.NoiseFloor / Math.Sqrt(points);

        public double Deviation(double y)
        {
            _recent.Enqueue(y);
            if (_recent.Count > points) _recent.Dequeue();
            var mean = _recent.Sum() / _recent.Count; // summed afresh: a running sum would drift
            var deviation = 0.0;
            if (_baseline.Count >= options.WarmUpPoints)
            {
                var spread = Math.Max((_baseline.Quantile(0.75) - _baseline.Quantile(0.25)) / 1.349, _floor);
                deviation = (mean - _baseline.Quantile(0.5)) / spread;
            }
            _baseline.Add(mean);
            return deviation;
        }
    }

    /// The last N values, kept sorted as well so quantiles cost a lookup.
    private sealed class RollingWindow(int capacity)
    {
        private readonly Queue<double> _order = new(capacity + 1);
        private readonly List<double> _sorted = new(capacity + 1);

        public int Count => _sorted.Count;

        public void Add(double value)
        {
            _order.Enqueue(value);
            var at = _sorted.BinarySearch(value);
            _sorted.Insert(at < 0 ? ~at : at, value);
            if (_order.Count > capacity) _sorted.RemoveAt(_sorted.BinarySearch(_order.Dequeue()));
        }

        public double Quantile(double q) => _sorted[Math.Min(_sorted.Count - 1, (int)(q * _sorted.Count))];
    }
}
