using Chorus.Features.Sla;

namespace Chorus.Tests.Sla;

/// Business-hours arithmetic: weekends, holidays, DST in both directions, overnight shifts, empty days.
public class BusinessScheduleTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static BusinessSchedule NineToFive(TimeZoneInfo zone, params DateOnly[] holidays) =>
        new(zone, Weekdays(new TimeOnly(9, 0), new TimeOnly(17, 0)), holidays);

    private static IEnumerable<OpeningHours> Weekdays(TimeOnly open, TimeOnly close) =>
        new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }.Select(d => new OpeningHours(d, open, close));

    private static DateTimeOffset At(TimeZoneInfo zone, int y, int mo, int d, int h, int mi = 0)
    {
        var local = new DateTime(y, mo, d, h, mi, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi = 0) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    [Fact]
    public void Friday_evening_plus_two_hours_is_Monday_morning()
    {
        var s = NineToFive(Paris);
        var friday = At(Paris, 2026, 3, 6, 16); // Friday 16:00, one hour before closing
        Assert.Equal(At(Paris, 2026, 3, 9, 10), s.AddBusinessMinutes(friday, 120));
        Assert.Equal(120, s.BusinessMinutesBetween(friday, At(Paris, 2026, 3, 9, 10)));
        // Started on Saturday: the clock starts at Monday's opening.
        Assert.Equal(At(Paris, 2026, 3, 9, 9, 30), s.AddBusinessMinutes(At(Paris, 2026, 3, 7, 11), 30));
        Assert.Equal(At(Paris, 2026, 3, 9, 9), s.AddBusinessMinutes(At(Paris, 2026, 3, 7, 11), 0));
        // Inside hours: plain addition.
        Assert.Equal(At(Paris, 2026, 3, 9, 10, 30), s.AddBusinessMinutes(At(Paris, 2026, 3, 9, 10), 30));
    }

    [Fact]
    public void A_weekend_with_the_spring_forward_change_still_gives_Monday_at_the_same_wall_clock_time()
    {
        var s = NineToFive(NewYork);
        var friday = At(NewYork, 2026, 3, 6, 16); // EST, UTC−5
        var monday = s.AddBusinessMinutes(friday, 120)!.Value;
        Assert.Equal(Utc(2026, 3, 9, 14), monday.ToUniversalTime()); // 10:00 EDT, UTC−4
        Assert.Equal(TimeSpan.FromHours(65), monday - friday); // one real hour fewer over the weekend
        Assert.Equal(120, s.BusinessMinutesBetween(friday, monday));
    }

    [Fact]
    public void A_round_the_clock_day_is_23_hours_at_spring_forward_and_25_at_fall_back()
    {
        var always = new BusinessSchedule(Paris, Enum.GetValues<DayOfWeek>().Select(d => new OpeningHours(d, TimeOnly.MinValue, TimeOnly.MinValue)), []);
        Assert.Equal(23 * 60, always.BusinessMinutesBetween(At(Paris, 2026, 3, 29, 0), At(Paris, 2026, 3, 30, 0)));
        Assert.Equal(24 * 60, always.BusinessMinutesBetween(At(Paris, 2026, 3, 30, 0), At(Paris, 2026, 3, 31, 0)));
        // 25 hours: local midnight to midnight across the fall-back (03:00 → 02:00 on 25 October).
        Assert.Equal(25 * 60, always.BusinessMinutesBetween(Utc(2026, 10, 24, 22), Utc(2026, 10, 25, 23)));
        Assert.Equal(Utc(2026, 3, 29, 22) + TimeSpan.FromMinutes(1), always.AddBusinessMinutes(Utc(2026, 3, 28, 23), 23 * 60 + 1));
    }

    [Fact]
    public void Hours_that_the_clock_skips_open_when_it_skips_past_them()
    {
        // Sunday 02:30–04:00 in Paris: on 29 March 2026 the clock jumps from 02:00 to 03:00 (01:00 UTC).
        var s = new BusinessSchedule(Paris, [new OpeningHours(DayOfWeek.Sunday, new TimeOnly(2, 30), new TimeOnly(4, 0))], []);
        Assert.False(s.IsOpen(Utc(2026, 3, 29, 0, 59)));
        Assert.True(s.IsOpen(Utc(2026, 3, 29, 1, 0)));   // 03:00 CEST
        Assert.True(s.IsOpen(Utc(2026, 3, 29, 1, 59)));
        Assert.False(s.IsOpen(Utc(2026, 3, 29, 2, 0)));  // 04:00 CEST
        Assert.Equal(60, s.BusinessMinutesBetween(Utc(2026, 3, 28, 0), Utc(2026, 3, 30, 0)));
        // The Sunday before: an ordinary 90 minutes.
        Assert.Equal(90, s.BusinessMinutesBetween(Utc(2026, 3, 21, 0), Utc(2026, 3, 23, 0)));
    }

    [Fact]
    public void Hours_the_clock_shows_twice_at_fall_back_count_both_times()
    {
        // Sunday 01:00–03:00 in New York: on 1 November 2026 01:00–02:00 happens twice (EDT, then EST).
        var s = new BusinessSchedule(NewYork, [new OpeningHours(DayOfWeek.Sunday, new TimeOnly(1, 0), new TimeOnly(3, 0))], []);
        Assert.Equal(180, s.BusinessMinutesBetween(Utc(2026, 10, 31, 0), Utc(2026, 11, 2, 0)));
        Assert.True(s.IsOpen(Utc(2026, 11, 1, 5, 0)));  // 01:00 EDT, the first time
        Assert.True(s.IsOpen(Utc(2026, 11, 1, 6, 30))); // 01:30 EST, the second time
        Assert.False(s.IsOpen(Utc(2026, 11, 1, 8, 0))); // 03:00 EST
        Assert.Equal(Utc(2026, 11, 1, 7, 0), s.AddBusinessMinutes(Utc(2026, 10, 31, 0), 120));
    }

    [Fact]
    public void A_working_day_across_the_fall_back_night_is_the_usual_eight_hours()
    {
        var s = NineToFive(Paris);
        // Friday 23 October 16:00 CEST + 2 h → Monday 26 October 10:00 CET.
        var due = s.AddBusinessMinutes(At(Paris, 2026, 10, 23, 16), 120)!.Value;
        Assert.Equal(Utc(2026, 10, 26, 9), due.ToUniversalTime());
        Assert.Equal(8 * 60, s.BusinessMinutesBetween(At(Paris, 2026, 10, 26, 0), At(Paris, 2026, 10, 27, 0)));
    }

    [Fact]
    public void A_holiday_on_a_Monday_moves_the_target_to_Tuesday()
    {
        var whitMonday = new DateOnly(2026, 5, 25);
        var s = NineToFive(Paris, whitMonday);
        Assert.Equal(At(Paris, 2026, 5, 26, 10), s.AddBusinessMinutes(At(Paris, 2026, 5, 22, 16), 120));
        Assert.False(s.IsOpen(At(Paris, 2026, 5, 25, 11)));
        Assert.True(s.IsOpen(At(Paris, 2026, 5, 26, 11)));
        Assert.Equal(0, s.BusinessMinutesBetween(At(Paris, 2026, 5, 25, 0), At(Paris, 2026, 5, 26, 0)));
        // The week of the holiday has four working days.
        Assert.Equal(4 * 8 * 60, s.BusinessMinutesBetween(At(Paris, 2026, 5, 25, 0), At(Paris, 2026, 5, 30, 0)));
    }

    [Fact]
    public void Overnight_shifts_belong_to_the_day_they_open()
    {
        var s = new BusinessSchedule(TimeZoneInfo.Utc, Weekdays(new TimeOnly(22, 0), new TimeOnly(6, 0)), [new DateOnly(2026, 3, 13)]);
        Assert.True(s.IsOpen(Utc(2026, 3, 3, 3)));   // Tuesday 03:00: Monday's shift
        Assert.False(s.IsOpen(Utc(2026, 3, 2, 3)));  // Monday 03:00: Sunday has no shift
        Assert.True(s.IsOpen(Utc(2026, 3, 7, 3)));   // Saturday 03:00: Friday's shift runs on
        Assert.False(s.IsOpen(Utc(2026, 3, 8, 3)));  // Sunday 03:00
        // Friday 05:00 + 2 h: one hour left of Thursday's shift, one of Friday's.
        Assert.Equal(Utc(2026, 3, 6, 23), s.AddBusinessMinutes(Utc(2026, 3, 6, 5), 120));
        // Friday 13 March is a holiday: Thursday's shift still runs into it, Friday's does not happen.
        Assert.True(s.IsOpen(Utc(2026, 3, 13, 5)));
        Assert.False(s.IsOpen(Utc(2026, 3, 13, 23)));
        Assert.False(s.IsOpen(Utc(2026, 3, 14, 3)));
    }

    [Fact]
    public void Overlapping_hours_count_once()
    {
        var s = new BusinessSchedule(TimeZoneInfo.Utc,
            [new OpeningHours(DayOfWeek.Monday, new TimeOnly(22, 0), new TimeOnly(6, 0)), new OpeningHours(DayOfWeek.Tuesday, new TimeOnly(5, 0), new TimeOnly(9, 0))], []);
        Assert.Equal(11 * 60, s.BusinessMinutesBetween(Utc(2026, 3, 2, 0), Utc(2026, 3, 4, 0)));
        Assert.Equal(Utc(2026, 3, 3, 8), s.AddBusinessMinutes(Utc(2026, 3, 2, 12), 10 * 60));
    }

    [Fact]
    public void Empty_days_are_skipped_and_a_schedule_without_hours_never_reaches_a_target()
    {
        var s = new BusinessSchedule(TimeZoneInfo.Utc,
            [new OpeningHours(DayOfWeek.Tuesday, new TimeOnly(9, 0), new TimeOnly(17, 0)), new OpeningHours(DayOfWeek.Thursday, new TimeOnly(9, 0), new TimeOnly(17, 0))], []);
        Assert.Equal(Utc(2026, 3, 5, 10), s.AddBusinessMinutes(Utc(2026, 3, 3, 16), 120)); // Tuesday 16:00 → Thursday 10:00
        Assert.False(s.IsOpen(Utc(2026, 3, 4, 12)));

        var none = new BusinessSchedule(TimeZoneInfo.Utc, [], []);
        Assert.Null(none.AddBusinessMinutes(Utc(2026, 3, 3, 16), 1));
        Assert.False(none.IsOpen(Utc(2026, 3, 3, 12)));
        Assert.Equal(0, none.BusinessMinutesBetween(Utc(2026, 3, 1, 0), Utc(2026, 4, 1, 0)));
    }

    [Fact]
    public void Always_open_counts_every_minute()
    {
        var s = BusinessSchedule.AlwaysOpen;
        Assert.True(s.IsOpen(Utc(2026, 3, 8, 3)));
        Assert.Equal(Utc(2026, 3, 8, 5), s.AddBusinessMinutes(Utc(2026, 3, 8, 3), 120));
        Assert.Equal(120, s.BusinessMinutesBetween(Utc(2026, 3, 8, 3), Utc(2026, 3, 8, 5)));
        Assert.Equal(0, s.BusinessMinutesBetween(Utc(2026, 3, 8, 5), Utc(2026, 3, 8, 3)));
    }

    [Fact]
    public void Adding_then_measuring_gives_back_the_minutes_across_a_DST_month()
    {
        var s = NineToFive(Paris, new DateOnly(2026, 4, 6));
        for (var start = Utc(2026, 3, 20, 0, 7); start < Utc(2026, 4, 10, 0); start = start.AddMinutes(397))
            foreach (var minutes in new[] { 1, 59, 480, 481, 2000 })
            {
                var due = s.AddBusinessMinutes(start, minutes)!.Value;
                Assert.Equal(minutes, s.BusinessMinutesBetween(start, due), 6);
                Assert.True(s.IsOpen(due.AddSeconds(-1)), $"{start:o} + {minutes} min = {due:o} should end inside hours");
            }
    }

    [Fact]
    public void Durations_read_as_people_write_them()
    {
        Assert.Equal("45 min", BusinessSchedule.Duration(45));
        Assert.Equal("1 h", BusinessSchedule.Duration(60));
        Assert.Equal("2 h 30 min", BusinessSchedule.Duration(150));
    }
}
