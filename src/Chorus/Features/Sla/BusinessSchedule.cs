namespace Chorus.Features.Sla;

/// The hours a workspace works on one weekday, in the schedule's time zone. A close at or before the
/// open runs overnight into the next day (22:00–06:00); 00:00–00:00 is the whole day.
public sealed record OpeningHours(DayOfWeek Day, TimeOnly Open, TimeOnly Close)
{
    public bool Overnight => Close <= Open;
}

/// A day the workspace does not work, in the schedule's time zone.
public sealed record Holiday(DateOnly Date, string Name);

/// Business-hours arithmetic over a weekly schedule in one IANA time zone with holidays. Pure: no clock,
/// no database, so every case (DST, holidays, overnight, empty days) is unit-tested.
///
/// Rules of the calendar:
/// - Hours are wall-clock times in the zone. On a spring-forward day a time that does not exist opens or
///   closes at the moment the clock skips past it; on a fall-back day an opening is the first time the
///   clock shows it and a closing the last, so a 24-hour day is 23 or 25 real hours, as the people working it live it.
/// - Hours belong to the day they open: a holiday removes that day's hours, including an overnight shift
///   opened on it; a shift opened the evening before runs into the holiday as planned.
/// - Overlapping hours (an overnight shift running into the next morning's) count once.
public sealed class BusinessSchedule
{
    /// How far ahead <see cref="AddBusinessMinutes"/> looks for enough open time before it answers "never".
    public const int MaxDaysAhead = 3 * 366;

    /// No business hours set: every minute counts.
    public static readonly BusinessSchedule AlwaysOpen = new(TimeZoneInfo.Utc, [], [], alwaysOpen: true);

    private readonly ILookup<DayOfWeek, OpeningHours> _byDay;

    public TimeZoneInfo Zone { get; }
    public IReadOnlyList<OpeningHours> Hours { get; }
    public IReadOnlySet<DateOnly> Holidays { get; }
    public bool IsAlwaysOpen { get; }

    public BusinessSchedule(TimeZoneInfo zone, IEnumerable<OpeningHours> hours, IEnumerable<DateOnly> holidays) : this(zone, hours, holidays, false) { }

    private BusinessSchedule(TimeZoneInfo zone, IEnumerable<OpeningHours> hours, IEnumerable<DateOnly> holidays, bool alwaysOpen)
    {
        Zone = zone;
        Hours = hours.OrderBy(h => h.Day).ThenBy(h => h.Open).ToList();
        Holidays = holidays.ToHashSet();
        IsAlwaysOpen = alwaysOpen;
        _byDay = Hours.ToLookup(h => h.Day);
    }

    /// Whether the workspace is working at this instant.
    public bool IsOpen(DateTimeOffset at)
    {
        if (IsAlwaysOpen) return true;
        foreach (var (start, end) in OpenPeriods(at))
            return start <= at && at < end;
        return false;
    }

    /// The instant at which <paramref name="minutes"/> business minutes have passed since <paramref name="start"/>
    /// (a start outside hours counts from the next opening); null when the schedule never has that much open
    /// time within <see cref="MaxDaysAhead"/> days (no hours at all, or holidays all the way).
    public DateTimeOffset? AddBusinessMinutes(DateTimeOffset start, double minutes)
    {
        var remaining = TimeSpan.FromMinutes(Math.Max(0, minutes));
        if (IsAlwaysOpen) return start + remaining;
        foreach (var (open, close) in OpenPeriods(start))
        {
            var from = open > start ? open : start;
            var available = close - from;
            if (remaining <= available) return from + remaining;
            remaining -= available;
        }
        return null;
    }

    /// Business minutes between two instants (0 when <paramref name="to"/> is not after <paramref name="from"/>).
    public double BusinessMinutesBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from) return 0;
        if (IsAlwaysOpen) return (to - from).TotalMinutes;
        var total = TimeSpan.Zero;
        foreach (var (open, close) in OpenPeriods(from))
        {
            if (open >= to) break;
            var a = open > from ? open : from;
            var b = close < to ? close : to;
            if (b > a) total += b - a;
        }
        return total.TotalMinutes;
    }

    /// Open periods (UTC, merged, ascending) from the one that contains or follows <paramref name="from"/>.
    private IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> OpenPeriods(DateTimeOffset from)
    {
        if (Hours.Count == 0) yield break;
        // The day before too: its overnight hours may still be running at `from`.
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, Zone).DateTime).AddDays(-1);
        (DateTimeOffset Start, DateTimeOffset End)? pending = null;
        for (var i = 0; i <= MaxDaysAhead + 1; i++, day = day.AddDays(1))
        {
            if (Holidays.Contains(day)) continue;
            foreach (var h in _byDay[day.DayOfWeek])
            {
                var start = ToUtc(day.ToDateTime(h.Open), opening: true);
                var end = ToUtc((h.Overnight ? day.AddDays(1) : day).ToDateTime(h.Close), opening: false);
                if (end <= start) continue; // a span swallowed whole by a DST gap
                if (pending is { } p && start <= p.End)
                {
                    pending = (p.Start, end > p.End ? end : p.End);
                    continue;
                }
                if (pending is { } done && done.End > from) yield return done;
                pending = (start, end);
            }
        }
        if (pending is { } last && last.End > from) yield return last;
    }

    /// A wall-clock time in the zone as an instant; see the class comment for DST gaps and overlaps.
    private DateTimeOffset ToUtc(DateTime local, bool opening)
    {
        if (Zone.IsInvalidTime(local))
        {
            // Skipped by the clock: the first minute after the gap (gaps are whole minutes in every zone).
            local = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified);
            while (Zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        }
        if (Zone.IsAmbiguousTime(local))
        {
            var offsets = Zone.GetAmbiguousTimeOffsets(local);
            // The earlier instant has the larger offset.
            var offset = opening ? offsets.Max() : offsets.Min();
            return new DateTimeOffset(local, offset).ToUniversalTime();
        }
        return new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// "1 h", "45 min", "2 h 30 min", "3 d 4 h" (business days of 24 hours are rare; minutes are what admins enter).
    public static string Duration(double minutes)
    {
        var m = (long)Math.Round(minutes);
        if (m < 60) return $"{m} min";
        var h = m / 60;
        var rest = m % 60;
        return rest == 0 ? $"{h} h" : $"{h} h {rest} min";
    }
}
