using System.Text.Json;

namespace Chorus.Features.Listening.Sources;

/// Lenient reads of fields services may leave out, send as null or send in another type.
internal static class JsonFields
{
    public static string? Str(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    public static long? Long(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) ? (long)d
            : v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), out var l) ? l : null
            : null;

    public static int? Int(this JsonElement e, string name) => e.Long(name) is { } l ? (int)Math.Clamp(l, int.MinValue, int.MaxValue) : null;

    public static JsonElement Obj(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string name) =>
        e.Obj(name) is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray() : [];
}
