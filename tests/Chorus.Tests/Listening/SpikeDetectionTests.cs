using Chorus.Features.Listening.Spikes;

namespace Chorus.Tests.Listening;

/// The streaming spike detector: fires at the onset of a spike, stays quiet on noise, never looks ahead.
public class SpikeDetectionTests
{
    private const int Day = 288; // 5-minute buckets

    /// Mentions per 5 minutes: Poisson noise around a daily rhythm (seeded, so every run sees the same series).
    private static List<double> Volume(int points, double mean, int seed, int stepAt = int.MaxValue, double stepMean = 0)
    {
        var random = new Random(seed);
        var series = new List<double>(points);
        for (var i = 0; i < points; i++)
        {
            var rate = (i >= stepAt ? stepMean : mean) * (1 + 0.3 * Math.Sin(2 * Math.PI * i / Day));
            series.Add(Poisson(random, rate));
        }
        return series;
    }

    private static int Poisson(Random random, double rate)
    {
        // Knuth's method; fine for the small rates here.
        double limit = Math.Exp(-rate), product = random.NextDouble();
        var k = 0;
        while (product > limit) { k++; product *= random.NextDouble(); }
        return k;
    }

    private static List<SpikeVerdict> Run(IEnumerable<double> series, SpikeDetectorOptions? options = null)
    {
        var detector = new DetectSpikes(options);
        return series.Select(detector.Observe).ToList();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Fires_once_within_minutes_of_a_step_up_in_volume_and_not_before(int seed)
    {
        var onset = 5 * Day;
        var verdicts = Run(Volume(7 * Day, 20, seed, stepAt: onset, stepMean: 80));
        var alerts = verdicts.Select((v, i) => (v, i)).Where(x => x.v.Alert).Select(x => x.i).ToList();
        Assert.NotEmpty(alerts);
        Assert.InRange(alerts[0], onset, onset + 3); // within 15 minutes
        // One event, one alert: the detector stays quiet for a day after alerting.
        Assert.DoesNotContain(alerts, i => i > alerts[0] && i <= alerts[0] + Day);
    }

    [Theory]
    [InlineData(11, 20)]
    [InlineData(12, 3)]
    [InlineData(13, 400)]
    public void Stays_quiet_on_two_weeks_of_noise_at_any_volume(int seed, double mean)
    {
        var verdicts = Run(Volume(14 * Day, mean, seed));
        Assert.DoesNotContain(verdicts, v => v.Alert);
    }

    [Fact]
    public void Decides_each_point_from_past_points_only()
    {
        var past = Volume(6 * Day, 30, seed: 21);
        var calmFuture = Volume(Day, 30, seed: 22);
        var spikyFuture = calmFuture.Select((v, i) => i % 50 == 0 ? v * 20 : v).ToList();

        var calm = Run(past.Concat(calmFuture));
        var spiky = Run(past.Concat(spikyFuture));
        // What comes later changes nothing already decided: same scores, thresholds and alerts.
        Assert.Equal(calm.Take(past.Count), spiky.Take(past.Count));
        Assert.Contains(spiky.Skip(past.Count), v => v.Alert);
    }

    [Fact]
    public void Needs_a_day_of_history_before_it_can_alert()
    {
        var series = Volume(2 * Day, 20, seed: 31).Select((v, i) => i == 100 ? 2_000 : v);
        var verdicts = Run(series);
        Assert.DoesNotContain(verdicts.Take(Day), v => v.Alert);
    }

    [Fact]
    public void Detects_a_jump_in_the_share_of_negative_mentions()
    {
        var random = new Random(41);
        var onset = 4 * Day;
        var shares = Enumerable.Range(0, 5 * Day).Select(i => Math.Clamp((i >= onset ? 0.45 : 0.12) + (random.NextDouble() - 0.5) * 0.06, 0, 1));
        var verdicts = Run(shares, SpikeDetectorOptions.ForShares);
        var first = verdicts.FindIndex(v => v.Alert);
        Assert.InRange(first, onset, onset + 3);
    }

    [Fact]
    public void Rejects_a_point_that_is_not_a_number()
    {
        var detector = new DetectSpikes();
        Assert.Throws<ArgumentOutOfRangeException>(() => detector.Observe(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => detector.Observe(double.PositiveInfinity));
    }
}
