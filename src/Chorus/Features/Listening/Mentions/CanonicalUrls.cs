namespace Chorus.Features.Listening.Mentions;

/// The form of a post's address that two sources agree on: https, lower-case host without "www." (and
/// reddit's old./np./new. mirrors as reddit.com), no fragment, no tracking parameters (utm_*, ref,
/// fbclid …), no trailing slash. Null for anything that is not an http(s) address.
public static class CanonicalUrls
{
    private static readonly HashSet<string> Tracking = new(StringComparer.OrdinalIgnoreCase)
    {
        "ref", "ref_src", "ref_source", "fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "share_id", "si", "context",
    };

    public static string? Of(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return null;
        var host = uri.Host.ToLowerInvariant();
        if (host.StartsWith("www.", StringComparison.Ordinal)) host = host[4..];
        if (host is "old.reddit.com" or "np.reddit.com" or "new.reddit.com" or "m.reddit.com") host = "reddit.com";
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port;
        var path = uri.AbsolutePath.Length > 1 ? uri.AbsolutePath.TrimEnd('/') : "";
        var query = string.Join('&', uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.StartsWith("utm_", StringComparison.OrdinalIgnoreCase) && !Tracking.Contains(p.Split('=')[0]))
            .Order(StringComparer.Ordinal));
        return $"https://{host}{port}{path}{(query.Length > 0 ? "?" + query : "")}";
    }
}
