using System.Text.RegularExpressions;

namespace Chorus.Features.Automation;

/// The {{placeholders}} a macro (or a rule's note) may use, and how they are filled in.
public static partial class Placeholders
{
    public static readonly IReadOnlyDictionary<string, string> Known = new Dictionary<string, string>
    {
        ["person.name"] = "the requester's name",
        ["person.first_name"] = "the requester's first name",
        ["conversation.reference"] = "the conversation's reference, e.g. #1042",
        ["conversation.subject"] = "the conversation's subject",
        ["agent.name"] = "the agent applying the macro (for a rule: the assignee, else \"the team\")",
        ["agent.first_name"] = "the agent's first name",
        ["team.name"] = "the conversation's team",
    };

    /// The placeholders used in a text, as written (trimmed, lower-cased).
    public static IEnumerable<string> Used(string text) =>
        Pattern().Matches(text).Select(m => m.Groups[1].Value.Trim().ToLowerInvariant()).Distinct();

    /// A clear error for the first unknown placeholder, or null.
    public static string? Check(string text) =>
        Used(text).FirstOrDefault(p => !Known.ContainsKey(p)) is { } bad
            ? $"Unknown placeholder {{{{{bad}}}}}. Use one of: {string.Join(", ", Known.Keys.Select(k => "{{" + k + "}}"))}."
            : null;

    public static string Fill(string text, IReadOnlyDictionary<string, string> values) =>
        Pattern().Replace(text, m => values.TryGetValue(m.Groups[1].Value.Trim().ToLowerInvariant(), out var v) ? v : m.Value);

    public static string FirstName(string name) => name.Trim().Split(' ', 2)[0];

    [GeneratedRegex(@"\{\{\s*([^{}]*?)\s*\}\}")]
    private static partial Regex Pattern();
}
