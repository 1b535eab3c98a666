using Chorus.Features.Realtime;

namespace Chorus.Features.Listening;

public enum ListeningChangeKind { Mentions, Alert, Sources }

/// What changed in listening: new mentions for some monitors, a new alert, a source's status.
public sealed record ListeningChange(ListeningChangeKind Kind, IReadOnlyList<Guid> MonitorIds);

/// Listening changes (new mentions for monitors, an alert, a source's status), so charts, streams and alerts update
/// live on every node's pages.
public sealed class ListeningEvents(ClusterRelay relay) : RelayedEvents<ListeningChange>(relay, "listening");
