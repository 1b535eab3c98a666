using System.Globalization;

namespace Chorus.Features.Campaigns.Pages;

/// How the marketing pages name things.
public static class MarketingText
{
    public static string Status(PostStatus s) => s switch
    {
        PostStatus.InReview => "In review",
        _ => s.ToString(),
    };

    public static string Dates(DateOnly from, DateOnly to) =>
        from.Year == to.Year
            ? $"{from.ToString("d MMM", CultureInfo.InvariantCulture)} – {to.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}"
            : $"{from.ToString("d MMM yyyy", CultureInfo.InvariantCulture)} – {to.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}";

    public static string Kind(PublishingChannelKind k) => k switch
    {
        PublishingChannelKind.Discord => "Discord webhook",
        PublishingChannelKind.Slack => "Slack webhook",
        PublishingChannelKind.Newsletter => "E-mail newsletter",
        _ => k.ToString(),
    };

    public static string Icon(PublishingChannelKind k) => k switch
    {
        PublishingChannelKind.Mastodon => MudBlazor.Icons.Material.Outlined.Forum,
        PublishingChannelKind.Discord => MudBlazor.Icons.Material.Outlined.SportsEsports,
        PublishingChannelKind.Slack => MudBlazor.Icons.Material.Outlined.Tag,
        PublishingChannelKind.Newsletter => MudBlazor.Icons.Material.Outlined.MarkEmailRead,
        _ => MudBlazor.Icons.Material.Outlined.Newspaper,
    };

    public static string Moment(DateTimeOffset? at, string zone) => at is { } a ? ScheduleTimes.Display(a, zone) : "Not planned";

    public static string? Err(IReadOnlyDictionary<string, string[]>? errors, string field) =>
        errors is not null && errors.TryGetValue(field, out var e) ? string.Join(" ", e) : null;
}
