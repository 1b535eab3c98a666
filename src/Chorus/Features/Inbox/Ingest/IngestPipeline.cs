using System.Threading.Channels;
using Chorus.Common;

namespace Chorus.Features.Inbox.Ingest;

/// The one ingest pipeline every channel uses: validate → queue → (batched) dedupe, resolve person,
/// thread, persist → realtime. Single deliveries are group-committed: concurrent callers share one
/// transaction, so throughput grows with load instead of paying a commit per message.
public sealed class IngestPipeline(WriteInboundBatch writer, Operations.ChorusMetrics metrics, ILogger<IngestPipeline> log) : BackgroundService
{
    /// Envelopes waiting to be written.
    public int Waiting => _queue.Reader.Count;

    public const int MaxTextLength = 200_000;
    public const int MaxBatch = 1_000;

    private readonly Channel<Pending> _queue = System.Threading.Channels.Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(20_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private sealed record Pending(InboundEnvelope Envelope, EnvelopeText Read, TaskCompletionSource<IngestResult> Done);

    /// Checks an envelope before anything is written; returns field errors or null.
    public static Dictionary<string, string[]>? Validate(InboundEnvelope e)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(e.ExternalId)) errors["externalId"] = ["The channel's id of the message is required."];
        else if (e.ExternalId.Length > 500) errors["externalId"] = ["The external id is longer than 500 characters."];
        if (e.ExternalThreadId is { Length: > 500 }) errors["externalThreadId"] = ["The thread id is longer than 500 characters."];
        if (string.IsNullOrWhiteSpace(e.Author.Handle)) errors["author.handle"] = ["The author's handle is required."];
        else if (e.Author.Handle.Length > 320) errors["author.handle"] = ["The author's handle is longer than 320 characters."];
        else if (e.Author.Kind == People.IdentityKind.Email && !EmailAddress.IsValid(e.Author.Handle))
            errors["author.handle"] = ["The author's e-mail address is not valid."];
        if (string.IsNullOrWhiteSpace(e.Text) && string.IsNullOrWhiteSpace(e.Html)) errors["text"] = ["The message has no text."];
        if ((e.Text?.Length ?? 0) > MaxTextLength || (e.Html?.Length ?? 0) > MaxTextLength * 2)
            errors["text"] = [$"The message is longer than {MaxTextLength:N0} characters."];
        if (e.Subject is { Length: > 500 }) errors["subject"] = ["The subject is longer than 500 characters."];
        return errors.Count == 0 ? null : errors;
    }

    /// Ingests one envelope and waits until it is stored (or found to be a duplicate).
    public async Task<IngestResult> IngestAsync(InboundEnvelope envelope, CancellationToken ct = default)
    {
        if (Validate(envelope) is { } errors) return IngestResult.Rejected(string.Join(" ", errors.SelectMany(e => e.Value)));
        var pending = new Pending(envelope, EnvelopeText.Of(envelope), new TaskCompletionSource<IngestResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, ct);
        return await pending.Done.Task.WaitAsync(ct);
    }

    /// Ingests many envelopes directly, in batches (importers, the benchmark, the demo workspace).
    public async Task<IReadOnlyList<IngestResult>> IngestManyAsync(IReadOnlyList<InboundEnvelope> envelopes, CancellationToken ct = default)
    {
        var results = new IngestResult[envelopes.Count];
        var valid = new List<(int Index, InboundEnvelope Envelope)>();
        for (var i = 0; i < envelopes.Count; i++)
        {
            if (Validate(envelopes[i]) is { } errors) results[i] = IngestResult.Rejected(string.Join(" ", errors.SelectMany(e => e.Value)));
            else valid.Add((i, envelopes[i]));
        }
        foreach (var chunk in valid.Chunk(MaxBatch))
        {
            var written = await WriteIsolatingFailuresAsync(chunk.Select(c => c.Envelope).ToList(), null, ct);
            for (var j = 0; j < chunk.Length; j++)
            {
                metrics.Ingested(written[j].Status);
                results[chunk[j].Index] = written[j];
            }
        }
        return results;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p)) batch.Add(p);
            try
            {
                var results = await WriteIsolatingFailuresAsync(batch.Select(p => p.Envelope).ToList(), batch.Select(p => p.Read).ToList(), stoppingToken);
                for (var i = 0; i < batch.Count; i++)
                {
                    metrics.Ingested(results[i].Status);
                    batch[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception ex)
            {
                if (ex is StoreUnavailableException) log.LogWarning("{Count} envelopes not stored: {Reason}", batch.Count, ex.Message);
                foreach (var p in batch) p.Done.TrySetException(ex);
            }
        }
    }

    /// Writes a batch in one transaction; if that fails, writes each envelope alone so one bad
    /// envelope (or a race with another node) cannot fail the others. Nothing is half-written:
    /// each write is one transaction. When the store is unreachable, no envelope is to blame: the
    /// whole batch fails with StoreUnavailableException for its callers to retry.
    private async Task<IReadOnlyList<IngestResult>> WriteIsolatingFailuresAsync(IReadOnlyList<InboundEnvelope> batch, IReadOnlyList<EnvelopeText>? read, CancellationToken ct)
    {
        try
        {
            return await writer.WriteAsync(batch, read, ct);
        }
        catch (Exception ex) when (StoreUnavailableException.Describes(ex))
        {
            throw new StoreUnavailableException(ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (batch.Count == 1) return [Rejected(batch[0], ex)];
            log.LogWarning(ex, "Batch of {Count} envelopes failed; retrying one by one", batch.Count);
            var results = new IngestResult[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                try { results[i] = (await writer.WriteAsync([batch[i]], read is null ? null : [read[i]], ct))[0]; }
                catch (Exception one) when (StoreUnavailableException.Describes(one)) { throw new StoreUnavailableException(one); }
                catch (Exception one) when (one is not OperationCanceledException) { results[i] = Rejected(batch[i], one); }
            }
            return results;
        }
    }

    /// One envelope the store refused: logged with its keys, answered with the reason, nothing written.
    private IngestResult Rejected(InboundEnvelope envelope, Exception error)
    {
        log.LogError(error, "Envelope {ExternalId} on channel {Channel} could not be stored", envelope.ExternalId, envelope.ChannelId);
        return IngestResult.Rejected("The message could not be stored: " + error.GetBaseException().Message);
    }
}
