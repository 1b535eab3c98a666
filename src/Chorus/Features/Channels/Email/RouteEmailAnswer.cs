using Chorus.Features.Newsletter;
using MimeKit;

namespace Chorus.Features.Channels.Email;

/// Where an answer to mail Chorus sent belongs: its channel (a web-form conversation's, when it answers a
/// confirmation or reply we e-mailed), its thread, and its team (a campaign's, when it answers a newsletter).
public sealed record EmailAnswerRoute(Guid? ChannelId, string? ThreadId, Guid? TeamId);

/// The one rule for mail that answers mail we sent, used alike by the live mailbox poller and by mbox
/// imports, so an answer lands in the same conversation and team whichever way it arrives. Null: not an
/// answer to anything of ours; ordinary threading decides.
public class RouteEmailAnswer(ThreadAnswerToNotification notifications, NewsletterReplies newsletters)
{
    public async Task<EmailAnswerRoute?> RunAsync(Guid mailboxChannelId, ReplyTokenKey? tokens, MimeMessage mime, CancellationToken ct = default)
    {
        // An answer to a web-form confirmation or reply we e-mailed joins that conversation, on its channel.
        if (await notifications.RunAsync(mailboxChannelId, tokens, mime, ct) is { } notified) return new(notified.ChannelId, notified.ThreadId, null);
        // An answer to a newsletter belongs to the campaign's team, one conversation per person and newsletter.
        if (await newsletters.FindAsync(mime, ct) is { } newsletter) return new(null, newsletter.ThreadId, newsletter.TeamId);
        return null;
    }
}
