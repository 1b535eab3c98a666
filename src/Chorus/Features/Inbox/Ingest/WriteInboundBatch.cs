using Stopwatch = System.Diagnostics.Stopwatch;
using System.Diagnostics.Metrics;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels;
using Chorus.Features.Listening.Sentiment;
using Chorus.Features.People;
using Chorus.Features.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox.Ingest;

/// Stores a batch of envelopes in one transaction with a handful of set-based queries:
/// dedupe by (channel, external id) → resolve people by identity → thread into conversations → insert.
/// The reads are compiled queries (EF.CompileAsyncQuery): translating the LINQ, pulling out its parameters
/// and finding it in EF's cache cost 0.1–0.5 ms per query, and a batch of 16 made seven of them on the one
/// writer's turn (bench/README.md, "The writer's turn").
public sealed class WriteInboundBatch(IServiceScopeFactory scopes, HtmlCleaner html, InboxEvents events, Automation.RuleTriggers rules, IMeterFactory meters, Sla.SlaSettingsCache sla,
    Assignment.AssignmentQueue assignment, Automation.RuleSetCache ruleSet) : IAsyncDisposable
{
    public const string MeterName = "Chorus.Ingest";

    // Where a batch spends its time, per stage: what to look at when ingest is slow.
    private readonly Histogram<double> _stageSeconds = meters.Create(MeterName)
        .CreateHistogram<double>("chorus.ingest.stage.duration", "s", "Time spent in one stage of writing an inbound batch");

    // One writer at a time per process: SQLite has one writer anyway, and on PostgreSQL it keeps
    // threading decisions of two batches from racing each other inside one node.
    private readonly SemaphoreSlim _gate = new(1, 1);

    // SQLite: every batch goes through one connection kept open, so its page cache stays warm. A pooled
    // connection's cache is thrown away whenever another connection wrote since it was last used, and under
    // inbound load the batches alternated between pooled connections: ~200 pages read again per batch.
    private System.Data.Common.DbConnection? _sqliteWriter;
    private DbContextOptions<SqliteChorusDb>? _sqliteWriterOptions;
    private long _lastWriteTicks = long.MinValue / 2;

    /// Whether a batch is being written or was in the last quarter second: background writers
    /// (the search indexer) step aside while messages are arriving.
    public bool IsBusy => Environment.TickCount64 - Interlocked.Read(ref _lastWriteTicks) < 250;

    /// Writes a batch. <paramref name="read"/> holds each envelope's text and sentiment when the caller worked
    /// them out already (single deliveries do, on the request's thread, outside the writer's turn); otherwise
    /// they are worked out here, on every core.
    public async Task<IReadOnlyList<IngestResult>> WriteAsync(IReadOnlyList<InboundEnvelope> batch, IReadOnlyList<EnvelopeText>? read, CancellationToken ct)
    {
        if (read is null)
        {
            var worked = new EnvelopeText[batch.Count];
            if (batch.Count >= 32) Parallel.For(0, batch.Count, new ParallelOptions { CancellationToken = ct }, i => worked[i] = EnvelopeText.Of(batch[i]));
            else for (var i = 0; i < batch.Count; i++) worked[i] = EnvelopeText.Of(batch[i]);
            read = worked;
        }

        var slaSettings = await sla.GetAsync(ct);
        await ruleSet.GetAsync(ct); // fresh rules tell which rule events to store: none at all where no rule listens
        var (results, changes) = await WriteInTurnAsync(async db =>
        {
            Interlocked.Exchange(ref _lastWriteTicks, Environment.TickCount64);
            try
            {
                var clock = Stopwatch.StartNew();
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                Lap(clock, "begin");
                var rows = new RowWriter(db);
                var written = await WriteInTransactionAsync(db, rows, batch, read, slaSettings, clock, ct);
                foreach (var e in rules.Ingested(written.Results)) rows.Insert(e); // committed with the messages: no burst or crash loses one
                await rows.SaveAsync(WriteOrder, ct);
                Lap(clock, "save");
                await tx.CommitAsync(ct);
                Lap(clock, "commit");
                return written;
            }
            finally
            {
                Interlocked.Exchange(ref _lastWriteTicks, Environment.TickCount64);
            }
        }, ct);
        foreach (var change in changes) events.Publish(change);
        rules.Wake(); // evaluated in the background, after the commit: ingest never waits for rules
        foreach (var created in changes.Where(c => c.Kind == InboxChangeKind.Created && c.TeamId is not null)) assignment.Enqueue(created.ConversationId);
        return results;
    }

    /// Runs a write on the writer's turn, on its connection: every ingest batch, and the process's other SQLite
    /// writes (the search indexer) between them. SQLite has one writer anyway, so nothing is lost by taking
    /// turns, while a second connection writing would throw away the writer's page cache (~1,000 pages read
    /// again) and leave the next batch asleep in SQLite's busy handler until it finished.
    public async Task<T> WriteInTurnAsync<T>(Func<ChorusDb, Task<T>> write, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await using var db = CreateWriterDb(scope.ServiceProvider);
            await UseWriterConnectionAsync(db, ct);
            return await write(db);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && _sqliteWriter is not null)
        {
            // The next write starts on a fresh connection: nothing of a failed one is trusted.
            await _sqliteWriter.DisposeAsync();
            _sqliteWriter = null;
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// The writer's context. On SQLite it passes a list to a query as one JSON parameter read through json_each, not
    /// as EF 10's one parameter per item: a batch of 1,000 made lists of hundreds of items, and binding them one by
    /// one cost ~10 % of bulk ingest (bench/README.md). Only here: app-wide the mode sent the inbox's status filter
    /// down the wrong index (1.9 → 79 ms). The compiled reads below are compiled by this context, so with its mode;
    /// it shares the app's model and query cache.
    private ChorusDb CreateWriterDb(IServiceProvider services)
    {
        if (services.GetService<DbContextOptions<SqliteChorusDb>>() is not { } sqlite) return services.GetRequiredService<ChorusDb>();
        _sqliteWriterOptions ??= new DbContextOptionsBuilder<SqliteChorusDb>(sqlite)
            .UseSqlite(o => o.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)).Options;
        return new SqliteChorusDb(_sqliteWriterOptions);
    }

    private async Task UseWriterConnectionAsync(ChorusDb db, CancellationToken ct)
    {
        if (db.Provider != DatabaseProvider.Sqlite) return; // PostgreSQL's pooled connections keep no page cache of their own
        if (_sqliteWriter is null)
        {
            var connection = new Microsoft.Data.Sqlite.SqliteConnection(db.Database.GetConnectionString());
            db.Database.SetDbConnection(connection, contextOwnsConnection: false);
            await db.Database.OpenConnectionAsync(ct); // opened through EF, so the app's connection settings apply
            _sqliteWriter = connection;
        }
        else db.Database.SetDbConnection(_sqliteWriter, contextOwnsConnection: false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqliteWriter is not null) await _sqliteWriter.DisposeAsync();
        _gate.Dispose();
    }

    // Parents before children, so every foreign key holds when its row is written.
    private static readonly Type[] WriteOrder = [typeof(Organization), typeof(Person), typeof(Identity), typeof(Community.BlockedMessage), typeof(Conversation), typeof(Activity), typeof(Message), typeof(Attachments.MessageAttachment), typeof(Automation.PendingRuleEvent)];

    private void Lap(Stopwatch clock, string stage)
    {
        _stageSeconds.Record(clock.Elapsed.TotalSeconds, new KeyValuePair<string, object?>("stage", stage));
        clock.Restart();
    }

    private async Task<(IngestResult[] Results, List<InboxChange> Changes)> WriteInTransactionAsync(ChorusDb db, RowWriter rows, IReadOnlyList<InboundEnvelope> batch,
        IReadOnlyList<EnvelopeText> read, Sla.SlaSettings slaSettings, Stopwatch clock, CancellationToken ct)
    {
        var results = new IngestResult[batch.Count];
        var channelIds = batch.Select(e => e.ChannelId).Distinct().ToList();
        var channels = new Dictionary<Guid, Channel>();
        await foreach (var c in ChannelsQuery.For(db)(db, channelIds).WithCancellation(ct)) channels[c.Id] = c;

        // 1. Dedupe against what is stored and within the batch.
        var stored = new Dictionary<(Guid, string), IngestResult>();
        foreach (var byChannel in batch.GroupBy(e => e.ChannelId))
        {
            var ids = byChannel.Select(e => e.ExternalId).Distinct().ToList();
            await foreach (var f in StoredQuery.For(db)(db, byChannel.Key, ids).WithCancellation(ct))
                stored[(byChannel.Key, f.ExternalId)] = new IngestResult(IngestStatus.Duplicate, f.ConversationId, f.Number, f.Id, f.PersonId);
            await foreach (var f in BlockedQuery.For(db)(db, byChannel.Key, ids).WithCancellation(ct))
                stored[(byChannel.Key, f.ExternalId)] = new IngestResult(IngestStatus.Blocked, Guid.Empty, 0, f.Id, f.PersonId);
        }

        var fresh = new List<int>();
        var seen = new HashSet<(Guid, string)>();
        for (var i = 0; i < batch.Count; i++)
        {
            var e = batch[i];
            if (!channels.ContainsKey(e.ChannelId)) results[i] = IngestResult.Rejected($"Channel {e.ChannelId} does not exist.");
            else if (stored.TryGetValue((e.ChannelId, e.ExternalId), out var dup)) results[i] = dup;
            else if (!seen.Add((e.ChannelId, e.ExternalId))) results[i] = default!; // duplicate inside the batch: filled in below
            else fresh.Add(i);
        }
        Lap(clock, "dedupe");

        // 2. Resolve people by identity; create the unknown ones (with their organization by e-mail domain).
        var people = await ResolvePeopleAsync(db, rows, fresh.Select(i => batch[i].Author), ct);
        Lap(clock, "people");

        // 2b. A blocked person's message is kept as a blocked message, never a conversation (the shared block list).
        var firstCopies = fresh.ToList();
        var personIds = fresh.Select(i => PersonOf(people, batch[i])).Distinct().ToList();
        var blocked = personIds.Count == 0 ? [] : await ToHashSetAsync(BlockedPeopleQuery.For(db)(db, personIds), ct);
        if (blocked.Count > 0)
        {
            foreach (var i in fresh.Where(i => blocked.Contains(PersonOf(people, batch[i]))))
            {
                var e = batch[i];
                var kept = new Community.BlockedMessage
                {
                    ChannelId = e.ChannelId, ExternalId = e.ExternalId, PersonId = PersonOf(people, e), AuthorHandle = Identity.Normalize(e.Author.Kind, e.Author.Handle),
                    AuthorName = e.Author.Name is null ? null : TextLimits.Cut(e.Author.Name, 200), Subject = e.Subject is null ? null : TextLimits.Cut(e.Subject, 500),
                    Text = read[i].Text, At = e.At,
                };
                rows.Insert(kept);
                results[i] = new IngestResult(IngestStatus.Blocked, Guid.Empty, 0, kept.Id, kept.PersonId);
            }
            fresh.RemoveAll(i => results[i] is not null);
        }

        // 3. Thread into conversations.
        var threads = await FindOpenThreadsAsync(db, fresh.Select(i => batch[i]), ct);
        var newThreads = fresh.Select(i => ThreadKey(batch[i])).Distinct().Count(k => !threads.ContainsKey(k));
        var nextNumber = newThreads == 0 ? 0 : await ConversationNumbers.ReserveAsync(db, newThreads, ct);
        Lap(clock, "threads");

        var changes = new Dictionary<Guid, InboxChange>();
        var written = new HashSet<Guid>(); // conversations already inserted or updated by this batch
        foreach (var i in fresh)
        {
            var e = batch[i];
            var channel = channels[e.ChannelId];
            var personId = people[(e.Author.Kind, Identity.Normalize(e.Author.Kind, e.Author.Handle))];
            var text = read[i].Text;
            var key = ThreadKey(e);
            var created = false;
            if (!threads.TryGetValue(key, out var conversation))
            {
                conversation = new Conversation
                {
                    Number = nextNumber++,
                    ChannelId = e.ChannelId,
                    ExternalThreadId = key.Thread,
                    Subject = Subject(e.Subject, text),
                    RequesterId = personId,
                    TeamId = e.TeamId ?? channel.DefaultTeamId,
                    CreatedAt = e.At,
                    LastMessageAt = e.At,
                };
                rows.Insert(conversation);
                written.Add(conversation.Id);
                rows.Insert(new Activity
                {
                    PersonId = personId, At = e.At, Kind = ActivityKinds.ConversationStarted, ConversationId = conversation.Id,
                    Summary = $"Started #{conversation.Number} on {channel.Name}: {conversation.Subject}",
                });
                threads[key] = conversation;
                created = true;
            }
            else if (written.Add(conversation.Id))
                rows.Update(conversation);
            if (!created && conversation.Status is ConversationStatus.Solved or ConversationStatus.Pending or ConversationStatus.OnHold)
            {
                rows.Insert(new Message
                {
                    ConversationId = conversation.Id, ChannelId = e.ChannelId, Kind = MessageKind.Event, CreatedAt = e.At,
                    Text = $"Reopened by a new message from the requester (was {conversation.Status.ToDisplay()}).",
                });
                conversation.Status = ConversationStatus.Open;
                conversation.SolvedAt = null;
            }

            var message = new Message
            {
                ConversationId = conversation.Id, ChannelId = e.ChannelId, Kind = MessageKind.Inbound, ExternalId = e.ExternalId,
                AuthorPersonId = personId, Text = text, Html = e.Html is null ? null : html.Sanitize(e.Html), CreatedAt = e.At,
                Sentiment = read[i].Sentiment,
            };
            rows.Insert(message);
            foreach (var (a, position) in (e.Attachments ?? []).Select((a, i) => (a, i)))
                rows.Insert(new Attachments.MessageAttachment
                {
                    Id = a.Id, MessageId = message.Id, Position = position, FileName = a.FileName, ContentType = a.ContentType, Size = a.Size,
                    ContentHash = a.ContentHash, ContentId = a.ContentId, DroppedReason = a.DroppedReason, CreatedAt = e.At,
                });
            conversation.MessageCount++;
            conversation.Preview = TextLimits.Preview(text);
            if (e.At > conversation.LastMessageAt) conversation.LastMessageAt = e.At;
            conversation.WaitingSince ??= e.At;
            conversation.UpdatedAt = DateTimeOffset.UtcNow;
            Sla.SlaClock.Stamp(conversation, slaSettings, conversation.UpdatedAt); // rows bypass SaveChanges and its SLA stamp

            results[i] = new IngestResult(created ? IngestStatus.Created : IngestStatus.Appended, conversation.Id, conversation.Number, message.Id, personId);
            changes[conversation.Id] = new InboxChange(conversation.Id, conversation.Number, conversation.TeamId,
                created || (changes.TryGetValue(conversation.Id, out var prev) && prev.Kind == InboxChangeKind.Created) ? InboxChangeKind.Created : InboxChangeKind.Updated);
        }

        // Deliveries repeated inside the same batch point at what their first copy created.
        for (var i = 0; i < batch.Count; i++)
        {
            if (results[i] is not null) continue;
            var first = firstCopies.First(j => batch[j].ChannelId == batch[i].ChannelId && batch[j].ExternalId == batch[i].ExternalId);
            results[i] = results[first].Status == IngestStatus.Blocked ? results[first] : results[first] with { Status = IngestStatus.Duplicate };
        }
        Lap(clock, "build");
        return (results, changes.Values.ToList());
    }

    /// A delivery already stored: as a message (its conversation, and the conversation's requester) or as a blocked message (its author).
    private sealed record StoredDelivery(string ExternalId, Guid Id, Guid ConversationId, long Number, Guid PersonId);
    private static readonly PerModel<Func<ChorusDb, List<Guid>, IAsyncEnumerable<Channel>>> ChannelsQuery = new(() => EF.CompileAsyncQuery(
        (ChorusDb db, List<Guid> ids) => db.Channels.AsNoTracking().Where(c => ids.Contains(c.Id))));
    private static readonly PerModel<Func<ChorusDb, Guid, List<string>, IAsyncEnumerable<StoredDelivery>>> StoredQuery = new(() => EF.CompileAsyncQuery(
        (ChorusDb db, Guid channel, List<string> ids) => from m in db.Messages
                                                         join c in db.Conversations on m.ConversationId equals c.Id
                                                         where m.ChannelId == channel && ids.Contains(m.ExternalId!)
                                                         select new StoredDelivery(m.ExternalId!, m.Id, m.ConversationId, c.Number, c.RequesterId)));
    private static readonly PerModel<Func<ChorusDb, Guid, List<string>, IAsyncEnumerable<StoredDelivery>>> BlockedQuery = new(() => EF.CompileAsyncQuery(
        (ChorusDb db, Guid channel, List<string> ids) => db.BlockedMessages.Where(m => m.ChannelId == channel && ids.Contains(m.ExternalId))
            .Select(m => new StoredDelivery(m.ExternalId, m.Id, Guid.Empty, 0, m.PersonId))));

    private sealed record IdentityOwner(string Handle, Guid PersonId);
    private static readonly PerModel<Func<ChorusDb, List<Guid>, IAsyncEnumerable<Guid>>> BlockedPeopleQuery = new(() => EF.CompileAsyncQuery(
        (ChorusDb db, List<Guid> ids) => db.PersonBlocks.Where(b => ids.Contains(b.PersonId)).Select(b => b.PersonId)));
    private static readonly PerModel<Func<ChorusDb, IdentityKind, List<string>, IAsyncEnumerable<IdentityOwner>>> IdentitiesQuery = new(() => EF.CompileAsyncQuery(
        (ChorusDb db, IdentityKind kind, List<string> handles) => db.Identities.Where(i => i.Kind == kind && handles.Contains(i.Handle)).Select(i => new IdentityOwner(i.Handle, i.PersonId))));
    private static readonly PerModel<Func<ChorusDb, Guid, List<string>, IAsyncEnumerable<Conversation>>> OpenThreadsQuery = new(() => EF.CompileAsyncQuery(
        (ChorusDb db, Guid channel, List<string> threads) => db.Conversations.AsNoTracking()
            .Where(c => c.ChannelId == channel && threads.Contains(c.ExternalThreadId!) && (c.Status != ConversationStatus.Closed || c.MergedIntoId != null))));

    /// A compiled query is bound to the model it was compiled against: compiled once per context type, since a
    /// process may hold both providers' models (the tests do).
    private sealed class PerModel<TQuery>(Func<TQuery> compile) where TQuery : class
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, TQuery> _compiled = new();

        public TQuery For(ChorusDb db) => _compiled.GetOrAdd(db.GetType(), _ => compile());
    }

    private static async Task<HashSet<T>> ToHashSetAsync<T>(IAsyncEnumerable<T> items, CancellationToken ct)
    {
        var set = new HashSet<T>();
        await foreach (var item in items.WithCancellation(ct)) set.Add(item);
        return set;
    }

    private static Guid PersonOf(Dictionary<(IdentityKind, string), Guid> people, InboundEnvelope e) =>
        people[(e.Author.Kind, Identity.Normalize(e.Author.Kind, e.Author.Handle))];

    private static (Guid Channel, string Thread) ThreadKey(InboundEnvelope e) =>
        (e.ChannelId, string.IsNullOrWhiteSpace(e.ExternalThreadId) ? e.ExternalId : e.ExternalThreadId);

    private static string Subject(string? subject, string text)
    {
        if (!string.IsNullOrWhiteSpace(subject)) return TextLimits.Cut(subject.Trim(), 500);
        var firstLine = text.Split('\n', 2)[0].Trim();
        return firstLine.Length > 80 ? TextLimits.Cut(firstLine, 77) + "..." : firstLine;
    }

    private static async Task<Dictionary<(IdentityKind, string), Guid>> ResolvePeopleAsync(ChorusDb db, RowWriter rows, IEnumerable<InboundAuthor> authors, CancellationToken ct)
    {
        var wanted = authors.GroupBy(a => (a.Kind, Handle: Identity.Normalize(a.Kind, a.Handle))).ToDictionary(g => g.Key, g => g.First());
        var result = new Dictionary<(IdentityKind, string), Guid>();
        foreach (var kind in wanted.Keys.Select(k => k.Kind).Distinct())
        {
            var handles = wanted.Keys.Where(k => k.Kind == kind).Select(k => k.Handle).ToList();
            foreach (var chunk in handles.Chunk(500))
            {
                await foreach (var f in IdentitiesQuery.For(db)(db, kind, [.. chunk]).WithCancellation(ct)) result[(kind, f.Handle)] = f.PersonId;
            }
        }

        var missing = wanted.Where(w => !result.ContainsKey(w.Key)).ToList();
        if (missing.Count == 0) return result;

        var organizations = await ResolveOrganizationsAsync(db, rows,
            missing.Where(m => m.Key.Kind == IdentityKind.Email).Select(m => EmailAddress.Domain(m.Key.Handle)).OfType<string>(), ct);
        foreach (var ((kind, handle), author) in missing)
        {
            var domain = kind == IdentityKind.Email ? EmailAddress.Domain(handle) : null;
            var person = new Person
            {
                // A profile name holds 200 characters; a longer display name is shortened, never a reason to lose the message.
                Name = TextLimits.Cut(string.IsNullOrWhiteSpace(author.Name) ? DefaultName(kind, handle) : author.Name.Trim(), 200),
                OrganizationId = domain is not null && organizations.TryGetValue(domain, out var org) ? org : null,
            };
            rows.Insert(person);
            rows.Insert(new Identity { PersonId = person.Id, Kind = kind, Handle = handle, DisplayName = author.Name });
            result[(kind, handle)] = person.Id;
        }
        return result;
    }

    private static string DefaultName(IdentityKind kind, string handle) =>
        kind == IdentityKind.Email ? handle.Split('@')[0] : handle;

    private static async Task<Dictionary<string, Guid>> ResolveOrganizationsAsync(ChorusDb db, RowWriter rows, IEnumerable<string> domains, CancellationToken ct)
    {
        var wanted = domains.Where(d => !EmailAddress.FreeMailDomains.Contains(d)).Distinct().ToList();
        if (wanted.Count == 0) return [];
        var found = await db.Organizations.AsNoTracking().Where(o => EF.Parameter(wanted).Contains(o.Domain!)).ToDictionaryAsync(o => o.Domain!, o => o.Id, ct);
        foreach (var domain in wanted.Where(d => !found.ContainsKey(d)))
        {
            var org = new Organization { Domain = domain, Name = OrganizationName(domain) };
            rows.Insert(org);
            found[domain] = org.Id;
        }
        return found;
    }

    private static string OrganizationName(string domain)
    {
        var name = domain.Split('.')[0];
        return name.Length == 0 ? domain : char.ToUpperInvariant(name[0]) + name[1..];
    }

    /// The conversation each envelope threads into: the newest one on its (channel, thread id) that is
    /// not closed, following merges. Closed conversations stay closed; a new message starts a new one.
    private static async Task<Dictionary<(Guid, string), Conversation>> FindOpenThreadsAsync(ChorusDb db, IEnumerable<InboundEnvelope> envelopes, CancellationToken ct)
    {
        var result = new Dictionary<(Guid, string), Conversation>();
        var loaded = new Dictionary<Guid, Conversation>(); // one object per conversation, however many threads lead to it
        foreach (var group in envelopes.GroupBy(e => e.ChannelId))
        {
            var keys = group.Select(e => ThreadKey(e).Thread).Distinct().ToList();
            foreach (var chunk in keys.Chunk(500))
            {
                var candidates = new List<Conversation>();
                await foreach (var c in OpenThreadsQuery.For(db)(db, group.Key, [.. chunk]).WithCancellation(ct)) candidates.Add(c);
                foreach (var c in candidates.OrderBy(c => c.CreatedAt))
                {
                    var target = loaded.TryAdd(c.Id, c) ? c : loaded[c.Id];
                    for (var hops = 0; target.MergedIntoId is { } into && hops < 10; hops++)
                    {
                        if (!loaded.TryGetValue(into, out var next))
                        {
                            next = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(x => x.Id == into, ct);
                            if (next is null) break;
                            loaded[into] = next;
                        }
                        target = next;
                    }
                    if (target.Status != ConversationStatus.Closed) result[(group.Key, c.ExternalThreadId!)] = target;
                }
            }
        }
        return result;
    }
}
