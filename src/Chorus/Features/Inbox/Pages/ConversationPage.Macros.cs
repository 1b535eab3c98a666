using Chorus.Common;
using Chorus.Features.Automation;
using Chorus.Features.Automation.Pages;
using Chorus.Features.Inbox.Actions;
using Microsoft.JSInterop;
using MudBlazor;

namespace Chorus.Features.Inbox.Pages;

public partial class ConversationPage
{
    /// Ctrl+M in the composer (or the Macros button): pick a macro, apply its actions, put its reply in the composer.
    [JSInvokable]
    public Task OpenMacroPicker() => InvokeAsync(OpenMacroPickerAsync);

    private async Task OpenMacroPickerAsync()
    {
        if (actor is null || !canWork || detail is null) return;
        List<MacroView> macros;
        await using (var w = Work.Open()) macros = await w.Get<ManageMacros>().ListAsync();
        var dialog = await Dialogs.ShowAsync<MacroPicker>("Apply a macro", new DialogParameters<MacroPicker> { { p => p.Macros, macros } },
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true });
        if (await dialog.Result is not { Canceled: false, Data: MacroView macro }) return;

        await gate.WaitAsync();
        try
        {
            Outcome<MacroApplied> outcome;
            await using (var w = Work.Open()) outcome = await w.Get<ManageMacros>().ApplyAsync(actor, Number, macro.Id, sendReply: false);
            if (outcome is not Outcome<MacroApplied>.Ok { Value: var applied })
            {
                Snackbar.Add(outcome.Error ?? "Could not apply the macro.", Severity.Error);
                return;
            }
            if (applied.Text.Length > 0)
            {
                mode = PostKind.Reply;
                StateHasChanged();
                if (composer is not null) await composer.InvokeVoidAsync("insert", applied.Text);
            }
            Snackbar.Add(applied.Text.Length > 0
                ? $"Macro {macro.Name} applied{(applied.Changes > 0 ? $" ({applied.Changes} change{(applied.Changes == 1 ? "" : "s")})" : "")}: its reply is in the composer, review it and send."
                : $"Macro {macro.Name} applied.", Severity.Success);
            await ReloadAsync();
        }
        catch (Exception e)
        {
            Fail("Could not apply the macro", e);
        }
        finally
        {
            gate.Release();
        }
    }
}
