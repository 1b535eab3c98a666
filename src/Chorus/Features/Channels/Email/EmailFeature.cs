using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Email;

public static class EmailFeature
{
    public static IServiceCollection AddEmailChannel(this IServiceCollection services)
    {
        services.AddSingleton<MailboxSecrets>().AddSingleton<PollerNode>();
        services.AddScoped<ManageMailboxes>().AddScoped<TestMailboxConnection>().AddScoped<QueueEmailReply>().AddScoped<SendEmail>()
            .AddScoped<ThreadInboundEmail>().AddScoped<ThreadAnswerToNotification>().AddScoped<RouteEmailAnswer>().AddScoped<RecordBounce>().AddScoped<PollMailbox>().AddScoped<ImportMbox>()
            .AddScoped<StoreInboundAttachments>().AddScoped<WaitForNewMail>()
            .AddScoped<ReadMailHealth>().AddScoped<StartMboxImport>();
        services.AddSingleton<MboxImports>();
        services.AddHostedService(sp => sp.GetRequiredService<MboxImports>());
        services.AddSingleton<MailboxChanges>();
        services.AddHostedService<MailboxPollers>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }

    public static void MapMailboxesApi(this RouteGroupBuilder api)
    {
        var mailboxes = api.MapGroup("/channels/mailboxes").WithTags("Mailboxes").RequireAuthorization(Policies.Admin);

        mailboxes.MapGet("/", async (ManageMailboxes manage, HttpContext http) => TypedResults.Ok(await manage.ListAsync(http.RequestAborted)))
            .WithSummary("Mailbox channels with their settings (never passwords) and polling state");
        mailboxes.MapGet("/{id:guid}", async (Guid id, ManageMailboxes manage, HttpContext http) =>
            ApiResults.From(await manage.GetAsync(id, http.RequestAborted), v => TypedResults.Ok(v)));
        mailboxes.MapPost("/", async (MailboxInput input, ManageMailboxes manage, HttpContext http) =>
                ApiResults.From(await manage.CreateAsync(await http.ActorAsync(), input, http.RequestAborted),
                    v => TypedResults.Created($"/api/v1/channels/mailboxes/{v.Id}", v)))
            .WithSummary("Add a mailbox channel (IMAP in, SMTP out)");
        mailboxes.MapPatch("/{id:guid}", async (Guid id, MailboxInput input, ManageMailboxes manage, HttpContext http) =>
                ApiResults.From(await manage.UpdateAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Change a mailbox; omitted fields and passwords stay as they are");
        mailboxes.MapPost("/{id:guid}/test", async (Guid id, [FromBody] MailboxInput? changes, TestMailboxConnection test, HttpContext http) =>
                ApiResults.From(await test.RunAsync(id, changes, ct: http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Test connection: sign in to IMAP and SMTP and say what failed (DNS, TLS, auth, folder); a body tests unsaved changes");
        mailboxes.MapPost("/test", async (MailboxInput settings, TestMailboxConnection test, HttpContext http) =>
                ApiResults.From(await test.RunAsync(null, settings, ct: http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Test the connection of a mailbox before adding it");
        mailboxes.MapGet("/{id:guid}/rejections", async (Guid id, ManageMailboxes manage, HttpContext http, [FromQuery] int? take) =>
                TypedResults.Ok(await manage.ListRejectionsAsync(id, take ?? 100, http.RequestAborted)))
            .WithSummary("Messages the mailbox did not file, newest first, each with the reason");
        mailboxes.MapPost("/{id:guid}/imports", async (Guid id, [FromQuery] string? fileName, StartMboxImport start, HttpContext http) =>
            {
                // An archive may be far larger than the server's default request limit; StartMboxImport enforces its own.
                if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                    limit.MaxRequestBodySize = start.MaxBytes + 1;
                return ApiResults.From(await start.RunAsync(await http.ActorAsync(), id, fileName ?? "archive.mbox", http.Request.Body,
                    http.Request.ContentLength, ct: http.RequestAborted), v => TypedResults.Accepted($"/api/v1/channels/mailboxes/{id}/imports", v));
            })
            .WithSummary("Import an mbox archive (the request body, up to 200 MB): queued, then run in the background; resumable and idempotent");
        mailboxes.MapGet("/{id:guid}/imports", async (Guid id, MboxImports imports, ChorusDb db, HttpContext http) =>
                TypedResults.Ok(await imports.ListAsync(db, id, 20, http.RequestAborted)))
            .WithSummary("The mailbox's latest imports with their progress and what was skipped and why");
    }
}
