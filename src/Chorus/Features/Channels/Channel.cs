namespace Chorus.Features.Channels;

/// A configured source or destination of conversations.
public class Channel
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public ChannelKind Kind { get; set; }
    public string Name { get; set; } = "";
    public Guid? DefaultTeamId { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

public enum ChannelKind { WebForm, Api, Email, Forum, Rss, Reddit, HackerNews, Mastodon, Webhook }

public static class ChannelKinds
{
    /// Which identity kind an author on this channel has by default.
    public static People.IdentityKind DefaultIdentityKind(ChannelKind kind) => kind switch
    {
        ChannelKind.WebForm or ChannelKind.Email => People.IdentityKind.Email,
        ChannelKind.Reddit => People.IdentityKind.Reddit,
        ChannelKind.HackerNews => People.IdentityKind.HackerNews,
        ChannelKind.Mastodon => People.IdentityKind.Mastodon,
        ChannelKind.Forum => People.IdentityKind.Forum,
        _ => People.IdentityKind.External,
    };
}
