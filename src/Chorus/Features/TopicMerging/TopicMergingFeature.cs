using System.Text.RegularExpressions;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Forum;
using Chorus.Features.Forum.Members;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.TopicMerging;

public sealed record MergeBody(Guid IntoTopicId);
public sealed record SplitBody(List<Guid>? PostIds, string? Title, Guid? CategoryId, int? FromPosition = null, int? ToPosition = null);

/// Moderators merge duplicate topics and split replies off into a topic of their own: from the topic's staff
/// tools (forms) and through the API.
public static partial class TopicMergingFeature
{
    public static IServiceCollection AddTopicMerging(this IServiceCollection services) =>
        services.AddScoped<MergeTopics>().AddScoped<SplitTopic>();

    /// The topic a merged topic now lives in (following merges of merges), or null when it was not merged.
    public static async Task<Guid?> MergedIntoAsync(ChorusDb db, Guid topicId, CancellationToken ct = default)
    {
        Guid? into = null;
        for (var hops = 0; hops < 10; hops++)
        {
            var next = await db.ForumTopics.AsNoTracking().Where(t => t.Id == (into ?? topicId)).Select(t => t.MergedIntoId).SingleOrDefaultAsync(ct);
            if (next is null) break;
            into = next;
        }
        return into;
    }

    /// A topic named by its id or by any link to it (a moderator pastes the address).
    public static Guid? TopicIdIn(string? text) =>
        text is null ? null : GuidPattern().Match(text) is { Success: true } m ? Guid.Parse(m.Value) : null;

    /// An optional reply number from a form ("", "12" or "#12"); false when it is something else.
    private static bool TryReplyNumber(string? text, out int? number)
    {
        number = null;
        text = text?.Trim().TrimStart('#');
        if (string.IsNullOrEmpty(text)) return true;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) return false;
        number = n;
        return true;
    }

    [GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex GuidPattern();

    public static void MapTopicMerging(this WebApplication app)
    {
        var forum = app.MapGroup("/forum").RequireAntiforgeryToken(_ =>
            ForumFeature.Refused(StatusCodes.Status400BadRequest, "This form has expired or did not come from this site. Go back, reload the page and try again."));

        forum.MapPost("/topics/{id:guid}/merge", async (Guid id, HttpContext http, ResolveForumViewer viewers, MergeTopics merge) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (!viewer.CanModerate) return ForumFeature.Refused(StatusCodes.Status403Forbidden, "Only staff who work conversations merge topics.");
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            if (TopicIdIn(form["into"]) is not { } into)
                return ForumFeature.Refused(StatusCodes.Status400BadRequest, "Paste the address (or id) of the topic to merge this one into.");
            var outcome = await merge.RunAsync(viewer.Staff!, id, into, http.RequestAborted);
            return outcome is Outcome<MergedTopic>.Ok ? Results.LocalRedirect($"/forum/t/{into}?notice=merged") : ForumFeature.Refused(outcome);
        }).RequireAuthorization(Policies.CanWork);

        forum.MapPost("/topics/{id:guid}/split", async (Guid id, HttpContext http, ResolveForumViewer viewers, SplitTopic split) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (!viewer.CanModerate) return ForumFeature.Refused(StatusCodes.Status403Forbidden, "Only staff who work conversations split topics.");
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var postIds = form["postIds"].Select(v => Guid.TryParse(v, out var g) ? g : Guid.Empty).ToList();
            if (postIds.Contains(Guid.Empty)) return ForumFeature.Refused(StatusCodes.Status400BadRequest, "Select the replies to move with their checkboxes.");
            Guid? categoryId = Guid.TryParse(form["categoryId"], out var c) ? c : null;
            if (!TryReplyNumber(form["fromPosition"], out var from) || !TryReplyNumber(form["toPosition"], out var to))
                return ForumFeature.Refused(StatusCodes.Status400BadRequest, "A range is given by reply numbers, like 12 and 40 (the # beside each post).");
            var outcome = await split.RunAsync(viewer.Staff!, id, new SplitInput(postIds, form["title"], categoryId, from, to), http.RequestAborted);
            return outcome is Outcome<SplitResult>.Ok { Value: var r } ? Results.LocalRedirect($"/forum/t/{r.NewTopicId}?notice=split") : ForumFeature.Refused(outcome);
        }).RequireAuthorization(Policies.CanWork);
    }

    public static void MapTopicMergingApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/forum").WithTags("Forum");
        g.MapPost("/topics/{id:guid}/merge", async (Guid id, MergeBody body, MergeTopics merge, HttpContext http) =>
                ApiResults.From(await merge.RunAsync(await http.ActorAsync(), id, body.IntoTopicId, http.RequestAborted), r => TypedResults.Ok(r)))
            .WithSummary("Merge this topic into another: its posts move there in the order written; its address leads there");
        g.MapPost("/topics/{id:guid}/split", async (Guid id, SplitBody body, SplitTopic split, HttpContext http) =>
                ApiResults.From(await split.RunAsync(await http.ActorAsync(), id, new SplitInput(body.PostIds, body.Title, body.CategoryId, body.FromPosition, body.ToPosition), http.RequestAborted),
                    r => TypedResults.Created($"/forum/t/{r.NewTopicId}", r)))
            .WithSummary("Split replies off into a new topic (title, category): the replies listed, and/or a range of reply numbers (fromPosition, toPosition; no end = all after)");
    }
}
