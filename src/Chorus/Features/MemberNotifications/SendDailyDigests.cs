using Chorus.Data;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Forum;
using Chorus.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.MemberNotifications;

/// Once a day (at `Chorus:Community:DigestHourUtc`, 07:00 UTC unless set) every member who chose the daily
/// digest gets one e-mail with the notifications collected since their last one. Only one node runs it at
/// a time (a <see cref="JobLease"/>), and each member's notifications are claimed with one conditional
/// update in the same transaction as the digest's outbox item: run twice, or on two nodes, it sends once.
/// Notifications about posts taken down since, or for members suspended since, are dropped unsent.
public class SendDailyDigests(ChorusDb db, ManageEmailNotifications settings, PublicUrls urls, UnsubscribeLinks unsubscribe, PollerNode node,
    IConfiguration config, ILogger<SendDailyDigests> log)
{
    public const string LeaseName = "member-digest";
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    /// The latest digest time at or before now: notifications from before it are due.
    public DateTimeOffset DueBefore(DateTimeOffset now)
    {
        var hour = Math.Clamp(config.GetValue("Chorus:Community:DigestHourUtc", 7), 0, 23);
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddHours(hour);
        return today <= now ? today : today.AddDays(-1);
    }

    /// Returns how many digests were queued (0 when another node holds the lease).
    public async Task<int> RunAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        if (!await JobLeases.ClaimAsync(db, LeaseName, node.Id, Lease, ct)) return 0;
        try
        {
            var cutoff = DueBefore(now);
            var members = await db.MemberNotifications.AsNoTracking()
                .Where(n => n.Delivery == MemberEmailMode.Daily && n.DigestId == null && n.CreatedAt < cutoff)
                .Select(n => n.MemberId).Distinct().ToListAsync(ct);
            if (members.Count == 0 || await settings.SendingMailboxAsync(ct) is not { } mailbox) return 0;
            var sent = 0;
            foreach (var memberId in members)
            {
                ct.ThrowIfCancellationRequested();
                if (await SendOneAsync(mailbox, memberId, cutoff, now, ct)) sent++;
            }
            if (sent > 0) log.LogInformation("Queued {Count} community digests", sent);
            return sent;
        }
        finally
        {
            await JobLeases.ReleaseAsync(db, LeaseName, node.Id);
        }
    }

    private async Task<bool> SendOneAsync(Mailbox mailbox, Guid memberId, DateTimeOffset cutoff, DateTimeOffset now, CancellationToken ct)
    {
        var digestId = Guid.CreateVersion7();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The claim: a second run (or node) finds these taken and sends nothing.
        var claimed = await db.MemberNotifications
            .Where(n => n.MemberId == memberId && n.Delivery == MemberEmailMode.Daily && n.DigestId == null && n.CreatedAt < cutoff)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.DigestId, digestId), ct);
        if (claimed == 0) return false;
        var recipient = await NotifyMembers.Eligible(db, now, [memberId]).SingleOrDefaultAsync(ct);
        var lines = recipient is null ? [] : await (
                from n in db.MemberNotifications.AsNoTracking()
                join p in db.ForumPosts on n.PostId equals p.Id
                join t in db.ForumTopics on p.TopicId equals t.Id
                where n.DigestId == digestId && p.State == PostState.Visible && t.State == PostState.Visible
                select new NotificationLine(p.Id, t.Id, t.Title, p.AuthorName, n.Kind, p.Text, p.CreatedAt))
            .ToListAsync(ct);
        // A kind the member turned off since is not sent (the unsubscribe link turns both off).
        lines = lines.Where(l => (l.Kind == MemberNotificationKind.Mention ? recipient!.Mentions : recipient!.Replies) != MemberEmailMode.Off).ToList();
        if (lines.Count > 0)
        {
            var mime = MemberEmails.Digest(mailbox, urls, unsubscribe, new MemberRecipient(recipient!.MemberId, recipient.Username, recipient.Email), lines);
            OutgoingEmail.Queue(db, mailbox, null, OutboxPurpose.MemberEmail, mime);
            await db.SaveChangesAsync(ct);
            var included = lines.Select(l => l.PostId).ToList();
            await db.MemberNotifications.Where(n => n.DigestId == digestId && included.Contains(n.PostId))
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.SentAt, now), ct);
        }
        await tx.CommitAsync(ct);
        return lines.Count > 0;
    }
}

/// Singleton jobs' leases: a node takes a free or expired lease (or renews its own) with one conditional update.
public static class JobLeases
{
    public static async Task<bool> ClaimAsync(ChorusDb db, string name, string owner, TimeSpan length, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        if (!await db.JobLeases.AnyAsync(l => l.Name == name, ct))
        {
            db.JobLeases.Add(new JobLease { Name = name });
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException) { } // another node made it first
            finally { db.ChangeTracker.Clear(); }
        }
        return await db.JobLeases.Where(l => l.Name == name && (l.Until == null || l.Until < now || l.Owner == owner))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, owner).SetProperty(l => l.Until, now + length), ct) == 1;
    }

    public static Task ReleaseAsync(ChorusDb db, string name, string owner) =>
        db.JobLeases.Where(l => l.Name == name && l.Owner == owner).ExecuteUpdateAsync(s => s.SetProperty(l => l.Until, (DateTimeOffset?)null), CancellationToken.None);
}

/// Runs the digest every few minutes (`Chorus:Community:DigestCheckSeconds`, 300): it sends only when a digest is due.
public sealed class MemberDigestService(IServiceScopeFactory scopes, IConfiguration config, ILogger<MemberDigestService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(5, config.GetValue("Chorus:Community:DigestCheckSeconds", 300.0))));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<SendDailyDigests>().RunAsync(DateTimeOffset.UtcNow, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Sending community digests failed; trying again next round");
            }
        }
    }
}
