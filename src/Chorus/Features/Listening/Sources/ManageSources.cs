using System.Security.Cryptography;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Sources;

/// What an admin sends to add or change a source; on a change, fields left out stay as they are.
/// Kind: rss, reddit, hackernews, mastodon or webhook (not changeable later).
public sealed record SourceInput(string? Name, string? Kind, string? BaseUrl, string? Query, int? IntervalSeconds, bool? Enabled);

public sealed record SourceView(
    Guid Id, string Name, string Kind, string BaseUrl, string Query, int IntervalSeconds, bool Enabled,
    string State, string? LastError, DateTimeOffset? RateLimitedUntil, DateTimeOffset? LastPolledAt, DateTimeOffset? LastSucceededAt,
    DateTimeOffset? NextPollAt, string Checkpoint, long MentionsFound, string? WebhookPath);

/// A source as created (or with a new secret): the webhook secret is shown this once.
public sealed record SourceWithSecret(SourceView Source, string? Secret);

/// Admins add, change, poll and remove listening sources (each audited); every staff member reads them and their status.
public sealed class ManageSources(ChorusDb db, RecordAudit audit, IDataProtectionProvider protection)
{
    public const int MinIntervalSeconds = 60;
    public const int MaxIntervalSeconds = 86_400;

    public static readonly IReadOnlyDictionary<ChannelKind, string> DefaultBaseUrls = new Dictionary<ChannelKind, string>
    {
        [ChannelKind.Reddit] = "https://www.reddit.com",
        [ChannelKind.HackerNews] = "https://hn.algolia.com",
        [ChannelKind.Mastodon] = "https://mastodon.social",
    };

    public static readonly IReadOnlyDictionary<string, ChannelKind> Kinds = new Dictionary<string, ChannelKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["rss"] = ChannelKind.Rss, ["reddit"] = ChannelKind.Reddit, ["hackernews"] = ChannelKind.HackerNews,
        ["mastodon"] = ChannelKind.Mastodon, ["webhook"] = ChannelKind.Webhook,
    };

    public static string KindName(ChannelKind kind) => Kinds.First(k => k.Value == kind).Key;

    private IDataProtector Protector => protection.CreateProtector("Chorus.Listening.SourceSecret.v1");

    private static readonly ChannelKind[] SourceKinds = [ChannelKind.Rss, ChannelKind.Reddit, ChannelKind.HackerNews, ChannelKind.Mastodon, ChannelKind.Webhook];

    public async Task<List<SourceView>> ListAsync(CancellationToken ct = default) =>
        (await (from c in db.Channels.AsNoTracking() join s in db.Sources.AsNoTracking() on c.Id equals s.ChannelId orderby c.Name select new { c, s }).ToListAsync(ct))
        .Select(r => View(r.c, r.s)).ToList();

    public async Task<Outcome<SourceView>> GetAsync(Guid id, CancellationToken ct = default) =>
        await (from c in db.Channels.AsNoTracking() join s in db.Sources.AsNoTracking() on c.Id equals s.ChannelId where c.Id == id select new { c, s }).SingleOrDefaultAsync(ct) is { } r
            ? View(r.c, r.s) : new Outcome<SourceView>.NotFound("Source");

    public async Task<Outcome<SourceWithSecret>> CreateAsync(StaffActor actor, SourceInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<SourceWithSecret>.Forbidden("Only admins add sources.");
        var errors = new Dictionary<string, string[]>();
        if (input.Kind is null || !Kinds.TryGetValue(input.Kind.Trim(), out var kind))
        {
            errors["kind"] = ["Choose a kind: rss, reddit, hackernews, mastodon or webhook."];
            kind = ChannelKind.Rss;
        }
        var channel = new Channel { Kind = kind };
        var source = new Source { BaseUrl = input.BaseUrl ?? DefaultBaseUrls.GetValueOrDefault(kind, "") };
        await ValidateAsync(channel, source, input with { Name = input.Name ?? "", BaseUrl = source.BaseUrl, Query = input.Query ?? "" }, errors, ct);
        if (errors.Count > 0) return new Outcome<SourceWithSecret>.Invalid(errors);
        string? secret = null;
        if (kind == ChannelKind.Webhook) (secret, source.SecretProtected) = NewSecret();
        source.ChannelId = channel.Id;
        db.Channels.Add(channel);
        db.Sources.Add(source);
        audit.Add(actor, "source.created", "source", channel.Id.ToString(), $"{channel.Name} ({KindName(kind)}): {Describe(source)}");
        await db.SaveChangesAsync(ct);
        return new SourceWithSecret(View(channel, source), secret);
    }

    public async Task<Outcome<SourceView>> UpdateAsync(StaffActor actor, Guid id, SourceInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<SourceView>.Forbidden("Only admins change sources.");
        var channel = await db.Channels.SingleOrDefaultAsync(c => c.Id == id, ct);
        var source = await db.Sources.SingleOrDefaultAsync(s => s.ChannelId == id, ct);
        if (channel is null || source is null) return new Outcome<SourceView>.NotFound("Source");
        var errors = new Dictionary<string, string[]>();
        if (input.Kind is not null && (!Kinds.TryGetValue(input.Kind.Trim(), out var k) || k != channel.Kind))
            errors["kind"] = ["A source's kind cannot change; add a new source instead."];
        var before = $"{channel.Name}: {Describe(source)}{(channel.Enabled ? "" : " (off)")}";
        var where = (source.BaseUrl, source.Query);
        await ValidateAsync(channel, source, input, errors, ct);
        if (errors.Count > 0) return new Outcome<SourceView>.Invalid(errors);
        // Listening somewhere else starts afresh; a changed interval or name keeps the checkpoint.
        if (where != (source.BaseUrl, source.Query)) source.Checkpoint = null;
        source.UpdatedAt = DateTimeOffset.UtcNow;
        if (input.Enabled == true || where != (source.BaseUrl, source.Query)) source.NextPollAt = DateTimeOffset.UtcNow;
        audit.Add(actor, "source.updated", "source", id.ToString(), $"{before} → {channel.Name}: {Describe(source)}{(channel.Enabled ? "" : " (off)")}");
        await db.SaveChangesAsync(ct);
        return View(channel, source);
    }

    public async Task<Outcome<bool>> DeleteAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<bool>.Forbidden("Only admins remove sources.");
        var channel = await db.Channels.SingleOrDefaultAsync(c => c.Id == id && SourceKinds.Contains(c.Kind), ct);
        if (channel is null || !await db.Sources.AnyAsync(s => s.ChannelId == id, ct)) return new Outcome<bool>.NotFound("Source");
        if (await db.Conversations.AnyAsync(c => c.ChannelId == id, ct))
            return new Outcome<bool>.Conflict("Conversations came from this source; switch it off instead of removing it.");
        // Alert webhook calls carry the channel of a mention that drove them; they go with the source's mentions.
        await db.Outbox.Where(o => o.ChannelId == id && o.ConversationId == null).ExecuteDeleteAsync(ct);
        db.Channels.Remove(channel); // its mentions go with it
        audit.Add(actor, "source.deleted", "source", id.ToString(), channel.Name);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// Makes the source due now (the pollers pick it up within a tick), clearing a rate limit the admin chose to override.
    public async Task<Outcome<SourceView>> PollNowAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<SourceView>.Forbidden("Only admins poll sources by hand.");
        var updated = await db.Sources.Where(s => s.ChannelId == id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextPollAt, DateTimeOffset.UtcNow), ct);
        if (updated == 0) return new Outcome<SourceView>.NotFound("Source");
        await audit.RecordAsync(actor, "source.polled", "source", id.ToString(), null, ct);
        return await GetAsync(id, ct);
    }

    public async Task<Outcome<SourceWithSecret>> RotateSecretAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<SourceWithSecret>.Forbidden("Only admins see webhook secrets.");
        var channel = await db.Channels.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        var source = await db.Sources.SingleOrDefaultAsync(s => s.ChannelId == id, ct);
        if (channel is null || source is null) return new Outcome<SourceWithSecret>.NotFound("Source");
        if (channel.Kind != ChannelKind.Webhook) return Outcome<SourceWithSecret>.Invalid.One("kind", "Only webhook sources have a secret.");
        (var secret, source.SecretProtected) = NewSecret();
        source.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Add(actor, "source.secret-rotated", "source", id.ToString(), "Calls must be signed with the new secret from now on.");
        await db.SaveChangesAsync(ct);
        return new SourceWithSecret(View(channel, source), secret);
    }

    /// The webhook source's secret, or null when it cannot be read with this server's keys.
    public string? SecretOf(Source source)
    {
        if (source.SecretProtected is null) return null;
        try { return Protector.Unprotect(source.SecretProtected); }
        catch (CryptographicException) { return null; }
    }

    private (string Secret, string Protected) NewSecret()
    {
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (secret, Protector.Protect(secret));
    }

    private async Task ValidateAsync(Channel channel, Source source, SourceInput input, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        var name = input.Name?.Trim();
        if (name is not null)
        {
            if (name.Length is 0 or > 100) errors["name"] = ["A source's name is 1 to 100 characters."];
            else if (await (from c in db.Channels join s in db.Sources on c.Id equals s.ChannelId where c.Name == name && c.Id != channel.Id select c).AnyAsync(ct))
                errors["name"] = [$"There is already a source called {name}."];
        }
        var baseUrl = input.BaseUrl?.Trim();
        if (baseUrl is not null && channel.Kind != ChannelKind.Webhook)
        {
            if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || baseUrl.Length > 2000)
                errors["baseUrl"] = [channel.Kind == ChannelKind.Rss
                    ? "Enter the feed's address, starting with https:// or http://."
                    : "Enter the service's address, starting with https:// or http://, e.g. " + DefaultBaseUrls[channel.Kind] + "."];
        }
        var query = input.Query?.Trim();
        if (query is not null)
        {
            var error = channel.Kind switch
            {
                ChannelKind.Reddit when query.Length == 0 => "Enter a subreddit as r/name, or words to search reddit for.",
                ChannelKind.Reddit when (query.StartsWith("r/", StringComparison.OrdinalIgnoreCase) || query.StartsWith("/r/", StringComparison.OrdinalIgnoreCase)) && ReadRedditSource.SubredditOf(query) is null
                    => "A subreddit's name is letters, digits and underscores, e.g. r/selfhosted.",
                ChannelKind.HackerNews when query.Length == 0 => "Enter words to search Hacker News for.",
                ChannelKind.Mastodon when query.Length == 0 => "Enter a hashtag as #tag, or words to search for.",
                ChannelKind.Mastodon when query.StartsWith('#') && (query.Length == 1 || !query[1..].All(c => char.IsLetterOrDigit(c) || c == '_'))
                    => "A hashtag is letters, digits and underscores after the #, e.g. #selfhosted.",
                _ when query.Length > 500 => "What to listen for is at most 500 characters.",
                _ => null,
            };
            if (error is not null) errors["query"] = [error];
        }
        if (input.IntervalSeconds is { } interval && (interval < MinIntervalSeconds || interval > MaxIntervalSeconds))
            errors["intervalSeconds"] = [$"Poll every {MinIntervalSeconds} seconds to once a day ({MaxIntervalSeconds} seconds)."];
        if (errors.Count > 0) return;
        if (name is not null) channel.Name = name;
        if (baseUrl is not null) source.BaseUrl = channel.Kind == ChannelKind.Webhook ? "" : baseUrl;
        if (query is not null) source.Query = channel.Kind is ChannelKind.Rss or ChannelKind.Webhook ? "" : query;
        if (input.IntervalSeconds is { } seconds) source.IntervalSeconds = seconds;
        if (input.Enabled is { } enabled) channel.Enabled = enabled;
    }

    private static string Describe(Source s) => string.Join(" ", new[] { s.BaseUrl, s.Query, $"every {s.IntervalSeconds} s" }.Where(p => p.Length > 0));

    public static SourceView View(Channel c, Source s) => new(
        c.Id, c.Name, KindName(c.Kind), s.BaseUrl, s.Query, s.IntervalSeconds, c.Enabled,
        s.State.ToString().ToLowerInvariant() switch { "ratelimited" => "rate-limited", var other => other },
        s.LastError, s.RateLimitedUntil, s.LastPolledAt, s.LastSucceededAt, c.Kind == ChannelKind.Webhook ? null : s.NextPollAt,
        s.ReadCheckpoint().Describe(), s.MentionsFound,
        c.Kind == ChannelKind.Webhook ? ReceiveMentionWebhook.Path(c.Id) : null);
}
