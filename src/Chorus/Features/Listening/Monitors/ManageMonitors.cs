using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Monitors;

/// What staff send to create or change a monitor; on a change, fields left out stay as they are.
public sealed record MonitorInput(string? Name, string? Query, IReadOnlyList<string>? Languages, bool? Enabled);

public sealed record MonitorView(Guid Id, string Name, string Query, IReadOnlyList<string> Languages, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// Creates, changes and deletes monitors. Every staff member sees them; viewers cannot change them.
public class ManageMonitors(ChorusDb db, RecordAudit audit)
{
    public async Task<List<MonitorView>> ListAsync(CancellationToken ct = default) =>
        (await db.Monitors.AsNoTracking().OrderBy(m => m.Name).ToListAsync(ct)).Select(View).ToList();

    public async Task<Outcome<MonitorView>> GetAsync(Guid id, CancellationToken ct = default) =>
        await db.Monitors.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, ct) is { } m ? View(m) : new Outcome<MonitorView>.NotFound("Monitor");

    public async Task<Outcome<MonitorView>> CreateAsync(StaffActor actor, MonitorInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<MonitorView>.Forbidden("Viewers cannot change monitors.");
        var monitor = new Monitor { CreatedById = actor.Id };
        if (await ApplyAsync(monitor, input with { Name = input.Name ?? "", Query = input.Query ?? "" }, ct) is { } invalid) return invalid;
        db.Monitors.Add(monitor);
        audit.Add(actor, "monitor.created", "monitor", monitor.Id.ToString(), $"{monitor.Name}: {monitor.Query}");
        await db.SaveChangesAsync(ct);
        return View(monitor);
    }

    public async Task<Outcome<MonitorView>> UpdateAsync(StaffActor actor, Guid id, MonitorInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<MonitorView>.Forbidden("Viewers cannot change monitors.");
        var monitor = await db.Monitors.SingleOrDefaultAsync(m => m.Id == id, ct);
        if (monitor is null) return new Outcome<MonitorView>.NotFound("Monitor");
        var before = $"{monitor.Name}: {monitor.Query} [{monitor.Languages}]{(monitor.Enabled ? "" : " (paused)")}";
        if (await ApplyAsync(monitor, input, ct) is { } invalid) return invalid;
        monitor.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Add(actor, "monitor.updated", "monitor", id.ToString(), $"{before} → {monitor.Name}: {monitor.Query} [{monitor.Languages}]{(monitor.Enabled ? "" : " (paused)")}");
        await db.SaveChangesAsync(ct);
        return View(monitor);
    }

    public async Task<Outcome<bool>> DeleteAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<bool>.Forbidden("Viewers cannot change monitors.");
        var monitor = await db.Monitors.SingleOrDefaultAsync(m => m.Id == id, ct);
        if (monitor is null) return new Outcome<bool>.NotFound("Monitor");
        db.Monitors.Remove(monitor);
        audit.Add(actor, "monitor.deleted", "monitor", id.ToString(), $"{monitor.Name}: {monitor.Query}");
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// Validates every given field (all errors at once) and applies them only when all are valid.
    private async Task<Outcome<MonitorView>.Invalid?> ApplyAsync(Monitor monitor, MonitorInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = input.Name?.Trim();
        if (name is not null)
        {
            if (name.Length is 0 or > 100) errors["name"] = ["A monitor's name is 1 to 100 characters."];
            else if (await db.Monitors.AnyAsync(m => m.Name == name && m.Id != monitor.Id, ct)) errors["name"] = [$"There is already a monitor called {name}."];
        }
        if (input.Query is not null && MonitorQuery.Parse(input.Query) is Outcome<MonitorQuery>.Invalid bad)
            errors["query"] = [bad.Summary];
        List<string>? languages = null;
        if (input.Languages is not null)
        {
            languages = input.Languages.Select(l => l.Trim().ToLowerInvariant()).Where(l => l.Length > 0).Distinct().Order().ToList();
            var wrong = languages.Where(l => l.Length != 2 || !l.All(char.IsAsciiLetterLower)).ToList();
            if (wrong.Count > 0) errors["languages"] = [$"Languages are two-letter ISO 639-1 codes such as en or de; not {string.Join(", ", wrong)}."];
        }
        if (errors.Count > 0) return new Outcome<MonitorView>.Invalid(errors);
        if (name is not null) monitor.Name = name;
        if (input.Query is not null) monitor.Query = input.Query.Trim();
        if (languages is not null) monitor.Languages = string.Join(',', languages);
        if (input.Enabled is { } enabled) monitor.Enabled = enabled;
        return null;
    }

    private static MonitorView View(Monitor m) => new(m.Id, m.Name, m.Query,
        m.Languages.Split(',', StringSplitOptions.RemoveEmptyEntries), m.Enabled, m.CreatedAt, m.UpdatedAt);
}
