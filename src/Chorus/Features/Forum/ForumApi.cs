using Chorus.Common;
using Chorus.Features.Forum.Members;
using Chorus.Features.Forum.Moderation;
using Chorus.Features.Forum.Posting;

namespace Chorus.Features.Forum;

public sealed record PostBody(string? Body, Guid? RequestId);
public sealed record TopicBody(string? Title, string? Body, Guid? RequestId);
public sealed record ModerationBody(ModerationAction Action, RemovalReason? Reason, string? Note);
public sealed record FlagBody(bool Value);

/// The forum for staff through the API: categories, official topics and replies, the review queue.
public static class ForumApi
{
    public static void MapForumApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/forum").WithTags("Forum");

        g.MapGet("/categories", async (ReadForum read, HttpContext http) => TypedResults.Ok(await read.CategoriesAsync(http.RequestAborted)))
            .WithSummary("Forum categories with their published topic counts");
        g.MapPost("/categories", async (CategoryInput body, ManageForumCategories manage, HttpContext http) =>
                ApiResults.From(await manage.AddAsync(await http.ActorAsync(), body, http.RequestAborted), c => TypedResults.Created($"/forum/c/{c.Slug}", c)))
            .WithSummary("Add a category (admins)");
        g.MapPatch("/categories/{id:guid}", async (Guid id, CategoryInput body, ManageForumCategories manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), id, body, http.RequestAborted), c => TypedResults.Ok(c)))
            .WithSummary("Rename, move or describe a category (admins)");

        g.MapGet("/topics/{id:guid}", async (Guid id, int? page, ReadForum read, HttpContext http) =>
                await read.TopicAsync(new ForumViewer(null, await http.ActorAsync()), id, page ?? 1, http.RequestAborted) is { } topic
                    ? Results.Ok(topic) : ApiResults.NotFound("The topic"))
            .WithSummary("A topic page as staff see it: every post, held and hidden ones marked by state");

        g.MapPost("/categories/{id:guid}/topics", async (Guid id, TopicBody body, PostToForum post, HttpContext http) =>
            {
                var actor = await http.ActorAsync();
                if (!actor.CanWork) return TypedResults.Problem(title: "Forbidden", detail: "Viewers cannot post in the forum.", statusCode: 403);
                return ApiResults.From(await post.StartTopicAsync(ForumAuthor.Of(actor), id,
                    new TopicInput { Title = body.Title, Body = body.Body, RequestId = body.RequestId ?? Guid.Empty }, http.RequestAborted),
                    r => TypedResults.Created($"/forum/t/{r.TopicId}", r));
            })
            .WithSummary("Start a topic as staff (official)");
        g.MapPost("/topics/{id:guid}/replies", async (Guid id, PostBody body, PostToForum post, HttpContext http) =>
            {
                var actor = await http.ActorAsync();
                if (!actor.CanWork) return TypedResults.Problem(title: "Forbidden", detail: "Viewers cannot post in the forum.", statusCode: 403);
                return ApiResults.From(await post.ReplyAsync(ForumAuthor.Of(actor), id, new ReplyInput { Body = body.Body, RequestId = body.RequestId ?? Guid.Empty }, http.RequestAborted),
                    r => TypedResults.Created($"/forum/p/{r.PostId}", r));
            })
            .WithSummary("Reply as staff: shown as an official answer");
        g.MapPost("/topics/{id:guid}/pin", async (Guid id, FlagBody body, ManageTopic manage, HttpContext http) =>
                ApiResults.From(await manage.PinAsync(await http.ActorAsync(), id, body.Value, http.RequestAborted), t => TypedResults.Ok(new { t.Id, t.IsPinned, t.IsLocked })))
            .WithSummary("Pin or unpin a topic");
        g.MapPost("/topics/{id:guid}/lock", async (Guid id, FlagBody body, ManageTopic manage, HttpContext http) =>
                ApiResults.From(await manage.LockAsync(await http.ActorAsync(), id, body.Value, http.RequestAborted), t => TypedResults.Ok(new { t.Id, t.IsPinned, t.IsLocked })))
            .WithSummary("Lock or unlock a topic");

        g.MapGet("/moderation/queue", async (ReadReviewQueue queue, HttpContext http) => (await http.ActorAsync()).CanWork
                ? Results.Ok(await queue.WaitingAsync(ct: http.RequestAborted))
                : TypedResults.Problem(title: "Forbidden", detail: "Viewers do not moderate the forum.", statusCode: 403))
            .WithSummary("Posts waiting for review, oldest first, with their spam and toxicity scores");
        g.MapPost("/posts/{id:guid}/moderation", async (Guid id, ModerationBody body, ModerateForumPost moderate, HttpContext http) =>
                ApiResults.From(await moderate.RunAsync(await http.ActorAsync(), id, new ModerationDecision(body.Action, body.Reason, body.Note), http.RequestAborted),
                    r => TypedResults.Ok(r)))
            .WithSummary("Approve, hide or delete a post (hide and delete need a reason)");
    }
}
