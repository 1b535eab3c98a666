using MudBlazor;

namespace Chorus.Features.Problems.Pages;

internal static class ProblemText
{
    public static Color StatusColor(ProblemStatus s) => s switch
    {
        ProblemStatus.Open => Color.Warning,
        ProblemStatus.KnownError => Color.Info,
        _ => Color.Success,
    };

    public const string DefaultAnswer = """
        Hi {{person.first_name}},

        Good news about "{{conversation.subject}}" ({{conversation.reference}}): the problem behind it is fixed. Thank you for reporting it and for your patience.

        If anything still does not work, just answer this message.

        {{agent.name}}
        """;
}
