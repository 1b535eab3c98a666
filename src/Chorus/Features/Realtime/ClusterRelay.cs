using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Chorus.Features.Realtime;

/// Carries realtime between Chorus nodes through Redis pub/sub: inbox changes and who is viewing or
/// typing in which conversation. Each staff circuit lives on one node (Blazor Server), so a SignalR
/// backplane would not reach it; the relay hands other nodes' changes to this node's InboxEvents and
/// ConversationPresence instead. Without Redis configured it does nothing (one node). When Redis is
/// unreachable each node keeps its own realtime, and the relay resumes when Redis returns
/// (StackExchange.Redis reconnects and re-subscribes by itself).
public sealed class ClusterRelay(IConfiguration config, InboxEvents inbox, ConversationPresence presence, ILogger<ClusterRelay> log)
    : BackgroundService
{
    private const string InboxChannel = "chorus:inbox", PresenceChannel = "chorus:presence", TopicsChannel = "chorus:topics";
    private static readonly TimeSpan Reannounce = TimeSpan.FromSeconds(30);

    /// This process, so it can ignore its own messages coming back.
    public string Node { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    private ConnectionMultiplexer? _redis;
    private readonly ConcurrentDictionary<string, Action<string>> _topics = new();
    private string? _lastError;
    private DateTimeOffset _lastErrorLogged;

    public bool Configured => !string.IsNullOrWhiteSpace(config["Redis"]);

    /// For /health/ready: "single-node", "cluster", or node-local with the reason.
    public (string State, string? Error) State() =>
        !Configured ? ("single-node", null)
        : _redis?.IsConnected == true ? ("cluster", null)
        : ("node-local", _lastError ?? "connecting to Redis");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Configured) return;
        var options = ConfigurationOptions.Parse(config["Redis"]!);
        options.AbortOnConnectFail = false; // start (and serve) without Redis; connect when it comes up
        options.ClientName = "chorus-" + Node;
        _redis = await ConnectionMultiplexer.ConnectAsync(options);
        _redis.ConnectionFailed += (_, e) => Failed(e.Exception?.GetBaseException().Message ?? e.FailureType.ToString());
        _redis.ConnectionRestored += (_, _) => { _lastError = null; log.LogInformation("Redis is back: realtime reaches every node again"); };

        var subscriber = _redis.GetSubscriber();
        await subscriber.SubscribeAsync(RedisChannel.Literal(InboxChannel), (_, value) => Receive(value, m =>
            inbox.Deliver(new InboxChange(m.ConversationId, m.Number, m.TeamId, m.Kind))));
        await subscriber.SubscribeAsync(RedisChannel.Literal(PresenceChannel), (_, value) => Receive(value, m =>
            presence.ApplyRemote(m.Node, m.ConversationId, m.Viewers ?? [])));
        await subscriber.SubscribeAsync(RedisChannel.Literal(TopicsChannel), (_, value) => ReceiveTopic(value));

        inbox.PublishedHere += change => Send(InboxChannel,
            new RelayMessage(Node, change.ConversationId, change.Number, change.TeamId, change.Kind, null));
        presence.ChangedHere += (conversationId, viewers) => Send(PresenceChannel,
            new RelayMessage(Node, conversationId, 0, null, InboxChangeKind.Updated, viewers));

        // Announcements expire on the other nodes, so a node that dies takes its viewers with it: re-announce the living.
        using var timer = new PeriodicTimer(Reannounce);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            foreach (var (conversation, viewers) in presence.Here())
                Send(PresenceChannel, new RelayMessage(Node, conversation, 0, null, InboxChangeKind.Updated, viewers));
    }

    private void Send(string channel, object message)
    {
        if (_redis is null) return;
        try
        {
            _redis.GetSubscriber().Publish(RedisChannel.Literal(channel), JsonSerializer.Serialize(message), CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            Failed(e.Message);
        }
    }

    private void Receive(RedisValue value, Action<RelayMessage> apply)
    {
        try
        {
            var message = JsonSerializer.Deserialize<RelayMessage>(value.ToString());
            if (message is not null && message.Node != Node) apply(message);
        }
        catch (JsonException e)
        {
            log.LogWarning("Ignored a realtime message Chorus cannot read: {Error}", e.Message);
        }
    }

    /// Another feature's realtime (listening, incidents …): its changes made here go to the other nodes under
    /// <paramref name="topic"/>, and theirs are handed to <paramref name="deliver"/> (never this node's own, coming back).
    public void Carry<T>(string topic, Action<T> deliver) => _topics[topic] = json =>
    {
        if (JsonSerializer.Deserialize<T>(json) is { } message) deliver(message);
    };

    /// Tells the other nodes about a change of a topic made here; nothing without Redis (one node).
    public void Relay<T>(string topic, T message)
    {
        if (_redis is not null) Send(TopicsChannel, new TopicMessage(Node, topic, JsonSerializer.Serialize(message)));
    }

    private void ReceiveTopic(RedisValue value)
    {
        try
        {
            var message = JsonSerializer.Deserialize<TopicMessage>(value.ToString());
            if (message is not null && message.Node != Node && _topics.TryGetValue(message.Topic, out var deliver)) deliver(message.Json);
        }
        catch (JsonException e)
        {
            log.LogWarning("Ignored a realtime message Chorus cannot read: {Error}", e.Message);
        }
    }

    private void Failed(string error)
    {
        _lastError = error;
        // Once a minute is enough to say realtime is node-local; Redis may be down for a while.
        if (DateTimeOffset.UtcNow - _lastErrorLogged < TimeSpan.FromMinutes(1)) return;
        _lastErrorLogged = DateTimeOffset.UtcNow;
        log.LogWarning("Redis unreachable ({Error}): realtime stays on this node until it returns", error);
    }

    public override void Dispose()
    {
        _redis?.Dispose();
        base.Dispose();
    }

    private sealed record TopicMessage(string Node, string Topic, string Json);

    private sealed record RelayMessage(string Node, Guid ConversationId, long Number, Guid? TeamId, InboxChangeKind Kind,
        IReadOnlyList<ConversationPresence.Viewer>? Viewers);
}

public static class RealtimeFeature
{
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<InboxEvents>();
        services.AddSingleton<ConversationPresence>();
        services.AddSingleton<ClusterRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterRelay>());
        return services;
    }
}
