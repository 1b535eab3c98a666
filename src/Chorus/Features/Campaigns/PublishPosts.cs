using System.Text.RegularExpressions;
using Chorus.Data;
using Chorus.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Campaigns;

/// Publishes due post deliveries, each exactly once however many nodes run: a delivery is claimed
/// with a conditional update (waiting and due, or publishing with an expired lease after a crash) and
/// only the node whose update changed the row sends it. A channel that is down is retried with
/// backoff, then the delivery is marked failed with the reason; the post is published when every
/// channel is, failed when one failed and none is left to try.
public sealed partial class PublishPosts(IServiceScopeFactory scopes, IConfiguration config, ILogger<PublishPosts> log) : BackgroundService
{
    private TimeSpan PollInterval => TimeSpan.FromMilliseconds(config.GetValue("Chorus:Publishing:PollMilliseconds", 1000));
    private TimeSpan RetryBase => TimeSpan.FromSeconds(config.GetValue("Chorus:Publishing:RetryBaseSeconds", 30.0));
    private int MaxAttempts => config.GetValue("Chorus:Publishing:MaxAttempts", 5);
    private TimeSpan Lease => TimeSpan.FromSeconds(config.GetValue("Chorus:Publishing:LeaseSeconds", 300.0));
    private int Parallelism => config.GetValue("Chorus:Publishing:Parallelism", 8);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!config.GetValue("Chorus:Publishing:Dispatch", true)) return; // a node that only serves
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = false;
            try { worked = await PublishDueAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogError(e, "Publishing posts failed; trying again"); }
            if (!worked)
            {
                try { await Task.Delay(PollInterval, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// Publishes what is due now; true when anything was attempted.
    public async Task<bool> PublishDueAsync(CancellationToken ct)
    {
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
            due = await Due(db.Set<PostDelivery>(), DateTimeOffset.UtcNow).OrderBy(d => d.DueAt).Select(d => d.Id).Take(200).ToListAsync(ct);
        }
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (id, c) => await PublishOneAsync(id, c));
        return due.Count > 0;
    }

    private static IQueryable<PostDelivery> Due(IQueryable<PostDelivery> deliveries, DateTimeOffset now) =>
        deliveries.Where(d => (d.State == PublishState.Waiting && d.DueAt <= now) || (d.State == PublishState.Publishing && d.LockedUntil < now));

    /// Claims one delivery and publishes it; false when another node (or loop) had it already.
    public async Task<bool> PublishOneAsync(Guid id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        var now = DateTimeOffset.UtcNow;
        var claimed = await Due(db.Set<PostDelivery>().Where(d => d.Id == id), now).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.State, PublishState.Publishing)
            .SetProperty(d => d.LockedUntil, now + Lease)
            .SetProperty(d => d.Attempts, d => d.Attempts + 1), ct);
        if (claimed == 0) return false;

        var delivery = await db.Set<PostDelivery>().SingleAsync(d => d.Id == id, ct);
        var post = await db.Set<Post>().AsNoTracking().SingleAsync(p => p.Id == delivery.PostId, ct);
        var channel = await db.Set<PublishingChannel>().AsNoTracking().SingleAsync(c => c.Id == delivery.ChannelId, ct);
        var text = delivery.Text ?? post.Body;
        PublishResult result;
        try
        {
            // Switched off after the post was scheduled: say so rather than publish where an admin said not to.
            result = !channel.Enabled ? new PublishResult.Failed($"{channel.Name} is switched off; an admin switches it on, then retry.")
                : channel.Kind == PublishingChannelKind.Newsroom
                ? await PublishToNewsroomAsync(db, scope.ServiceProvider.GetRequiredService<PublicUrls>(), post, delivery, ct)
                : channel.Kind == PublishingChannelKind.Newsletter
                ? await scope.ServiceProvider.GetRequiredService<Newsletter.SendNewsletter>().RunAsync(channel, post, delivery, text, ct)
                : await scope.ServiceProvider.GetRequiredService<PublishingSenders>().SendAsync(channel, delivery, text, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            result = new PublishResult.Retry($"Publishing on {channel.Name} failed: {e.Message}");
        }

        delivery.LockedUntil = null;
        string? failure = null;
        switch (result)
        {
            case PublishResult.Published published:
                delivery.State = PublishState.Published;
                delivery.PublishedAt = DateTimeOffset.UtcNow;
                delivery.ExternalId = published.ExternalId;
                delivery.ExternalUrl = published.ExternalUrl;
                delivery.LastError = null;
                if (published.Note is { } note) db.Add(new PostComment { PostId = post.Id, AuthorName = "Chorus", IsEvent = true, Text = Cap($"{channel.Name}: {note}") });
                break;
            case PublishResult.Retry retry when delivery.Attempts < MaxAttempts:
                delivery.State = PublishState.Waiting;
                delivery.LastError = Cap(retry.Error);
                delivery.DueAt = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(RetryBase.TotalSeconds * Math.Pow(2, Math.Min(delivery.Attempts - 1, 16)));
                log.LogWarning("Post {Post} on {Channel}: attempt {Attempt} failed, next at {Next}: {Error}", post.Id, channel.Name, delivery.Attempts, delivery.DueAt, retry.Error);
                break;
            case PublishResult.Retry retry:
                failure = $"Gave up after {delivery.Attempts} attempts. {retry.Error}";
                break;
            case PublishResult.Failed failed:
                failure = failed.Error;
                break;
        }
        if (failure is not null)
        {
            delivery.State = PublishState.Failed;
            delivery.LastError = Cap(failure);
            db.Add(new PostComment { PostId = post.Id, AuthorName = "Chorus", IsEvent = true, Text = Cap($"Publishing on {channel.Name} failed. {failure}") });
            log.LogWarning("Post {Post} on {Channel} failed: {Error}", post.Id, channel.Name, failure);
        }
        // Not cancellable: the post went out, its record must not be lost to a shutdown.
        await db.SaveChangesAsync(CancellationToken.None);
        await SettlePostAsync(db, post.Id);
        return true;
    }

    /// The post is published once every channel is; failed once one failed and none is waiting or publishing.
    private static async Task SettlePostAsync(ChorusDb db, Guid postId)
    {
        var states = await db.Set<PostDelivery>().Where(d => d.PostId == postId).Select(d => d.State).ToListAsync(CancellationToken.None);
        if (states.Any(s => s is PublishState.Waiting or PublishState.Publishing)) return;
        var now = DateTimeOffset.UtcNow;
        var status = states.All(s => s == PublishState.Published) ? PostStatus.Published : PostStatus.Failed;
        var changed = await db.Set<Post>().Where(p => p.Id == postId && p.Status == PostStatus.Scheduled).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.Status, status)
            .SetProperty(p => p.PublishedAt, p => status == PostStatus.Published ? now : p.PublishedAt)
            .SetProperty(p => p.UpdatedAt, now), CancellationToken.None);
        if (changed > 0 && status == PostStatus.Published)
        {
            db.Add(new PostComment { PostId = postId, AuthorName = "Chorus", IsEvent = true, Text = "Published on every channel." });
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }

    /// The newsroom is Chorus's own: publishing gives the post its address (a slug from the title).
    private static async Task<PublishResult> PublishToNewsroomAsync(ChorusDb db, PublicUrls urls, Post post, PostDelivery delivery, CancellationToken ct)
    {
        var slug = delivery.ExternalId;
        if (slug is null)
        {
            var words = NotSlug().Replace(post.Title.ToLowerInvariant(), "-").Trim('-');
            slug = $"{(words.Length > 60 ? words[..60].TrimEnd('-') : words)}-{post.Id.ToString("N")[^6..]}".TrimStart('-');
        }
        var taken = await db.Set<PostDelivery>().AnyAsync(d => d.ChannelId == delivery.ChannelId && d.ExternalId == slug && d.Id != delivery.Id, ct);
        if (taken) slug = $"{slug}-{delivery.Id.ToString("N")[^6..]}";
        return new PublishResult.Published(slug, urls.To($"/newsroom/{slug}"));
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();

    private static string Cap(string s) => s.Length > 1000 ? Common.TextLimits.Cut(s, 1000) : s;
}
