namespace Chorus.Features.Listening;

public enum ListeningChangeKind { Mentions, Alert, Sources }

/// What changed in listening: new mentions for some monitors, a new alert, a source's status.
public sealed record ListeningChange(ListeningChangeKind Kind, IReadOnlyList<Guid> MonitorIds);

/// Fan-out of listening changes to this node's open pages, so charts, streams and alerts update live.
public sealed class ListeningEvents
{
    public event Action<ListeningChange>? Changed;

    public void Publish(ListeningChange change)
    {
        foreach (var handler in Changed?.GetInvocationList() ?? [])
        {
            try { ((Action<ListeningChange>)handler)(change); }
            catch { /* a closed circuit must not stop the others */ }
        }
    }
}
