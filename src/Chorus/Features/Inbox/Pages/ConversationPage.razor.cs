using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.Inbox.Attachments;
using Microsoft.AspNetCore.Components.Forms;
using Chorus.Features.Realtime;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;
using MudBlazor.Extensions;

namespace Chorus.Features.Inbox.Pages;

/// One conversation: header, thread, composer and the actions an agent takes on it. Changes carry
/// the version the agent saw, so a concurrent edit becomes a clear conflict instead of an overwrite.
public partial class ConversationPage
{
    private static readonly TimeSpan TypingIdle = TimeSpan.FromSeconds(4);

    [Inject] private WorkScopes Work { get; set; } = default!;
    [Inject] private InboxEvents Events { get; set; } = default!;
    [Inject] private ConversationPresence Presence { get; set; } = default!;
    [Inject] private NavigationManager Nav { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ILogger<ConversationPage> Log { get; set; } = default!;
    [Inject] private AttachmentStore Store { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> Auth { get; set; } = default!;
    [CascadingParameter] private NotificationSignal? Notifications { get; set; }

    [Parameter] public long Number { get; set; }

    private readonly string sessionId = Guid.NewGuid().ToString("N");
    private StaffActor? actor;
    private bool canWork;
    private List<StaffView> staff = [];
    private List<TeamView> teams = [];

    private long? loadedNumber;
    private ConversationDetail? detail;
    private bool notFound;
    private DateTimeOffset now = DateTimeOffset.UtcNow;
    /// Set when someone else changed the fields shown in the header: they stay as the agent saw them
    /// (and so does the version sent with the next change) until the agent asks for the latest.
    private string? stale;
    private string? conflict;
    private int headerKey;
    private bool busy;

    private PostKind mode = PostKind.Reply;
    private ElementReference composerElement;
    private IJSObjectReference? composer;
    private long? composerFor;
    /// The composer's text as last reported by the browser (which owns it).
    private string composerText = "";
    private ConversationStatus? statusAfter;
    private bool sending;
    private string? newTag;
    private MudSelect<string>? assigneeSelect;
    private MudFileUpload<IReadOnlyList<IBrowserFile>>? upload;
    /// Why the last files picked were not added (too big, too many); shown under the composer.
    private string? fileError;

    private Guid? presenceId;
    private bool typing;
    private Timer? typingTimer;
    private readonly SemaphoreSlim gate = new(1, 1);
    private LiveRefresh? live;
    private DotNetObjectReference<ConversationPage>? selfRef;
    private IJSObjectReference? shortcuts;
    private string? focusAfterRender;

    protected override async Task OnInitializedAsync()
    {
        if (!RendererInfo.IsInteractive) return; // see Inbox: data loads once, on the live circuit
        try
        {
            await using var w = Work.Open();
            actor = await w.Get<ResolveStaffActor>().ForPrincipalAsync((await Auth).User);
            if (actor is null) return;
            canWork = actor.CanWork;
            staff = await w.Get<ManageStaff>().ListAsync();
            teams = (await w.Get<ManageTeams>().ListAsync()).Where(t => actor.CanSeeTeam(t.Id)).ToList();
        }
        catch (Exception e)
        {
            Fail("Could not open the conversation", e);
            return;
        }
        live = new LiveRefresh(InvokeAsync, RefreshLiveAsync);
        Events.Changed += OnInboxChanged;
        Presence.Changed += OnPresenceChanged;
    }

    protected override async Task OnParametersSetAsync()
    {
        if (actor is null || loadedNumber == Number) return;
        // Same component, another conversation (a link in a note, a notification): start afresh.
        LeavePresence();
        loadedNumber = Number;
        detail = null;
        notFound = false;
        stale = conflict = null;
        composerText = "";
        statusAfter = null;
        mode = PostKind.Reply;
        await gate.WaitAsync();
        try
        {
            await ReloadAsync();
        }
        finally
        {
            gate.Release();
        }
        if (detail is null) return;
        presenceId = detail.Summary.Id;
        Presence.Enter(presenceId.Value, sessionId, actor.Id, actor.Name);
        await MarkNotificationsReadAsync(detail.Summary.Id);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (actor is null) return;
        if (shortcuts is null)
        {
            selfRef = DotNetObjectReference.Create(this);
            shortcuts = await JS.InvokeAsync<IJSObjectReference>("chorus.registerShortcuts", selfRef, new[] { "r", "n", "e", "a" },
                new Dictionary<string, string> { ["r"] = "#composer-text", ["n"] = "#composer-text" });
        }
        // One composer binding per textarea: a new conversation (or the end of a merge) renders a new one.
        var composerShown = detail is not null && canWork && detail.MergedIntoId is null;
        if (composerFor != (composerShown ? Number : null))
        {
            await DetachComposerAsync();
            if (composerShown)
            {
                composer = await JS.InvokeAsync<IJSObjectReference>("chorus.attachComposer", composerElement, selfRef, DraftKey);
                composerFor = Number;
            }
        }
        if (focusAfterRender is { } selector)
        {
            focusAfterRender = null;
            await JS.InvokeVoidAsync("chorus.focus", selector);
        }
    }

    private async Task<ConversationDetail?> FetchAsync()
    {
        await using var w = Work.Open();
        var outcome = await w.Get<InboxQuery>().GetAsync(actor!, Number);
        notFound = outcome is Outcome<ConversationDetail>.NotFound;
        return outcome is Outcome<ConversationDetail>.Ok ok ? ok.Value : null;
    }

    /// Shows the conversation as it is now, header included. Callers hold the gate.
    private async Task ReloadAsync()
    {
        try
        {
            var fresh = await FetchAsync();
            detail = fresh;
            stale = null;
            now = DateTimeOffset.UtcNow;
            headerKey++;
        }
        catch (Exception e)
        {
            Fail("Could not load the conversation", e);
        }
    }

    private void OnInboxChanged(InboxChange change)
    {
        if (change.Number == loadedNumber || change.ConversationId == detail?.Summary.Id) live?.Request();
    }

    private void OnPresenceChanged(Guid conversationId)
    {
        if (conversationId == presenceId) _ = InvokeAsync(StateHasChanged);
    }

    /// Someone changed this conversation. New messages always appear. When the fields in the header
    /// are still what the agent sees, the page quietly moves to the new version; when someone changed
    /// them, the header keeps what the agent based their decisions on and a notice offers the latest.
    private async Task RefreshLiveAsync()
    {
        if (detail is null || actor is null) return;
        await gate.WaitAsync();
        try
        {
            var fresh = await FetchAsync();
            if (fresh is null || detail is null) { detail = fresh; return; }
            now = DateTimeOffset.UtcNow;
            if (fresh.MergedIntoId is not null)
            {
                // Merged away by someone else: its messages moved, so show where they went.
                detail = fresh;
                stale = null;
                headerKey++;
                return;
            }
            if (stale is null && SameFields(detail, fresh))
            {
                detail = fresh;
                return;
            }
            detail = detail with { Messages = fresh.Messages, FollowerIds = fresh.FollowerIds };
            var lastEvent = fresh.Messages.LastOrDefault(m => m.Kind == MessageKind.Event && m.AuthorStaffId != actor.Id);
            stale = "This conversation was changed after you opened it" + (lastEvent is null ? "." : $": {lastEvent.Text}");
        }
        catch (Exception e)
        {
            Log.LogWarning(e, "Live refresh of #{Number} failed", Number);
        }
        finally
        {
            gate.Release();
            StateHasChanged();
        }
    }

    private static bool SameFields(ConversationDetail a, ConversationDetail b) =>
        a.Summary.Status == b.Summary.Status && a.Summary.Priority == b.Summary.Priority && a.Summary.TeamId == b.Summary.TeamId
        && a.Summary.AssigneeId == b.Summary.AssigneeId && a.Summary.Tags.Order().SequenceEqual(b.Summary.Tags.Order())
        && a.MergedIntoId == b.MergedIntoId;

    private async Task ReloadFromNoticeAsync()
    {
        await gate.WaitAsync();
        try { await ReloadAsync(); }
        finally { gate.Release(); }
    }

    /// Every header change goes through here with the version on screen. On a conflict nothing was
    /// saved: the agent gets the service's explanation, the page shows the latest, the draft stays.
    private async Task UpdateAsync(ConversationChange change)
    {
        if (actor is null || detail is null || busy) return;
        busy = true;
        await gate.WaitAsync();
        try
        {
            await using (var w = Work.Open())
            {
                var outcome = await w.Get<UpdateConversation>().RunAsync(actor, Number, change with { ExpectedVersion = detail.Summary.Version });
                switch (outcome)
                {
                    case Outcome<int>.Ok:
                        conflict = null;
                        break;
                    case Outcome<int>.Conflict c:
                        conflict = c.Why;
                        Snackbar.Add(c.Why, Severity.Warning);
                        break;
                    default:
                        Snackbar.Add(outcome.Error ?? "The change was not saved.", Severity.Error);
                        break;
                }
            }
            await ReloadAsync();
        }
        catch (Exception e)
        {
            Fail("The change was not saved", e);
        }
        finally
        {
            busy = false;
            gate.Release();
        }
    }

    private async Task SendFromButtonAsync()
    {
        if (composer is null) return;
        await SendAsync(await composer.InvokeAsync<string>("value"));
    }

    /// Ctrl+Enter in the composer; the browser sends the text it has.
    [JSInvokable]
    public async Task SendFromKeyboard(string text)
    {
        await SendAsync(text);
        StateHasChanged();
    }

    private async Task SendAsync(string text)
    {
        if (actor is null || detail is null || sending || string.IsNullOrWhiteSpace(text)) return;
        sending = true;
        await gate.WaitAsync();
        try
        {
            Outcome<PostedMessage> outcome;
            var files = ChosenFiles.Select(f => new UploadedFile(f.Name, f.ContentType, f.Size, () => f.OpenReadStream(Store.MaxFileBytes))).ToList();
            await using (var w = Work.Open())
                outcome = await w.Get<PostMessage>().RunAsync(actor, Number, new StaffPost(mode, text, mode == PostKind.Reply ? statusAfter : null, files));
            if (outcome is Outcome<PostedMessage>.Ok)
            {
                if (upload is not null) await upload.ClearAsync();
                fileError = null;
                Snackbar.Add(mode == PostKind.Reply ? "Reply sent." : "Note added.", Severity.Success);
                if (composer is not null) await composer.InvokeVoidAsync("clear");
                composerText = "";
                statusAfter = null;
                StopTyping();
                await ReloadAsync();
            }
            else Snackbar.Add(outcome.Error ?? "Not sent.", Severity.Error); // the text stays in the box
        }
        catch (Exception e)
        {
            Fail("Not sent", e);
        }
        finally
        {
            sending = false;
            gate.Release();
        }
    }

    /// Files picked in the composer: kept while they fit the limits; the ones that do not are taken
    /// out again at once, with the reason under the composer (nothing is read before sending).
    private async Task OnFilesChosenAsync(IReadOnlyList<IBrowserFile>? files)
    {
        fileError = null;
        if (upload is null || files is null) return;
        var problems = new List<string>();
        foreach (var f in files.ToList())
        {
            if (f.Size > Store.MaxFileBytes)
                problems.Add($"{f.Name} is {AttachmentTypes.Size(f.Size)}; a file can be at most {AttachmentTypes.Size(Store.MaxFileBytes)}.");
            else if (ChosenFiles.TakeWhile(x => x != f).Count() >= PostMessage.MaxFiles)
                problems.Add($"{f.Name} was not added: at most {PostMessage.MaxFiles} files per message.");
            else if (ChosenFiles.TakeWhile(x => x != f).Sum(x => x.Size) + f.Size > Store.MaxTotalBytes)
                problems.Add($"{f.Name} was not added: together the files would be over {AttachmentTypes.Size(Store.MaxTotalBytes)}.");
            else continue;
            await upload.RemoveFileAsync(f);
        }
        if (problems.Count > 0) fileError = string.Join(" ", problems);
    }

    private IReadOnlyList<IBrowserFile> ChosenFiles => upload?.GetState(x => x.Files) ?? [];

    private async Task RemoveFileAsync(IBrowserFile file)
    {
        if (upload is not null) await upload.RemoveFileAsync(file);
        fileError = null;
    }

    [JSInvokable]
    public async Task OnShortcut(string key)
    {
        if (detail is null || !canWork || detail.MergedIntoId is not null) return;
        switch (key)
        {
            case "r": SetMode(PostKind.Reply); break;
            case "n": SetMode(PostKind.Note); break;
            case "e" when detail.Summary.Status is not (ConversationStatus.Solved or ConversationStatus.Closed):
                await UpdateAsync(new ConversationChange { Status = ConversationStatus.Solved });
                break;
            case "a" when assigneeSelect is not null && !busy:
                await assigneeSelect.OpenMenu();
                break;
        }
        StateHasChanged();
    }

    /// Per person and conversation, so a shared browser never shows one agent's draft to another.
    private string DraftKey => $"chorus-draft-{actor?.Id}-{Number}";

    private async Task DetachComposerAsync()
    {
        if (composer is null) return;
        var old = composer;
        composer = null;
        composerFor = null;
        try { await old.InvokeVoidAsync("dispose"); await old.DisposeAsync(); }
        catch (Exception e) when (e is JSDisconnectedException or TaskCanceledException) { /* the browser is already gone */ }
    }

    private void SetMode(PostKind kind)
    {
        mode = kind;
        focusAfterRender = "#composer-text";
    }

    private async Task MergeAsync()
    {
        if (actor is null || detail is null) return;
        var parameters = new DialogParameters<MergeDialog> { { d => d.Source, Number }, { d => d.Actor, actor } };
        var dialog = await Dialogs.ShowAsync<MergeDialog>("Merge", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is not { Canceled: false, Data: long target }) return;
        try
        {
            await using var w = Work.Open();
            var outcome = await w.Get<MergeConversations>().RunAsync(actor, Number, target);
            if (outcome is Outcome<long>.Ok ok)
            {
                Snackbar.Add($"Merged #{Number} into #{ok.Value}.", Severity.Success);
                Nav.NavigateTo($"/conversations/{ok.Value}");
            }
            else Snackbar.Add(outcome.Error ?? "Not merged.", Severity.Error);
        }
        catch (Exception e)
        {
            Fail("Not merged", e);
        }
    }

    private Task OnTagKeyDown(KeyboardEventArgs e)
    {
        var tag = newTag?.Trim();
        if (e.Key != "Enter" || string.IsNullOrEmpty(tag)) return Task.CompletedTask;
        newTag = null;
        return UpdateAsync(new ConversationChange { AddTags = [tag] });
    }

    /// The browser reports the composer's text as it changes (debounced). Typing shows to colleagues
    /// in this conversation and ends a few seconds after the last report.
    [JSInvokable]
    public void OnComposerInput(string text, bool typed)
    {
        composerText = text;
        StateHasChanged();
        if (string.IsNullOrWhiteSpace(text)) { StopTyping(); return; }
        if (!typed || presenceId is not { } id) return; // a restored draft is not typing
        if (!typing)
        {
            typing = true;
            Presence.SetTyping(id, sessionId, true);
        }
        typingTimer ??= new Timer(_ => InvokeAsync(StopTyping));
        typingTimer.Change(TypingIdle, Timeout.InfiniteTimeSpan);
    }

    private void StopTyping()
    {
        if (!typing || presenceId is not { } id) return;
        typing = false;
        Presence.SetTyping(id, sessionId, false);
    }

    private void LeavePresence()
    {
        if (presenceId is { } id) Presence.Leave(id, sessionId);
        presenceId = null;
        typing = false;
    }

    private async Task MarkNotificationsReadAsync(Guid conversationId)
    {
        try
        {
            await using var w = Work.Open();
            await w.Get<ListNotifications>().MarkReadAsync(actor!, conversationId);
            Notifications?.Raise();
        }
        catch (Exception e)
        {
            Log.LogWarning(e, "Could not mark notifications of #{Number} read", Number);
        }
    }

    /// Colleagues here now, one entry per person (several tabs count once), typing wins.
    private IEnumerable<(string Name, bool Typing)> OtherViewers => presenceId is { } id
        ? Presence.Viewers(id).Where(v => v.StaffUserId != actor?.Id).GroupBy(v => v.StaffUserId)
            .Select(g => (g.First().Name, g.Any(v => v.Typing))).OrderBy(v => v.Name)
        : [];

    private IEnumerable<StaffView> AssigneeOptions(ConversationSummary c) =>
        staff.Where(s => s.Role != Roles.Viewer)
            .OrderByDescending(s => c.TeamId is { } t && s.TeamIds.Contains(t)) // the owning team's people first
            .ThenBy(s => s.DisplayName);

    /// What PostMessage does with a reply when no status is picked.
    private ConversationStatus DefaultStatusAfter =>
        detail?.Summary.Status is ConversationStatus.New or ConversationStatus.Open or null ? ConversationStatus.Pending : detail.Summary.Status;

    private IEnumerable<ConversationStatus> StatusAfterOptions =>
        new[] { ConversationStatus.Open, ConversationStatus.Pending, ConversationStatus.OnHold, ConversationStatus.Solved, DefaultStatusAfter }.Distinct().Order();

    /// `@ma` at the end of a note suggests colleagues; picking one writes the handle PostMessage resolves.
    private List<StaffView>? MentionSuggestions
    {
        get
        {
            if (mode != PostKind.Note || MentionAtEnd().Match(composerText) is not { Success: true } m) return null;
            var typed = m.Groups[1].Value;
            return staff.Where(s => s.Id != actor?.Id && (MentionHandle(s).StartsWith(typed, StringComparison.OrdinalIgnoreCase)
                    || s.DisplayName.StartsWith(typed, StringComparison.OrdinalIgnoreCase)))
                .OrderBy(s => s.DisplayName).Take(6).ToList();
        }
    }

    private static string MentionHandle(StaffView s) => s.Email.Split('@')[0];

    private async Task InsertMentionAsync(StaffView s)
    {
        if (composer is not null) await composer.InvokeVoidAsync("completeMention", MentionHandle(s));
    }

    [GeneratedRegex(@"(?<![\w@])@([A-Za-z][A-Za-z0-9._-]{0,63})?$")]
    private static partial Regex MentionAtEnd();

    private void Fail(string what, Exception e)
    {
        Log.LogError(e, "{What} (#{Number})", what, Number);
        Snackbar.Add($"{what}: {e.Message}", Severity.Error);
    }

    public async ValueTask DisposeAsync()
    {
        Events.Changed -= OnInboxChanged;
        Presence.Changed -= OnPresenceChanged;
        LeavePresence();
        live?.Dispose();
        if (typingTimer is not null) await typingTimer.DisposeAsync();
        await DetachComposerAsync();
        try
        {
            if (shortcuts is not null) { await shortcuts.InvokeVoidAsync("dispose"); await shortcuts.DisposeAsync(); }
        }
        catch (Exception e) when (e is JSDisconnectedException or TaskCanceledException) { /* the browser is already gone */ }
        selfRef?.Dispose();
        // The gate is not disposed: an action still finishing after the page closed releases it.
    }
}
