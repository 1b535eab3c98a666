using Chorus.Data;
using Chorus.Features.Listening.Mentions;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Incidents;

/// The incident's monitor volume from a little before it started until now (or a while after it was resolved), in
/// buckets fine enough to see the spike and its decay, with the moment the statement was posted.
public sealed class ReadIncidentVolume(ChorusDb db, ReadMentions mentions)
{
    public async Task<IncidentVolume?> RunAsync(Guid incidentId, CancellationToken ct = default)
    {
        var i = await db.Incidents.AsNoTracking().SingleOrDefaultAsync(x => x.Id == incidentId, ct);
        if (i is null) return null;
        var now = DateTimeOffset.UtcNow;
        if (i.MonitorId is not { } monitorId) return new IncidentVolume(null, null, TimeSpan.FromMinutes(5), [], i.StatementPostedAt);
        var name = await db.Monitors.Where(m => m.Id == monitorId).Select(m => m.Name).SingleOrDefaultAsync(ct);
        var alertAt = i.AlertId is null ? null : await db.Alerts.Where(a => a.Id == i.AlertId).Select(a => (DateTimeOffset?)a.BucketStart).SingleOrDefaultAsync(ct);
        var firstMention = await (from t in db.IncidentThreads join m in db.Mentions on t.MentionId equals m.Id where t.IncidentId == incidentId
                                  select (DateTimeOffset?)m.PublishedAt).MinAsync(ct);
        var start = new[] { alertAt, firstMention, i.CreatedAt }.OfType<DateTimeOffset>().Min() - TimeSpan.FromHours(2);
        var end = i.ResolvedAt is { } resolved && resolved + TimeSpan.FromHours(6) < now ? resolved + TimeSpan.FromHours(6) : now;
        if (end - start > TimeSpan.FromDays(30)) start = end - TimeSpan.FromDays(30);
        var span = end - start;
        var bucket = span <= TimeSpan.FromHours(24) ? TimeSpan.FromMinutes(5) : span <= TimeSpan.FromDays(7) ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
        return new IncidentVolume(monitorId, name, bucket, await mentions.SeriesAsync(monitorId, start, end, bucket, ct), i.StatementPostedAt);
    }
}
