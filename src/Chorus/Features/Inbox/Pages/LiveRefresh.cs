namespace Chorus.Features.Inbox.Pages;

/// Turns a burst of change events (an import, a bulk update) into one re-query: the first request
/// schedules a refresh after a short pause, requests during the pause join it, and a request that
/// arrives while the refresh runs schedules one more. Events come from other circuits' threads;
/// the refresh runs on this component's renderer through <paramref name="invoke"/>.
public sealed class LiveRefresh(Func<Func<Task>, Task> invoke, Func<Task> refresh) : IDisposable
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(300);
    private readonly CancellationTokenSource _stop = new();
    private int _queued;

    public void Request()
    {
        if (_stop.IsCancellationRequested || Interlocked.Exchange(ref _queued, 1) == 1) return;
        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            await Task.Delay(Pause, _stop.Token);
            Interlocked.Exchange(ref _queued, 0);
            await invoke(refresh);
        }
        // The page was closed or its circuit ended while the refresh waited: nothing left to update.
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
