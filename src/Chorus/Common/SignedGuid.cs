using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Chorus.Common;

/// An id turned into a URL-safe token, encrypted and signed with the workspace's Data Protection keys for
/// one purpose: unguessable, unforgeable, needs no stored secret, and works on every node sharing the key ring.
public sealed class SignedGuid(IDataProtectionProvider protection, string purpose)
{
    private readonly IDataProtector _protector = protection.CreateProtector(purpose);

    public string TokenFor(Guid id) => WebEncoders.Base64UrlEncode(_protector.Protect(id.ToByteArray()));

    /// The id a token carries, or null for anything not made by <see cref="TokenFor"/> for this purpose.
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
