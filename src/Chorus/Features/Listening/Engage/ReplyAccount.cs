using Chorus.Features.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Chorus.Features.Listening.Engage;

/// The account a reddit or Mastodon source answers with: reddit's OAuth app (client id and secret, and the
/// reddit user the replies are posted as), or a Mastodon access token. Secrets are stored protected with the
/// workspace's Data Protection keys and never shown again.
public class ReplyAccount
{
    public Guid ChannelId { get; set; }
    /// reddit: the OAuth app's client id (not secret). Mastodon: unused.
    public string? ClientId { get; set; }
    /// reddit: the user the replies are posted as (password grant); Mastodon: the account's name, as shown to staff.
    public string? Username { get; set; }
    /// JSON of <see cref="ReplySecrets"/>, protected.
    public string SecretsProtected { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
}

/// What a reply account keeps secret: reddit's client secret and the user's password, or Mastodon's access token.
public sealed record ReplySecrets(string? ClientSecret, string? Password, string? AccessToken);

internal sealed class ReplyAccountConfiguration : IEntityTypeConfiguration<ReplyAccount>
{
    public void Configure(EntityTypeBuilder<ReplyAccount> e)
    {
        e.ToTable("ReplyAccounts");
        e.HasKey(a => a.ChannelId);
        e.HasOne<Channel>().WithOne().HasForeignKey<ReplyAccount>(a => a.ChannelId).OnDelete(DeleteBehavior.Cascade);
        e.Property(a => a.ClientId).HasMaxLength(200);
        e.Property(a => a.Username).HasMaxLength(200);
        e.Property(a => a.SecretsProtected).HasMaxLength(4000);
    }
}
