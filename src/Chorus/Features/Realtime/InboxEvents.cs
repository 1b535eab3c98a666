namespace Chorus.Features.Realtime;

public enum InboxChangeKind { Created, Updated }

public sealed record InboxChange(Guid ConversationId, long Number, Guid? TeamId, InboxChangeKind Kind);

/// In-process fan-out of inbox changes to every open staff circuit (each Blazor circuit is itself a
/// SignalR connection, so subscribers re-render live). Past one node, a Redis-backed relay publishes here.
public sealed class InboxEvents
{
    public event Action<InboxChange>? Changed;

    public void Publish(InboxChange change)
    {
        foreach (var handler in Changed?.GetInvocationList() ?? [])
        {
            try { ((Action<InboxChange>)handler)(change); }
            catch { /* a broken subscriber (a closed circuit) must not stop the others */ }
        }
    }
}

/// Who is looking at, or typing in, which conversation right now.
public sealed class ConversationPresence
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Dictionary<string, Viewer>> _byConversation = [];

    public sealed record Viewer(string SessionId, string StaffUserId, string Name, bool Typing);

    public event Action<Guid>? Changed;

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
        lock (_lock)
            return _byConversation.TryGetValue(conversationId, out var s) ? s.Values.ToList() : [];
    }

    private void Update(Guid conversationId, Action<Dictionary<string, Viewer>> change)
    {
        lock (_lock)
        {
            if (!_byConversation.TryGetValue(conversationId, out var sessions))
                _byConversation[conversationId] = sessions = [];
            change(sessions);
            if (sessions.Count == 0) _byConversation.Remove(conversationId);
        }
        try { Changed?.Invoke(conversationId); } catch { /* see InboxEvents.Publish */ }
    }
}
