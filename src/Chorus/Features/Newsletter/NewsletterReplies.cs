using System.Text.RegularExpressions;
using Chorus.Data;
using Chorus.Features.Campaigns;
using Chorus.Features.Channels.Email;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Chorus.Features.Newsletter;

/// Where an answer to a newsletter goes: its In-Reply-To (or, without one, its newest reference) names the
/// newsletter mail (newsletter.{delivery}.{person}@domain), so the conversation belongs to the campaign's team,
/// not the mailbox's, and each person's answers to one newsletter thread together.
public sealed partial class NewsletterReplies(ChorusDb db)
{
    public const string Prefix = "newsletter-reply:";

    public sealed record Match(string ThreadId, Guid TeamId, Guid PostId);

    public static string ThreadPrefix(Guid deliveryId) => $"{Prefix}{deliveryId:N}:";
    public static string ThreadId(Guid deliveryId, Guid personId) => $"{ThreadPrefix(deliveryId)}{personId:N}";

    /// The newsletter this mail answers directly, or null (not an answer to a newsletter, or to one that no longer exists).
    public async Task<Match?> FindAsync(MimeMessage mime, CancellationToken ct)
    {
        var nearest = ThreadInboundEmail.ReferencedIds(mime).FirstOrDefault();
        if (nearest is null || NewsletterId().Match(nearest) is not { Success: true } m) return null;
        var deliveryId = Guid.ParseExact(m.Groups["delivery"].Value, "N");
        var personId = Guid.ParseExact(m.Groups["person"].Value, "N");
        var found = await (from d in db.Set<PostDelivery>()
                           join p in db.Set<Post>() on d.PostId equals p.Id
                           join c in db.Set<Campaign>() on p.CampaignId equals c.Id
                           where d.Id == deliveryId
                           select new { c.OwnerTeamId, p.Id }).SingleOrDefaultAsync(ct);
        return found is null ? null : new Match(ThreadId(deliveryId, personId), found.OwnerTeamId, found.Id);
    }

    [GeneratedRegex(@"^<?newsletter\.(?<delivery>[0-9a-f]{32})\.(?<person>[0-9a-f]{32})@", RegexOptions.CultureInvariant)]
    private static partial Regex NewsletterId();
}
