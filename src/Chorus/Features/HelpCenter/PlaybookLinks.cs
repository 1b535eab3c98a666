using System.Text.RegularExpressions;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.HelpCenter;

public sealed record PlaybookChoice(Guid Id, string Title);

/// Playbooks are internal articles; macros and rules link one, shown to the agent beside the macro in the
/// picker and as a link in the thread when a rule acts.
public static partial class PlaybookLinks
{
    public static string Path(Guid articleId) => $"/help-center/articles/{articleId}";

    /// The playbooks a macro or rule can link, by title.
    public static async Task<List<PlaybookChoice>> ChoicesAsync(ChorusDb db, CancellationToken ct = default) =>
        await db.Set<HelpArticle>().AsNoTracking().Where(a => a.Internal).OrderBy(a => a.Title).Select(a => new PlaybookChoice(a.Id, a.Title)).ToListAsync(ct);

    /// A thread event's text split around the playbook link it ends with (null when it has none).
    public static (string Before, string Path)? Split(string eventText) =>
        Link().Match(eventText) is { Success: true } m ? (eventText[..m.Index], m.Value) : null;

    [GeneratedRegex(@"/help-center/articles/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex Link();
}
