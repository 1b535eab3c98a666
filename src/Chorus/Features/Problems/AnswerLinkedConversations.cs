using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Automation;
using Chorus.Features.Inbox;
using Chorus.Features.Inbox.Actions;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Problems;

/// "Solve and answer everyone": Text may use the macro placeholders ({{person.first_name}} …), filled in per
/// conversation. SolveConversations: set each answered conversation to solved (else it waits on the requester, as any reply).
public sealed record AnswerEveryoneRequest(string? Text, bool SolveConversations = false);

public enum AnswerOutcome { Answered, AlreadyAnswered, Failed }

public sealed record ConversationAnswer(long Number, string Subject, AnswerOutcome Outcome, string? Reason);

public sealed record AnswerProgress(int Done, int Total, ConversationAnswer? Last);

public sealed record AnswerEveryoneSummary(string Problem, int Total, int Answered, int AlreadyAnswered, int Failed, IReadOnlyList<ConversationAnswer> Conversations);

/// Marks a problem solved and answers the requester of every linked conversation on its own channel, through
/// the agent's reply path (e-mail through the outbox, a forum topic as a staff post …). Each answer is claimed
/// first (a ProblemAnswer row, unique per problem and conversation), so running it again, on another node or
/// after a failure half-way, answers only those not answered yet and reports the rest.
public sealed class AnswerLinkedConversations(ChorusDb db, IServiceScopeFactory scopes, RecordAudit audit, Realtime.InboxEvents events, ILogger<AnswerLinkedConversations> log)
{
    public async Task<Outcome<AnswerEveryoneSummary>> RunAsync(StaffActor actor, long number, AnswerEveryoneRequest request, IProgress<AnswerProgress>? progress = null,
        CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<AnswerEveryoneSummary>.Forbidden("Viewers can read problems but not change them.");
        var text = request.Text?.Trim() ?? "";
        if (text.Length == 0) return Outcome<AnswerEveryoneSummary>.Invalid.One("text", "Write the answer the requesters get.");
        if (text.Length > PostMessage.MaxLength) return Outcome<AnswerEveryoneSummary>.Invalid.One("text", $"An answer is at most {PostMessage.MaxLength:N0} characters.");
        if (Placeholders.Check(text) is { } bad) return Outcome<AnswerEveryoneSummary>.Invalid.One("text", bad);
        var p = await db.Set<Problem>().SingleOrDefaultAsync(x => x.Number == number, ct);
        if (p is null) return new Outcome<AnswerEveryoneSummary>.NotFound($"Problem P-{number}");

        if (p.Status != ProblemStatus.Solved)
        {
            audit.Add(actor, "problem.updated", "problem", p.Reference, $"{p.Title}: {p.Status.ToDisplay()} → solved");
            p.Status = ProblemStatus.Solved;
            p.SolvedAt = p.UpdatedAt = DateTimeOffset.UtcNow;
            p.Version++;
            await db.SaveChangesAsync(ct);
            await ManageProblems.TellLinkedAsync(db, events, [p.Id], ct); // every linked card says solved, answered or not
        }

        // Only what the actor may see: a private team's conversations wait for one of its members to run this.
        var hidden = actor.HiddenTeamIds.ToList();
        var linked = await (from l in db.Set<ProblemLink>().AsNoTracking()
                            join c in db.Conversations.AsNoTracking() on l.ConversationId equals c.Id
                            where l.ProblemId == p.Id && (c.TeamId == null || !hidden.Contains(c.TeamId.Value))
                            orderby c.Number
                            select new { c.Id, c.Number, c.Subject }).ToListAsync(ct);
        var results = new List<ConversationAnswer>();
        progress?.Report(new AnswerProgress(0, linked.Count, null));
        foreach (var c in linked)
        {
            ct.ThrowIfCancellationRequested();
            var result = await AnswerOneAsync(actor, p, c.Id, c.Number, c.Subject, text, request.SolveConversations, ct);
            results.Add(result);
            progress?.Report(new AnswerProgress(results.Count, linked.Count, result));
        }

        var summary = new AnswerEveryoneSummary(p.Reference, results.Count, results.Count(r => r.Outcome == AnswerOutcome.Answered),
            results.Count(r => r.Outcome == AnswerOutcome.AlreadyAnswered), results.Count(r => r.Outcome == AnswerOutcome.Failed), results);
        await audit.RecordAsync(actor, "problem.answered-everyone", "problem", p.Reference,
            $"answered {summary.Answered}, already answered {summary.AlreadyAnswered}, failed {summary.Failed}{(request.SolveConversations ? "; set solved" : "")}", ct);
        return summary;
    }

    private async Task<ConversationAnswer> AnswerOneAsync(StaffActor actor, Problem p, Guid conversationId, long number, string subject, string text, bool solve, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var work = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        // The claim, committed before the reply: whatever happens next, this requester is never answered twice for this problem.
        if (await work.Set<ProblemAnswer>().AnyAsync(a => a.ProblemId == p.Id && a.ConversationId == conversationId, ct))
            return new ConversationAnswer(number, subject, AnswerOutcome.AlreadyAnswered, await AnsweredWhenAsync(work, p.Id, conversationId, ct));
        var claim = new ProblemAnswer { ProblemId = p.Id, ConversationId = conversationId, AnsweredById = actor.Id };
        work.Add(claim);
        try { await work.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            return new ConversationAnswer(number, subject, AnswerOutcome.AlreadyAnswered, "Answered at the same moment by another run.");
        }

        var conversation = await work.Conversations.AsNoTracking().SingleAsync(c => c.Id == conversationId, ct);
        var values = await scope.ServiceProvider.GetRequiredService<CarryOutActions>().ValuesAsync(conversation, actor.Name, ct);
        var filled = Placeholders.Fill(text, values);
        Outcome<PostedMessage> posted;
        try
        {
            posted = await scope.ServiceProvider.GetRequiredService<PostMessage>()
                .RunAsync(actor, number, new StaffPost(PostKind.Reply, filled, solve ? ConversationStatus.Solved : null), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Answering #{Number} for {Problem} failed", number, p.Reference);
            posted = new Outcome<PostedMessage>.Conflict("The reply could not be saved; try again.");
        }
        work.ChangeTracker.Clear();
        if (posted is not Outcome<PostedMessage>.Ok ok)
        {
            // Not answered: give the claim back so a later run (after fixing the cause) answers this one.
            await work.Set<ProblemAnswer>().Where(a => a.ProblemId == p.Id && a.ConversationId == conversationId).ExecuteDeleteAsync(CancellationToken.None);
            return new ConversationAnswer(number, subject, AnswerOutcome.Failed, posted.Error);
        }
        await work.Set<ProblemAnswer>().Where(a => a.ProblemId == p.Id && a.ConversationId == conversationId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.MessageId, ok.Value.MessageId), CancellationToken.None);
        var c = await work.Conversations.SingleAsync(x => x.Id == conversationId, CancellationToken.None);
        var note = ConversationGuard.Event(c, $"{actor.Name} answered the requester: problem {p.Reference} “{p.Title}” is solved.");
        note.CreatedAt = DateTimeOffset.UtcNow.AddMilliseconds(2); // after the reply and its status event
        work.Messages.Add(note);
        await work.SaveChangesAsync(CancellationToken.None);
        return new ConversationAnswer(number, subject, AnswerOutcome.Answered, null);
    }

    private static async Task<string> AnsweredWhenAsync(ChorusDb db, Guid problemId, Guid conversationId, CancellationToken ct)
    {
        var at = await db.Set<ProblemAnswer>().Where(a => a.ProblemId == problemId && a.ConversationId == conversationId).Select(a => a.At).SingleAsync(ct);
        return $"Already answered for this problem on {at:yyyy-MM-dd HH:mm} UTC.";
    }
}
