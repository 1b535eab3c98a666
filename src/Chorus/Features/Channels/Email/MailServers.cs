using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Chorus.Features.Channels.Email;

/// Where and how to reach one mail server, with the password already unprotected.
public sealed record MailServer(string Host, int Port, MailSecurity Security, string User, string? Password);

/// Connecting to IMAP and SMTP servers, and saying in one sentence what went wrong when it fails.
public static class MailServers
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static MailServer Imap(Mailbox m, MailboxSecrets secrets) =>
        new(m.ImapHost, m.ImapPort, m.ImapSecurity, m.ImapUser, secrets.Unprotect(m.ImapPasswordProtected));

    public static MailServer Smtp(Mailbox m, MailboxSecrets secrets) =>
        new(m.SmtpHost, m.SmtpPort, m.SmtpSecurity, m.SmtpUser, secrets.Unprotect(m.SmtpPasswordProtected));

    private static SecureSocketOptions Options(MailSecurity security) => security switch
    {
        MailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        MailSecurity.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };

    public static async Task<ImapClient> ConnectImapAsync(MailServer server, CancellationToken ct)
    {
        var client = new ImapClient { Timeout = (int)Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(server.Host, server.Port, Options(server.Security), ct);
            await client.AuthenticateAsync(server.User, server.Password ?? "", ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public static async Task<SmtpClient> ConnectSmtpAsync(MailServer server, CancellationToken ct, SmtpClient? client = null)
    {
        client ??= new SmtpClient();
        client.Timeout = (int)Timeout.TotalMilliseconds;
        try
        {
            await client.ConnectAsync(server.Host, server.Port, Options(server.Security), ct);
            if (!string.IsNullOrEmpty(server.User)) await client.AuthenticateAsync(server.User, server.Password ?? "", ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// What an admin needs to fix: the stage that failed (dns, connect, tls, auth, folder, protocol) and why.
    public static MailProblem Describe(Exception e, string protocol, MailServer server) => e switch
    {
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } =>
            new("dns", $"{protocol}: the host name {server.Host} could not be resolved (DNS)."),
        SocketException s => new("connect", $"{protocol}: could not connect to {server.Host}:{server.Port} ({s.SocketErrorCode})."),
        SslHandshakeException or System.Security.Authentication.AuthenticationException =>
            new("tls", $"{protocol}: the TLS handshake with {server.Host}:{server.Port} failed. Check the TLS mode and the server's certificate. ({e.Message.Split('\n')[0]})"),
        MailKit.Security.AuthenticationException =>
            new("auth", $"{protocol}: {server.Host} rejected the user name or password for '{server.User}'."),
        FolderNotFoundException f => new("folder", $"{protocol}: the folder '{f.FolderName}' does not exist on {server.Host}."),
        ImapProtocolException or SmtpProtocolException =>
            new("protocol", $"{protocol}: {server.Host}:{server.Port} did not answer as a {protocol} server; check the port and the TLS mode. ({e.Message})"),
        SmtpCommandException c => new("smtp", $"{protocol}: the server answered {(int)c.StatusCode} {c.Message}"),
        ImapCommandException c => new("imap", $"{protocol}: the server answered {c.Response} {c.ResponseText}"),
        TimeoutException or OperationCanceledException => new("connect", $"{protocol}: {server.Host}:{server.Port} did not answer in time."),
        IOException io => new("connect", $"{protocol}: the connection to {server.Host}:{server.Port} broke ({io.Message})."),
        _ => new("error", $"{protocol}: {e.GetType().Name}: {e.Message}"),
    };
}

public sealed record MailProblem(string Stage, string Message);
