using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Chorus.Features.Channels.WebForm;

/// The requester's private link to follow and answer their conversation: the conversation id,
/// encrypted and signed with the workspace's Data Protection keys. Unguessable, unforgeable,
/// needs no stored secret, and works on every node that shares the key ring.
public sealed class RequesterLinks(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Chorus.RequesterLink.v1");

    public string TokenFor(Guid conversationId) => WebEncoders.Base64UrlEncode(_protector.Protect(conversationId.ToByteArray()));

    public string PathFor(Guid conversationId) => "/requests/" + TokenFor(conversationId);

    public Guid? Resolve(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 400) return null;
        try
        {
            var bytes = _protector.Unprotect(WebEncoders.Base64UrlDecode(token));
            return bytes.Length == 16 ? new Guid(bytes) : null;
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
