using Chorus.Data;
using Chorus.Features.Channels.Email;
using Chorus.Features.Inbox;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Outbox;

/// Delivers outbox items. Each item is claimed with a conditional update (queued and due, or
/// "sending" with an expired lease after a crash), so two nodes never send it at the same time;
/// it is marked sent right after the server accepted it. Failures are retried with exponential
/// backoff until MaxAttempts, then marked failed with the reason, visible on the message.
/// After a crash, an item that never reached the server is sent again; one the server was already
/// taking (HandedOffAt) may have been delivered — SMTP cannot say — so rather than risk sending a
/// customer the same reply twice, it is marked failed with that explanation and a person retries it.
public sealed class OutboxDispatcher(IServiceScopeFactory scopes, IConfiguration config, InboxEvents events, ILogger<OutboxDispatcher> log) : BackgroundService
{
    private TimeSpan PollInterval => TimeSpan.FromMilliseconds(config.GetValue("Chorus:Outbox:PollMilliseconds", 1000));
    private TimeSpan RetryBase => TimeSpan.FromSeconds(config.GetValue("Chorus:Outbox:RetryBaseSeconds", 30.0));
    private TimeSpan MaxRetryDelay => TimeSpan.FromSeconds(config.GetValue("Chorus:Outbox:MaxRetrySeconds", 3600.0));
    private int MaxAttempts => config.GetValue("Chorus:Outbox:MaxAttempts", 10);
    private TimeSpan Lease => TimeSpan.FromSeconds(config.GetValue("Chorus:Outbox:LeaseSeconds", 300.0));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!config.GetValue("Chorus:Outbox:Dispatch", true)) return; // a node that only serves (or a test that holds mail back)
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = false;
            try { worked = await DispatchDueAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogError(e, "Outbox dispatch failed; trying again"); }
            if (!worked)
            {
                try { await Task.Delay(PollInterval, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// Sends what is due now; true when anything was attempted.
    public async Task<bool> DispatchDueAsync(CancellationToken ct)
    {
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            var now = DateTimeOffset.UtcNow;
            await SettleInterruptedAsync(db, now, ct);
            due = await Due(db.Outbox, now).OrderBy(o => o.NextAttemptAt).Select(o => o.Id).Take(20).ToListAsync(ct);
        }
        foreach (var id in due) await DispatchOneAsync(id, ct);
        return due.Count > 0;
    }

    private static IQueryable<OutboxItem> Due(IQueryable<OutboxItem> items, DateTimeOffset now) =>
        items.Where(o => (o.Status == DeliveryStatus.Queued && o.NextAttemptAt <= now)
                         || (o.Status == DeliveryStatus.Sending && o.LockedUntil < now && o.HandedOffAt == null));

    /// Items whose sender died while the server was taking them: failed, with what is known, for a person to retry.
    private async Task SettleInterruptedAsync(ChorusDb db, DateTimeOffset now, CancellationToken ct)
    {
        var interrupted = await db.Outbox.Where(o => o.Status == DeliveryStatus.Sending && o.LockedUntil < now && o.HandedOffAt != null)
            .OrderBy(o => o.LockedUntil).Take(20).ToListAsync(ct);
        foreach (var item in interrupted)
        {
            // Conditional, so of two nodes settling at once only one records it.
            var settled = await db.Outbox.Where(o => o.Id == item.Id && o.Status == DeliveryStatus.Sending && o.LockedUntil < now)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.LockedUntil, now + Lease), ct);
            if (settled == 0) continue;
            item.LockedUntil = null;
            await FailAsync(db, item, $"Chorus stopped while the mail server was taking this at {item.HandedOffAt:u}; it may have been delivered. "
                                      + "Check with the recipient or retry to send it again.", ct);
            await db.SaveChangesAsync(CancellationToken.None);
            await PublishAsync(db, item, ct);
        }
    }

    private async Task DispatchOneAsync(Guid id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var now = DateTimeOffset.UtcNow;
        var claimed = await Due(db.Outbox.Where(o => o.Id == id), now).ExecuteUpdateAsync(s => s
            .SetProperty(o => o.Status, DeliveryStatus.Sending)
            .SetProperty(o => o.LockedUntil, now + Lease)
            .SetProperty(o => o.HandedOffAt, (DateTimeOffset?)null)
            .SetProperty(o => o.Attempts, o => o.Attempts + 1), ct);
        if (claimed == 0) return; // another node (or loop) took it

        var item = await db.Outbox.SingleAsync(o => o.Id == id, ct);
        await PublishAsync(db, item, ct); // "sending" on the open conversation
        var channelKind = await db.Channels.Where(c => c.Id == item.ChannelId).Select(c => c.Kind).SingleAsync(ct);
        var result = item.Purpose == OutboxPurpose.Webhook
            ? await scope.ServiceProvider.GetRequiredService<Automation.SendWebhook>().RunAsync(item, ct)
            : channelKind == ChannelKind.Email
            ? await scope.ServiceProvider.GetRequiredService<SendEmail>().RunAsync(item, ct)
            : channelKind == ChannelKind.Forum
            ? await scope.ServiceProvider.GetRequiredService<Community.Bridge.SendForumReply>().RunAsync(item, ct)
            : channelKind is ChannelKind.Reddit or ChannelKind.Mastodon
            ? await scope.ServiceProvider.GetRequiredService<Listening.Engage.SendSocialReply>().RunAsync(item, ct)
            : new SendResult.Failed($"Chorus cannot send on {channelKind} channels yet.");

        item.LockedUntil = null;
        switch (result)
        {
            case SendResult.Sent:
                item.Status = DeliveryStatus.Sent;
                item.SentAt = DateTimeOffset.UtcNow;
                item.LastError = null;
                break;
            case SendResult.Retry retry when item.Attempts < MaxAttempts:
                item.Status = DeliveryStatus.Queued;
                item.LastError = Cap(retry.Error);
                item.NextAttemptAt = DateTimeOffset.UtcNow + Backoff(item.Attempts);
                log.LogWarning("Outbox item {Key}: attempt {Attempt} failed, next at {Next}: {Error}", item.IdempotencyKey, item.Attempts, item.NextAttemptAt, retry.Error);
                break;
            case SendResult.Retry retry:
                await FailAsync(db, item, $"Gave up after {item.Attempts} attempts. {retry.Error}", ct);
                break;
            case SendResult.Failed failed:
                await FailAsync(db, item, failed.Error, ct);
                break;
        }
        // Not cancellable: the send happened, its record must not be lost to a shutdown.
        await db.SaveChangesAsync(CancellationToken.None);
        await PublishAsync(db, item, ct); // sent, failed, or the time of the next attempt
    }

    private TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(RetryBase.TotalSeconds * Math.Pow(2, Math.Min(attempts - 1, 20)), MaxRetryDelay.TotalSeconds));

    private async Task FailAsync(ChorusDb db, OutboxItem item, string error, CancellationToken ct)
    {
        item.Status = DeliveryStatus.Failed;
        item.LastError = Cap(error);
        log.LogWarning("Outbox item {Key} failed: {Error}", item.IdempotencyKey, error);
        if (item.ConversationId is null) return; // a member's e-mail: no thread to tell
        var channelId = await db.Conversations.Where(c => c.Id == item.ConversationId).Select(c => c.ChannelId).SingleAsync(ct);
        db.Messages.Add(new Message
        {
            ConversationId = item.ConversationId.Value, ChannelId = channelId, Kind = MessageKind.Event,
            Text = $"{WhatFailed(item.Purpose)} could not be delivered. {item.LastError}",
        });
    }

    /// How a failed item is named in the thread's system event (staff see events, requesters never do).
    public static string WhatFailed(OutboxPurpose purpose) => purpose switch
    {
        OutboxPurpose.Confirmation => "The confirmation e-mail to the requester",
        OutboxPurpose.StaffNotification => "A notification e-mail to a colleague",
        OutboxPurpose.Webhook => "A rule's webhook call",
        OutboxPurpose.MemberEmail => "An e-mail to a forum member",
        OutboxPurpose.SatisfactionSurvey => "The satisfaction survey e-mail to the requester",
        OutboxPurpose.Newsletter => "A newsletter e-mail",
        _ => "A reply",
    };

    private async Task PublishAsync(ChorusDb db, OutboxItem item, CancellationToken ct)
    {
        if (item.ConversationId is null) return;
        var c = await db.Conversations.Where(cv => cv.Id == item.ConversationId).Select(cv => new { cv.Id, cv.Number, cv.TeamId }).SingleAsync(ct);
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
    }

    private static string Cap(string s) => s.Length > 1000 ? s[..1000] : s;
}
