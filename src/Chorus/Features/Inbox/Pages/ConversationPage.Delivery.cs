using Chorus.Common;
using Chorus.Features.Channels.Outbox;
using MudBlazor;

namespace Chorus.Features.Inbox.Pages;

public partial class ConversationPage
{
    /// "Retry now" on a reply that failed or waits for its next attempt; the dispatcher's live events
    /// then show it sending and sent (or failed again).
    private async Task RetryDeliveryAsync(Guid messageId)
    {
        if (actor is null) return;
        await gate.WaitAsync();
        try
        {
            Outcome<MessageDelivery> outcome;
            await using (var w = Work.Open())
                outcome = await w.Get<RetryDelivery>().RunAsync(actor, Number, messageId);
            if (outcome is Outcome<MessageDelivery>.Ok) Snackbar.Add("Sending the reply again.", Severity.Info);
            else Snackbar.Add(outcome.Error ?? "Could not retry.", Severity.Error);
            await ReloadAsync();
        }
        catch (Exception e)
        {
            Fail("Could not retry", e);
        }
        finally
        {
            gate.Release();
        }
    }
}
