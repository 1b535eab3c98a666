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
            .AddScoped<ThreadInboundEmail>().AddScoped<ThreadAnswerToNotification>().AddScoped<RecordBounce>().AddScoped<PollMailbox>().AddScoped<ImportMbox>();
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
        mailboxes.MapPost("/{id:guid}/test", async (Guid id, TestMailboxConnection test, HttpContext http) =>
                ApiResults.From(await test.RunAsync(id, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Test connection: sign in to IMAP and SMTP and say what failed (DNS, TLS, auth, folder)");
        mailboxes.MapGet("/{id:guid}/rejections", async (Guid id, ChorusDb db, HttpContext http, [FromQuery] int? take) =>
                TypedResults.Ok(await db.InboundEmailRejections.AsNoTracking().Where(r => r.ChannelId == id)
                    .OrderByDescending(r => r.At).Take(Math.Clamp(take ?? 100, 1, 500)).ToListAsync(http.RequestAborted)))
            .WithSummary("Messages the mailbox did not file, newest first, each with the reason");
    }
}
