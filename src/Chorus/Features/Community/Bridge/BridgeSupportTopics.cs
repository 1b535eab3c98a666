using Chorus.Data;
using Chorus.Features.Channels;
using Chorus.Features.Forum;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.Notifications;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community.Bridge;

/// The forum as a channel: a topic in a support category that nobody answered within the workspace's
/// wait becomes a conversation in Support's inbox, through the ingest pipeline like any channel. The
/// topic's id is the envelope's external id, so a topic opens one conversation however often (and on
/// however many nodes) this runs.
public class BridgeSupportTopics(ChorusDb db, IngestPipeline pipeline, CommunitySettings settings, PublicUrls urls, ILogger<BridgeSupportTopics> log)
{
    public const string ChannelName = "Community forum";

    public static string ExternalId(Guid topicId) => "forum-topic:" + topicId;

    public static Guid? TopicOf(string? externalThreadId) =>
        externalThreadId is { } t && t.StartsWith("forum-topic:") && Guid.TryParse(t["forum-topic:".Length..], out var id) ? id : null;

    /// Returns how many topics reached the inbox.
    public async Task<int> RunAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var cutoff = now - TimeSpan.FromMinutes((await settings.ReadAsync(ct)).SupportAfterMinutes);
        var due = await (from t in db.ForumTopics.AsNoTracking()
                         join c in db.ForumCategories on t.CategoryId equals c.Id
                         join m in db.ForumMembers on t.AuthorMemberId equals m.Id
                         where c.IsSupport && t.State == PostState.Visible && t.ReplyCount == 0 && t.ConversationId == null && t.CreatedAt <= cutoff
                               && m.PersonId != null
                         orderby t.CreatedAt
                         select new
                         {
                             t.Id, t.Title, t.CreatedAt, m.Username,
                             Text = db.ForumPosts.Where(p => p.TopicId == t.Id && p.Position == 1).Select(p => p.Text).Single(),
                         })
            .Take(200).ToListAsync(ct);
        if (due.Count == 0) return 0;
        var channelId = await ChannelAsync(ct);
        var envelopes = due.Select(t => new InboundEnvelope(channelId, ExternalId(t.Id), ExternalId(t.Id),
            new InboundAuthor(IdentityKind.Forum, t.Username, t.Username), t.CreatedAt, t.Title,
            $"{t.Text}\n\n— Asked in the community forum, no answer yet: {urls.To($"/forum/t/{t.Id}")}", null)).ToList();
        var results = await pipeline.IngestManyAsync(envelopes, ct);
        var bridged = 0;
        for (var i = 0; i < due.Count; i++)
        {
            var r = results[i];
            if (r.Status is IngestStatus.Rejected or IngestStatus.Blocked || r.ConversationId == Guid.Empty) continue;
            var topicId = due[i].Id;
            bridged += await db.ForumTopics.Where(t => t.Id == topicId && t.ConversationId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.ConversationId, r.ConversationId), ct);
        }
        if (bridged > 0) log.LogInformation("{Count} unanswered support topics reached the inbox", bridged);
        return bridged;
    }

    /// The forum's channel, made on first use and owned by the Support team when there is one.
    private async Task<Guid> ChannelAsync(CancellationToken ct)
    {
        var existing = await db.Channels.AsNoTracking().Where(c => c.Kind == ChannelKind.Forum).OrderBy(c => c.CreatedAt).Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        if (existing is { } id) return id;
        var support = await db.Teams.AsNoTracking().Where(t => t.Name == "Support").Select(t => (Guid?)t.Id).FirstOrDefaultAsync(ct);
        var channel = new Channel { Kind = ChannelKind.Forum, Name = ChannelName, DefaultTeamId = support };
        db.Channels.Add(channel);
        await db.SaveChangesAsync(ct);
        return channel.Id;
    }
}

/// Runs the bridge every minute (Chorus:Community:BridgeSeconds). Safe on several nodes: the pipeline
/// dedupes by topic, and the link to the conversation is written only where none is.
public sealed class ForumBridgeService(IServiceScopeFactory scopes, IConfiguration config, ILogger<ForumBridgeService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(config.GetValue("Chorus:Community:BridgeSeconds", 60.0));
        using var timer = new PeriodicTimer(every);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<BridgeSupportTopics>().RunAsync(DateTimeOffset.UtcNow, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Bridging support topics to the inbox failed; trying again next round");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
