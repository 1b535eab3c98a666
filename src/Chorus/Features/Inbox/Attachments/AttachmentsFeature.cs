using Chorus.Common;
using Chorus.Features.Channels.WebForm;

namespace Chorus.Features.Inbox.Attachments;

public static class AttachmentsFeature
{
    public static IServiceCollection AddAttachments(this IServiceCollection services)
    {
        services.AddSingleton<AttachmentStore>();
        services.AddScoped<ReadAttachments>();
        return services;
    }

    /// Downloads: /attachments/{id} for the staff app (cookie), /api/v1/attachments/{id} for API
    /// tokens, /requests/{token}/attachments/{id} for a requester's link. Every one is served as a
    /// download (Content-Disposition: attachment), never sniffed, with a type from a short list of
    /// harmless ones (anything else is application/octet-stream), so no file runs on our origin.
    public static void MapAttachments(this IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        app.MapGet("/attachments/{id:guid}", async (Guid id, HttpContext http, ReadAttachments read) =>
                await read.OpenForStaffAsync(await http.ActorAsync(), id, http.RequestAborted) is Outcome<AttachmentFile>.Ok ok
                    ? Serve(http, ok.Value, "private, no-cache") : Results.NotFound())
            .RequireAuthorization(Policies.Staff).ExcludeFromDescription();

        api.MapGet("/attachments/{id:guid}", async (Guid id, HttpContext http, ReadAttachments read) =>
                ApiResults.From(await read.OpenForStaffAsync(await http.ActorAsync(), id, http.RequestAborted), f => Serve(http, f, "private, no-cache")))
            .WithTags("Conversations").WithSummary("Download an attachment (always as a file; HTML, SVG and unknown types as application/octet-stream)");

        api.MapGet("/conversations/{number:long}/messages/{messageId:guid}/attachments", async (long number, Guid messageId, HttpContext http, ReadAttachments read) =>
                ApiResults.From(await read.ListForStaffAsync(await http.ActorAsync(), number, messageId, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithTags("Conversations").WithSummary("The attachments of one message, with files that were not stored and why");

        app.MapGet("/requests/{token}/attachments/{id:guid}", async (string token, Guid id, HttpContext http, RequesterLinks links,
                ReadRequesterConversation conversation, ReadAttachments read) =>
            {
                // The link is a bearer secret: as on the requester page, no referrer, no caching.
                http.Response.Headers["Referrer-Policy"] = "no-referrer";
                if (links.Resolve(token) is not { } linked || await conversation.RunAsync(linked, http.RequestAborted) is not { } view) return Results.NotFound();
                return await read.OpenForRequesterAsync(view.Id, id, http.RequestAborted) is { } file ? Serve(http, file, "no-store") : Results.NotFound();
            })
            .AllowAnonymous().ExcludeFromDescription();
    }

    private static IResult Serve(HttpContext http, AttachmentFile file, string cache)
    {
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = cache;
        return TypedResults.File(file.Content, file.ContentType, file.FileName);
    }
}
