using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Chorus.Features.Newsletter;

/// The token in a newsletter's unsubscribe link: the person and the newsletter channel, encrypted and
/// signed with the workspace's keys. Unforgeable, needs nothing stored, works on every node.
public sealed class UnsubscribeTokens(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Chorus.Newsletter.Unsubscribe.v1");

    public string For(Guid personId, Guid channelId) =>
        WebEncoders.Base64UrlEncode(_protector.Protect([.. personId.ToByteArray(), .. channelId.ToByteArray()]));

    /// The person and channel a token names, or null for anything this server did not make.
    public (Guid PersonId, Guid ChannelId)? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 400) return null;
        try
        {
            var bytes = _protector.Unprotect(WebEncoders.Base64UrlDecode(token));
            return bytes.Length == 32 ? (new Guid(bytes.AsSpan(0, 16)), new Guid(bytes.AsSpan(16, 16))) : null;
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
