using Chorus.Common;
using Chorus.Data;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Chorus.Features.Admin.Pages;

/// Base of the interactive staff pages. A circuit outlives any DbContext, so every operation opens its
/// own work scope and resolves the signed-in staff member inside it (a role change applies at once).
public abstract class StaffPageBase : ComponentBase
{
    [Inject] protected WorkScopes Work { get; set; } = default!;
    [Inject] protected ISnackbar Snackbar { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> Auth { get; set; } = default!;

    protected async Task<StaffActor> ActorAsync(WorkScope w) =>
        await w.Get<ResolveStaffActor>().ForPrincipalAsync((await Auth).User)
        ?? throw new InvalidOperationException("The signed-in user is no longer a staff user.");

    /// Shows a failed outcome's message; returns whether the outcome succeeded.
    protected bool Report<T>(Outcome<T> outcome)
    {
        if (outcome.Error is { } error) Snackbar.Add(error, Severity.Error);
        return outcome is Outcome<T>.Ok;
    }
}
