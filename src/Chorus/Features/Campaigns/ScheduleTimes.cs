using System.Globalization;

namespace Chorus.Features.Campaigns;

/// Moments given as a wall-clock time in a time zone ("2026-12-01T09:00" in Europe/Paris), as people
/// plan them, and shown back the same way.
public static class ScheduleTimes
{
    public static bool TryZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id)) return true;
        try { zone = TimeZoneInfo.FindSystemTimeZoneById(id.Trim()); return true; }
        catch (TimeZoneNotFoundException) { return false; }
        catch (InvalidTimeZoneException) { return false; }
    }

    /// The instant of a local time in a zone, or why there is none (a time skipped when clocks go forward).
    public static (DateTimeOffset? At, string? Error) Resolve(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
            return (null, $"{unspecified:yyyy-MM-dd HH:mm} does not exist in {zone.Id}: the clocks go forward then. Choose another time.");
        // An ambiguous time (clocks go back) is taken at its first occurrence, the earlier offset's.
        var offset = zone.IsAmbiguousTime(unspecified) ? zone.GetAmbiguousTimeOffsets(unspecified).Max() : zone.GetUtcOffset(unspecified);
        return (new DateTimeOffset(unspecified, offset).ToUniversalTime(), null);
    }

    /// Parses "yyyy-MM-ddTHH:mm[:ss]" (a wall-clock time in the zone) or an ISO 8601 instant with an offset.
    public static (DateTimeOffset? At, string? Error) Parse(string? text, TimeZoneInfo zone)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, "Give the date and time to publish at.");
        text = text.Trim();
        var hasOffset = text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (hasOffset && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
            return (instant.ToUniversalTime(), null);
        if (!hasOffset && DateTime.TryParseExact(text, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return Resolve(local, zone);
        return (null, $"\"{text}\" is not a date and time (use 2026-12-01T09:00).");
    }

    public static DateTime ToLocal(DateTimeOffset at, string zoneId) =>
        TimeZoneInfo.ConvertTime(at, TryZone(zoneId, out var z) ? z : TimeZoneInfo.Utc).DateTime;

    /// "Tue 1 Dec 2026, 09:00 Europe/Paris".
    public static string Display(DateTimeOffset at, string zoneId) =>
        ToLocal(at, zoneId).ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " " + zoneId;
}
