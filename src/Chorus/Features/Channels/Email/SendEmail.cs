using Chorus.Data;
using Chorus.Features.Channels.Outbox;
using MailKit.Net.Smtp;
using MimeKit;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Email;

/// Hands one outbox item to the mailbox's SMTP server. The server's acceptance of DATA is the proof
/// of sending; the caller records it at once. The moment the server accepts the recipient, the item is
/// marked handed off (HandedOffAt): the message and its end follow, so a crash from then on may leave
/// it delivered, and the dispatcher will not send it again blindly (see OutboxDispatcher).
public class SendEmail(ChorusDb db, MailboxSecrets secrets)
{
    private sealed class HandOffClient(Action handedOff) : SmtpClient
    {
        protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
        {
            base.OnRecipientAccepted(message, mailbox, response);
            handedOff(); // synchronous on purpose: recorded before a byte of the message is written
        }
    }

    public async Task<SendResult> RunAsync(OutboxItem item, CancellationToken ct = default)
    {
        var mailbox = await db.Mailboxes.AsNoTracking().SingleOrDefaultAsync(m => m.ChannelId == item.ChannelId, ct);
        if (mailbox is null) return new SendResult.Failed("The mailbox this reply was written on no longer exists.");
        var server = MailServers.Smtp(mailbox, secrets);
        if (server.User.Length > 0 && server.Password is null)
            return new SendResult.Retry("SMTP: the stored password cannot be read with this server's keys; enter it again.");
        var message = QueueEmailReply.Parse(item.Payload);
        try
        {
            var marked = false;
            var handOff = new HandOffClient(() =>
            {
                if (marked) return;
                marked = true;
                db.Outbox.Where(o => o.Id == item.Id).ExecuteUpdate(s => s.SetProperty(o => o.HandedOffAt, DateTimeOffset.UtcNow));
            });
            using var client = await MailServers.ConnectSmtpAsync(server, ct, handOff);
            await client.SendAsync(message, ct);
            try { await client.DisconnectAsync(true, ct); }
            catch (Exception e) when (e is IOException or SmtpProtocolException) { } // accepted already: a failed QUIT changes nothing
            return new SendResult.Sent();
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500 && e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted)
        {
            // The server refused this message for good; sending it again would be refused again.
            return new SendResult.Failed($"SMTP refused the message: {(int)e.StatusCode} {e.Message}");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return new SendResult.Retry(MailServers.Describe(e, "SMTP", server).Message);
        }
    }
}

public abstract record SendResult
{
    public sealed record Sent : SendResult;
    /// Worth trying again later (server down, timeout, temporary refusal).
    public sealed record Retry(string Error) : SendResult;
    /// Will never succeed; the item is marked failed.
    public sealed record Failed(string Error) : SendResult;
}
