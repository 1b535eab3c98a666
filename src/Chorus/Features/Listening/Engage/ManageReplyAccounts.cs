using System.Security.Cryptography;
using System.Text.Json;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels;
using Chorus.Features.Listening.Sources;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Listening.Engage;

/// What an admin sends to let a source answer. reddit: clientId, clientSecret, username, password (a "script" app);
/// Mastodon: accessToken (with the write:statuses scope) and, for staff to read, the account's username.
public sealed record ReplyAccountInput(string? ClientId, string? ClientSecret, string? Username, string? Password, string? AccessToken);

/// A reply account as staff see it: never its secrets.
public sealed record ReplyAccountView(Guid SourceId, string Kind, bool Configured, string? ClientId, string? Username, DateTimeOffset? UpdatedAt);

/// Admins set or clear the account a reddit or Mastodon source replies with (audited); the secrets are protected at rest.
public sealed class ManageReplyAccounts(ChorusDb db, RecordAudit audit, IDataProtectionProvider protection)
{
    private IDataProtector Protector => protection.CreateProtector("Chorus.Listening.ReplyAccount.v1");

    public async Task<Outcome<ReplyAccountView>> GetAsync(Guid sourceId, CancellationToken ct = default)
    {
        var kind = await SourceKindAsync(sourceId, ct);
        if (kind is null) return new Outcome<ReplyAccountView>.NotFound("Source");
        var account = await db.ReplyAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.ChannelId == sourceId, ct);
        return View(sourceId, kind.Value, account);
    }

    public async Task<Outcome<ReplyAccountView>> SetAsync(StaffActor actor, Guid sourceId, ReplyAccountInput input, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<ReplyAccountView>.Forbidden("Only admins set the account a source replies with.");
        var kind = await SourceKindAsync(sourceId, ct);
        if (kind is null) return new Outcome<ReplyAccountView>.NotFound("Source");
        var errors = new Dictionary<string, string[]>();
        static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
        var (clientId, clientSecret, username, password, token) = (Clean(input.ClientId), Clean(input.ClientSecret), Clean(input.Username), input.Password, Clean(input.AccessToken));
        switch (kind)
        {
            case ChannelKind.Reddit:
                if (clientId is null) errors["clientId"] = ["Enter the reddit app's client id (under the app's name at reddit.com/prefs/apps)."];
                if (clientSecret is null) errors["clientSecret"] = ["Enter the reddit app's secret."];
                if (username is null) errors["username"] = ["Enter the reddit user the replies are posted as."];
                if (string.IsNullOrEmpty(password)) errors["password"] = ["Enter that reddit user's password."];
                break;
            case ChannelKind.Mastodon:
                if (token is null) errors["accessToken"] = ["Enter an access token with the write:statuses scope (Preferences → Development → New application)."];
                break;
            default:
                return Outcome<ReplyAccountView>.Invalid.One("kind", $"{ManageSources.KindName(kind.Value)} sources cannot reply: only reddit and Mastodon have an API for answering.");
        }
        foreach (var (field, value) in new[] { ("clientId", clientId), ("username", username) })
            if (value is { Length: > 200 }) errors[field] = ["At most 200 characters."];
        if (errors.Count > 0) return new Outcome<ReplyAccountView>.Invalid(errors);

        var account = await db.ReplyAccounts.SingleOrDefaultAsync(a => a.ChannelId == sourceId, ct);
        if (account is null) db.ReplyAccounts.Add(account = new ReplyAccount { ChannelId = sourceId });
        account.ClientId = kind == ChannelKind.Reddit ? clientId : null;
        account.Username = username;
        account.SecretsProtected = Protector.Protect(JsonSerializer.Serialize(kind == ChannelKind.Reddit
            ? new ReplySecrets(clientSecret, password, null) : new ReplySecrets(null, null, token)));
        account.UpdatedAt = DateTimeOffset.UtcNow;
        audit.Add(actor, "source.reply-account-set", "source", sourceId.ToString(), kind == ChannelKind.Reddit ? $"reddit app {clientId} as u/{username}" : $"Mastodon token{(username is null ? "" : " of " + username)}");
        await db.SaveChangesAsync(ct);
        return View(sourceId, kind.Value, account);
    }

    public async Task<Outcome<bool>> ClearAsync(StaffActor actor, Guid sourceId, CancellationToken ct = default)
    {
        if (!actor.IsAdmin) return new Outcome<bool>.Forbidden("Only admins change the account a source replies with.");
        if (await SourceKindAsync(sourceId, ct) is null) return new Outcome<bool>.NotFound("Source");
        await db.ReplyAccounts.Where(a => a.ChannelId == sourceId).ExecuteDeleteAsync(ct);
        await audit.RecordAsync(actor, "source.reply-account-cleared", "source", sourceId.ToString(), null, ct);
        return true;
    }

    /// The account's secrets, or null when none is set or they cannot be read with this server's keys.
    public ReplySecrets? SecretsOf(ReplyAccount account)
    {
        try { return JsonSerializer.Deserialize<ReplySecrets>(Protector.Unprotect(account.SecretsProtected)); }
        catch (Exception e) when (e is CryptographicException or JsonException) { return null; }
    }

    private Task<ChannelKind?> SourceKindAsync(Guid id, CancellationToken ct) =>
        (from c in db.Channels join s in db.Sources on c.Id equals s.ChannelId where c.Id == id select (ChannelKind?)c.Kind).SingleOrDefaultAsync(ct);

    private static ReplyAccountView View(Guid id, ChannelKind kind, ReplyAccount? a) =>
        new(id, ManageSources.KindName(kind), a is not null, a?.ClientId, a?.Username, a?.UpdatedAt);
}
