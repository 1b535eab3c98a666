using Chorus.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chorus.Features.Notifications;

public static class NotificationsFeature
{
    public static IServiceCollection AddNotifications(this IServiceCollection services) =>
        services.AddSingleton<PublicUrls>().AddScoped<ManageEmailNotifications>().AddScoped<ManageNotificationPreferences>().AddScoped<QueueStaffEmail>();

    public static void MapNotificationsApi(this RouteGroupBuilder api)
    {
        var mine = api.MapGroup("/me/notification-preferences").WithTags("Notifications");
        mine.MapGet("/", async Task<Ok<NotificationPreferencesView>> (ManageNotificationPreferences prefs, HttpContext http) =>
                TypedResults.Ok(await prefs.ReadAsync(await http.ActorAsync(), http.RequestAborted)))
            .WithSummary("My e-mail notification preferences, the address they go to, and whether any mailbox sends them");
        mine.MapPut("/", async (NotificationPreferencesInput input, ManageNotificationPreferences prefs, HttpContext http) =>
                TypedResults.Ok(await prefs.ChangeAsync(await http.ActorAsync(), input, http.RequestAborted)))
            .WithSummary("Turn mention e-mails (on by default), assignment e-mails (off by default) and listening-alert e-mails (on by default) on or off");

        var settings = api.MapGroup("/settings/email-notifications").WithTags("Notifications").RequireAuthorization(Policies.Admin);
        settings.MapGet("/", async (ManageEmailNotifications manage, HttpContext http) => TypedResults.Ok(await manage.ReadAsync(http.RequestAborted)))
            .WithSummary("Which mailbox sends notification e-mail (confirmations, web-form replies, colleague notifications), or why none does");
        settings.MapPut("/", async (EmailNotificationSettingsInput input, ManageEmailNotifications manage, HttpContext http) =>
                ApiResults.From(await manage.ChangeAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Choose the notification mailbox: Automatic (the first enabled mailbox), one Mailbox, or Off");
    }
}
