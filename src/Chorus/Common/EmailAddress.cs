using System.Net.Mail;

namespace Chorus.Common;

public static class EmailAddress
{
    public static bool IsValid(string? address)
    {
        if (string.IsNullOrWhiteSpace(address) || address.Length > 320 || address.Contains(' ')) return false;
        return MailAddress.TryCreate(address, out var parsed) && parsed.Address == address.Trim() && parsed.Host.Contains('.');
    }

    public static string? Domain(string address) => address.LastIndexOf('@') is var at and > 0 ? address[(at + 1)..].ToLowerInvariant() : null;

    /// Mailbox providers whose domain says nothing about a person's organization.
    public static readonly HashSet<string> FreeMailDomains = new(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com", "me.com",
        "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de", "mail.com", "yandex.ru", "qq.com",
        "example.com", "example.org", "example.net",
    };
}
