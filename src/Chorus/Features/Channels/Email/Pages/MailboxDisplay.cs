namespace Chorus.Features.Channels.Email.Pages;

/// How the mailbox pages name TLS modes and processed-message handling.
public static class MailboxDisplay
{
    public static string Security(MailSecurity s) => s switch
    {
        MailSecurity.SslOnConnect => "SSL/TLS",
        MailSecurity.StartTls => "STARTTLS",
        _ => "No encryption",
    };

    public static string Processed(ProcessedAction action, string? folder) =>
        action == ProcessedAction.Move ? $"moved to '{folder}'" : "marked as read, left in the folder";

    /// Polling state in a word: off, not read yet, failing, or reading.
    public static (string Label, MudBlazor.Color Color, string State) State(MailboxView m) => m switch
    {
        { Enabled: false } => ("Disabled", MudBlazor.Color.Default, "disabled"),
        { LastError: not null } => ("Failing", MudBlazor.Color.Error, "failing"),
        { LastPolledAt: null } => ("Waiting for first poll", MudBlazor.Color.Info, "pending"),
        _ => ("Receiving", MudBlazor.Color.Success, "ok"),
    };
}
