using Chorus.Common;
using Chorus.Features.Forum;
using Chorus.Features.Forum.Members;
using Microsoft.AspNetCore.Mvc;

namespace Chorus.Features.MemberNotifications;

/// Members hear about replies and @mentions by e-mail (each time or in a daily digest), choose per kind
/// and per topic, and can stop it all with one click from any of those e-mails.
public static class MemberNotificationsFeature
{
    public static IServiceCollection AddMemberNotifications(this IServiceCollection services) =>
        services.AddSingleton<UnsubscribeLinks>().AddScoped<NotifyMembers>().AddScoped<ManageMemberEmail>().AddScoped<SendDailyDigests>()
            .AddSingleton<MemberFanOutSignal>().AddSingleton<FanOutMemberNotifications>()
            .AddHostedService<MemberDigestService>().AddHostedService<MemberFanOutService>();

    public static void MapMemberNotifications(this WebApplication app)
    {
        var forum = app.MapGroup("/forum").RequireAntiforgeryToken(_ =>
            ForumFeature.Refused(StatusCodes.Status400BadRequest, "This form has expired or did not come from this site. Go back, reload the page and try again."));

        forum.MapPost("/topics/{id:guid}/watch", async (Guid id, [FromForm] string? level, HttpContext http, ResolveForumViewer viewers, ManageMemberEmail manage) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (viewer.Member is not { } member) return ForumFeature.SignIn(http);
            if (level is not ("Watching" or "Muted" or "Normal")) return ForumFeature.Refused(StatusCodes.Status400BadRequest, "Choose watch, mute or normal.");
            TopicWatchLevel? chosen = level == "Normal" ? null : Enum.Parse<TopicWatchLevel>(level);
            var outcome = await manage.WatchAsync(member.Id, id, chosen, http.RequestAborted);
            if (outcome is not Outcome<TopicWatchState>.Ok) return ForumFeature.Refused(outcome);
            var back = http.Request.Form["returnUrl"].ToString();
            return Results.LocalRedirect(back == "/forum/settings" ? "/forum/settings?saved=topics" : $"/forum/t/{id}#watch");
        }).AllowAnonymous(); // members have their own sign-in (MemberAuth), checked by the handler

        // RFC 8058 one-click: a mail client POSTs "List-Unsubscribe=One-Click" here with no cookie and no
        // antiforgery token; the signed token in the link is the proof. The page's own button posts here too.
        app.MapPost("/forum/unsubscribe/one-click", async (string? token, HttpContext http, ManageMemberEmail manage) =>
        {
            var outcome = await manage.UnsubscribeAsync(token, http.RequestAborted);
            if (outcome is not Outcome<string>.Ok { Value: var username })
                return ForumFeature.Refused(StatusCodes.Status404NotFound, "This unsubscribe link is not valid. Sign in and change your e-mail settings instead.");
            var fromPage = http.Request.HasFormContentType && http.Request.Form.ContainsKey("page");
            return fromPage ? Results.LocalRedirect("/forum/unsubscribe?done=1&token=" + Uri.EscapeDataString(token!))
                : Results.Text($"Unsubscribed: {username} gets no more community e-mails.", "text/plain; charset=utf-8");
        }).AllowAnonymous().DisableAntiforgery();
        // A GET of the one-click address (a scanner, an old client) changes nothing: it shows the page with the button.
        app.MapGet("/forum/unsubscribe/one-click", (string? token) =>
            Results.LocalRedirect("/forum/unsubscribe?token=" + Uri.EscapeDataString(token ?? ""))).AllowAnonymous();
    }
}
