using Chorus.Features.Realtime;

namespace Chorus.Features.Listening;

public enum ListeningChangeKind { Mentions, Alert, Sources }

/// What changed in listening: new mentions for some monitors, a new alert, a source's status.
public sealed record ListeningChange(ListeningChangeKind Kind, IReadOnlyList<Guid> MonitorIds);

/// Fan-out of listening changes to this node's open pages, so charts, streams and alerts update live; with several
/// nodes, ClusterRelay carries them to the others' pages too (a source polled on one node, an agent on another).
public sealed class ListeningEvents
{
    private const string Topic = "listening";
    private readonly ClusterRelay _relay;

    public ListeningEvents(ClusterRelay relay)
    {
        _relay = relay;
        relay.Carry<ListeningChange>(Topic, Deliver);
    }

    public event Action<ListeningChange>? Changed;

    public void Publish(ListeningChange change)
    {
        Deliver(change);
        _relay.Relay(Topic, change);
    }

    /// A change made here or on another node: shown to this node's pages.
    public void Deliver(ListeningChange change)
    {
        foreach (var handler in Changed?.GetInvocationList() ?? [])
        {
            try { ((Action<ListeningChange>)handler)(change); }
            catch { /* a closed circuit must not stop the others */ }
        }
    }
}
