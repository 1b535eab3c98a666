using Chorus.Data;
using Chorus.Features.Forum.Moderation;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Forum.Posting;

public sealed record ScreenVerdict(PostState State, string? Reason, ModerationScore Score);

/// Decides whether a new post is published or waits for review:
///  - staff posts are never held;
///  - anyone's post waits when the classifier finds it likely spam or toxic (thresholds configurable:
///    Chorus:Forum:HoldSpamAbove, Chorus:Forum:HoldToxicityAbove; 0.7 by default);
///  - a New member's posts wait until a moderator has approved one of theirs, and their links always wait.
public class ScreenPost(ChorusDb db, ModerationModel model, IConfiguration config)
{
    public async Task<ScreenVerdict> RunAsync(ForumAuthor author, string text, bool hasLinks, CancellationToken ct = default)
    {
        await model.CatchUpAsync(db, ct);
        var score = model.Score(text);
        if (author.IsStaff) return new(PostState.Visible, null, score);
        if (score.Spam >= config.GetValue("Chorus:Forum:HoldSpamAbove", 0.7)) return new(PostState.Held, "Likely spam", score);
        if (score.Toxicity >= config.GetValue("Chorus:Forum:HoldToxicityAbove", 0.7)) return new(PostState.Held, "Possibly abusive", score);
        if (author.Trust == TrustLevel.New)
        {
            if (hasLinks) return new(PostState.Held, "Links from a new member", score);
            var approved = await db.ForumPosts.AnyAsync(p => p.AuthorMemberId == author.MemberId && p.State == PostState.Visible && p.ModeratedAt != null, ct);
            if (!approved) return new(PostState.Held, "First posts of a new member", score);
        }
        return new(PostState.Visible, null, score);
    }
}
