using Chorus.Common;
using Chorus.Data;

namespace Chorus.Features.Channels.Email.Pages;

/// One "Test connection" press on a page: runs the check in its own work scope, collects each
/// server's result as it arrives and re-renders, and is cancelled when the page or dialog closes.
public sealed class ConnectionCheckRun(WorkScopes work, Action changed) : IDisposable
{
    private CancellationTokenSource? _cancel;

    public bool Running { get; private set; }
    public List<ConnectionStep> Steps { get; } = [];
    public string? Error { get; private set; }

    public async Task RunAsync(Guid? id, MailboxInput? changes)
    {
        if (Running) return;
        _cancel?.Dispose();
        _cancel = new CancellationTokenSource();
        Running = true;
        Error = null;
        Steps.Clear();
        changed();
        try
        {
            await using var w = work.Open();
            var outcome = await w.Get<TestMailboxConnection>().RunAsync(id, changes, new StepReport(step => { Steps.Add(step); changed(); }), _cancel.Token);
            Error = outcome.Error;
        }
        catch (OperationCanceledException) { }
        finally
        {
            Running = false;
            changed();
        }
    }

    /// Forgets the last result (the settings it was about changed).
    public void Clear()
    {
        if (Running) return;
        Steps.Clear();
        Error = null;
    }

    /// Reports on the caller's context (the component's renderer), unlike Progress<T>, which posts later.
    private sealed class StepReport(Action<ConnectionStep> report) : IProgress<ConnectionStep>
    {
        public void Report(ConnectionStep value) => report(value);
    }

    public void Dispose()
    {
        _cancel?.Cancel();
        _cancel?.Dispose();
    }
}
