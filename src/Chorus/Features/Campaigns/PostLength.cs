using System.Globalization;
using System.Text.RegularExpressions;

namespace Chorus.Features.Campaigns;

/// How long a post is as its channel counts it. Mastodon counts every link as 23 characters
/// (whatever its real length) and a character per user-perceived letter; the others count letters.
public static partial class PostLength
{
    public const int MastodonLinkLength = 23;

    public static int Of(PublishingChannelKind kind, string text)
    {
        if (kind != PublishingChannelKind.Mastodon) return new StringInfo(text).LengthInTextElements;
        var links = Links().Matches(text);
        var withoutLinks = Links().Replace(text, "");
        return new StringInfo(withoutLinks).LengthInTextElements + links.Count * MastodonLinkLength;
    }

    /// Null when it fits, else the reason, naming the channel.
    public static string? Problem(string channelName, PublishingChannelKind kind, int max, string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return $"The text for {channelName} is empty.";
        var length = Of(kind, text);
        return length > max ? $"The text for {channelName} is {length:N0} characters; {channelName} takes at most {max:N0}. Shorten it by {length - max:N0}." : null;
    }

    [GeneratedRegex(@"https?://[^\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex Links();
}
