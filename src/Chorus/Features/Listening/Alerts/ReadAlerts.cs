using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Listening.Mentions;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Alerts;

public sealed record AlertView(
    Guid Id, Guid MonitorId, string MonitorName, string Kind, DateTimeOffset BucketStart, double Value, double Baseline, double Score, int Mentions,
    bool Opportunity, string Summary, string NextStep, DateTimeOffset CreatedAt, DateTimeOffset? AcknowledgedAt);

public sealed record AlertDetail(AlertView Alert, IReadOnlyList<MentionView> Mentions);

public sealed class ReadAlerts(ChorusDb db, ReadMentions mentions, RecordAudit audit, ListeningEvents events)
{
    public async Task<List<AlertView>> ListAsync(Guid? monitorId, bool unacknowledgedOnly, int take = 50, CancellationToken ct = default) =>
        await (from a in db.Alerts.AsNoTracking()
               where (monitorId == null || a.MonitorId == monitorId) && (!unacknowledgedOnly || a.AcknowledgedAt == null)
               join m in db.Monitors on a.MonitorId equals m.Id
               orderby a.CreatedAt descending
               select new AlertView(a.Id, a.MonitorId, m.Name, a.Kind == AlertKind.Volume ? "volume" : "negative-share", a.BucketStart, a.Value, a.Baseline, a.Score,
                   a.Mentions, a.Opportunity, a.Summary, a.NextStep, a.CreatedAt, a.AcknowledgedAt)).Take(Math.Clamp(take, 1, 200)).ToListAsync(ct);

    public Task<int> UnacknowledgedCountAsync(CancellationToken ct = default) => db.Alerts.CountAsync(a => a.AcknowledgedAt == null, ct);

    public async Task<Outcome<AlertDetail>> GetAsync(Guid id, CancellationToken ct = default)
    {
        var view = await ListForAsync(id, ct);
        if (view is null) return new Outcome<AlertDetail>.NotFound("Alert");
        var ids = await db.AlertMentions.AsNoTracking().Where(x => x.AlertId == id).Select(x => x.MentionId).ToListAsync(ct);
        var list = await mentions.ListAsync(new MentionFilter(Take: ReadMentions.MaxTake, Ids: ids), ct);
        return new AlertDetail(view, list);
    }

    private async Task<AlertView?> ListForAsync(Guid id, CancellationToken ct) =>
        await (from a in db.Alerts.AsNoTracking()
               where a.Id == id
               join m in db.Monitors on a.MonitorId equals m.Id
               select new AlertView(a.Id, a.MonitorId, m.Name, a.Kind == AlertKind.Volume ? "volume" : "negative-share", a.BucketStart, a.Value, a.Baseline, a.Score,
                   a.Mentions, a.Opportunity, a.Summary, a.NextStep, a.CreatedAt, a.AcknowledgedAt)).SingleOrDefaultAsync(ct);

    public async Task<Outcome<AlertView>> AcknowledgeAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<AlertView>.Forbidden("Viewers cannot acknowledge alerts.");
        var alert = await db.Alerts.SingleOrDefaultAsync(a => a.Id == id, ct);
        if (alert is null) return new Outcome<AlertView>.NotFound("Alert");
        if (alert.AcknowledgedAt is null)
        {
            alert.AcknowledgedAt = DateTimeOffset.UtcNow;
            alert.AcknowledgedById = actor.Id;
            audit.Add(actor, "alert.acknowledged", "alert", id.ToString(), alert.Summary);
            await db.SaveChangesAsync(ct);
            events.Publish(new ListeningChange(ListeningChangeKind.Alert, [alert.MonitorId]));
        }
        return (await ListForAsync(id, ct))!;
    }
}
