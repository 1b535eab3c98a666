using System.Net;
using Chorus.Common;
using MailKit;

namespace Chorus.Features.Channels.Email;

public sealed record ConnectionCheck(bool Ok, IReadOnlyList<ConnectionStep> Steps);

/// One server's result: Ok, or the stage that failed (dns, connect, tls, auth, folder, protocol) and why.
public sealed record ConnectionStep(string Protocol, bool Ok, string? Stage, string Message);

/// "Test connection": signs in to IMAP (and opens the folders it will use) and to SMTP, without
/// reading or sending anything, and tells the admin what to fix. It tests a stored mailbox, or the
/// settings an admin is editing before they are saved (passwords left empty are the stored ones).
public class TestMailboxConnection(ManageMailboxes manage, MailboxSecrets secrets)
{
    /// <paramref name="id"/> null with <paramref name="changes"/>: a mailbox not created yet.
    /// Each server's result is reported to <paramref name="progress"/> as soon as it is known.
    public async Task<Outcome<ConnectionCheck>> RunAsync(Guid? id, MailboxInput? changes = null, IProgress<ConnectionStep>? progress = null,
        CancellationToken ct = default)
    {
        var preview = await manage.PreviewAsync(id, changes ?? new MailboxInput(), ct);
        if (preview is not Outcome<Mailbox>.Ok { Value: var mailbox })
            return preview is Outcome<Mailbox>.Invalid invalid ? new Outcome<ConnectionCheck>.Invalid(invalid.Errors) : new Outcome<ConnectionCheck>.NotFound("Mailbox");
        var imap = await CheckImapAsync(mailbox, ct);
        progress?.Report(imap);
        var smtp = await CheckSmtpAsync(mailbox, ct);
        progress?.Report(smtp);
        return new ConnectionCheck(imap.Ok && smtp.Ok, [imap, smtp]);
    }

    private async Task<ConnectionStep> CheckImapAsync(Mailbox mailbox, CancellationToken ct)
    {
        var server = MailServers.Imap(mailbox, secrets);
        if (server.Password is null) return new ConnectionStep("IMAP", false, "auth", "IMAP: the stored password cannot be read with this server's keys; enter it again.");
        try
        {
            await Dns.GetHostAddressesAsync(server.Host, ct);
            using var client = await MailServers.ConnectImapAsync(server, ct);
            var folder = await client.GetFolderAsync(mailbox.ImapFolder, ct);
            await folder.OpenAsync(FolderAccess.ReadOnly, ct);
            var message = $"IMAP: signed in to {server.Host}:{server.Port}; '{folder.FullName}' holds {folder.Count} messages.";
            if (mailbox.ProcessedAction == ProcessedAction.Move) await client.GetFolderAsync(mailbox.ProcessedFolder!, ct);
            await client.DisconnectAsync(true, ct);
            return new ConnectionStep("IMAP", true, null, message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var problem = MailServers.Describe(e, "IMAP", server);
            return new ConnectionStep("IMAP", false, problem.Stage, problem.Message);
        }
    }

    private async Task<ConnectionStep> CheckSmtpAsync(Mailbox mailbox, CancellationToken ct)
    {
        var server = MailServers.Smtp(mailbox, secrets);
        try
        {
            await Dns.GetHostAddressesAsync(server.Host, ct);
            using var client = await MailServers.ConnectSmtpAsync(server, ct);
            await client.DisconnectAsync(true, ct);
            return new ConnectionStep("SMTP", true, null,
                $"SMTP: connected to {server.Host}:{server.Port}" + (server.User.Length > 0 ? $" and signed in as {server.User}." : " (no sign-in configured)."));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var problem = MailServers.Describe(e, "SMTP", server);
            return new ConnectionStep("SMTP", false, problem.Stage, problem.Message);
        }
    }
}
