using System.Globalization;
using System.Text;

namespace Chorus.Features.Cli.Bench;

/// One measured figure with its target (if the issue set one) and the load average when it was taken.
public sealed record Figure(string Measure, string Value, string? Target, bool? Met, string Load);

/// Collects figures and notes as the benchmark goes, printing each at once, and renders the table.
public sealed class BenchReport
{
    private readonly List<Figure> _figures = [];
    private readonly List<string> _notes = [];

    public void Add(string measure, string value, string? target = null, bool? met = null)
    {
        var figure = new Figure(measure, value, target, met, Machine.Load());
        _figures.Add(figure);
        Console.WriteLine($"  {measure}: {value}" + (target is null ? "" : $"   (target {target}: {(met == true ? "met" : "MISSED")})") + $"   [load {figure.Load}]");
    }

    public void Note(string text)
    {
        _notes.Add(text);
        Console.WriteLine("  " + text);
    }

    public static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Rate(double perSecond, string unit) => perSecond.ToString("N0", CultureInfo.InvariantCulture) + " " + unit;

    public string ToMarkdown(string header)
    {
        var sb = new StringBuilder(header).Append("\n\n| measure | value | target | met | load |\n| --- | --- | --- | --- | --- |\n");
        foreach (var f in _figures)
            sb.Append($"| {f.Measure} | {f.Value} | {f.Target ?? ""} | {(f.Met is null ? "" : f.Met.Value ? "yes" : "**no**")} | {f.Load} |\n");
        if (_notes.Count > 0) sb.Append('\n').AppendJoin('\n', _notes.Select(n => "- " + n)).Append('\n');
        return sb.ToString();
    }
}
