using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Campaigns;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Email;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Engagement;

/// Pulls back what people did with published Mastodon posts: every few minutes (for a couple of
/// weeks after publishing) each status's reply, boost and favourite counts are read, and each reply
/// goes through the ingest pipeline as a message in the inbox, owned by the campaign's team, from a
/// person with a Mastodon identity. One person's replies to one post thread into one conversation;
/// the pipeline knows each reply by its status id, so reading again never files it twice.
///
/// One node reads a status at a time: a read is claimed with a conditional update (a lease), so two
/// nodes never read the same status together. A 429 makes every status on that instance wait until
/// the instance says; other failures wait longer each time; a restart resumes where the table says.
public sealed class PollPostEngagement(IServiceScopeFactory scopes, IConfiguration config, PollerNode node, TimeProvider clock, ILogger<PollPostEngagement> log) : BackgroundService
{
    private TimeSpan Tick => TimeSpan.FromMilliseconds(config.GetValue("Chorus:Engagement:TickMilliseconds", 15_000));
    private TimeSpan Interval => TimeSpan.FromSeconds(config.GetValue("Chorus:Engagement:PollSeconds", 300.0));
    private TimeSpan RetryBase => TimeSpan.FromSeconds(config.GetValue("Chorus:Engagement:RetryBaseSeconds", 60.0));
    private TimeSpan Window => TimeSpan.FromDays(config.GetValue("Chorus:Engagement:Days", 14.0));
    private TimeSpan Lease => TimeSpan.FromSeconds(config.GetValue("Chorus:Engagement:LeaseSeconds", 120.0));
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(6);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!config.GetValue("Chorus:Engagement:Poll", true)) return; // a node that only serves
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await PollDueAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogError(e, "Reading Mastodon engagement failed; trying again"); }
            try { await Task.Delay(Tick, clock, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// Starts tracking newly published statuses, then reads those that are due; returns how many were read.
    public async Task<int> PollDueAsync(CancellationToken ct)
    {
        await TrackNewStatusesAsync(ct);
        List<Guid> due;
        var now = clock.GetUtcNow();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            due = await db.Set<PostEngagement>().Where(e => e.StoppedReason == null && e.NextPollAt <= now && (e.LeaseUntil == null || e.LeaseUntil < now))
                .OrderBy(e => e.NextPollAt).Select(e => e.DeliveryId).Take(100).ToListAsync(ct);
        }
        var read = 0;
        foreach (var id in due)
            if (await PollOneAsync(id, ct)) read++;
        return read;
    }

    /// Every published Mastodon delivery gets its engagement row (first read now). Another node may add the same row at
    /// the same moment; its key makes one of the two inserts fail, and that is fine.
    private async Task TrackNewStatusesAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var untracked = await (from d in db.Set<PostDelivery>().AsNoTracking()
                               join c in db.Set<PublishingChannel>() on d.ChannelId equals c.Id
                               where c.Kind == PublishingChannelKind.Mastodon && d.State == PublishState.Published && d.ExternalId != null
                                     && !db.Set<PostEngagement>().Any(e => e.DeliveryId == d.Id)
                               orderby d.Id // oldest first (ids are time-ordered), so a backlog over 500 is worked through in order
                               select new { d.Id, d.PostId, d.ChannelId }).Take(500).ToListAsync(ct);
        foreach (var d in untracked)
        {
            db.Add(new PostEngagement { DeliveryId = d.Id, PostId = d.PostId, ChannelId = d.ChannelId, NextPollAt = clock.GetUtcNow() });
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException) { } // tracked by another node meanwhile
            db.ChangeTracker.Clear();
        }
    }

    private async Task<bool> PollOneAsync(Guid deliveryId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var now = clock.GetUtcNow();
        var claimed = await db.Set<PostEngagement>()
            .Where(e => e.DeliveryId == deliveryId && e.StoppedReason == null && e.NextPollAt <= now && (e.LeaseUntil == null || e.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseOwner, node.Id).SetProperty(e => e.LeaseUntil, now + Lease), ct);
        if (claimed == 0) return false; // another node has it, or read it a moment ago

        var engagement = await db.Set<PostEngagement>().SingleAsync(e => e.DeliveryId == deliveryId, ct);
        try
        {
            var delivery = await db.Set<PostDelivery>().AsNoTracking().SingleAsync(d => d.Id == deliveryId, ct);
            var channel = await db.Set<PublishingChannel>().AsNoTracking().SingleAsync(c => c.Id == delivery.ChannelId, ct);
            var post = await db.Set<Post>().AsNoTracking().SingleAsync(p => p.Id == delivery.PostId, ct);
            var teamId = await db.Set<Campaign>().Where(c => c.Id == post.CampaignId).Select(c => c.OwnerTeamId).SingleAsync(ct);
            var result = await scope.ServiceProvider.GetRequiredService<ReadMastodonStatus>().RunAsync(channel, delivery.ExternalId!, ct);
            switch (result)
            {
                case MastodonRead.Read read:
                    var error = await FileRepliesAsync(scope.ServiceProvider, channel, post, teamId, delivery.ExternalId!, read, ct);
                    if (read.Followers is { } followers) await RecordFollowerCount.RunAsync(scopes, channel.Id, followers, clock.GetUtcNow(), ct);
                    engagement.Replies = read.Replies;
                    engagement.Boosts = read.Boosts;
                    engagement.Favourites = read.Favourites;
                    engagement.PolledAt = clock.GetUtcNow();
                    engagement.Failures = error is null ? 0 : engagement.Failures + 1;
                    engagement.LastError = error;
                    engagement.NextPollAt = error is null ? clock.GetUtcNow() + Interval : Backoff(engagement.Failures);
                    if (error is null && (delivery.PublishedAt ?? now) + Window < now) engagement.StoppedReason = "The post is older than the reading window.";
                    break;
                case MastodonRead.RateLimited limited:
                    engagement.LastError = Cap(limited.Error);
                    engagement.NextPollAt = limited.Until;
                    // The limit is the instance's: every status on this channel waits for it.
                    await db.Set<PostEngagement>().Where(e => e.ChannelId == channel.Id && e.DeliveryId != deliveryId && e.NextPollAt < limited.Until)
                        .ExecuteUpdateAsync(s => s.SetProperty(e => e.NextPollAt, limited.Until), ct);
                    break;
                case MastodonRead.Gone gone:
                    engagement.StoppedReason = gone.Error;
                    engagement.LastError = null;
                    break;
                case MastodonRead.Failed failed:
                    engagement.Failures++;
                    engagement.LastError = Cap(failed.Error);
                    engagement.NextPollAt = Backoff(engagement.Failures);
                    log.LogWarning("Reading status {Status} on {Channel} failed ({Failures} in a row): {Error}", delivery.ExternalId, channel.Name, engagement.Failures, failed.Error);
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            engagement.Failures++;
            engagement.LastError = Cap("Reading it back failed: " + e.GetBaseException().Message);
            engagement.NextPollAt = Backoff(engagement.Failures);
            log.LogError(e, "Reading engagement of delivery {Delivery} failed", deliveryId);
        }
        engagement.LeaseOwner = null;
        engagement.LeaseUntil = null;
        await db.SaveChangesAsync(CancellationToken.None); // what was read is recorded even during a shutdown
        return true;
    }

    /// Files each reply (not the account's own follow-ups) through the ingest pipeline; returns why some could not be filed, or null.
    private static async Task<string?> FileRepliesAsync(IServiceProvider services, PublishingChannel channel, Post post, Guid teamId, string statusId,
        MastodonRead.Read read, CancellationToken ct)
    {
        var replies = read.Descendants.Where(r => r.AccountId != read.AccountId).ToList();
        if (replies.Count == 0) return null;
        var inbox = await InboxChannelAsync(services, channel, ct);
        var subject = TextLimits.Cut($"Reply to “{post.Title}” on Mastodon", 500);
        var envelopes = replies.Select(r => new InboundEnvelope(inbox, r.Id, ThreadId(statusId, r.Acct),
            new InboundAuthor(IdentityKind.Mastodon, r.Acct, r.DisplayName), r.CreatedAt, subject, null, r.Content, TeamId: teamId)).ToList();
        var results = await services.GetRequiredService<IngestPipeline>().IngestManyAsync(envelopes, ct);
        var rejected = results.Where(r => r.Status == IngestStatus.Rejected).Select(r => r.Error).Distinct().ToList();
        return rejected.Count == 0 ? null : Cap($"{rejected.Count} repl{(rejected.Count == 1 ? "y" : "ies")} could not be filed: {string.Join(" ", rejected)}");
    }

    /// One conversation per person per post: the thread is the status and the replier's handle.
    public static string ThreadId(string statusId, string acct) => $"{ThreadPrefix}{statusId}:{Identity.Normalize(IdentityKind.Mastodon, acct)}";

    /// What every reply conversation's thread id starts with (campaign reports find them by it).
    public const string ThreadPrefix = "mastodon-reply:";

    /// Replies arrive on an inbox channel of their own per Mastodon account; it shares the publishing channel's id,
    /// so every node finds (or makes) the same one.
    private static async Task<Guid> InboxChannelAsync(IServiceProvider services, PublishingChannel channel, CancellationToken ct)
    {
        await using var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope(); // its own unit of work, apart from the read's
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        if (await db.Channels.AnyAsync(c => c.Id == channel.Id, ct)) return channel.Id;
        db.Channels.Add(new Channel { Id = channel.Id, Kind = ChannelKind.Mastodon, Name = TextLimits.Cut($"{channel.Name} replies", 100) });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { } // another node made it first
        return channel.Id;
    }

    private DateTimeOffset Backoff(int failures) =>
        clock.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(RetryBase.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 16)), LongestWait.TotalSeconds));

    private static string Cap(string s) => s.Length > 1000 ? TextLimits.Cut(s, 1000) : s;
}
