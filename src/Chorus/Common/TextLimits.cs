namespace Chorus.Common;

/// Shortening text without cutting a character in half: an emoji is two UTF-16 units, and half of
/// one is not valid text (PostgreSQL refuses it; SQLite stores a replacement character).
public static class TextLimits
{
    /// At most <paramref name="max"/> UTF-16 units of <paramref name="text"/>, never ending in half a surrogate pair.
    public static string Cut(string text, int max) =>
        text.Length <= max ? text : text[..(max > 0 && char.IsHighSurrogate(text[max - 1]) ? max - 1 : max)];

    /// The text on one line, at most 200 characters (conversation previews, notifications).
    public static string Preview(string text)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length > 200 ? Cut(flat, 197) + "..." : flat;
    }
}
