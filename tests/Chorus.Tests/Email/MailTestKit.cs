using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using Chorus.Tests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using Xunit.Sdk;

namespace Chorus.Tests.Email;

/// The throwaway Postfix + Dovecot that test.sh starts (tests/mail-servers.sh): every address
/// @example.test is a mailbox with the password "pass"; nosuchuser@example.test bounces.
public static class Mail
{
    public const string Domain = "example.test";
    public const string Password = "pass";

    public static (string Host, int Port) Smtp => HostPort(TestEnv.Require("TEST_SMTP"));
    public static (string Host, int Port) Imap => HostPort(TestEnv.Require("TEST_IMAP"));

    /// A mailbox no other test uses.
    public static string NewAddress(string who) => $"{who}-{Guid.NewGuid().ToString("N")[..10]}@{Domain}";

    public static MimeMessage Compose(string from, string to, string subject, string text, string? inReplyTo = null)
    {
        var m = new MimeMessage { Subject = subject, MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("customer." + Domain) };
        m.From.Add(new MailboxAddress("Ann Customer", from));
        m.To.Add(MailboxAddress.Parse(to));
        if (inReplyTo is not null)
        {
            m.InReplyTo = inReplyTo;
            m.References.Add(inReplyTo);
        }
        m.Body = new TextPart("plain") { Text = text };
        return m;
    }

    /// Sends through Postfix, which delivers to Dovecot over LMTP.
    public static async Task SendAsync(MimeMessage message)
    {
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(Smtp.Host, Smtp.Port, SecureSocketOptions.None);
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(true);
    }

    /// Puts raw bytes into a mailbox as they are (no SMTP, no re-encoding): `doveadm save`.
    public static async Task SaveRawAsync(string user, byte[] raw, string folder = "INBOX")
    {
        var psi = new ProcessStartInfo("doveadm") { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", TestEnv.Require("TEST_DOVECOT_CONF"), "save", "-u", user, "-m", folder }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        await p.StandardInput.BaseStream.WriteAsync(raw);
        p.StandardInput.Close();
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException("doveadm save failed: " + err);
    }

    public static async Task<ImapClient> ConnectImapAsync(string user)
    {
        var imap = new ImapClient();
        await imap.ConnectAsync(Imap.Host, Imap.Port, SecureSocketOptions.None);
        await imap.AuthenticateAsync(user, Password);
        return imap;
    }

    /// Every message in the user's folder matching the query (read-only, nothing flagged).
    public static async Task<List<(UniqueId Uid, MimeMessage Message, MessageFlags? Flags)>> ReadAsync(string user, SearchQuery query, string folder = "INBOX")
    {
        using var imap = await ConnectImapAsync(user);
        var f = await imap.GetFolderAsync(folder);
        await f.OpenAsync(FolderAccess.ReadOnly);
        var result = new List<(UniqueId, MimeMessage, MessageFlags?)>();
        var uids = await f.SearchAsync(query);
        var flags = uids.Count == 0 ? [] : (await f.FetchAsync(uids, new FetchRequest(MessageSummaryItems.Flags | MessageSummaryItems.UniqueId))).ToDictionary(s => s.UniqueId, s => s.Flags);
        foreach (var uid in uids) result.Add((uid, await f.GetMessageAsync(uid), flags.GetValueOrDefault(uid)));
        await imap.DisconnectAsync(true);
        return result;
    }

    public static byte[] Corpus(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", "email", name));

    private static (string, int) HostPort(string s) => (s.Split(':')[0], int.Parse(s.Split(':')[1]));
}

/// Waits for an outcome that arrives asynchronously (a poll, a send), checking again and again
/// until it holds or the bound runs out. The bound only limits a failing test; it is never the assertion.
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, int seconds = 30) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new XunitException($"Timed out after {seconds} s waiting for: {what}");
            await Task.Delay(200);
        }
    }

    public static Task TrueAsync(Func<Task<bool>> probe, string what, int seconds = 30) =>
        GetAsync<object>(async () => await probe() ? new object() : null, what, seconds);
}

/// A [Theory, Providers] that needs the mail servers: skipped locally when they are not running,
/// a failure under CI=true.
/// A theory through the real mail servers (test.sh starts them). It always runs: without them it fails,
/// naming what is missing (Mail.Smtp / Mail.Imap use TestEnv.Require), never a skip.
public sealed class MailTheoryAttribute : TheoryAttribute;

/// A Chorus host wired to the test mail servers, polling and dispatching fast.
public static class MailApp
{
    public static ChorusFactory Create(Provider provider)
    {
        var app = new ChorusFactory(provider);
        app.Settings["Chorus:Email:ReconcileSeconds"] = "0.2";
        app.Settings["Chorus:Outbox:PollMilliseconds"] = "200";
        app.Settings["Chorus:Outbox:RetryBaseSeconds"] = "0.3";
        app.Settings["Chorus:Outbox:MaxRetrySeconds"] = "1";
        return app;
    }

    /// Adds a mailbox channel for <paramref name="address"/> through the admin API; returns its id.
    public static async Task<Guid> AddMailboxAsync(StaffClient admin, string address, object? overrides = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["name"] = "Support mail", ["address"] = address,
            ["imapHost"] = Mail.Imap.Host, ["imapPort"] = Mail.Imap.Port, ["imapSecurity"] = "None", ["imapUser"] = address, ["imapPassword"] = Mail.Password,
            ["smtpHost"] = Mail.Smtp.Host, ["smtpPort"] = Mail.Smtp.Port, ["smtpSecurity"] = "None", ["pollIntervalSeconds"] = 1,
        };
        if (overrides is not null)
            foreach (var p in overrides.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)) body[p.Name] = p.GetValue(overrides);
        var response = await admin.PostAsync("/api/v1/channels/mailboxes", body);
        if (response.StatusCode != HttpStatusCode.Created) throw new XunitException($"Creating the mailbox failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// The conversation numbers on a channel (any status), newest first.
    public static async Task<List<long>> ConversationNumbersAsync(StaffClient staff, Guid channel)
    {
        var page = await staff.Http.GetFromJsonAsync<JsonElement>($"/api/v1/conversations?channel={channel}&status=New&status=Open&status=Pending&status=OnHold&status=Solved&status=Closed");
        return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt64()).ToList();
    }

    public static Task<JsonElement> ConversationAsync(StaffClient staff, long number) =>
        staff.Http.GetFromJsonAsync<JsonElement>($"/api/v1/conversations/{number}");

    public static async Task<JsonElement> MailboxAsync(StaffClient admin, Guid id) =>
        await admin.Http.GetFromJsonAsync<JsonElement>($"/api/v1/channels/mailboxes/{id}");

    public static async Task<List<JsonElement>> RejectionsAsync(StaffClient admin, Guid id) =>
        (await admin.Http.GetFromJsonAsync<JsonElement>($"/api/v1/channels/mailboxes/{id}/rejections")).EnumerateArray().ToList();
}

/// A TCP port that refuses connections until <see cref="StartForwardingTo"/> is called, then passes
/// every connection through to the real server: an SMTP server that is down, then comes back.
/// <see cref="Cut"/> takes it down again, dropping the live connections (a database restarting).
public sealed class FlakyPort : IAsyncDisposable
{
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TcpClient, byte> _live = new();
    public int Port { get; }

    public FlakyPort()
    {
        Port = LoopbackPorts.Free(); // nothing listens there now: connections are refused
    }

    public void StartForwardingTo(string host, int port)
    {
        if (_stop.IsCancellationRequested) _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient inbound;
                try { inbound = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }
                var stop = _stop.Token;
                _ = Task.Run(async () =>
                {
                    using var client = inbound;
                    using var upstream = new TcpClient();
                    _live[client] = 0;
                    _live[upstream] = 0;
                    try
                    {
                        await upstream.ConnectAsync(host, port, stop);
                        var a = client.GetStream();
                        var b = upstream.GetStream();
                        await Task.WhenAny(a.CopyToAsync(b, stop), b.CopyToAsync(a, stop));
                    }
                    catch (Exception) { /* cut, or the far end went away */ }
                    finally
                    {
                        _live.TryRemove(client, out _);
                        _live.TryRemove(upstream, out _);
                    }
                });
            }
        });
    }

    /// Down again: new connections are refused and the live ones are dropped mid-conversation.
    public void Cut()
    {
        _stop.Cancel();
        _listener?.Stop();
        foreach (var c in _live.Keys) c.Dispose();
        _live.Clear();
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
