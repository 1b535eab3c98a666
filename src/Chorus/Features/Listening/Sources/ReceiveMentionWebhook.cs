using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Channels;
using Chorus.Features.Listening.Mentions;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Sources;

public sealed record WebhookReceipt(int Added, int Duplicates);

/// Mentions pushed by anything else (a scraper, an in-house tool, a Zapier step) to a webhook source:
/// <c>POST /hooks/listening/{source id}</c> with
/// <c>{"sent_at": ISO-8601, "mentions": [{"id", "url", "author", "author_name", "title", "text", "score", "followers", "language", "published_at"}]}</c>
/// and <c>X-Chorus-Signature: sha256=HEX</c>, the HMAC-SHA256 of the body with the source's secret. A body sent more
/// than five minutes ago (or ahead) is refused, and within that window a replayed body adds nothing: mentions are
/// known by the source and their id.
public sealed class ReceiveMentionWebhook(ChorusDb db, ManageSources sources, RecordMentions record)
{
    public const string SignatureHeader = "X-Chorus-Signature";
    public const int MaxBytes = 1024 * 1024;
    public const int MaxMentions = 500;
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string Path(Guid id) => $"/hooks/listening/{id}";

    public abstract record Failure(string Why)
    {
        public sealed record Unknown() : Failure("There is no such webhook source, or it is switched off.");
        public sealed record BadSignature(string Reason) : Failure(Reason);
        public sealed record BadBody(string Reason) : Failure(Reason);
    }

    public async Task<(WebhookReceipt? Receipt, Failure? Failure)> RunAsync(Guid id, byte[] body, string? signature, CancellationToken ct)
    {
        var channel = await db.Channels.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.Kind == ChannelKind.Webhook && c.Enabled, ct);
        var source = channel is null ? null : await db.Sources.AsNoTracking().SingleOrDefaultAsync(s => s.ChannelId == id, ct);
        if (source is null) return (null, new Failure.Unknown());
        if (sources.SecretOf(source) is not { } secret) return (null, new Failure.BadSignature("This source's secret cannot be read with this server's keys; an admin must make a new one."));
        if (signature is null || !signature.StartsWith("sha256=", StringComparison.Ordinal))
            return (null, new Failure.BadSignature($"Sign the body: {SignatureHeader}: sha256=<hex HMAC-SHA256 of the body with the source's secret>."));
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        byte[] given;
        try { given = Convert.FromHexString(signature["sha256=".Length..]); }
        catch (FormatException) { return (null, new Failure.BadSignature("The signature is not hexadecimal.")); }
        if (!CryptographicOperations.FixedTimeEquals(expected, given)) return (null, new Failure.BadSignature("The signature does not match the body."));

        List<MentionCandidate> candidates;
        try { candidates = Read(id, body); }
        catch (JsonException e) { return (null, new Failure.BadBody($"The body is not valid JSON: {e.Message}")); }
        catch (FormatException e) { return (null, new Failure.BadBody(e.Message)); }
        var recorded = await record.RunAsync(id, candidates, ct);
        await db.Sources.Where(s => s.ChannelId == id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.State, SourceState.Ok).SetProperty(x => x.LastError, (string?)null)
            .SetProperty(x => x.LastSucceededAt, DateTimeOffset.UtcNow).SetProperty(x => x.LastPolledAt, DateTimeOffset.UtcNow), ct);
        return (new WebhookReceipt(recorded.Added.Count, recorded.Duplicates), null);
    }

    private static List<MentionCandidate> Read(Guid id, byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("The body must be a JSON object with sent_at and mentions.");
        if (Feeds.ReadFeed.Date(root.Str("sent_at")) is not { } sentAt)
            throw new FormatException("sent_at is missing: give the time the body was sent (ISO 8601), so old bodies cannot be replayed.");
        if ((DateTimeOffset.UtcNow - sentAt).Duration() > Tolerance)
            throw new FormatException($"sent_at is {sentAt:u}, more than {Tolerance.TotalMinutes:0} minutes from now: a body is accepted only when fresh (check the sender's clock).");
        if (root.Obj("mentions").ValueKind != JsonValueKind.Array) throw new FormatException("mentions must be a list.");
        var list = new List<MentionCandidate>();
        var position = 0;
        foreach (var m in root.Items("mentions"))
        {
            position++;
            if (position > MaxMentions) throw new FormatException($"Send at most {MaxMentions} mentions a call.");
            var externalId = m.Str("id") ?? throw new FormatException($"Mention {position} has no id.");
            var text = m.Str("text") ?? "";
            if (text.Trim().Length == 0 && m.Str("title") is null) throw new FormatException($"Mention {position} has no text.");
            var published = m.Str("published_at") is { } p ? Feeds.ReadFeed.Date(p) ?? throw new FormatException($"Mention {position}: published_at is not a date.") : DateTimeOffset.UtcNow;
            list.Add(new MentionCandidate($"webhook:{id}", externalId, m.Str("url"), m.Str("author"), m.Str("author_name") ?? m.Str("author"),
                m.Str("title"), text, m.Int("score"), m.Int("followers"), m.Str("language"), published));
        }
        return list;
    }
}
