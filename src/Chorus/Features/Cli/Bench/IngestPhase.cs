using System.Diagnostics;
using System.Diagnostics.Metrics;
using Chorus.Features.Inbox.Ingest;

namespace Chorus.Features.Cli.Bench;

/// Feeds the synthetic traffic through the real pipeline (`IngestPipeline.IngestManyAsync`, as an
/// importer does) and times only the pipeline: generating the envelopes is excluded.
public static class IngestPhase
{
    public const int ChunkSize = 10_000;

    public sealed record Outcome(CpuClock Clock, Dictionary<IngestStatus, int> Statuses, IReadOnlyDictionary<string, TimeSpan> Stages);

    public static async Task<Outcome> RunAsync(IServiceProvider services, SyntheticTraffic traffic, CancellationToken ct)
    {
        var pipeline = services.GetRequiredService<IngestPipeline>();
        using var stages = new StageTimes();
        var statuses = Enum.GetValues<IngestStatus>().ToDictionary(s => s, _ => 0);
        var clock = new CpuClock();
        var progress = Stopwatch.StartNew();
        var done = 0;
        foreach (var chunk in traffic.Envelopes().Chunk(ChunkSize))
        {
            clock.Start();
            var results = await pipeline.IngestManyAsync(chunk, ct);
            clock.Stop();
            foreach (var r in results) statuses[r.Status]++;
            done += chunk.Length;
            if (progress.Elapsed > TimeSpan.FromSeconds(15) || done == traffic.Size.Messages)
            {
                Console.WriteLine($"    {done:N0} / {traffic.Size.Messages:N0} messages, {done / clock.Wall.TotalSeconds:N0}/s in the pipeline, " +
                                  $"{clock.Cores:N2} cores busy [load {Machine.Load()}]");
                progress.Restart();
            }
        }
        return new Outcome(clock, statuses, stages.Totals());
    }

    /// Sums the pipeline's own per-stage timings (the `chorus.ingest.stage.duration` histogram).
    private sealed class StageTimes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, double> _seconds = [];
        private readonly Lock _lock = new();

        public StageTimes()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == WriteInboundBatch.MeterName) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                    if (tag is { Key: "stage", Value: string stage })
                        lock (_lock) _seconds[stage] = _seconds.GetValueOrDefault(stage) + value;
            });
            _listener.Start();
        }

        public IReadOnlyDictionary<string, TimeSpan> Totals()
        {
            lock (_lock) return _seconds.ToDictionary(s => s.Key, s => TimeSpan.FromSeconds(s.Value));
        }

        public void Dispose() => _listener.Dispose();
    }
}
