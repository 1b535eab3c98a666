using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation;

public sealed record MacroInput(string? Name, string? Body, IReadOnlyList<RuleAction>? Actions, Guid? PlaybookId = null);

public sealed record MacroView(Guid Id, string Name, string Body, IReadOnlyList<RuleAction> Actions, int UsageCount, DateTimeOffset? LastUsedAt, DateTimeOffset UpdatedAt,
    Guid? PlaybookId = null)
{
    public static MacroView Of(Macro m) => new(m.Id, m.Name, m.Body, m.Actions, m.UsageCount, m.LastUsedAt, m.UpdatedAt, m.PlaybookId);
}

/// What applying a macro did: the reply text with placeholders filled in (posted when asked, else for
/// the agent to review in the composer), and the conversation's version after its actions.
public sealed record MacroApplied(string Text, bool Replied, int Version, int Changes);

/// Macros: admins write them; agents apply them to a conversation (its actions at once, its reply
/// posted or put in the composer). Usage is counted.
public sealed class ManageMacros(ChorusDb db, ValidateAutomation validate, RecordAudit audit, CarryOutActions carry, PostMessage post,
    RuleTriggers triggers, InboxEvents events, RuleSetCache cache)
{
    public const int MaxBody = 20_000;

    public async Task<List<MacroView>> ListAsync(string? query = null, CancellationToken ct = default)
    {
        var macros = await db.Set<Macro>().AsNoTracking().ToListAsync(ct);
        var q = query?.Trim();
        return macros.Where(m => string.IsNullOrEmpty(q) || m.Name.Contains(q, StringComparison.OrdinalIgnoreCase) || m.Body.Contains(q, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(m => m.UsageCount).ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase).Select(MacroView.Of).ToList();
    }

    public async Task<Outcome<MacroView>> SaveAsync(StaffActor actor, Guid? id, MacroInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<MacroView>.Forbidden("Only admins change macros.");
        Macro? macro = null;
        if (id is { } existing && (macro = await db.Set<Macro>().SingleOrDefaultAsync(m => m.Id == existing, ct)) is null)
            return new Outcome<MacroView>.NotFound("Macro");
        var errors = new ValidateAutomation.Errors();
        var name = input.Name?.Trim() ?? "";
        var body = input.Body?.Trim() ?? "";
        if (name.Length is 0 or > 100) errors.Add("name", "Give the macro a name of 1 to 100 characters.");
        else if (await db.Set<Macro>().AnyAsync(m => m.Name.ToLower() == name.ToLower() && m.Id != (id ?? Guid.Empty), ct))
            errors.Add("name", $"A macro named '{name}' exists already.");
        if (body.Length > MaxBody) errors.Add("body", $"A reply is at most {MaxBody:N0} characters.");
        else if (Placeholders.Check(body) is { } bad) errors.Add("body", bad);
        var actions = input.Actions ?? [];
        await validate.CheckActionsAsync(actions, forMacro: true, errors, ct);
        if (body.Length == 0 && actions.Count == 0) errors.Add("body", "Write a reply, add an action, or both.");
        await validate.CheckPlaybookAsync(input.PlaybookId, errors, ct);
        if (errors.Any) return ValidateAutomation.Invalid<MacroView>(errors);

        var created = macro is null;
        if (macro is null) db.Add(macro = new Macro());
        macro.Name = name;
        macro.Body = body;
        macro.PlaybookId = input.PlaybookId;
        macro.Actions = actions.Select(a => a with { Value = a.Kind is ActionKind.AddNote ? a.Value ?? "" : a.Value?.Trim() ?? "" }).ToList();
        macro.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Add(actor, created ? "macro.created" : "macro.updated", "macro", macro.Id.ToString(), $"{macro.Name}: {TextLimits.Preview(body)}");
        await db.SaveChangesAsync(ct);
        cache.Invalidate(); // rules replying with it apply its new actions
        return MacroView.Of(macro);
    }

    public async Task<Outcome<bool>> DeleteAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<bool>.Forbidden("Only admins change macros.");
        var macro = await db.Set<Macro>().SingleOrDefaultAsync(m => m.Id == id, ct);
        if (macro is null) return new Outcome<bool>.NotFound("Macro");
        var value = id.ToString();
        var users = (await db.Set<Rule>().AsNoTracking().ToListAsync(ct)).Where(r => r.Actions.Any(a => a.Kind == ActionKind.ReplyWithMacro && a.Value == value)).Select(r => r.Name).ToList();
        if (users.Count > 0) return new Outcome<bool>.Conflict($"The macro '{macro.Name}' is used by the rule{(users.Count == 1 ? "" : "s")} {string.Join(", ", users.Select(n => $"'{n}'"))}; change {(users.Count == 1 ? "it" : "them")} first.");
        db.Remove(macro);
        audit.Add(actor, "macro.deleted", "macro", value, macro.Name);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// Applies a macro to a conversation as the agent: its actions now (recorded as events, and seen by
    /// rules like any agent change); its reply posted when <paramref name="sendReply"/>, else returned filled in.
    public async Task<Outcome<MacroApplied>> ApplyAsync(StaffActor actor, long number, Guid macroId, bool sendReply, CancellationToken ct = default)
    {
        var (c, _, failure) = await ConversationGuard.LoadForWorkAsync<MacroApplied>(db, actor, number, null, ct);
        if (c is null) return failure!;
        if (c.MergedIntoId is not null) return new Outcome<MacroApplied>.Conflict($"#{number} was merged into another conversation; apply the macro there.");
        var macro = await db.Set<Macro>().SingleOrDefaultAsync(m => m.Id == macroId, ct);
        if (macro is null) return new Outcome<MacroApplied>.NotFound("Macro");

        var facts = await RunRules.FactsAsync(db, c, null, ct);
        var self = new CompiledRule(new Rule { Id = macro.Id, Name = macro.Name });
        var effects = new List<RuleEffect>();
        foreach (var action in macro.Actions) RuleEngine.Apply(self, action, macro.Id, facts, effects, []);
        var statusBefore = c.Status;
        var done = await carry.RunAsync(c, effects, _ => $"{actor.Name} (macro '{macro.Name}')", actor.Name, null, ct);
        var text = Placeholders.Fill(macro.Body, await carry.ValuesAsync(c, actor.Name, ct)).Trim();
        macro.UsageCount++;
        macro.LastUsedAt = DateTimeOffset.UtcNow;
        if (done.Events > 0 && c.Status == ConversationStatus.New && !done.StatusChanged) c.Status = ConversationStatus.Open; // like any agent change
        audit.Add(actor, "conversation.macro-applied", "conversation", c.Number.ToString(), macro.Name);
        if (c.Status != statusBefore) triggers.StatusChanged(db, c.Id);
        if (done.Assigned) triggers.Assigned(db, c.Id);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { return new Outcome<MacroApplied>.Conflict(ConversationGuard.ConflictMessage(number)); }
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));

        if (!sendReply || text.Length == 0) return new MacroApplied(text, false, c.Version, done.Events);
        var posted = await post.RunAsync(actor, number, new StaffPost(PostKind.Reply, text), ct);
        return posted switch
        {
            Outcome<PostedMessage>.Ok ok => new MacroApplied(text, true, ok.Value.Version, done.Events),
            _ => new Outcome<MacroApplied>.Conflict($"The macro's actions were applied, but its reply was not sent: {posted.Error}"),
        };
    }
}
