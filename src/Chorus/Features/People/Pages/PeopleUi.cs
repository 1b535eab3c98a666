using MudBlazor;

namespace Chorus.Features.People.Pages;

/// How people, identities and timeline entries look in the staff app, kept in one place so the list,
/// the profile and the merge preview agree.
public static class PeopleUi
{
    public static string Icon(IdentityKind kind) => kind switch
    {
        IdentityKind.Email => Icons.Material.Outlined.Email,
        IdentityKind.Reddit => Icons.Custom.Brands.Reddit,
        IdentityKind.Twitter => Icons.Custom.Brands.Twitter,
        IdentityKind.HackerNews => Icons.Material.Outlined.Whatshot,
        IdentityKind.Mastodon => Icons.Material.Outlined.AlternateEmail,
        IdentityKind.Forum => Icons.Material.Outlined.Forum,
        IdentityKind.Phone => Icons.Material.Outlined.Phone,
        _ => Icons.Material.Outlined.Link,
    };

    public static string Label(IdentityKind kind) => kind switch
    {
        IdentityKind.HackerNews => "Hacker News",
        _ => kind.ToString(),
    };

    /// VIPs and press stand out everywhere: they are the people a wrong answer hurts most.
    public static Color Color(PersonKind kind) => kind switch
    {
        PersonKind.Vip => MudBlazor.Color.Warning,
        PersonKind.Press => MudBlazor.Color.Secondary,
        PersonKind.Influencer => MudBlazor.Color.Tertiary,
        PersonKind.Partner => MudBlazor.Color.Info,
        PersonKind.Fan => MudBlazor.Color.Success,
        _ => MudBlazor.Color.Default,
    };

    public static string? KindIcon(PersonKind kind) => kind switch
    {
        PersonKind.Vip => Icons.Material.Filled.Star,
        PersonKind.Press => Icons.Material.Filled.Newspaper,
        PersonKind.Influencer => Icons.Material.Filled.Campaign,
        PersonKind.Partner => Icons.Material.Filled.Handshake,
        PersonKind.Fan => Icons.Material.Filled.Favorite,
        _ => null,
    };

    public static bool IsHighlighted(PersonKind kind) => kind is PersonKind.Vip or PersonKind.Press;

    public static string Initials(string name)
    {
        var parts = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length switch
        {
            0 => "?",
            1 => parts[0][..1].ToUpperInvariant(),
            _ => (parts[0][..1] + parts[^1][..1]).ToUpperInvariant(),
        };
    }

    public static (string Icon, Color Color, string Title) Timeline(string kind) => kind switch
    {
        "message.received" => (Icons.Material.Filled.CallReceived, MudBlazor.Color.Primary, "Message received"),
        "reply.sent" => (Icons.Material.Filled.Reply, MudBlazor.Color.Success, "Reply sent"),
        ActivityKinds.ConversationStarted => (Icons.Material.Filled.AddComment, MudBlazor.Color.Info, "Conversation started"),
        ActivityKinds.Merged => (Icons.Material.Filled.MergeType, MudBlazor.Color.Secondary, "Profiles merged"),
        ActivityKinds.MergeUndone => (Icons.Material.Filled.CallSplit, MudBlazor.Color.Secondary, "Merge undone"),
        "person.kind-changed" => (Icons.Material.Filled.Label, MudBlazor.Color.Warning, "Kind changed"),
        "person.stage-changed" => (Icons.Material.Filled.TrendingUp, MudBlazor.Color.Tertiary, "Lifecycle stage changed"),
        "forum.joined" => (Icons.Material.Filled.Forum, MudBlazor.Color.Info, "Joined the forum"),
        "forum.topic" => (Icons.Material.Filled.Forum, MudBlazor.Color.Primary, "Forum topic"),
        "forum.reply" => (Icons.Material.Filled.Forum, MudBlazor.Color.Primary, "Forum reply"),
        _ => (Icons.Material.Filled.Circle, MudBlazor.Color.Default, kind),
    };

    /// "3 h ago" style, falling back to the date for anything older than a week.
    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var d = now - at;
        if (d < TimeSpan.FromMinutes(1)) return "just now";
        if (d < TimeSpan.FromHours(1)) return $"{(int)d.TotalMinutes} min ago";
        if (d < TimeSpan.FromDays(1)) return $"{(int)d.TotalHours} h ago";
        if (d < TimeSpan.FromDays(7)) return $"{(int)d.TotalDays} d ago";
        return at.UtcDateTime.ToString(at.Year == now.Year ? "d MMM" : "d MMM yyyy");
    }
}
