using Chorus.Data;
using Chorus.Features.Channels;
using Chorus.Features.Channels.Email;
using Chorus.Features.Channels.Outbox;
using Chorus.Features.Inbox;
using Chorus.Features.Notifications;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Csat;

/// Finds conversations solved since the last look and gives each solve its survey: the one-click rating
/// e-mail goes through the outbox (from the conversation's mailbox, or the notification mailbox for the web
/// form), and the requester's page asks too. Any node may run it: the unique (conversation, solve) index keeps
/// a solve from being surveyed twice, and the e-mail is queued in the same transaction as its survey.
public sealed class SendSurveys(ChorusDb db, SurveyLinks links, PublicUrls urls, ManageEmailNotifications notifications, ILogger<SendSurveys> log)
{
    /// Solves older than this when first seen are not surveyed (a survey a day late is noise).
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(1);

    public async Task<int> RunAsync(CancellationToken ct = default)
    {
        var since = DateTimeOffset.UtcNow - MaxAge;
        var solved = await db.Conversations.AsNoTracking()
            .Where(c => c.Status == ConversationStatus.Solved && c.SolvedAt != null && c.SolvedAt >= since && c.MergedIntoId == null)
            .Where(c => !db.Set<CsatSurvey>().Any(s => s.ConversationId == c.Id && s.SolvedAt == c.SolvedAt))
            .OrderBy(c => c.SolvedAt).Take(200)
            .Select(c => new { c.Id, c.Number, c.Subject, c.ChannelId, c.RequesterId, c.TeamId, c.AssigneeId, SolvedAt = c.SolvedAt!.Value })
            .ToListAsync(ct);
        var sent = 0;
        foreach (var c in solved)
        {
            var survey = new CsatSurvey { ConversationId = c.Id, SolvedAt = c.SolvedAt, TeamId = c.TeamId, AssigneeId = c.AssigneeId };
            db.Add(survey);
            survey.Emailed = await QueueEmailAsync(survey, c.Number, c.Subject, c.ChannelId, c.RequesterId, ct);
            try
            {
                await db.SaveChangesAsync(ct);
                sent++;
            }
            catch (DbUpdateException)
            {
                // Another node surveyed this solve a moment ago.
                db.ChangeTracker.Clear();
            }
        }
        if (sent > 0) log.LogInformation("Satisfaction surveys for {Count} solved conversations", sent);
        return sent;
    }

    private async Task<bool> QueueEmailAsync(CsatSurvey survey, long number, string subject, Guid channelId, Guid requesterId, CancellationToken ct)
    {
        var mailbox = await db.Mailboxes.AsNoTracking().SingleOrDefaultAsync(m => m.ChannelId == channelId, ct);
        if (mailbox is null && await db.Channels.AnyAsync(x => x.Id == channelId && x.Kind == ChannelKind.WebForm, ct))
            mailbox = await notifications.SendingMailboxAsync(ct);
        if (mailbox is null) return false;
        var to = await db.Identities.AsNoTracking().Where(i => i.PersonId == requesterId && i.Kind == IdentityKind.Email)
            .OrderBy(i => i.CreatedAt).Select(i => new { i.Handle, i.DisplayName }).FirstOrDefaultAsync(ct);
        if (to is null) return false;
        var fromName = await db.Channels.Where(x => x.Id == mailbox.ChannelId).Select(x => x.Name).SingleAsync(ct);
        var name = await db.People.AsNoTracking().Where(p => p.Id == requesterId).Select(p => p.Name).SingleOrDefaultAsync(ct);
        var greeting = string.IsNullOrWhiteSpace(name) ? "Hello," : $"Hello {Automation.Placeholders.FirstName(name)},";
        var choices = Enumerable.Range(1, 5).Select(r => (Rating: r, Url: urls.To(links.PathFor(survey.Id, r)))).ToList();
        var text = $"""
            {greeting}

            we marked your request #{number} "{subject}" as solved. How did we do? One click is enough:

            {string.Join("\n", choices.Select(c => $"{c.Rating} – {Ratings.Label(c.Rating)}: {c.Url}"))}

            You can add a comment on the page that opens. If your question is not answered, simply reply to this e-mail.
            """;
        var html = $"""
            <p>{OutgoingEmail.Encode(greeting)}</p>
            <p>we marked your request <strong>#{number}</strong> “{OutgoingEmail.Encode(subject)}” as solved. How did we do? One click is enough:</p>
            <p>{string.Join(" ", choices.Select(c => $"<a href=\"{OutgoingEmail.Encode(c.Url)}\" style=\"display:inline-block;padding:8px 12px;margin:2px;border:1px solid #c9ced8;border-radius:6px;text-decoration:none;color:#1d2330\">{c.Rating} · {Ratings.Label(c.Rating)}</a>"))}</p>
            <p style="color:#666">You can add a comment on the page that opens. If your question is not answered, simply reply to this e-mail.</p>
            """;
        var mime = OutgoingEmail.Compose(mailbox, fromName, name, to.Handle, $"How did we do? [#{number}] {subject}", text, html, $"csat.{survey.Id:N}@{OutgoingEmail.Domain(mailbox)}");
        OutgoingEmail.MarkAutomatic(mime);
        OutgoingEmail.Queue(db, mailbox, survey.ConversationId, OutboxPurpose.SatisfactionSurvey, mime);
        return true;
    }
}

public static class Ratings
{
    public static string Label(int rating) => rating switch
    {
        1 => "Very unhappy", 2 => "Unhappy", 3 => "Okay", 4 => "Happy", 5 => "Very happy", _ => "",
    };
}

/// Runs <see cref="SendSurveys"/> every Chorus:Csat:SweepSeconds (default 30).
public sealed class SurveySweeper(IServiceScopeFactory scopes, IConfiguration config, ILogger<SurveySweeper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, config.GetValue("Chorus:Csat:SweepSeconds", 30)));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var scope = scopes.CreateScope();
                await scope.ServiceProvider.GetRequiredService<SendSurveys>().RunAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Satisfaction surveys could not be sent this time; trying again");
            }
            try { await Task.Delay(every, stoppingToken); } catch (OperationCanceledException) { return; }
        }
    }
}
