using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community;

/// FlagThreshold: the flag weight (trust levels of the members flagging) that hides a post until a
/// moderator looks. SupportAfterMinutes: how long a topic in a support category waits for a reply
/// before it appears in Support's inbox.
public sealed record CommunitySettingsView(int FlagThreshold, int SupportAfterMinutes);

public sealed record CommunitySettingsInput(int? FlagThreshold, int? SupportAfterMinutes);

/// The community's workspace settings, stored as WorkspaceSettings rows; admins change them.
public class CommunitySettings(ChorusDb db, RecordAudit audit)
{
    public const string FlagThresholdKey = "community.flag-threshold";
    public const string SupportAfterKey = "community.support-after-minutes";
    public const int DefaultFlagThreshold = 3;
    public const int DefaultSupportAfterMinutes = 240;

    public async Task<CommunitySettingsView> ReadAsync(CancellationToken ct = default)
    {
        var rows = await db.Settings.AsNoTracking().Where(s => s.Key == FlagThresholdKey || s.Key == SupportAfterKey).ToDictionaryAsync(s => s.Key, s => s.Value, ct);
        return new CommunitySettingsView(
            rows.TryGetValue(FlagThresholdKey, out var f) && int.TryParse(f, out var fi) ? fi : DefaultFlagThreshold,
            rows.TryGetValue(SupportAfterKey, out var s) && int.TryParse(s, out var si) ? si : DefaultSupportAfterMinutes);
    }

    public async Task<Outcome<CommunitySettingsView>> ChangeAsync(StaffActor actor, CommunitySettingsInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<CommunitySettingsView>.Forbidden("Only admins change the community settings.");
        if (input.FlagThreshold is < 1 or > 100) return Outcome<CommunitySettingsView>.Invalid.One("flagThreshold", "The flag threshold is 1 to 100.");
        if (input.SupportAfterMinutes is < 1 or > 43_200) return Outcome<CommunitySettingsView>.Invalid.One("supportAfterMinutes", "The wait is 1 minute to 30 days.");
        var changes = new List<string>();
        if (input.FlagThreshold is { } threshold) { await SetAsync(FlagThresholdKey, threshold, ct); changes.Add($"flag threshold {threshold}"); }
        if (input.SupportAfterMinutes is { } minutes) { await SetAsync(SupportAfterKey, minutes, ct); changes.Add($"support topics after {minutes} min"); }
        if (changes.Count > 0) audit.Add(actor, "community.settings-changed", "settings", "community", string.Join(", ", changes));
        await db.SaveChangesAsync(ct);
        return await ReadAsync(ct);
    }

    private async Task SetAsync(string key, int value, CancellationToken ct)
    {
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == key, ct);
        if (row is null) db.Settings.Add(new WorkspaceSetting { Key = key, Value = value.ToString() });
        else row.Value = value.ToString();
    }
}
