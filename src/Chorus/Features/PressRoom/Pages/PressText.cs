using MudBlazor;

namespace Chorus.Features.PressRoom.Pages;

/// How the press pages name and colour things.
public static class PressText
{
    public static Color StateColor(string state) => state switch
    {
        "approved" => Color.Info,
        "embargoed" => Color.Warning,
        "published" => Color.Success,
        _ => Color.Default,
    };

    public static string State(string state) => state switch
    {
        "draft" => "Draft",
        "approved" => "Approved",
        "embargoed" => "Embargoed",
        _ => "Published",
    };

    public static Color SentimentColor(string label) => label switch
    {
        "positive" => Color.Success,
        "negative" => Color.Error,
        _ => Color.Default,
    };

    public static readonly string[] Zones = TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(z => z.Contains('/') || z == "UTC").Order().ToArray();

    public static string Reach(long? reach) => reach switch
    {
        null => "—",
        >= 1_000_000 => $"{reach / 1_000_000.0:0.#}M",
        >= 10_000 => $"{reach / 1000.0:0}k",
        _ => $"{reach:N0}",
    };
}
