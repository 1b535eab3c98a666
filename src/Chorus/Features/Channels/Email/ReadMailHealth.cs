using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Email;

/// One enabled mailbox in /health/ready: ok, pending (not read yet), failing (the last poll failed) or
/// stale (no successful poll for a while, though none failed: no node is polling it). Address and
/// error text only for admins: the endpoint answers anonymous load balancers too.
public sealed record MailboxHealth(
    Guid Id, string Status, DateTimeOffset? LastPolledAt, double? LastPollAgeSeconds, int ConsecutiveFailures,
    string? Address = null, string? LastError = null, DateTimeOffset? LastErrorAt = null);

/// The outbox backlog: what waits to be sent (and for how long the oldest has waited), is being sent, or failed.
public sealed record OutboxHealth(int Queued, double? OldestQueuedAgeSeconds, int Sending, int Failed);

public sealed record MailHealth(bool Degraded, IReadOnlyList<string> Problems, IReadOnlyList<MailboxHealth> Mailboxes, OutboxHealth Outbox);

/// How mail is doing, for /health/ready. A failing mailbox or a stuck outbox makes Chorus degraded,
/// never unavailable: it still serves everything else.
public class ReadMailHealth(ChorusDb db)
{
    /// No successful poll for this long (or three poll intervals, if longer) makes a mailbox stale.
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);
    /// A reply queued this long ago and still not sent makes the outbox stuck.
    public static readonly TimeSpan OutboxStuckAfter = TimeSpan.FromMinutes(15);

    public async Task<MailHealth> RunAsync(bool details, CancellationToken ct = default)
    {
        var now = DateTimeOffset.UtcNow;
        var rows = await (from m in db.Mailboxes.AsNoTracking()
                          join c in db.Channels on m.ChannelId equals c.Id
                          where c.Enabled
                          orderby m.Address
                          select new { m.ChannelId, m.Address, m.LastPolledAt, m.LastError, m.LastErrorAt, m.ConsecutiveFailures, m.PollIntervalSeconds, m.UpdatedAt })
            .ToListAsync(ct);
        var problems = new List<string>();
        var mailboxes = new List<MailboxHealth>();
        foreach (var m in rows)
        {
            var staleAfter = TimeSpan.FromSeconds(Math.Max(StaleAfter.TotalSeconds, 3 * m.PollIntervalSeconds));
            // Counted from the last change too: a mailbox switched back on is not stale before its first poll.
            var since = m.LastPolledAt is { } at && at > m.UpdatedAt ? at : m.UpdatedAt;
            var status = m.LastError is not null ? "failing"
                : now - since > staleAfter ? "stale"
                : m.LastPolledAt is null ? "pending" : "ok";
            var name = details ? m.Address : $"Mailbox {m.ChannelId}";
            if (status == "failing")
                problems.Add($"{name}: reading failed {m.ConsecutiveFailures} time(s) in a row" + (details ? $": {m.LastError}" : "."));
            if (status == "stale")
                problems.Add($"{name}: no successful poll for more than {staleAfter.TotalMinutes:N0} minutes.");
            mailboxes.Add(new MailboxHealth(m.ChannelId, status, m.LastPolledAt, m.LastPolledAt is { } p ? Math.Round((now - p).TotalSeconds) : null,
                m.ConsecutiveFailures, details ? m.Address : null, details ? m.LastError : null, details ? m.LastErrorAt : null));
        }

        var counts = await db.Outbox.AsNoTracking().GroupBy(o => o.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        int Count(DeliveryStatus s) => counts.FirstOrDefault(c => c.Status == s)?.Count ?? 0;
        var oldest = await db.Outbox.AsNoTracking().Where(o => o.Status == DeliveryStatus.Queued).OrderBy(o => o.CreatedAt)
            .Select(o => (DateTimeOffset?)o.CreatedAt).FirstOrDefaultAsync(ct);
        var outbox = new OutboxHealth(Count(DeliveryStatus.Queued), oldest is { } o ? Math.Round((now - o).TotalSeconds) : null,
            Count(DeliveryStatus.Sending), Count(DeliveryStatus.Failed));
        if (oldest is { } q && now - q > OutboxStuckAfter)
            problems.Add($"Outbox: the oldest of {outbox.Queued} queued message(s) has waited {(now - q).TotalMinutes:N0} minutes.");
        return new MailHealth(problems.Count > 0, problems, mailboxes, outbox);
    }
}
