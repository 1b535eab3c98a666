namespace Chorus.Features.Realtime;

/// A feature's live changes (listening, incidents …): handed to this node's open pages, and through ClusterRelay to
/// the other nodes' pages, whose own changes come back the same way (a source polled on one node, an agent on another).
public abstract class RelayedEvents<T>
{
    private readonly ClusterRelay _relay;
    private readonly string _topic;

    protected RelayedEvents(ClusterRelay relay, string topic)
    {
        _relay = relay;
        _topic = topic;
        relay.Carry<T>(topic, Deliver);
    }

    public event Action<T>? Changed;

    /// A change made on this node: shown here and relayed to the others.
    public void Publish(T change)
    {
        Deliver(change);
        _relay.Relay(_topic, change);
    }

    private void Deliver(T change)
    {
        foreach (var handler in Changed?.GetInvocationList() ?? [])
        {
            try { ((Action<T>)handler)(change); }
            catch { /* a closed circuit must not stop the others */ }
        }
    }
}
