using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;

namespace Chorus.Features.Sla;

/// The demo workspace's business hours (Monday to Friday, 09:00–17:00 UTC) and two SLA policies, so the
/// inbox shows what is due and what is late from the first start.
public static class DemoSla
{
    public static void Add(ChorusDb db, IReadOnlyDictionary<string, Team> teams)
    {
        db.Add(new BusinessHours
        {
            TimeZone = "UTC",
            Hours = [.. new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
                .Select(d => new OpeningHours(d, new TimeOnly(9, 0), new TimeOnly(17, 0)))],
            Holidays = [new Holiday(new DateOnly(DateTime.UtcNow.Year, 12, 25), "Christmas Day"), new Holiday(new DateOnly(DateTime.UtcNow.Year + 1, 1, 1), "New Year's Day")],
        });
        db.Add(new SlaPolicy
        {
            Name = "Support · Urgent and high", Position = 1, TeamId = teams["Support"].Id, Priorities = [Priority.High, Priority.Urgent],
            FirstReplyMinutes = 60, ResolutionMinutes = 8 * 60,
        });
        db.Add(new SlaPolicy { Name = "Everyone else", Position = 2, FirstReplyMinutes = 8 * 60, ResolutionMinutes = 5 * 8 * 60 });
    }
}
