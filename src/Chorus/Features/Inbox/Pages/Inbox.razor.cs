using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.Realtime;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.JSInterop;
using MudBlazor;

namespace Chorus.Features.Inbox.Pages;

/// The staff inbox: views with counts, filters, search, sorts, pages, bulk changes, keyboard
/// shortcuts, and live updates when any conversation is created or changed.
public partial class Inbox
{
    [Inject] private WorkScopes Work { get; set; } = default!;
    [Inject] private InboxEvents Events { get; set; } = default!;
    [Inject] private NavigationManager Nav { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ILogger<Inbox> Log { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;

    /// Outreach from the inbox: a person picker or a saved list. One person opens the new conversation.
    private async Task StartConversationAsync()
    {
        if (actor is null) return;
        var dialog = await Dialogs.ShowAsync<StartConversationDialog>("New conversation",
            new DialogParameters<StartConversationDialog> { { d => d.Actor, actor } },
            new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true, BackdropClick = false });
        switch (await dialog.Result)
        {
            case { Canceled: false, Data: long number }:
                Snackbar.Add($"#{number} started; the e-mail is on its way.", Severity.Success);
                Nav.NavigateTo($"/conversations/{number}");
                break;
            case { Canceled: false, Data: OutreachResult result }:
                Snackbar.Add($"Started {result.Started.Count} conversations, skipped {result.Skipped.Count}.", Severity.Success);
                break;
        }
    }
    [CascadingParameter] private Task<AuthenticationState> Auth { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "view")] public string? ViewParam { get; set; }
    // Query values arrive as text and are parsed leniently: a mangled link shows the inbox, not an error page.
    [SupplyParameterFromQuery(Name = "team")] public string? TeamParam { get; set; }
    [SupplyParameterFromQuery(Name = "status")] public string? StatusParam { get; set; }
    [SupplyParameterFromQuery(Name = "channel")] public string? ChannelParam { get; set; }
    [SupplyParameterFromQuery(Name = "assignee")] public string? AssigneeParam { get; set; }
    [SupplyParameterFromQuery(Name = "priority")] public string? PriorityParam { get; set; }
    [SupplyParameterFromQuery(Name = "tag")] public string? TagParam { get; set; }
    [SupplyParameterFromQuery(Name = "kind")] public string? KindParam { get; set; }
    [SupplyParameterFromQuery(Name = "q")] public string? QueryParam { get; set; }
    [SupplyParameterFromQuery(Name = "sort")] public string? SortParam { get; set; }
    [SupplyParameterFromQuery(Name = "page")] public string? PageParam { get; set; }

    private sealed record ViewEntry(string Key, string Label, string Icon, InboxLocation Location, int? Count);
    private sealed record ChannelOption(Guid Id, string Name);

    private StaffActor? actor;
    private bool canWork;
    private InboxLocation location = new();
    private string? loadedUri;
    private InboxPage? page;
    private Search.CappedTotal? total;
    private List<ViewEntry> views = [];
    private List<TeamView> teams = [];
    private List<StaffView> agents = [];
    private List<ChannelOption> channels = [];
    private bool loading;
    private int loadSeq;
    private DateTimeOffset now = DateTimeOffset.UtcNow;

    private string? searchText;
    private string? tagText;
    private readonly HashSet<long> selected = [];
    private int cursor = -1;
    private string? bulkTag;
    private bool bulkBusy;

    private LiveRefresh? live;
    private DotNetObjectReference<Inbox>? selfRef;
    private IJSObjectReference? shortcuts;
    private bool scrollCursor;
    private bool scrollTop;

    protected override async Task OnInitializedAsync()
    {
        // The prerendered pass only draws the frame; data loads once the circuit is interactive,
        // so every query runs once and the live subscription belongs to a real circuit.
        if (!RendererInfo.IsInteractive) return;
        try
        {
            await using var w = Work.Open();
            actor = await w.Get<ResolveStaffActor>().ForPrincipalAsync((await Auth).User);
            if (actor is null) return;
            canWork = actor.CanWork;
            teams = (await w.Get<ManageTeams>().ListAsync()).Where(t => actor.CanSeeTeam(t.Id)).ToList();
            agents = (await w.Get<ManageStaff>().ListAsync()).Where(s => s.Role != Roles.Viewer).ToList();
            channels = await w.Db.Channels.AsNoTracking().OrderBy(c => c.Name).Select(c => new ChannelOption(c.Id, c.Name)).ToListAsync();
        }
        catch (Exception e)
        {
            Fail("Could not open the inbox", e);
            return;
        }
        live = new LiveRefresh(InvokeAsync, () => LoadAsync(quiet: true));
        Events.Changed += OnInboxChanged;
    }

    protected override async Task OnParametersSetAsync()
    {
        if (actor is null) return;
        var next = InboxLocation.Parse(ViewParam, TeamParam, StatusParam, ChannelParam, AssigneeParam, PriorityParam, TagParam, KindParam, QueryParam, SortParam, PageParam);
        if (next.ToUri() == loadedUri) return;
        var viewChanged = next.View != location.View || next.TeamId != location.TeamId || next.Page != location.Page;
        // Ticks survive paging through the same list (tick on page 1, more on page 2, then act on all of them, as in
        // Zendesk); another view, filter, search or sort is another list, and starts with none.
        var listChanged = (next with { Page = 1 }).ToUri() != (location with { Page = 1 }).ToUri();
        location = next;
        // Keep what the person is typing; take the address bar's value when it came from elsewhere (a link, back).
        if (searchText?.Trim() != location.Query) searchText = location.Query;
        if (tagText?.Trim() != location.Tag) tagText = location.Tag;
        if (listChanged) selected.Clear();
        if (viewChanged) { cursor = -1; scrollTop = true; }
        await LoadAsync(quiet: false);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (actor is null) return;
        if (shortcuts is null)
        {
            selfRef = DotNetObjectReference.Create(this);
            shortcuts = await JS.InvokeAsync<IJSObjectReference>("chorus.registerShortcuts", selfRef,
                new[] { "j", "k", "x", "o", "Enter", "Escape" }, new Dictionary<string, string> { ["/"] = "#inbox-search" });
        }
        if (scrollTop)
        {
            // Another page or view replaced the list under the reader: start reading it from the top.
            scrollTop = false;
            await JS.InvokeVoidAsync("chorus.scrollToTop");
        }
        if (scrollCursor && page is { } p && cursor >= 0 && cursor < p.Items.Count)
        {
            scrollCursor = false;
            await JS.InvokeVoidAsync("chorus.scrollIntoView", $"#row-{p.Items[cursor].Number}");
        }
    }

    private void OnInboxChanged(InboxChange change) => live?.Request();

    /// Queries the current page, its total and the view counts. A quiet load (a live update) keeps
    /// the rows on screen and the keyboard cursor on the same conversation.
    private async Task LoadAsync(bool quiet)
    {
        if (actor is null) return;
        var uri = location.ToUri();
        var seq = ++loadSeq;
        var cursorNumber = page is { } old && cursor >= 0 && cursor < old.Items.Count ? old.Items[cursor].Number : (long?)null;
        if (!quiet) { loading = true; StateHasChanged(); }
        // A search's page is found without reading every match, its total may read many: the rows are shown first and
        // the total follows ("of …" until then, "of 10,000+" past the cap), so a common word does not hold the page back.
        var searching = location.Query is not null;
        try
        {
            await using var w = Work.Open();
            var inbox = w.Get<InboxQuery>();
            var filter = location.ToFilter();
            var result = await inbox.ListAsync(actor, filter);
            var count = searching ? null : await inbox.TotalAsync(actor, filter with { Page = 1 });
            var counted = await CountViewsAsync(inbox);
            // Ticks are of rows in this list (as in Zendesk): one a colleague's change took out of it (solved while
            // Open is in view) is unticked, not left to be changed unseen by the next bulk action. Not while a bulk
            // action runs: the rows it changes leave the list by its own hand, and it unticks them itself.
            List<long> ticked = bulkBusy ? [] : [.. selected];
            var listed = await inbox.ListedAsync(actor, filter, ticked);
            if (seq != loadSeq) return; // a newer load (another filter, a later event) owns the screen
            var left = ticked.Where(n => !listed.Contains(n)).Order().ToList();
            if (left.Count > 0)
            {
                selected.ExceptWith(left);
                Snackbar.Add(left.Count == 1 ? $"#{left[0]} left this list and was unticked."
                    : $"{left.Count} ticked conversations left this list and were unticked: {string.Join(", ", left.Select(n => "#" + n))}.", Severity.Info);
            }
            page = result;
            total = count ?? (quiet ? total : null); // a live update of a search keeps its total until the recount
            views = counted;
            loadedUri = uri;
            now = DateTimeOffset.UtcNow;
            cursor = cursorNumber is { } n && result.Items.ToList().FindIndex(i => i.Number == n) is var at and >= 0 ? at
                : Math.Min(cursor, result.Items.Count - 1);
        }
        catch (Exception e)
        {
            if (seq == loadSeq) Fail("Could not load the inbox", e);
        }
        finally
        {
            if (seq == loadSeq) loading = false;
        }
        StateHasChanged();
        if (searching && seq == loadSeq && page is not null) await CountSearchAsync(seq);
    }

    private async Task CountSearchAsync(int seq)
    {
        await Task.Yield(); // let the rows go out first: SQLite's reads finish without yielding
        try
        {
            await using var w = Work.Open();
            var count = await w.Get<InboxQuery>().TotalAsync(actor!, location.ToFilter() with { Page = 1 });
            if (seq != loadSeq) return; // the person moved on
            total = count;
        }
        catch (Exception e)
        {
            if (seq == loadSeq) Fail("Could not count the matches", e);
        }
        StateHasChanged();
    }

    /// UI boundary: a failed query or action is told to the person and logged, never a dead circuit.
    private void Fail(string what, Exception e)
    {
        Log.LogError(e, "{What}", what);
        Snackbar.Add($"{what}: {e.Message}", Severity.Error);
    }

    private async Task<List<ViewEntry>> CountViewsAsync(InboxQuery inbox)
    {
        var entries = new List<ViewEntry>
        {
            new("mine", "Mine", Icons.Material.Outlined.Person, InboxLocation.ForView(InboxView.Mine), null),
            new("mentions", "Mentions", Icons.Material.Outlined.AlternateEmail, InboxLocation.ForView(InboxView.Mentions), null),
            new("unassigned", "Unassigned", Icons.Material.Outlined.PersonOff, InboxLocation.ForView(InboxView.Unassigned), null),
        };
        entries.AddRange(teams.Where(t => actor!.MemberTeamIds.Contains(t.Id))
            .Select(t => new ViewEntry("team-" + t.Id, t.Name, t.IsPrivate ? Icons.Material.Outlined.Lock : Icons.Material.Outlined.Groups,
                InboxLocation.ForView(InboxView.Team, t.Id), null)));
        entries.Add(new("breaching", "Breaching", Icons.Material.Outlined.Alarm, InboxLocation.ForView(InboxView.Breaching) with { Sort = InboxSort.SlaDue }, null));
        entries.Add(new("all", "All", Icons.Material.Outlined.AllInbox, InboxLocation.ForView(InboxView.All), null));
        var counted = new List<ViewEntry>(entries.Count);
        foreach (var e in entries) counted.Add(e with { Count = await inbox.CountAsync(actor!, e.Location.ToFilter()) });
        return counted;
    }

    private bool IsCurrent(InboxLocation view) =>
        view.View == location.View && (view.View != InboxView.Team || view.TeamId == location.TeamId);

    private string CurrentViewLabel => location.View switch
    {
        InboxView.Mine => "Mine",
        InboxView.Mentions => "Mentions",
        InboxView.Unassigned => "Unassigned",
        InboxView.Breaching => "Breaching SLA",
        InboxView.Team => teams.FirstOrDefault(t => t.Id == location.TeamId)?.Name ?? "Team",
        _ => "All conversations",
    };

    /// What "no status picked" means here (InboxQuery): active ones, or every status for searches and mentions.
    private string StatusPlaceholder => location.Query is not null || location.View == InboxView.Mentions ? "Any" : "Active";

    private string RangeText => page switch
    {
        null => "Loading…",
        { Items.Count: 0 } => "No conversations",
        var p => $"{(p.Page - 1) * p.PageSize + 1:N0}–{(p.Page - 1) * p.PageSize + p.Items.Count:N0} of {TotalText(p)}",
    };

    /// A capped total ("10,000+") gives way to what the pages show: the exact number on the last page, and
    /// "many" on a page past the cap (Gmail's word), never a total smaller than the rows in view.
    private string TotalText(InboxPage p)
    {
        var end = (p.Page - 1) * p.PageSize + p.Items.Count;
        return total switch
        {
            null => "…",
            { AtLeast: true } when !p.HasMore => end.ToString("N0"),
            { AtLeast: true, Count: var cap } when end >= cap => "many",
            var t => t.ToString(),
        };
    }

    /// A capped total says why it is not exact, and what would make it so.
    private string? RangeTitle => total is { AtLeast: true } t
        ? $"More than {t.Count:N0} conversations match; counting stops there. Add words or filters to narrow the search."
        : null;

    private string EmptyTitle => location.HasFilters ? "Nothing matches" : location.View switch
    {
        InboxView.Mine => "Nothing assigned to you",
        InboxView.Mentions => "No mentions",
        InboxView.Unassigned => "Everything has an owner",
        InboxView.Breaching => "Nothing is late",
        _ => "Inbox zero",
    };

    private string EmptyText => location.HasFilters
        ? "No conversation in this view matches the search and filters."
        : location.View switch
        {
            InboxView.Mine => "Conversations assigned to you that still need work show up here.",
            InboxView.Mentions => "When a colleague writes @you in a note, the conversation shows up here.",
            InboxView.Unassigned => "New conversations nobody has taken yet show up here.",
            InboxView.Breaching => "Conversations past an SLA target (first reply or resolution) show up here, the longest overdue first.",
            _ => "No active conversations. New ones appear here as they arrive.",
        };

    private string RowClass(ConversationSummary c, int index, bool isSelected) =>
        "inbox-row" + (index == cursor ? " cursor" : "") + (isSelected ? " selected" : "") + (c.Status == ConversationStatus.New ? " unread" : "");

    private bool AllSelected => page is { Items.Count: > 0 } p && p.Items.All(i => selected.Contains(i.Number));

    /// Ticked conversations that are not on the page in view (ticked on another page of the list).
    private int SelectedElsewhere => selected.Count - (page?.Items.Count(i => selected.Contains(i.Number)) ?? 0);

    private Task GoAsync(InboxLocation next)
    {
        Nav.NavigateTo(next.ToUri());
        return Task.CompletedTask;
    }

    private Task SearchAsync(string? text) => GoAsync(location with { Query = string.IsNullOrWhiteSpace(text) ? null : text.Trim(), Page = 1 });

    private Task ClearSearchAsync() => GoAsync(location with { Query = null, Page = 1 });

    private Task TagAsync(string? text) => GoAsync(location with { Tag = string.IsNullOrWhiteSpace(text) ? null : text.Trim(), Page = 1 });

    private Task StatusesChangedAsync(IEnumerable<ConversationStatus>? statuses) =>
        GoAsync(location with { Statuses = (statuses ?? []).Order().ToList(), Page = 1 });

    private void Open(long number) => Nav.NavigateTo($"/conversations/{number}");

    private void Toggle(long number)
    {
        if (!selected.Remove(number)) selected.Add(number);
    }

    private void ToggleAll()
    {
        if (page is null) return;
        // Only this page's rows: ticks on other pages stay.
        if (AllSelected) selected.ExceptWith(page.Items.Select(i => i.Number));
        else selected.UnionWith(page.Items.Select(i => i.Number));
    }

    [JSInvokable]
    public Task OnShortcut(string key)
    {
        if (page is not { Items.Count: > 0 } p) return Task.CompletedTask;
        switch (key)
        {
            case "j": cursor = Math.Min(cursor + 1, p.Items.Count - 1); scrollCursor = true; break;
            case "k": cursor = Math.Max(cursor - 1, 0); scrollCursor = true; break;
            case "x" when canWork && cursor >= 0: Toggle(p.Items[cursor].Number); break;
            case "o" or "Enter" when cursor >= 0: Open(p.Items[cursor].Number); return Task.CompletedTask;
            case "Escape": selected.Clear(); break;
            default: return Task.CompletedTask;
        }
        return InvokeAsync(StateHasChanged);
    }

    /// Applies one change to every selected conversation, one at a time, each in its own unit of
    /// work, so one failure (a conversation merged meanwhile) does not undo the others. Rows that
    /// failed stay selected so the agent can look at them and retry.
    private async Task BulkAsync(ConversationChange change, string done)
    {
        if (actor is null || selected.Count == 0) return;
        bulkBusy = true;
        var failures = new List<string>();
        var numbers = selected.Order().ToList();
        foreach (var number in numbers)
        {
            try
            {
                await using var w = Work.Open();
                var outcome = await w.Get<UpdateConversation>().RunAsync(actor, number, change);
                if (outcome.Error is { } error) failures.Add($"#{number}: {error}");
                else selected.Remove(number);
            }
            catch (Exception e)
            {
                Log.LogError(e, "Bulk change of #{Number} failed", number);
                failures.Add($"#{number}: {e.Message}");
            }
        }
        bulkBusy = false;
        var succeeded = numbers.Count - failures.Count;
        if (failures.Count == 0)
            Snackbar.Add($"{done}: {succeeded} conversation{(succeeded == 1 ? "" : "s")}.", Severity.Success);
        else
            Snackbar.Add($"{done}: {succeeded} of {numbers.Count} updated. Not updated: {string.Join(" ", failures)}", Severity.Warning,
                o => o.RequireInteraction = true);
        await LoadAsync(quiet: true);
    }

    private async Task AddTagToSelectionAsync()
    {
        var tag = bulkTag?.Trim();
        if (string.IsNullOrEmpty(tag)) return;
        await BulkAsync(new ConversationChange { AddTags = [tag] }, $"Tagged {tag}");
        bulkTag = null;
    }

    public async ValueTask DisposeAsync()
    {
        Events.Changed -= OnInboxChanged;
        live?.Dispose();
        if (shortcuts is not null)
        {
            try { await shortcuts.InvokeVoidAsync("dispose"); await shortcuts.DisposeAsync(); }
            catch (Exception e) when (e is JSDisconnectedException or TaskCanceledException) { /* the browser is already gone */ }
        }
        selfRef?.Dispose();
    }
}
