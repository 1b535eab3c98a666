using Chorus.Features.Inbox;
using Chorus.Features.People;

namespace Chorus.Common;

/// How enum values read in the UI and in system events.
public static class DisplayNames
{
    public static string ToDisplay(this ConversationStatus s) => s switch
    {
        ConversationStatus.OnHold => "on hold",
        _ => s.ToString().ToLowerInvariant(),
    };

    public static string ToDisplay(this PersonKind k) => k switch
    {
        PersonKind.Vip => "VIP",
        _ => k.ToString().ToLowerInvariant(),
    };

    public static string ToDisplay(this Priority p) => p.ToString().ToLowerInvariant();
}
