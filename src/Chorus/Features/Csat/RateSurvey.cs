using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Csat;

public sealed record SurveyView(Guid Id, long Number, string Subject, int? Rating, string? Comment, DateTimeOffset? RatedAt, bool Current);

/// The requester rates a solve (1–5, optional comment) through their signed link. Rating again updates the
/// same survey; each rating is said in the conversation's thread for the team.
public sealed class RateSurvey(ChorusDb db, InboxEvents events)
{
    public const int MaxComment = 2000;

    public async Task<SurveyView?> GetAsync(Guid surveyId, CancellationToken ct = default)
    {
        var s = await (from x in db.Set<CsatSurvey>().AsNoTracking()
                       join c in db.Conversations.AsNoTracking() on x.ConversationId equals c.Id
                       where x.Id == surveyId
                       select new { x.Id, c.Number, c.Subject, x.Rating, x.Comment, x.RatedAt, x.SolvedAt, ConversationSolvedAt = c.SolvedAt }).SingleOrDefaultAsync(ct);
        return s is null ? null : new SurveyView(s.Id, s.Number, s.Subject, s.Rating, s.Comment, s.RatedAt, s.ConversationSolvedAt == s.SolvedAt);
    }

    /// The survey of the conversation's latest solve, if it has one.
    public async Task<Guid?> LatestForAsync(Guid conversationId, CancellationToken ct = default) =>
        await db.Set<CsatSurvey>().AsNoTracking().Where(s => s.ConversationId == conversationId).OrderByDescending(s => s.SolvedAt).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct);

    public async Task<Outcome<SurveyView>> RunAsync(Guid surveyId, int rating, string? comment, CancellationToken ct = default)
    {
        if (rating is < 1 or > 5) return Outcome<SurveyView>.Invalid.One("rating", "Choose a rating from 1 to 5.");
        comment = comment?.Trim() is { Length: > 0 } given ? given : null;
        if (comment is { Length: > MaxComment }) return Outcome<SurveyView>.Invalid.One("comment", $"A comment is at most {MaxComment:N0} characters.");
        var survey = await db.Set<CsatSurvey>().SingleOrDefaultAsync(s => s.Id == surveyId, ct);
        if (survey is null) return new Outcome<SurveyView>.NotFound("The survey");
        if (survey.Rating == rating && (comment is null || comment == survey.Comment)) return (await GetAsync(surveyId, ct))!;
        var c = await db.Conversations.SingleAsync(x => x.Id == survey.ConversationId, ct);
        var first = survey.Rating is null;
        survey.Rating = rating;
        if (comment is not null) survey.Comment = comment;
        survey.RatedAt = DateTimeOffset.UtcNow;
        var said = $"The requester {(first ? "rated" : "changed their rating to")} {rating}/5 ({Ratings.Label(rating).ToLowerInvariant()})" +
                   (comment is null ? "." : $": “{TextLimits.Preview(comment)}”");
        db.Messages.Add(ConversationGuard.Event(c, said));
        await db.SaveChangesAsync(ct);
        events.Publish(new InboxChange(c.Id, c.Number, c.TeamId, InboxChangeKind.Updated));
        return (await GetAsync(surveyId, ct))!;
    }
}
