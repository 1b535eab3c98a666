using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Chorus.Common;

/// An id turned into a URL-safe token, encrypted and signed with the workspace's Data Protection keys for
/// one purpose: unguessable, unforgeable, needs no stored secret, and works on every node sharing the key ring.
public sealed class SignedGuid(IDataProtectionProvider protection, string purpose)
{
    private readonly IDataProtector _protector = protection.CreateProtector(purpose);

    public string TokenFor(Guid id) => Encode(id.ToByteArray());

    /// A token for two ids at once (e.g. a person and a channel).
    public string TokenFor(Guid first, Guid second) => Encode([.. first.ToByteArray(), .. second.ToByteArray()]);

    /// The id a token carries, or null for anything not made by <see cref="TokenFor(Guid)"/> for this purpose.
    public Guid? Resolve(string? token) => Decode(token) is { Length: 16 } bytes ? new Guid(bytes) : null;

    /// The two ids a token carries, or null for anything not made by <see cref="TokenFor(Guid, Guid)"/> for this purpose.
    public (Guid First, Guid Second)? ResolvePair(string? token) =>
        Decode(token) is { Length: 32 } bytes ? (new Guid(bytes.AsSpan(0, 16)), new Guid(bytes.AsSpan(16, 16))) : null;

    private string Encode(byte[] bytes) => WebEncoders.Base64UrlEncode(_protector.Protect(bytes));

    private byte[]? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 400) return null;
        try
        {
            return _protector.Unprotect(WebEncoders.Base64UrlDecode(token));
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
