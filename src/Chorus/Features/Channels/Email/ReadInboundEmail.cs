using System.Security.Cryptography;
using System.Text;
using Chorus.Common;
using MimeKit;

namespace Chorus.Features.Channels.Email;

/// What one message in a mailbox is: something to file, a delivery report about our own mail,
/// or something to skip (with the reason an admin will read).
public abstract record InboundEmail
{
    public sealed record File(
        string ExternalId, string From, string? FromName, DateTimeOffset At, string? Subject, string Text, string? Html, bool AutoReply) : InboundEmail;

    /// A delivery status notification. Action is the DSN's (RFC 3464): "failed" for a bounce,
    /// "delayed" while the server keeps trying, "delivered", "relayed" or "expanded".
    public sealed record Bounce(string? OriginalMessageId, string Action, string Reason) : InboundEmail
    {
        public bool Failed => Action == "failed";
    }

    public sealed record Skip(string Reason) : InboundEmail;
}

/// Turns a parsed MIME message into an <see cref="InboundEmail"/>. MimeKit has already decoded
/// charsets, transfer encodings and RFC 2047 encoded words.
public static class ReadInboundEmail
{
    public const string AutoReplyTag = "auto-reply";
    private const int MaxExternalId = 500;

    public static InboundEmail Read(MimeMessage mime, string mailboxAddress, DateTimeOffset? receivedAt)
    {
        if (mime.Body is MultipartReport report && string.Equals(report.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase))
            return ReadBounce(report);

        var from = mime.From.Mailboxes.FirstOrDefault() ?? mime.Sender ?? mime.ReplyTo.Mailboxes.FirstOrDefault();
        if (from is null) return new InboundEmail.Skip("The message has no sender (From) address.");
        var address = from.Address?.Trim() ?? "";
        if (!EmailAddress.IsValid(address)) return new InboundEmail.Skip($"The sender address '{Truncate(address, 200)}' is not a valid e-mail address.");
        if (WithoutDetail(address).Equals(mailboxAddress, StringComparison.OrdinalIgnoreCase))
            return new InboundEmail.Skip("Sent from this mailbox's own address (a loop or a copy of our own reply).");

        var html = string.IsNullOrWhiteSpace(mime.HtmlBody) ? null : mime.HtmlBody;
        var text = PreferredText(mime.TextBody, html);
        if (string.IsNullOrWhiteSpace(text) && html is null) text = "(no text)";

        var at = mime.Date == DateTimeOffset.MinValue || mime.Date > DateTimeOffset.UtcNow.AddDays(1) ? receivedAt ?? DateTimeOffset.UtcNow : mime.Date;
        var subject = string.IsNullOrWhiteSpace(mime.Subject) ? null : Truncate(mime.Subject.Trim(), 500);
        return new InboundEmail.File(ExternalId(mime, text), address, string.IsNullOrWhiteSpace(from.Name) ? null : from.Name.Trim(),
            at.ToUniversalTime(), subject, text, html, IsAutoReply(mime));
    }

    /// The message's own id: its Message-ID, or (when it has none, or an absurd one) a hash of what
    /// identifies it, so the same message delivered twice still has the same id.
    public static string ExternalId(MimeMessage mime, string text)
    {
        if (!string.IsNullOrWhiteSpace(mime.MessageId) && mime.MessageId.Length <= MaxExternalId) return mime.MessageId.Trim();
        var identity = string.Join("\n", mime.From.ToString(), mime.To.ToString(), mime.Cc.ToString(),
            mime.Headers[HeaderId.Date] ?? "", mime.Subject ?? "", text);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    /// Automatic mail (vacation notices, autoresponders, list traffic): filed, but never answered automatically.
    public static bool IsAutoReply(MimeMessage mime)
    {
        var h = mime.Headers;
        var autoSubmitted = h[HeaderId.AutoSubmitted];
        if (!string.IsNullOrWhiteSpace(autoSubmitted) && !autoSubmitted.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase)) return true;
        var precedence = h[HeaderId.Precedence]?.Trim().ToLowerInvariant();
        if (precedence is "bulk" or "junk" or "list" or "auto_reply") return true;
        return h.Contains("X-Autoreply") || h.Contains("X-Autorespond");
    }

    /// text/plain when it is there and says something; otherwise the HTML's text. A plain part much
    /// shorter than the HTML is usually a "view this in HTML" stub.
    public static string PreferredText(string? plain, string? html)
    {
        var htmlText = html is null ? null : HtmlCleaner.ToText(html);
        if (!string.IsNullOrWhiteSpace(plain) && (htmlText is null || plain.Trim().Length * 3 >= Math.Min(htmlText.Length, 3000)))
            return plain.Trim();
        return htmlText ?? plain?.Trim() ?? "";
    }

    private static InboundEmail.Bounce ReadBounce(MultipartReport report)
    {
        var original = report.OfType<MessagePart>().Select(p => p.Message?.MessageId).FirstOrDefault(id => !string.IsNullOrEmpty(id));
        var status = report.OfType<MessageDeliveryStatus>().FirstOrDefault();
        // The first group is about the message; each later one is about one recipient.
        var recipients = status?.StatusGroups.Skip(1).ToList() ?? [];
        var failedOne = recipients.FirstOrDefault(g => g["Action"]?.Trim().Equals("failed", StringComparison.OrdinalIgnoreCase) == true);
        var group = failedOne ?? recipients.FirstOrDefault();
        if (group is null) return new InboundEmail.Bounce(original, "failed", "The message bounced (the report gave no details).");
        var recipient = Field(group["Final-Recipient"] ?? group["Original-Recipient"]);
        var code = group["Status"]?.Trim();
        var diagnostic = Field(group["Diagnostic-Code"]);
        var action = failedOne is not null ? "failed" : group["Action"]?.Trim().ToLowerInvariant() is { Length: > 0 and <= 20 } a ? a : "failed";
        var retryUntil = group["Will-Retry-Until"]?.Trim();
        var details = $"{recipient ?? "a recipient"}" + (code is null ? "" : $" {code}") + (diagnostic is null ? "" : $" {diagnostic}")
                      + (action == "delayed" && !string.IsNullOrEmpty(retryUntil) ? $" (the server keeps trying until {retryUntil})" : "");
        var reason = action switch
        {
            "failed" => "Bounced: " + details,
            "delayed" => details,
            _ => $"Delivery report ({action}): {details}",
        };
        return new InboundEmail.Bounce(original, action, Truncate(reason, 1000));
    }

    // "rfc822; ann@example.com" → "ann@example.com"; "smtp; 550 5.1.1 no such user" → "550 5.1.1 no such user"
    private static string? Field(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var semi = value.IndexOf(';');
        return string.Join(' ', (semi >= 0 ? value[(semi + 1)..] : value).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// ann+c42-abc@example.com → ann@example.com
    public static string WithoutDetail(string address)
    {
        var at = address.LastIndexOf('@');
        var plus = at > 0 ? address.LastIndexOf('+', at - 1) : -1;
        return plus > 0 ? address[..plus] + address[at..] : address;
    }

    private static string Truncate(string s, int max) => s.Length > max ? s[..max] : s;
}
