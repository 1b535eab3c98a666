using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Chorus.Features.Channels.Email;

/// A mailbox's address and the key its reply tokens are signed with.
public sealed record ReplyTokenKey(string Address, byte[] Key);

/// The plus-address we put in Reply-To: support+c42-k3j5h2ab@example.com names conversation #42.
/// The suffix is a MAC keyed per mailbox, so nobody can post into a conversation by guessing numbers;
/// it still threads a reply whose client dropped In-Reply-To and References.
public static partial class ReplyTokens
{
    public static string AddressFor(string mailboxAddress, long conversationNumber, byte[] key)
    {
        var at = mailboxAddress.LastIndexOf('@');
        return $"{mailboxAddress[..at]}+c{conversationNumber}-{Mac(key, conversationNumber)}{mailboxAddress[at..]}";
    }

    /// The conversation number a recipient address names, when it is a valid token of this mailbox.
    public static long? NumberIn(string mailboxAddress, string recipient, byte[] key)
    {
        var at = mailboxAddress.LastIndexOf('@');
        var match = Token().Match(recipient.Trim());
        if (!match.Success
            || !match.Groups["local"].Value.Equals(mailboxAddress[..at], StringComparison.OrdinalIgnoreCase)
            || !match.Groups["domain"].Value.Equals(mailboxAddress[(at + 1)..], StringComparison.OrdinalIgnoreCase)
            || !long.TryParse(match.Groups["number"].Value, out var number))
            return null;
        var expected = Encoding.ASCII.GetBytes(Mac(key, number));
        var given = Encoding.ASCII.GetBytes(match.Groups["mac"].Value.ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given) ? number : null;
    }

    private static string Mac(byte[] key, long number)
    {
        var hash = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes("c" + number));
        // 40 bits in base32 (8 characters): short enough for a local part, far too many to guess.
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var bits = ((ulong)hash[0] << 32) | ((ulong)hash[1] << 24) | ((ulong)hash[2] << 16) | ((ulong)hash[3] << 8) | hash[4];
        var chars = new char[8];
        for (var i = 7; i >= 0; i--, bits >>= 5) chars[i] = alphabet[(int)(bits & 31)];
        return new string(chars);
    }

    [GeneratedRegex(@"^(?<local>[^@+\s]+)\+c(?<number>\d{1,18})-(?<mac>[a-z2-7]{8})@(?<domain>[^@\s]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex Token();
}
