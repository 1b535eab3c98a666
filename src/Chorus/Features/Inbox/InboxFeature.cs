using Chorus.Common;
using Chorus.Features.Inbox.Actions;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Chorus.Features.Realtime;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Features.Inbox;

public static class InboxFeature
{
    public static IServiceCollection AddInbox(this IServiceCollection services)
    {
        services.AddSingleton<WriteInboundBatch>();
        services.AddSingleton<IngestPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestPipeline>());
        services.AddScoped<InboxQuery>();
        services.AddScoped<UpdateConversation>();
        services.AddScoped<PostMessage>();
        services.AddScoped<StartConversation>();
        services.AddScoped<MergeConversations>();
        services.AddScoped<FollowConversation>();
        services.AddScoped<ListNotifications>();
        return services;
    }

    public sealed record ConversationPatch(
        ConversationStatus? Status, Priority? Priority, Guid? TeamId, string? AssigneeId,
        IReadOnlyList<string>? AddTags, IReadOnlyList<string>? RemoveTags, IReadOnlyList<string>? Tags, int? Version);

    public sealed record PostRequest(string Text, ConversationStatus? StatusAfter);

    public sealed record MergeRequest(long Into);

    public sealed record BulkRequest(IReadOnlyList<long> Numbers, ConversationPatch Change);

    public sealed record BulkResult(long Number, int Status, string? Error);

    public static void MapInboxApi(this RouteGroupBuilder api)
    {
        var conversations = api.MapGroup("/conversations").WithTags("Conversations");

        conversations.MapGet("/", async (HttpContext http, InboxQuery inbox,
            [FromQuery] InboxView? view, [FromQuery] Guid? team, [FromQuery] ConversationStatus[]? status, [FromQuery] Guid? channel,
            [FromQuery] string? assignee, [FromQuery] Priority? priority, [FromQuery] string? tag, [FromQuery] PersonKind? personKind,
            [FromQuery] Guid? requester, [FromQuery] string? q, [FromQuery] InboxSort? sort, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        {
            var filter = new InboxFilter
            {
                View = view ?? InboxView.All, TeamId = team, Statuses = status is { Length: > 0 } ? status : null, ChannelId = channel,
                AssigneeId = assignee, Priority = priority, Tag = tag, PersonKind = personKind, RequesterId = requester, Query = q,
                Sort = sort ?? InboxSort.Newest, Page = page ?? 1, PageSize = pageSize ?? 50,
            };
            return TypedResults.Ok(await inbox.ListAsync(await http.ActorAsync(), filter, http.RequestAborted));
        }).WithSummary("List conversations in a view, filtered, sorted and searched");

        conversations.MapPost("/", async (OutreachRequest body, HttpContext http, StartConversation start) =>
        {
            var outcome = await start.RunAsync(await http.ActorAsync(), body, null, http.RequestAborted);
            if (outcome is not Outcome<OutreachResult>.Ok { Value: var result } || body.ListId is not null) return ApiResults.From(outcome, v => TypedResults.Ok(v));
            // One person: the new conversation, or why it could not be started.
            return result.Started is [var one]
                ? TypedResults.Created($"/api/v1/conversations/{one.Number}", result)
                : TypedResults.Problem(title: "Conflict", detail: $"{result.Skipped[0].Name}: {result.Skipped[0].Reason}", statusCode: 409);
        }).WithSummary("Start a conversation by e-mail (outreach) with a person, or one with each person of a list; assigned to you, pending, the first message queued");

        conversations.MapGet("/{number:long}", async (long number, HttpContext http, InboxQuery inbox) =>
            ApiResults.From(await inbox.GetAsync(await http.ActorAsync(), number, http.RequestAborted), d => TypedResults.Ok(d)))
            .WithSummary("One conversation with its messages, notes and events");

        conversations.MapPatch("/{number:long}", async (long number, ConversationPatch patch, HttpContext http, UpdateConversation update) =>
            ApiResults.From(await update.RunAsync(await http.ActorAsync(), number, ToChange(patch), http.RequestAborted),
                v => TypedResults.Ok(new { number, version = v })))
            .WithSummary("Change status, priority, team, assignee or tags (send version to detect concurrent edits)");

        conversations.MapPost("/bulk", async (BulkRequest bulk, HttpContext http, UpdateConversation update) =>
        {
            if (bulk.Numbers is not { Count: > 0 and <= 500 }) return (IResult)ApiResults.Invalid("numbers", "Send between 1 and 500 conversation numbers.");
            var actor = await http.ActorAsync();
            var results = new List<BulkResult>();
            foreach (var number in bulk.Numbers.Distinct())
            {
                var outcome = await update.RunAsync(actor, number, ToChange(bulk.Change with { Version = null }), http.RequestAborted);
                results.Add(new BulkResult(number, outcome is Outcome<int>.Ok ? 200 : outcome is Outcome<int>.NotFound ? 404 : outcome is Outcome<int>.Forbidden ? 403 : 409, outcome.Error));
            }
            return TypedResults.Ok(results);
        }).WithSummary("Apply one change to many conversations");

        conversations.MapPost("/{number:long}/replies", (long number, HttpContext http, PostMessage post) => PostAsync(number, PostKind.Reply, http, post))
            .Accepts<PostRequest>("application/json", "multipart/form-data")
            .WithSummary("Reply publicly on the conversation's channel; send multipart/form-data (text, statusAfter, files) to attach files");

        conversations.MapPost("/{number:long}/notes", (long number, HttpContext http, PostMessage post) => PostAsync(number, PostKind.Note, http, post))
            .Accepts<PostRequest>("application/json", "multipart/form-data")
            .WithSummary("Add an internal note (never shown to the requester); @name notifies a colleague; multipart/form-data attaches files");

        conversations.MapPost("/{number:long}/merge", async (long number, MergeRequest body, HttpContext http, MergeConversations merge) =>
            ApiResults.From(await merge.RunAsync(await http.ActorAsync(), number, body.Into, http.RequestAborted),
                into => TypedResults.Ok(new { merged = number, into })))
            .WithSummary("Merge this conversation into another");

        conversations.MapPut("/{number:long}/followers/me", async (long number, HttpContext http, FollowConversation follow) =>
            ApiResults.From(await follow.RunAsync(await http.ActorAsync(), number, true, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Follow a conversation");
        conversations.MapDelete("/{number:long}/followers/me", async (long number, HttpContext http, FollowConversation follow) =>
            ApiResults.From(await follow.RunAsync(await http.ActorAsync(), number, false, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Stop following a conversation");

        api.MapPost("/notifications/read", async (HttpContext http, ListNotifications list, [FromQuery] long? conversation) =>
        {
            var actor = await http.ActorAsync();
            await list.MarkReadAsync(actor, conversation, http.RequestAborted);
            return TypedResults.NoContent();
        }).WithTags("Conversations").WithSummary("Mark my notifications read (all, or those of one conversation number)");

        api.MapGet("/notifications", async (HttpContext http, ListNotifications list, bool? unread) =>
            TypedResults.Ok(await list.RunAsync(await http.ActorAsync(), unread ?? false, http.RequestAborted)))
            .WithTags("Conversations").WithSummary("My notifications (mentions, assignments)");
    }

    /// A reply or note as JSON, or as multipart/form-data with files (read here, not bound, so one
    /// route takes both; API tokens are not cookies, so there is no form to forge).
    private static async Task<IResult> PostAsync(long number, PostKind kind, HttpContext http, PostMessage post)
    {
        StaffPost input;
        try
        {
            if (http.Request.HasFormContentType)
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                ConversationStatus? after = null;
                if (form["statusAfter"].ToString() is { Length: > 0 } status)
                {
                    if (!Enum.TryParse<ConversationStatus>(status, true, out var parsed)) return ApiResults.Invalid("statusAfter", $"'{status}' is not a status.");
                    after = parsed;
                }
                var files = form.Files.Select(f => new UploadedFile(f.FileName, f.ContentType, f.Length, f.OpenReadStream)).ToList();
                input = new StaffPost(kind, form["text"].ToString(), kind == PostKind.Reply ? after : null, files);
            }
            else
            {
                var body = await http.Request.ReadFromJsonAsync<PostRequest>(http.RequestAborted);
                input = new StaffPost(kind, body?.Text ?? "", kind == PostKind.Reply ? body?.StatusAfter : null);
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or InvalidOperationException or BadHttpRequestException)
        {
            return TypedResults.Problem(title: "Bad request", detail: "Send JSON {\"text\": \"...\"} or multipart/form-data with text and files. " + e.Message, statusCode: 400);
        }
        return ApiResults.From(await post.RunAsync(await http.ActorAsync(), number, input, http.RequestAborted),
            m => TypedResults.Created($"/api/v1/conversations/{number}", m));
    }

    private static ConversationChange ToChange(ConversationPatch p) => new()
    {
        Status = p.Status, Priority = p.Priority, TeamId = p.TeamId, AssigneeId = p.AssigneeId,
        AddTags = p.AddTags, RemoveTags = p.RemoveTags, SetTags = p.Tags, ExpectedVersion = p.Version,
    };
}
