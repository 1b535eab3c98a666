namespace Chorus.Features.Realtime;

public enum InboxChangeKind { Created, Updated }

public sealed record InboxChange(Guid ConversationId, long Number, Guid? TeamId, InboxChangeKind Kind);

/// Fan-out of inbox changes to every open staff circuit (each Blazor circuit is itself a SignalR
/// connection, so subscribers re-render live). Past one node, ClusterRelay carries the changes made
/// here to the other nodes (PublishedHere) and hands theirs in (Deliver).
public sealed class InboxEvents
{
    public event Action<InboxChange>? Changed;

    /// Changes made on this node, for the relay to tell the other nodes.
    public event Action<InboxChange>? PublishedHere;

    public void Publish(InboxChange change)
    {
        Deliver(change);
        try { PublishedHere?.Invoke(change); } catch { /* the relay logs its own failures; realtime here goes on */ }
    }

    /// A change made on another node: shown to this node's circuits, not sent back.
    public void Deliver(InboxChange change)
    {
        foreach (var handler in Changed?.GetInvocationList() ?? [])
        {
            try { ((Action<InboxChange>)handler)(change); }
            catch { /* a broken subscriber (a closed circuit) must not stop the others */ }
        }
    }
}

/// Who is looking at, or typing in, which conversation right now — on this node (sessions) and on the
/// others (as last announced through ClusterRelay; an announcement older than RemoteLifetime is
/// forgotten, so a node that dies takes its viewers with it).
public sealed class ConversationPresence(TimeProvider clock)
{
    public static readonly TimeSpan RemoteLifetime = TimeSpan.FromSeconds(90);

    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Dictionary<string, Viewer>> _byConversation = [];
    private readonly Dictionary<(string Node, Guid Conversation), (IReadOnlyList<Viewer> Viewers, DateTimeOffset At)> _remote = [];

    public sealed record Viewer(string SessionId, string StaffUserId, string Name, bool Typing);

    public event Action<Guid>? Changed;

    /// A conversation's viewers on this node changed: for the relay to announce them.
    public event Action<Guid, IReadOnlyList<Viewer>>? ChangedHere;

    public void Enter(Guid conversationId, string sessionId, string staffUserId, string name) =>
        Update(conversationId, sessions => sessions[sessionId] = new Viewer(sessionId, staffUserId, name, false));

    public void SetTyping(Guid conversationId, string sessionId, bool typing) =>
        Update(conversationId, sessions =>
        {
            if (sessions.TryGetValue(sessionId, out var v) && v.Typing != typing) sessions[sessionId] = v with { Typing = typing };
        });

    public void Leave(Guid conversationId, string sessionId) => Update(conversationId, sessions => sessions.Remove(sessionId));

    public IReadOnlyList<Viewer> Viewers(Guid conversationId)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            var here = _byConversation.TryGetValue(conversationId, out var s) ? s.Values.ToList() : [];
            return here.Concat(_remote.Where(r => r.Key.Conversation == conversationId && now - r.Value.At < RemoteLifetime)
                    .SelectMany(r => r.Value.Viewers))
                .ToList();
        }
    }

    /// This node's viewers of every conversation someone is viewing here (what the relay re-announces).
    public IReadOnlyList<(Guid Conversation, IReadOnlyList<Viewer> Viewers)> Here()
    {
        lock (_lock)
            return _byConversation.Select(c => (c.Key, (IReadOnlyList<Viewer>)c.Value.Values.ToList())).ToList();
    }

    /// Another node's announcement of who views a conversation there.
    public void ApplyRemote(string node, Guid conversationId, IReadOnlyList<Viewer> viewers)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (viewers.Count == 0) _remote.Remove((node, conversationId));
            else _remote[(node, conversationId)] = (viewers, now);
            foreach (var stale in _remote.Where(r => now - r.Value.At >= RemoteLifetime).Select(r => r.Key).ToList()) _remote.Remove(stale);
        }
        try { Changed?.Invoke(conversationId); } catch { /* see InboxEvents.Deliver */ }
    }

    private void Update(Guid conversationId, Action<Dictionary<string, Viewer>> change)
    {
        IReadOnlyList<Viewer> now;
        lock (_lock)
        {
            if (!_byConversation.TryGetValue(conversationId, out var sessions))
                _byConversation[conversationId] = sessions = [];
            change(sessions);
            now = sessions.Values.ToList();
            if (sessions.Count == 0) _byConversation.Remove(conversationId);
        }
        try { Changed?.Invoke(conversationId); } catch { /* see InboxEvents.Deliver */ }
        try { ChangedHere?.Invoke(conversationId, now); } catch { /* the relay logs its own failures */ }
    }
}
