using Chorus.Features.Channels;
using Chorus.Features.People;
using MudBlazor;

namespace Chorus.Features.Inbox.Pages;

/// How inbox values look: words, CSS classes and icons shared by the inbox and conversation pages.
public static class InboxDisplay
{
    public static readonly ConversationStatus[] Statuses = Enum.GetValues<ConversationStatus>();
    public static readonly Priority[] Priorities = [Priority.Urgent, Priority.High, Priority.Normal, Priority.Low];
    public static readonly PersonKind[] PersonKinds = Enum.GetValues<PersonKind>();

    public static string StatusClass(ConversationStatus s) => "pill status-" + s.ToString().ToLowerInvariant();

    public static string PriorityClass(Priority p) => "pill priority-" + p.ToString().ToLowerInvariant();

    /// VIPs and the press stand out: they are the people whose wait costs the most.
    public static string KindClass(PersonKind k) => "pill kind-" + k.ToString().ToLowerInvariant();

    public static bool IsNotableKind(PersonKind k) => k is not PersonKind.Customer;

    public static string ChannelIcon(ChannelKind kind) => kind switch
    {
        ChannelKind.Email => Icons.Material.Outlined.Email,
        ChannelKind.WebForm => Icons.Material.Outlined.Description,
        ChannelKind.Api => Icons.Material.Outlined.Api,
        ChannelKind.Forum => Icons.Material.Outlined.Forum,
        ChannelKind.Rss => Icons.Material.Outlined.RssFeed,
        ChannelKind.Reddit => Icons.Custom.Brands.Reddit,
        ChannelKind.HackerNews => Icons.Material.Outlined.Newspaper,
        ChannelKind.Mastodon => Icons.Material.Outlined.Tag,
        ChannelKind.Webhook => Icons.Material.Outlined.Webhook,
        _ => Icons.Material.Outlined.Chat,
    };

    /// "12 min", "3 h", "2 d": short enough for a list column.
    public static string Span(TimeSpan t) => t.TotalMinutes switch
    {
        < 1 => "<1 min",
        < 60 => $"{(int)t.TotalMinutes} min",
        < 60 * 48 => $"{(int)t.TotalHours} h",
        _ => $"{(int)t.TotalDays} d",
    };

    public static string Ago(DateTimeOffset at, DateTimeOffset now) => now - at < TimeSpan.FromMinutes(1) ? "just now" : Span(now - at) + " ago";

    /// Absolute time for tooltips (UTC: the server does not know the reader's zone).
    public static string Exact(DateTimeOffset at) => at.UtcDateTime.ToString("ddd d MMM yyyy, HH:mm 'UTC'");

    /// Waiting age buckets: under an hour is fine, under a day needs attention, a day or more is late.
    public static string WaitingClass(TimeSpan waited) => waited switch
    {
        { TotalHours: < 1 } => "waiting waiting-fresh",
        { TotalHours: < 24 } => "waiting waiting-aging",
        _ => "waiting waiting-late",
    };

    public static string Initials(string? name)
    {
        var parts = (name ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length switch
        {
            0 => "?",
            1 => parts[0][..1].ToUpperInvariant(),
            _ => (parts[0][..1] + parts[^1][..1]).ToUpperInvariant(),
        };
    }

    public static string FirstName(string name) => name.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? name;
}
