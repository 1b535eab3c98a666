using System.Globalization;

namespace Chorus.Common;

/// Numbers and ids read from a page's query string. Pages take them as strings: Blazor's own binding of
/// an int or Guid parameter throws on "?page=abc", so a typo or a hostile link became a server error.
/// A value that does not parse is treated as absent, as it would be if the link had left it out.
public static class QueryValue
{
    public static int? Int(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    public static long? Long(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    public static Guid? Guid(string? value) => System.Guid.TryParse(value, out var id) ? id : null;
}
