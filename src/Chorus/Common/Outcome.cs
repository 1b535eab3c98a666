namespace Chorus.Common;

/// The typed result of a service action; endpoints map it to HTTP results and pages to messages.
public abstract record Outcome<T>
{
    public sealed record Ok(T Value) : Outcome<T>;
    public sealed record NotFound(string What) : Outcome<T>;
    public sealed record Forbidden(string Why) : Outcome<T>;
    public sealed record Conflict(string Why) : Outcome<T>;
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : Outcome<T>
    {
        public static Invalid One(string field, string error) => new(new Dictionary<string, string[]> { [field] = [error] });
        public string Summary => string.Join(" ", Errors.SelectMany(e => e.Value));
    }

    /// A one-line message suitable for a snackbar.
    public string? Error => this switch
    {
        NotFound n => $"{n.What} was not found.",
        Forbidden f => f.Why,
        Conflict c => c.Why,
        Invalid i => i.Summary,
        _ => null,
    };

    public static implicit operator Outcome<T>(T value) => new Ok(value);
}
