using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.JSInterop;

namespace Chorus.Components;

/// After a navigation to another page, moves focus to its heading so a screen reader announces the new
/// page, as the framework's FocusOnNavigate does, but never out of a field the person is already typing
/// in. The focus call can land late (a busy circuit; a page that renders its heading after loading), and
/// FocusOnNavigate then took the composer's focus after its first key, so the next "r" ran the reply shortcut.
/// Static pages (sign-in, the web form) keep the framework's component, which works without a circuit.
public sealed class FocusHeadingOnNavigate : ComponentBase
{
    private Type? _page;
    private bool _focusAfterRender;

    [Inject] private IJSRuntime JS { get; set; } = default!;

    [Parameter, EditorRequired] public Microsoft.AspNetCore.Components.RouteData RouteData { get; set; } = default!;

    [Parameter] public string Selector { get; set; } = "h1";

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (RendererInfo.IsInteractive) return;
        builder.OpenComponent<FocusOnNavigate>(0);
        builder.AddComponentParameter(1, nameof(FocusOnNavigate.RouteData), RouteData);
        builder.AddComponentParameter(2, nameof(FocusOnNavigate.Selector), Selector);
        builder.CloseComponent();
    }

    protected override void OnParametersSet()
    {
        if (RouteData.PageType == _page) return;
        _page = RouteData.PageType;
        _focusAfterRender = true;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_focusAfterRender || !RendererInfo.IsInteractive) return;
        _focusAfterRender = false;
        try { await JS.InvokeVoidAsync("chorus.focusHeading", Selector); }
        catch (JSDisconnectedException) { /* the page is already gone */ }
    }
}
