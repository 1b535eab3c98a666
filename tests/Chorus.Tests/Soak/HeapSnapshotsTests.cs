using Chorus.Features.Cli.Bench;

namespace Chorus.Tests.Soak;

/// The soak's heap snapshots: reading `dotnet-gcdump report` and telling what grew between snapshots.
public class HeapSnapshotsTests
{
    // As dotnet-gcdump 10 prints it (numbers in the invariant culture, the module in brackets, arrays in size buckets).
    private const string Report = """
             52,428,800  GC Heap bytes
                412,345  GC Heap objects

           Object Bytes     Count  Type
              1,048,600         3  System.Byte[] (Bytes > 1M)  [System.Private.CoreLib.dll]
                    256    20,000  System.String  [System.Private.CoreLib.dll]
                     56     1,000  System.Byte[] (Bytes > 10K)  [System.Private.CoreLib.dll]
                     48       512  Microsoft.Extensions.Caching.Memory.CacheEntry  [Microsoft.Extensions.Caching.Memory.dll]
                     32         7  System.Collections.Generic.Dictionary<System.String,System.Object>  [System.Private.CoreLib.dll]
        """;

    [Fact]
    public void A_report_gives_the_live_heap_and_each_type_with_array_buckets_added_up()
    {
        var heap = HeapSnapshots.Parse(Report);

        Assert.Equal(52_428_800, heap.Bytes);
        Assert.Equal(412_345, heap.Objects);
        Assert.Equal(1_003, heap.Types["System.Byte[]"].Count);
        Assert.Null(heap.Types["System.Byte[]"].Bytes); // the report gives one instance's size: unknown for arrays and strings
        Assert.Null(heap.Types["System.String"].Bytes);
        Assert.Equal(512, heap.Types["Microsoft.Extensions.Caching.Memory.CacheEntry"].Count);
        Assert.Equal(512L * 48, heap.Types["Microsoft.Extensions.Caching.Memory.CacheEntry"].Bytes!.Value);
        Assert.Equal(7, heap.Types["System.Collections.Generic.Dictionary<System.String,System.Object>"].Count);
        Assert.DoesNotContain(heap.Types.Keys, k => k.Contains("Object Bytes") || k.Contains("GC Heap"));
    }

    [Fact]
    public void Output_that_is_not_a_report_is_an_error_not_an_empty_heap()
    {
        Assert.Throws<FormatException>(() => HeapSnapshots.Parse("Unable to connect to the process\n"));
    }

    [Fact]
    public void The_growers_are_the_types_that_grew_from_the_first_snapshot_to_the_last_and_growth_is_per_thousand_requests()
    {
        var first = HeapSnapshots.Parse(Report);
        var later = HeapSnapshots.Parse(Report
            .Replace("52,428,800  GC Heap bytes", "53,477,376  GC Heap bytes")
            .Replace("48       512  Microsoft", "48     8,704  Microsoft")
            .Replace("256    20,000  System.String", "256    19,000  System.String"));
        HeapSnapshots.Snapshot At(HeapSnapshots.Histogram h, int minute, long requests) =>
            new($"{minute}", TimeSpan.FromMinutes(minute), requests, TimeSpan.FromSeconds(1), "x.gcdump", h);
        var snapshots = new[] { At(first, 2, 10_000), At(later, 9, 30_000) };

        var growers = HeapSnapshots.Growers(snapshots, 5);

        var (type, count, bytes) = Assert.Single(growers);
        Assert.Equal("Microsoft.Extensions.Caching.Memory.CacheEntry", type);
        Assert.Equal(8_192, count);
        Assert.Equal(8_192L * 48, bytes!.Value);
        var growth = HeapSnapshots.Growth(snapshots)!.Value;
        Assert.Equal(1.0, growth.GrowthMiB, 3);
        Assert.Equal(1_048_576 * 1000.0 / 20_000, growth.BytesPerThousandRequests, 3);
        Assert.Contains("Microsoft.Extensions.Caching.Memory.CacheEntry", HeapSnapshots.Markdown(snapshots));
        Assert.True(HeapSnapshots.IsFlat(snapshots)); // +2 % of the first snapshot

        var leaking = new[] { snapshots[0], At(HeapSnapshots.Parse(Report.Replace("52,428,800  GC Heap bytes", "62,914,560  GC Heap bytes")), 9, 30_000) };
        Assert.False(HeapSnapshots.IsFlat(leaking)); // +20 %
        Assert.False(HeapSnapshots.IsFlat([snapshots[0]])); // one snapshot says nothing about growth
    }

    [Theory]
    [InlineData("0.25,0.5,0.97", new[] { 0.25, 0.5, 0.97 })]
    [InlineData("0.5, 0.25", new[] { 0.25, 0.5 })]
    [InlineData("none", new double[0])]
    public void Snapshot_times_are_fractions_of_the_run(string text, double[] expected)
    {
        Assert.Equal(expected, SoakBenchSettings.ParseFractions(text));
    }

    [Theory]
    [InlineData("0,0.5")]
    [InlineData("1.5")]
    [InlineData("half")]
    public void A_snapshot_time_outside_the_run_is_refused(string text)
    {
        Assert.Null(SoakBenchSettings.ParseFractions(text));
    }
}
