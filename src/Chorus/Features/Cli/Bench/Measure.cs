using System.Diagnostics;

namespace Chorus.Features.Cli.Bench;

/// Latency samples of one measured operation, in milliseconds.
public sealed class Latencies(string name)
{
    private readonly List<double> _ms = [];

    public string Name => name;
    public int Count => _ms.Count;

    public void Add(TimeSpan elapsed) => _ms.Add(elapsed.TotalMilliseconds);

    public void AddRange(IEnumerable<double> ms) => _ms.AddRange(ms);

    /// Nearest-rank percentile (p in 0..100).
    public double Percentile(double p)
    {
        if (_ms.Count == 0) return double.NaN;
        var sorted = _ms.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public double Max => _ms.Count == 0 ? double.NaN : _ms.Max();
}

public static class Machine
{
    /// The 1-minute load average: other work on the machine skews every figure, so it is printed next to each.
    public static string Load() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    /// Resident and peak resident memory of a process, in MiB (Linux).
    public static (double Rss, double Peak) Memory(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return (double.NaN, double.NaN);
        double Field(string name) => File.ReadLines(status).Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024).FirstOrDefault(double.NaN);
        return (Field("VmRSS"), Field("VmHWM"));
    }

    public static string Describe()
    {
        var memory = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] : null;
        return $"{Environment.ProcessorCount} cores, {(memory is null ? "?" : $"{long.Parse(memory) / 1024 / 1024.0:N1} GiB")}, " +
               $"{Environment.OSVersion}, .NET {Environment.Version}";
    }

}

/// Wall-clock and CPU time of the timed sections only. On a shared machine the wall rate depends on
/// what else runs; the CPU time per message mostly does not, so both are reported.
public sealed class CpuClock
{
    private readonly Stopwatch _wall = new();
    private TimeSpan _cpu, _cpuAtStart;

    public TimeSpan Wall => _wall.Elapsed;
    public TimeSpan Cpu => _cpu;
    /// Cores this process kept busy while timed (2.0 = both cores of this machine).
    public double Cores => _wall.Elapsed > TimeSpan.Zero ? _cpu / _wall.Elapsed : 0;

    public void Start()
    {
        _cpuAtStart = ProcessCpu();
        _wall.Start();
    }

    public void Stop()
    {
        _wall.Stop();
        _cpu += ProcessCpu() - _cpuAtStart;
    }

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
