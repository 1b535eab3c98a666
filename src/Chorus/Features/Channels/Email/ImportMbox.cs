using System.Security.Cryptography;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Inbox.Ingest;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Chorus.Features.Channels.Email;

public sealed record MboxProgress(long Position, long Length, int Read, int Filed, int Duplicates, int Skipped);

/// Why messages were not imported: each reason with how many and a few Message-IDs (or positions).
public sealed record SkipReason(string Reason, int Count, IReadOnlyList<string> Examples);

public sealed record MboxImportResult(long ResumedAt, int Read, int Filed, int Duplicates, int Skipped, IReadOnlyList<SkipReason> SkipReasons, bool Finished);

/// Imports an mbox archive into an e-mail channel through the ingest pipeline. Idempotent: every
/// message is keyed by its Message-ID, so a second run files nothing new. Resumable: after each batch
/// the byte offset of the next message is stored per (channel, file content), and a new run starts there.
/// Threads like the IMAP poller (references, subject + sender), including within the archive itself.
/// Mailing-list archives carry Precedence: bulk on every message: imported history is not tagged
/// auto-reply, since no automation answers imported mail anyway.
public class ImportMbox(ChorusDb db, IngestPipeline pipeline, ThreadInboundEmail threads, RouteEmailAnswer answers, MailboxSecrets secrets,
    StoreInboundAttachments attachments, Community.Blocking.KeepBlockedFilesOut blocked)
{
    public const int BatchSize = 200;

    public async Task<Outcome<MboxImportResult>> RunAsync(string path, string channelName, bool fromStart = false, int? maxMessages = null,
        IProgress<MboxProgress>? progress = null, CancellationToken ct = default)
    {
        var channel = await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.Name == channelName && c.Kind == ChannelKind.Email, ct);
        if (channel is null)
        {
            var names = await db.Channels.Where(c => c.Kind == ChannelKind.Email).Select(c => c.Name).ToListAsync(ct);
            return new Outcome<MboxImportResult>.NotFound($"E-mail channel '{channelName}' (e-mail channels: {(names.Count == 0 ? "none" : string.Join(", ", names))})");
        }
        return await RunAsync(path, channel, fromStart, maxMessages, progress, ct);
    }

    /// The same, into the e-mail channel with this id (the admin UI's imports).
    public async Task<Outcome<MboxImportResult>> RunAsync(string path, Guid channelId, IProgress<MboxProgress>? progress = null, CancellationToken ct = default) =>
        await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.Id == channelId && c.Kind == ChannelKind.Email, ct) is { } channel
            ? await RunAsync(path, channel, false, null, progress, ct)
            : new Outcome<MboxImportResult>.NotFound("The e-mail channel");

    private async Task<Outcome<MboxImportResult>> RunAsync(string path, Channel channel, bool fromStart, int? maxMessages,
        IProgress<MboxProgress>? progress, CancellationToken ct)
    {
        if (!File.Exists(path)) return Outcome<MboxImportResult>.Invalid.One("file", $"There is no file {path}.");
        var mailbox = await db.Mailboxes.AsNoTracking().SingleOrDefaultAsync(m => m.ChannelId == channel.Id, ct);
        var tokens = mailbox is not null && secrets.Unprotect(mailbox.ReplyTokenKeyProtected) is { } key
            ? new ReplyTokenKey(mailbox.Address, Convert.FromBase64String(key)) : null;

        await using var stream = File.OpenRead(path);
        var checkpointKey = $"import:mbox:{channel.Id:N}:{Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct))[..32]}";
        var checkpoint = await db.Settings.SingleOrDefaultAsync(s => s.Key == checkpointKey, ct);
        var start = fromStart || checkpoint is null ? 0 : long.Parse(checkpoint.Value);
        stream.Position = Math.Min(start, stream.Length);

        var run = new Run(channel.Id, mailbox?.Address, tokens, stream.Length);
        var parser = new MimeParser(stream, MimeFormat.Mbox);
        var pending = new List<(InboundEnvelope Envelope, string Example)>();
        while (!parser.IsEndOfStream && !(maxMessages <= run.Read))
        {
            MimeMessage mime;
            try
            {
                mime = await parser.ParseMessageAsync(ct);
            }
            catch (FormatException e)
            {
                // The rest of the stream cannot be split into messages any more: stop here, say where.
                run.Skip($"The archive is not valid mbox from here on ({e.Message}).", $"offset {parser.Position}");
                break;
            }
            // The parser's offsets are positions in the file (it starts counting where the stream was).
            var next = parser.MboxMarkerOffset;
            if (pending.Count >= BatchSize)
            {
                await FlushAsync(run, pending, next, checkpointKey, ct);
                progress?.Report(run.Progress(next));
            }
            run.Read++;
            var envelope = await ToEnvelopeAsync(run, mime, ct);
            if (envelope is not null) pending.Add((envelope, mime.MessageId ?? envelope.ExternalId));
        }
        var finished = parser.IsEndOfStream;
        var end = finished ? stream.Length : parser.Position;
        await FlushAsync(run, pending, end, checkpointKey, ct);
        progress?.Report(run.Progress(end));
        return new MboxImportResult(start, run.Read, run.Filed, run.Duplicates, run.Skipped,
            run.Reasons.Select(r => new SkipReason(r.Key, r.Value.Count, r.Value.Examples)).OrderByDescending(r => r.Count).ToList(), finished);
    }

    private sealed class Run(Guid channelId, string? ownAddress, ReplyTokenKey? tokens, long length)
    {
        public Guid ChannelId { get; } = channelId;
        public string? OwnAddress { get; } = ownAddress;
        public ReplyTokenKey? Tokens { get; } = tokens;
        public int Read, Filed, Duplicates, Skipped;
        public readonly Dictionary<string, (int Count, List<string> Examples)> Reasons = [];
        /// Thread of every message of this run by its Message-ID, and the latest thread per (sender,
        /// subject): messages of one batch are not in the database yet when the next one looks for its parent.
        public readonly Dictionary<string, string> ThreadByMessageId = [];
        public readonly Dictionary<(string, string), (string Thread, DateTimeOffset At)> ThreadBySubject = [];
        public readonly List<InboundEmailRejection> Rejections = [];

        public void Skip(string reason, string example, MimeMessage? mime = null)
        {
            Skipped++;
            var entry = Reasons.GetValueOrDefault(reason, (0, []));
            if (entry.Examples.Count < 5) entry.Examples.Add(example);
            Reasons[reason] = (entry.Count + 1, entry.Examples);
            Rejections.Add(new InboundEmailRejection
            {
                ChannelId = ChannelId, MessageId = Cap(mime?.MessageId, 500), From = Cap(mime?.From.Mailboxes.FirstOrDefault()?.Address, 320),
                Subject = Cap(mime?.Subject, 500), Reason = Cap("Import: " + reason, 1000)!,
            });
        }

        public MboxProgress Progress(long position) => new(position, length, Read, Filed, Duplicates, Skipped);

        private static string? Cap(string? s, int max) => s is { Length: > 0 } ? s.Length > max ? s[..max] : s : null;
    }

    private async Task<InboundEnvelope?> ToEnvelopeAsync(Run run, MimeMessage mime, CancellationToken ct)
    {
        var example = mime.MessageId ?? $"message {run.Read}";
        switch (ReadInboundEmail.Read(mime, run.OwnAddress ?? "", null))
        {
            case InboundEmail.Skip skip:
                run.Skip(skip.Reason, example, mime);
                return null;
            case InboundEmail.Bounce:
                run.Skip("A delivery report, not a conversation.", example, mime);
                return null;
            case InboundEmail.File email:
                var subjectKey = (Identity.Normalize(IdentityKind.Email, email.From), ThreadInboundEmail.NormalizeSubject(email.Subject));
                // Answers to mail we sent (a newsletter, a web-form reply) go where the poller would put them.
                var route = await answers.RunAsync(run.ChannelId, run.Tokens, mime, ct);
                var thread = route?.ThreadId ?? ThreadInboundEmail.ReferencedIds(mime).Select(id => run.ThreadByMessageId.GetValueOrDefault(id)).FirstOrDefault(t => t is not null)
                             ?? await threads.RunAsync(run.ChannelId, run.Tokens, mime, email, ct)
                             ?? (subjectKey.Item2.Length > 0 && run.ThreadBySubject.TryGetValue(subjectKey, out var recent)
                                 && email.At - recent.At <= ThreadInboundEmail.SubjectWindow && email.At >= recent.At ? recent.Thread : null);
                var threadId = thread ?? email.ExternalId;
                run.ThreadByMessageId.TryAdd(email.ExternalId, threadId);
                if (subjectKey.Item2.Length > 0) run.ThreadBySubject[subjectKey] = (threadId, email.At);
                var files = await attachments.RunAsync(mime, email.Html, await blocked.SenderBlockedAsync(IdentityKind.Email, email.From, ct), ct);
                return new InboundEnvelope(route?.ChannelId ?? run.ChannelId, email.ExternalId, threadId,
                    new InboundAuthor(IdentityKind.Email, email.From, email.FromName), email.At, email.Subject, email.Text, files.Html, files.Attachments,
                    TeamId: route?.TeamId);
            default:
                throw new InvalidOperationException("Unknown kind of inbound e-mail.");
        }
    }

    private async Task FlushAsync(Run run, List<(InboundEnvelope Envelope, string Example)> pending, long checkpoint, string checkpointKey, CancellationToken ct)
    {
        var envelopes = pending.Select(p => p.Envelope).ToList();
        var results = await pipeline.IngestManyAsync(envelopes, ct);
        await blocked.DiscardAsync(envelopes, results, ct); // a sender blocked while the files were being stored
        for (var i = 0; i < results.Count; i++)
        {
            switch (results[i].Status)
            {
                case IngestStatus.Duplicate: run.Duplicates++; break;
                case IngestStatus.Rejected: run.Skip(results[i].Error ?? "Rejected by the ingest pipeline.", pending[i].Example); break;
                default: run.Filed++; break;
            }
        }
        pending.Clear();
        db.InboundEmailRejections.AddRange(run.Rejections);
        run.Rejections.Clear();
        // Stored after the batch is: a crash before this line repeats the batch, which dedupes.
        var setting = await db.Settings.SingleOrDefaultAsync(s => s.Key == checkpointKey, ct);
        if (setting is null) db.Settings.Add(new WorkspaceSetting { Key = checkpointKey, Value = checkpoint.ToString() });
        else setting.Value = checkpoint.ToString();
        await db.SaveChangesAsync(ct);
    }
}
