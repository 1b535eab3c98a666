using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Campaigns;

public enum PublishingChannelKind
{
    /// A Mastodon account: POST {base URL}/api/v1/statuses with its access token.
    Mastodon,
    /// A Discord incoming webhook: {"content": ...}.
    Discord,
    /// A Slack (or Mattermost, Rocket.Chat) incoming webhook: {"text": ...}.
    Slack,
    /// Chorus's own newsroom/blog at /newsroom, with RSS.
    Newsroom,
    /// An e-mail newsletter: one mail to each person of a saved list, from a mailbox, with a one-click unsubscribe (Features/Newsletter).
    Newsletter,
}

/// Where posts are published. Secrets (a Mastodon token, a webhook URL, which is itself the
/// credential) are protected at rest and never returned by the API.
public class PublishingChannel
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public PublishingChannelKind Kind { get; set; }
    /// Mastodon: the instance's base URL, e.g. https://mastodon.social. Unused otherwise.
    public string? BaseUrl { get; set; }
    /// Mastodon: the access token; Discord and Slack: the webhook URL. Protected with Data Protection.
    public string? ProtectedSecret { get; set; }
    /// The longest post this channel takes, in characters as the channel counts them.
    public int MaxLength { get; set; }
    /// Newsletter: the mailbox (its channel id) it is sent from; replies arrive there as conversations.
    public Guid? MailboxId { get; set; }
    /// Newsletter: the saved list of people (People → Lists) it goes to.
    public Guid? PersonListId { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public static int DefaultMaxLength(PublishingChannelKind kind) => kind switch
    {
        PublishingChannelKind.Mastodon => 500,    // Mastodon's default instance limit
        PublishingChannelKind.Discord => 2000,    // Discord's message content limit
        PublishingChannelKind.Slack => 4000,      // Slack's advice for a readable message
        _ => Post.MaxBody,
    };
}

internal sealed class PublishingChannelConfiguration : IEntityTypeConfiguration<PublishingChannel>
{
    public void Configure(EntityTypeBuilder<PublishingChannel> e)
    {
        e.ToTable("PublishingChannels");
        e.Property(c => c.Name).HasMaxLength(100);
        e.HasIndex(c => c.Name).IsUnique();
        e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
        e.Property(c => c.BaseUrl).HasMaxLength(500);
        e.Property(c => c.ProtectedSecret).HasMaxLength(4000);
    }
}
