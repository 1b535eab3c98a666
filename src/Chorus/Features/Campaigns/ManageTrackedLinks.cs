using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Notifications;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Chorus.Features.Campaigns;

public sealed record TrackedLinkView(Guid Id, string Code, string ShortPath, Guid? CampaignId, Guid? PostId, string TargetUrl, string Destination,
    string? UtmSource, string? UtmMedium, string? UtmCampaign, string? UtmContent, long Clicks, long BotClicks, DateTimeOffset CreatedAt);

public sealed record TrackedLinkInput(string? TargetUrl, Guid? PostId = null, string? UtmSource = null, string? UtmMedium = null, string? UtmCampaign = null, string? UtmContent = null);

/// A created link with the absolute short address to paste into a post.
public sealed record CreatedTrackedLink(TrackedLinkView Link, string ShortUrl);

/// Tracked links of campaigns: /l/{code} redirects to the target with its UTM parameters and counts
/// the click, people and robots apart.
public partial class ManageTrackedLinks(ChorusDb db, RecordAudit audit, PublicUrls urls, CountClicks clicks, IMemoryCache cache)
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/l/I look-alikes

    /// The links with their click counts (the clicks counted in memory are added first).
    public static async Task<List<TrackedLinkView>> ViewsAsync(ChorusDb db, CountClicks clicks, IQueryable<TrackedLink> links, CancellationToken ct)
    {
        await clicks.FlushAsync(ct);
        var rows = await links.AsNoTracking().OrderBy(l => l.CreatedAt).ToListAsync(ct);
        return rows.Select(View).ToList();
    }

    public static TrackedLinkView View(TrackedLink l) => new(l.Id, l.Code, "/l/" + l.Code, l.CampaignId, l.PostId, l.TargetUrl, Destination(l),
        l.UtmSource, l.UtmMedium, l.UtmCampaign, l.UtmContent, l.Clicks, l.BotClicks, l.CreatedAt);

    public async Task<Outcome<CreatedTrackedLink>> CreateAsync(StaffActor actor, Guid campaignId, TrackedLinkInput input, CancellationToken ct = default)
    {
        var campaign = await db.Set<Campaign>().AsNoTracking().Where(c => c.Id == campaignId).Select(c => new { c.Name, c.OwnerTeamId }).SingleOrDefaultAsync(ct);
        if (campaign is null) return new Outcome<CreatedTrackedLink>.NotFound("Campaign");
        if (!ManageCampaigns.CanManage(actor, campaign.OwnerTeamId)) return new Outcome<CreatedTrackedLink>.Forbidden("Only the campaign's team and admins add its links.");
        var errors = new Dictionary<string, string[]>();
        var target = input.TargetUrl?.Trim();
        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || target!.Length > 2000)
            errors["targetUrl"] = ["Give the address the link leads to (http:// or https://, up to 2,000 characters)."];
        if (input.PostId is { } postId && !await db.Set<Post>().AnyAsync(p => p.Id == postId && p.CampaignId == campaignId, ct))
            errors["postId"] = ["That post is not in this campaign."];
        foreach (var (field, value) in new[] { ("utmSource", input.UtmSource), ("utmMedium", input.UtmMedium), ("utmCampaign", input.UtmCampaign), ("utmContent", input.UtmContent) })
            if (value?.Trim().Length > 100) errors[field] = ["UTM values are at most 100 characters."];
        if (errors.Count > 0) return new Outcome<CreatedTrackedLink>.Invalid(errors);

        var link = new TrackedLink
        {
            Code = NewCode(), CampaignId = campaignId, PostId = input.PostId, TargetUrl = target!, CreatedById = actor.Id,
            UtmSource = Blank(input.UtmSource) ?? "chorus", UtmMedium = Blank(input.UtmMedium) ?? "social",
            UtmCampaign = Blank(input.UtmCampaign) ?? Slug(campaign.Name), UtmContent = Blank(input.UtmContent),
        };
        db.Add(link);
        audit.Add(actor, "link.created", "link", link.Id.ToString(), $"/l/{link.Code} → {link.TargetUrl}");
        await db.SaveChangesAsync(ct);
        return new CreatedTrackedLink(View(link), urls.To("/l/" + link.Code));
    }

    /// Where a click on the code goes (null: no such link), counting it as a person's or a robot's.
    /// A link never changes once made, so where it leads is kept in memory after the first click.
    public async Task<string?> FollowAsync(string code, string? userAgent, CancellationToken ct = default)
    {
        if (code.Length is 0 or > 16) return null;
        if (!cache.TryGetValue(("tracked-link", code), out (Guid Id, string Destination) link))
        {
            var row = await db.Set<TrackedLink>().AsNoTracking().Where(l => l.Code == code).SingleOrDefaultAsync(ct);
            if (row is null) return null; // unknown codes are not remembered: guessing cannot fill the memory
            link = (row.Id, Destination(row));
            cache.Set(("tracked-link", code), link, new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(10) });
        }
        clicks.Count(link.Id, IsRobot(userAgent));
        return link.Destination;
    }

    /// Link-preview fetchers (Mastodon servers, Slack, Discord...), crawlers and scripts; no user agent at all counts as one too.
    public static bool IsRobot(string? userAgent) => string.IsNullOrWhiteSpace(userAgent) || Robots().IsMatch(userAgent);

    [GeneratedRegex(@"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|embedly|mastodon|pleroma|akkoma|misskey|http\.rb|python-requests|curl/|wget/|go-http-client|headless|lighthouse|okhttp|java/|libwww|scrapy|whatsapp|skypeuripreview|vkshare|bitlybot|quora link", RegexOptions.IgnoreCase)]
    private static partial Regex Robots();

    /// The target with the link's UTM parameters (replacing any the target had).
    public static string Destination(TrackedLink l)
    {
        var uri = new Uri(l.TargetUrl);
        var query = QueryHelpers.ParseQuery(uri.Query).Where(q => !q.Key.StartsWith("utm_", StringComparison.OrdinalIgnoreCase))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v))).ToList();
        void Add(string key, string? value) { if (!string.IsNullOrEmpty(value)) query.Add(new(key, value)); }
        Add("utm_source", l.UtmSource);
        Add("utm_medium", l.UtmMedium);
        Add("utm_campaign", l.UtmCampaign);
        Add("utm_content", l.UtmContent);
        var bare = uri.GetLeftPart(UriPartial.Path);
        return QueryHelpers.AddQueryString(bare, query) + uri.Fragment;
    }

    public static string NewCode() => RandomNumberGenerator.GetString(Alphabet, 7);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    public static string Slug(string name) => TextLimits.Cut(NotSlug().Replace(name.ToLowerInvariant(), "-").Trim('-'), 100);

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotSlug();
}
