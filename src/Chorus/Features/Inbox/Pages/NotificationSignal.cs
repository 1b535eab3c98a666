namespace Chorus.Features.Inbox.Pages;

/// Per-circuit nudge from a page to the notification bell: "I just marked notifications read".
/// Created by the layout and cascaded to its pages, so no page needs to know about the bell.
public sealed class NotificationSignal
{
    public event Action? Changed;

    public void Raise() => Changed?.Invoke();
}
