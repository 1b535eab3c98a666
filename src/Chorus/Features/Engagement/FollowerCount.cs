using Chorus.Data;
using Chorus.Features.Campaigns;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Engagement;

/// A Mastodon publishing account's follower count on one day (UTC), as its statuses report it when
/// their engagement is read back: the last reading of the day stands. Campaign reports draw follower
/// growth from these rows and take a post's reach from the count on the day it went out.
public class FollowerCount
{
    public Guid ChannelId { get; set; }
    public DateOnly Day { get; set; }
    public long Followers { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}

internal sealed class FollowerCountConfiguration : IEntityTypeConfiguration<FollowerCount>
{
    public void Configure(EntityTypeBuilder<FollowerCount> e)
    {
        e.ToTable("FollowerCounts");
        e.HasKey(x => new { x.ChannelId, x.Day });
        e.HasOne<PublishingChannel>().WithMany().HasForeignKey(x => x.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// Records the day's follower count of a publishing channel: one row per channel and day, updated by
/// later readings. Two nodes recording the same day at once both end with one row (the key), and the
/// loser of the insert updates instead.
public static class RecordFollowerCount
{
    public static async Task RunAsync(IServiceScopeFactory scopes, Guid channelId, long followers, DateTimeOffset at, CancellationToken ct)
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        await using var scope = scopes.CreateAsyncScope(); // its own unit of work: a failed insert leaves nothing behind
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        if (await db.Set<FollowerCount>().AnyAsync(f => f.ChannelId == channelId && f.Day == day, ct))
        {
            await UpdateAsync(db, channelId, day, followers, at, ct);
            return;
        }
        db.Add(new FollowerCount { ChannelId = channelId, Day = day, Followers = followers, RecordedAt = at });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { await UpdateAsync(db, channelId, day, followers, at, ct); } // another node made the day's row first
    }

    private static Task<int> UpdateAsync(ChorusDb db, Guid channelId, DateOnly day, long followers, DateTimeOffset at, CancellationToken ct) =>
        db.Set<FollowerCount>().Where(f => f.ChannelId == channelId && f.Day == day && f.RecordedAt <= at)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.Followers, followers).SetProperty(f => f.RecordedAt, at), ct);
}
