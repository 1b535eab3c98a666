using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Automation;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Notifications;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Alerts;

/// Words an alert is told in, and its deliveries beyond the listening pages (which show it live): an e-mail to the
/// teams it concerns through the notification mailbox, and a call to the alert webhook in the Slack-compatible shape
/// <c>{"text": …}</c>, both queued in the outbox with the alert so each goes out once.
public sealed class DeliverAlert(ChorusDb db, ManageEmailNotifications notifications, PublicUrls urls, AlertWebhook webhook)
{
    public static readonly string[] OpportunityTeams = ["Outreach & Advocacy", "Marketing"];
    public static readonly string[] ProblemTeams = ["Outreach & Advocacy", "PR"];

    /// Fills in the summary, whether it is an opportunity, and the suggested next step.
    public async Task DescribeAsync(Alert alert, string monitorName, IReadOnlyList<Guid> mentionIds, CancellationToken ct)
    {
        var sentiments = await db.Mentions.AsNoTracking().Where(m => mentionIds.Contains(m.Id)).Select(m => m.Sentiment).ToListAsync(ct);
        var positive = sentiments.Count(s => s > Mentions.Mention.PositiveAbove);
        var negative = sentiments.Count(s => s < Mentions.Mention.NegativeBelow);
        var at = alert.BucketStart.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        alert.Opportunity = alert.Kind == AlertKind.Volume && positive > 2 * negative && sentiments.Count > 0 && sentiments.Average() > Mentions.Mention.PositiveAbove;
        alert.Summary = TextLimits.Cut(alert.Kind == AlertKind.Volume
            ? $"{monitorName}: {alert.Value:0} mentions in 5 minutes from {at}, against {alert.Baseline:0.#} usually ({positive} positive, {negative} negative)."
            : $"{monitorName}: {alert.Value:P0} of mentions negative ({alert.Mentions}) in 5 minutes from {at}, against {alert.Baseline:P0} usually.", 500);
        alert.NextStep = alert.Opportunity
            ? "A positive spike: an opportunity. Outreach & Advocacy: thank the authors of the top posts and ask permission to reuse them. "
              + "Marketing: consider a campaign or a post around it. PR: pitch the story if it keeps growing."
            : alert.Kind == AlertKind.NegativeShare
            ? "People are unhappy. Read the top negative mentions, answer on the busiest thread, and tell Support and PR what is being said."
            : "Find what people are reacting to in the top mentions; if it is a problem, tell Support and PR; if it is praise, thank the authors.";
    }

    public async Task QueueAsync(Alert alert, string monitorName, IReadOnlyList<Guid> mentionIds, CancellationToken ct)
    {
        var top = await db.Mentions.AsNoTracking().Where(m => mentionIds.Contains(m.Id))
            .OrderByDescending(m => (m.Score ?? 0) + (m.Followers ?? 0)).Take(3)
            .Select(m => new { m.ChannelId, m.AuthorHandle, m.AuthorName, m.Title, m.Text, m.Url }).ToListAsync(ct);
        var link = urls.To($"/listening/monitors/{alert.MonitorId}?alert={alert.Id}"); // shown there even once a colleague acknowledged it
        var headline = (alert.Opportunity ? "Opportunity" : alert.Kind == AlertKind.Volume ? "Spike in mentions" : "Spike in negative mentions") + $" on {monitorName}";
        var lines = top.Select(m => $"• {m.AuthorHandle ?? m.AuthorName ?? "someone"}: {TextLimits.Cut(WhatWasSaid(m.Title, m.Text), 200)}{(m.Url is null ? "" : " " + m.Url)}").ToList();

        if (await webhook.UrlAsync(ct) is { } url && top.Count > 0)
        {
            var text = $"*{headline}*\n{alert.Summary}\n{string.Join("\n", lines)}\n{alert.NextStep}\n<{link}|Open in Chorus>";
            var body = JsonSerializer.Serialize(new { text }, RuleConfiguration.Json);
            db.Outbox.Add(new OutboxItem
            {
                ChannelId = top[0].ChannelId, Purpose = OutboxPurpose.Webhook, IdempotencyKey = $"listening-alert:{alert.Id}",
                Payload = JsonSerializer.Serialize(new WebhookPayload(url, body), RuleConfiguration.Json),
            });
        }

        if (await notifications.SendingMailboxAsync(ct) is not { } mailbox) return;
        var teams = alert.Opportunity ? OpportunityTeams : ProblemTeams;
        var recipients = await (from t in db.Teams
                                where teams.Contains(t.Name)
                                join tm in db.TeamMembers on t.Id equals tm.TeamId
                                join u in db.Users on tm.StaffUserId equals u.Id
                                where u.Email != null
                                      // Those who turned alert e-mails off (My notifications) still see the alert in the app.
                                      && !db.NotificationPreferences.Any(p => p.StaffUserId == u.Id && !p.AlertEmails)
                                select new { u.DisplayName, u.Email }).Distinct().ToListAsync(ct);
        foreach (var r in recipients.Where(r => EmailAddress.IsValid(r.Email)))
        {
            var text = $"""
                {headline}

                {alert.Summary}

                {string.Join("\n", lines)}

                {alert.NextStep}

                Open the monitor: {link}
                You get these e-mails as a member of {string.Join(" or ", teams)}; turn them off under My notifications: {urls.To("/me/notifications")}
                """;
            var html = $"""
                <p><strong>{OutgoingEmail.Encode(headline)}</strong></p>
                <p>{OutgoingEmail.Encode(alert.Summary)}</p>
                <ul>{string.Concat(lines.Select(l => $"<li>{OutgoingEmail.Encode(l.TrimStart('•', ' '))}</li>"))}</ul>
                <p>{OutgoingEmail.Encode(alert.NextStep)}</p>
                <p><a href="{OutgoingEmail.Encode(link)}">Open the monitor in Chorus</a></p>
                <p style="color:#666;font-size:small">You get these e-mails as a member of {OutgoingEmail.Encode(string.Join(" or ", teams))};
                <a href="{OutgoingEmail.Encode(urls.To("/me/notifications"))}">turn them off</a> under My notifications.</p>
                """;
            var mime = OutgoingEmail.Compose(mailbox, "Chorus", r.DisplayName, r.Email!, $"[Chorus] {headline}", text, html);
            OutgoingEmail.MarkAutomatic(mime);
            OutgoingEmail.Queue(db, mailbox, null, OutboxPurpose.StaffNotification, mime);
        }
    }

    /// A post's title and text; a comment's own words, not the "Re: …" title of the thread it is in (a burst's comments
    /// often share it).
    internal static string WhatWasSaid(string? title, string text) =>
        string.IsNullOrWhiteSpace(title) || title.StartsWith("Re: ", StringComparison.Ordinal) ? (string.IsNullOrWhiteSpace(text) ? title ?? "" : text)
        : string.IsNullOrWhiteSpace(text) ? title : $"{title} — {text}";
}

/// Where alerts are posted besides the app: an incoming-webhook address in Slack's shape (Slack, Mattermost,
/// Rocket.Chat, Discord's /slack endpoint). The address is a secret (whoever has it can post), so it is stored
/// protected and never shown again, only its host.
public sealed class AlertWebhook(ChorusDb db, IDataProtectionProvider protection, RecordAudit audit)
{
    public const string SettingKey = "listening.alert-webhook";
    private IDataProtector Protector => protection.CreateProtector("Chorus.Listening.AlertWebhook.v1");

    public sealed record View(bool Configured, string? Host);

    public async Task<string?> UrlAsync(CancellationToken ct = default)
    {
        var stored = await db.Settings.AsNoTracking().Where(s => s.Key == SettingKey).Select(s => s.Value).SingleOrDefaultAsync(ct);
        if (stored is null) return null;
        try { return Protector.Unprotect(stored); }
        catch (CryptographicException) { return null; }
    }

    public async Task<View> ReadAsync(CancellationToken ct = default) =>
        await UrlAsync(ct) is { } url ? new View(true, new Uri(url).Host) : new View(false, null);

    public async Task<Outcome<View>> ChangeAsync(StaffActor actor, string? url, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<View>.Forbidden("Only admins set where alerts are posted.");
        url = url?.Trim();
        if (!string.IsNullOrEmpty(url) && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || url.Length > 1000))
            return Outcome<View>.Invalid.One("webhookUrl", "Enter the incoming webhook's address, e.g. https://hooks.slack.com/services/…");
        var setting = await db.Settings.SingleOrDefaultAsync(s => s.Key == SettingKey, ct);
        if (string.IsNullOrEmpty(url)) { if (setting is not null) db.Settings.Remove(setting); }
        else if (setting is null) db.Settings.Add(new WorkspaceSetting { Key = SettingKey, Value = Protector.Protect(url) });
        else setting.Value = Protector.Protect(url);
        audit.Add(actor, "listening.alert-webhook", "setting", SettingKey, string.IsNullOrEmpty(url) ? "Alerts are no longer posted to a webhook." : $"Alerts are posted to {new Uri(url).Host}.");
        await db.SaveChangesAsync(ct);
        return string.IsNullOrEmpty(url) ? new View(false, null) : new View(true, new Uri(url).Host);
    }
}
