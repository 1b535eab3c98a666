using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Chorus.Features.Channels.Email;

/// Protects mailbox passwords and reply-token keys at rest with the workspace's Data Protection keys.
/// A protected value is useless without the key ring, and the API never returns one.
public sealed class MailboxSecrets(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Chorus.Mailbox.Secrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    /// Null when nothing is stored, or when it was protected with keys this node no longer has.
    public string? Unprotect(string? protectedSecret)
    {
        if (string.IsNullOrEmpty(protectedSecret)) return null;
        try { return _protector.Unprotect(protectedSecret); }
        catch (CryptographicException) { return null; }
    }

    public string NewReplyTokenKey() => Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
}
