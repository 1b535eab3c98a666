using Chorus.Common;
using Chorus.Features.Channels.Email;
using Chorus.Features.Notifications;
using Microsoft.AspNetCore.DataProtection;
using MimeKit;

namespace Chorus.Features.MemberNotifications;

/// The one-click unsubscribe link of a member's e-mails: a signed member id (no sign-in needed, nothing to
/// guess), valid as long as the workspace's keys.
public sealed class UnsubscribeLinks(IDataProtectionProvider protection, PublicUrls urls)
{
    private readonly SignedGuid _ids = new(protection, "Chorus.MemberNotifications.Unsubscribe.v1");

    public string TokenFor(Guid memberId) => _ids.TokenFor(memberId);
    public Guid? MemberOf(string? token) => _ids.Resolve(token);
    /// The page a person opens from the e-mail's footer (it asks for one click).
    public string Page(Guid memberId) => urls.To("/forum/unsubscribe?token=" + TokenFor(memberId));
    /// What a mail client POSTs to (RFC 8058 one-click), and what the page's button posts to.
    public string OneClick(Guid memberId) => urls.To("/forum/unsubscribe/one-click?token=" + TokenFor(memberId));
}

/// One notification as an e-mail shows it.
public sealed record NotificationLine(Guid PostId, Guid TopicId, string TopicTitle, string AuthorName, MemberNotificationKind Kind, string Text, DateTimeOffset At);

public sealed record MemberRecipient(Guid MemberId, string Username, string Email);

/// The e-mails members get about the forum: one reply or mention, or a day's digest. Each carries the
/// post's link, the reason it was sent, where to change it, and a one-click unsubscribe (List-Unsubscribe).
public static class MemberEmails
{
    public const int ExcerptLength = 600;

    public static MimeMessage One(Mailbox mailbox, PublicUrls urls, UnsubscribeLinks unsubscribe, MemberRecipient to, NotificationLine n)
    {
        var link = urls.To($"/forum/p/{n.PostId}");
        var excerpt = Excerpt(n.Text);
        var (subject, lead, why) = n.Kind == MemberNotificationKind.Mention
            ? ($"{n.AuthorName} mentioned you in “{n.TopicTitle}”", $"{n.AuthorName} mentioned you in “{n.TopicTitle}”:", "you were @mentioned")
            : ($"New reply to “{n.TopicTitle}”", $"{n.AuthorName} replied to “{n.TopicTitle}”:", "you started, replied to or watch this topic");
        var text = $"""
            {lead}

            {Quote(excerpt)}

            Read it in the community: {link}

            You get this e-mail because {why}. Reply in the community, not to this e-mail.
            Mute this topic: {urls.To($"/forum/t/{n.TopicId}#watch")}
            E-mail settings: {urls.To("/forum/settings")}
            Unsubscribe from community e-mails: {unsubscribe.Page(to.MemberId)}
            """;
        var html = $"""
            <p>{OutgoingEmail.Encode(lead)}</p>
            <blockquote style="border-left:3px solid #c7c9d9;margin:0 0 1em;padding:0 1em;color:#333">{OutgoingEmail.Paragraphs(excerpt)}</blockquote>
            <p><a href="{OutgoingEmail.Encode(link)}">Read it in the community</a></p>
            {Footer(urls, unsubscribe, to, why, n.TopicId)}
            """;
        var mime = Compose(mailbox, unsubscribe, to, subject, text, html);
        // Mail about one topic threads together in the member's mail client.
        var topicRef = $"forum-topic-{n.TopicId:N}@{OutgoingEmail.Domain(mailbox)}";
        mime.InReplyTo = topicRef;
        mime.References.Add(topicRef);
        return mime;
    }

    public static MimeMessage Digest(Mailbox mailbox, PublicUrls urls, UnsubscribeLinks unsubscribe, MemberRecipient to, IReadOnlyList<NotificationLine> lines)
    {
        var replies = lines.Count(l => l.Kind == MemberNotificationKind.Reply);
        var mentions = lines.Count - replies;
        var counts = string.Join(" and ", new[] { Count(replies, "new reply", "new replies"), Count(mentions, "mention", "mentions") }.Where(s => s.Length > 0));
        var subject = $"Your community digest: {counts}";
        var byTopic = lines.GroupBy(l => (l.TopicId, l.TopicTitle)).OrderBy(g => g.Min(l => l.At)).ToList();
        var text = new System.Text.StringBuilder($"Hello {to.Username},\n\nSince your last digest: {counts}.\n");
        var html = new System.Text.StringBuilder($"<p>Hello {OutgoingEmail.Encode(to.Username)},</p><p>Since your last digest: {OutgoingEmail.Encode(counts)}.</p>");
        foreach (var topic in byTopic)
        {
            text.Append($"\n== {topic.Key.TopicTitle} ==\n");
            html.Append($"<h3 style=\"margin:1.2em 0 .4em\">{OutgoingEmail.Encode(topic.Key.TopicTitle)}</h3>");
            foreach (var l in topic.OrderBy(l => l.At))
            {
                var link = urls.To($"/forum/p/{l.PostId}");
                var who = l.Kind == MemberNotificationKind.Mention ? $"{l.AuthorName} mentioned you" : $"{l.AuthorName} replied";
                var excerpt = Excerpt(l.Text, 240);
                text.Append($"\n{who} ({l.At:d MMM HH:mm} UTC):\n{Quote(excerpt)}\n{link}\n");
                html.Append($"""
                    <p style="margin:.6em 0 .2em"><strong>{OutgoingEmail.Encode(who)}</strong> <span style="color:#666">{l.At:d MMM HH:mm} UTC</span></p>
                    <blockquote style="border-left:3px solid #c7c9d9;margin:0;padding:0 1em;color:#333">{OutgoingEmail.Paragraphs(excerpt)}</blockquote>
                    <p style="margin:.2em 0 .8em"><a href="{OutgoingEmail.Encode(link)}">Read it</a></p>
                    """);
            }
        }
        text.Append($"""

            You get this digest because you chose a daily digest in your e-mail settings: {urls.To("/forum/settings")}
            Unsubscribe from community e-mails: {unsubscribe.Page(to.MemberId)}
            """);
        html.Append(Footer(urls, unsubscribe, to, "you chose a daily digest", null));
        return Compose(mailbox, unsubscribe, to, subject, text.ToString(), html.ToString());
    }

    private static MimeMessage Compose(Mailbox mailbox, UnsubscribeLinks unsubscribe, MemberRecipient to, string subject, string text, string html)
    {
        var mime = OutgoingEmail.Compose(mailbox, "Community", to.Username, to.Email, subject, text, html);
        OutgoingEmail.MarkAutomatic(mime);
        // RFC 2369 and RFC 8058: mail clients show an "Unsubscribe" button that POSTs to this link, no sign-in.
        mime.Headers.Add("List-Unsubscribe", $"<{unsubscribe.OneClick(to.MemberId)}>");
        mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        mime.Headers.Add("List-Id", $"Community notifications <community.{OutgoingEmail.Domain(mailbox)}>");
        return mime;
    }

    private static string Footer(PublicUrls urls, UnsubscribeLinks unsubscribe, MemberRecipient to, string why, Guid? topicId) => $"""
        <p style="color:#666;font-size:small">You get this e-mail because {OutgoingEmail.Encode(why)}. Reply in the community, not to this e-mail.
        {(topicId is { } t ? $"<a href=\"{OutgoingEmail.Encode(urls.To($"/forum/t/{t}#watch"))}\">Mute this topic</a> · " : "")}<a href="{OutgoingEmail.Encode(urls.To("/forum/settings"))}">E-mail settings</a> ·
        <a href="{OutgoingEmail.Encode(unsubscribe.Page(to.MemberId))}">Unsubscribe</a></p>
        """;

    private static string Count(int n, string one, string many) => n == 0 ? "" : n == 1 ? $"1 {one}" : $"{n} {many}";

    private static string Excerpt(string text, int length = ExcerptLength) => text.Length > length ? TextLimits.Cut(text, length) + "…" : text;

    private static string Quote(string text) => string.Join("\n", text.Replace("\r\n", "\n").Split('\n').Select(l => "> " + l));
}
