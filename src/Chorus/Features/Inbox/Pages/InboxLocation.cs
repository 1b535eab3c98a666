using Chorus.Features.People;

namespace Chorus.Features.Inbox.Pages;

/// What the inbox shows, as it appears in the address bar: every view, filter, sort and page is a
/// link, so back/forward work and a filtered view can be shared with a colleague.
public sealed record InboxLocation
{
    public const int PageSize = 50;

    public InboxView View { get; init; } = InboxView.All;
    public Guid? TeamId { get; init; }
    /// Empty means the default: active conversations (or every status for mentions and searches).
    public IReadOnlyList<ConversationStatus> Statuses { get; init; } = [];
    public Guid? ChannelId { get; init; }
    public string? AssigneeId { get; init; }
    public Priority? Priority { get; init; }
    public string? Tag { get; init; }
    public PersonKind? PersonKind { get; init; }
    public string? Query { get; init; }
    public InboxSort Sort { get; init; } = InboxSort.Newest;
    public int Page { get; init; } = 1;

    public bool HasFilters =>
        Statuses.Count > 0 || ChannelId is not null || AssigneeId is not null || Priority is not null || !string.IsNullOrEmpty(Tag)
        || PersonKind is not null || !string.IsNullOrEmpty(Query) || (View != InboxView.Team && TeamId is not null);

    public InboxFilter ToFilter() => new()
    {
        View = View, TeamId = TeamId, Statuses = Statuses.Count > 0 ? Statuses : null, ChannelId = ChannelId, AssigneeId = AssigneeId,
        Priority = Priority, Tag = Tag, PersonKind = PersonKind, Query = Query, Sort = Sort, Page = Page, PageSize = PageSize,
    };

    /// The same view with no filters: what a view link in the rail opens.
    public static InboxLocation ForView(InboxView view, Guid? teamId = null) => new() { View = view, TeamId = teamId };

    public InboxLocation WithoutFilters() => ForView(View, View == InboxView.Team ? TeamId : null) with { Sort = Sort };

    public static InboxLocation Parse(string? view, string? teamText, string? status, string? channelText, string? assignee, string? priority,
        string? tag, string? kind, string? q, string? sort, string? pageText)
    {
        Guid? team = Guid.TryParse(teamText, out var t) ? t : null;
        Guid? channel = Guid.TryParse(channelText, out var c) ? c : null;
        int? page = int.TryParse(pageText, out var p) ? p : null;
        var v = ParseEnum<InboxView>(view) ?? InboxView.All;
        if (v == InboxView.Team && team is null) v = InboxView.All;
        return new InboxLocation
        {
            View = v,
            TeamId = team,
            Statuses = (status ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(ParseEnum<ConversationStatus>).OfType<ConversationStatus>().Distinct().ToList(),
            ChannelId = channel,
            AssigneeId = string.IsNullOrWhiteSpace(assignee) ? null : assignee,
            Priority = ParseEnum<Priority>(priority),
            Tag = string.IsNullOrWhiteSpace(tag) ? null : tag.Trim(),
            PersonKind = ParseEnum<PersonKind>(kind),
            Query = string.IsNullOrWhiteSpace(q) ? null : q.Trim(),
            Sort = sort switch { "waiting" => InboxSort.LongestWaiting, "priority" => InboxSort.Priority, "sla" => InboxSort.SlaDue, _ => InboxSort.Newest },
            Page = Math.Clamp(page ?? 1, 1, 10_000),
        };
    }

    public string ToUri()
    {
        var parts = new List<string> { "view=" + View.ToString().ToLowerInvariant() };
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) parts.Add(name + "=" + Uri.EscapeDataString(value));
        }
        Add("team", TeamId?.ToString());
        Add("status", string.Join(',', Statuses.Select(s => s.ToString().ToLowerInvariant())));
        Add("channel", ChannelId?.ToString());
        Add("assignee", AssigneeId);
        Add("priority", Priority?.ToString().ToLowerInvariant());
        Add("tag", Tag);
        Add("kind", PersonKind?.ToString().ToLowerInvariant());
        Add("q", Query);
        Add("sort", Sort switch { InboxSort.LongestWaiting => "waiting", InboxSort.Priority => "priority", InboxSort.SlaDue => "sla", _ => null });
        Add("page", Page > 1 ? Page.ToString() : null);
        return "/inbox?" + string.Join('&', parts);
    }

    private static T? ParseEnum<T>(string? value) where T : struct, Enum =>
        Enum.TryParse<T>(value?.Replace("-", "").Replace(" ", ""), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed : null;
}
