using Chorus.Data;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Newsletter;

/// Records that a person no longer wants newsletters (from the link in one): later newsletters skip
/// them, and their timeline says when. Doing it twice changes nothing.
public class UnsubscribeFromNewsletters(ChorusDb db, UnsubscribeTokens tokens, TimeProvider clock)
{
    public sealed record Result(bool Valid, string? Name);

    /// Who a link is for, without changing anything (the confirmation page).
    public async Task<Result> CheckAsync(string token, CancellationToken ct)
    {
        if (tokens.Read(token) is not { } t) return new(false, null);
        var name = await db.People.Where(p => p.Id == t.PersonId).Select(p => p.Name).SingleOrDefaultAsync(ct);
        return new(name is not null, name);
    }

    public async Task<Result> RunAsync(string token, CancellationToken ct)
    {
        if (tokens.Read(token) is not { } t) return new(false, null);
        var name = await db.People.Where(p => p.Id == t.PersonId).Select(p => p.Name).SingleOrDefaultAsync(ct);
        if (name is null) return new(false, null); // erased since
        if (await db.Set<NewsletterOptOut>().AnyAsync(o => o.PersonId == t.PersonId, ct)) return new(true, name);
        var now = clock.GetUtcNow();
        var channel = await db.Set<Campaigns.PublishingChannel>().Where(c => c.Id == t.ChannelId).Select(c => c.Name).SingleOrDefaultAsync(ct);
        db.Add(new NewsletterOptOut { PersonId = t.PersonId, At = now, ChannelId = channel is null ? null : t.ChannelId });
        db.Activities.Add(new Activity
        {
            PersonId = t.PersonId, At = now, Kind = ActivityKinds.NewsletterUnsubscribed,
            Summary = $"Unsubscribed from newsletters{(channel is null ? "" : $" (from {channel})")}",
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { } // the same click, twice at once: one row is enough
        return new(true, name);
    }
}
