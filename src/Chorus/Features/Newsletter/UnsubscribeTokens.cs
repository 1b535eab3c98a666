using Chorus.Common;
using Microsoft.AspNetCore.DataProtection;

namespace Chorus.Features.Newsletter;

/// The token in a newsletter's unsubscribe link: the person and the newsletter channel, signed with the
/// workspace's keys (see SignedGuid). Unforgeable, needs nothing stored, works on every node.
public sealed class UnsubscribeTokens(IDataProtectionProvider protection)
{
    private readonly SignedGuid _ids = new(protection, "Chorus.Newsletter.Unsubscribe.v1");

    public string For(Guid personId, Guid channelId) => _ids.TokenFor(personId, channelId);

    /// The person and channel a token names, or null for anything this server did not make.
    public (Guid PersonId, Guid ChannelId)? Read(string? token) => _ids.ResolvePair(token);
}
