using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Campaigns;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.PressRoom;

/// Press releases as the newsroom shows them: published and past their embargo, judged at the moment
/// of each request, so an embargoed release appears on its own when the embargo ends, and never before.
public class ReadPublishedReleases(ChorusDb db, HtmlCleaner html, TimeProvider clock)
{
    public async Task<List<NewsroomEntry>> LatestAsync(int take, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var rows = await Public(now).OrderByDescending(r => r.PublicAt).Take(take).ToListAsync(ct);
        return rows.Select(Entry).ToList();
    }

    public async Task<NewsroomEntry?> GetAsync(string slug, CancellationToken ct = default) =>
        await Public(clock.GetUtcNow()).Where(r => r.Slug == slug).FirstOrDefaultAsync(ct) is { } r ? Entry(r) : null;

    private IQueryable<PressRelease> Public(DateTimeOffset now) =>
        db.Set<PressRelease>().AsNoTracking().Where(r => r.Status == PressReleaseStatus.Published && r.PublicAt != null && r.PublicAt <= now);

    private NewsroomEntry Entry(PressRelease r) =>
        new(r.Slug, r.Title, html.MarkdownToHtml(r.Body), r.PublicAt!.Value, r.Summary.Length == 0 ? null : r.Summary, IsPressRelease: true);
}
