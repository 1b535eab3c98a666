using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Chorus.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Chorus.Features.Admin;

public sealed record IssuedApiToken(Guid Id, string Name, string Token, string Prefix, DateTimeOffset CreatedAt);

/// Issues, lists and revokes per-user API tokens. The token is returned once; only its hash is kept.
public class ManageApiTokens(ChorusDb db, RecordAudit audit, ApiTokenSignIns signIns)
{
    public const string TokenPrefix = "chorus_";

    public async Task<IssuedApiToken> IssueAsync(StaffActor actor, string name, CancellationToken ct = default)
    {
        var token = TokenPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var entity = new ApiToken { StaffUserId = actor.Id, Name = name.Trim(), Prefix = token[..12], Hash = Hash(token) };
        db.ApiTokens.Add(entity);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(actor, "api-token.issued", "api-token", entity.Id.ToString(), entity.Name, ct);
        return new IssuedApiToken(entity.Id, entity.Name, token, entity.Prefix, entity.CreatedAt);
    }

    public Task<List<ApiToken>> ListAsync(StaffActor actor, CancellationToken ct = default) =>
        db.ApiTokens.AsNoTracking().Where(t => t.StaffUserId == actor.Id).OrderByDescending(t => t.CreatedAt).ToListAsync(ct);

    public async Task<bool> RevokeAsync(StaffActor actor, Guid id, CancellationToken ct = default)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id && (t.StaffUserId == actor.Id || actor.IsAdmin), ct);
        if (token is null) return false;
        token.RevokedAt ??= DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(ct);
        signIns.Forget(token.Hash);
        await audit.RecordAsync(actor, "api-token.revoked", "api-token", token.Id.ToString(), token.Name, ct);
        return true;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// Who a token signs in as, remembered for a few seconds: an integration posting thousands of
/// messages a second would otherwise pay three queries per request before its message is even read.
/// A revocation on this node takes effect at once; on other nodes (and for a lockout) within <see cref="Lifetime"/>.
public sealed class ApiTokenSignIns(IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);

    public sealed record SignIn(Guid TokenId, string UserId, string UserName, IReadOnlyList<string> Roles);

    public bool TryGet(string hash, out SignIn? signIn) => cache.TryGetValue(Key(hash), out signIn);

    public void Remember(string hash, SignIn signIn) => cache.Set(Key(hash), signIn, Lifetime);

    public void Forget(string hash) => cache.Remove(Key(hash));

    private static string Key(string hash) => "api-token:" + hash;
}

/// Authenticates `Authorization: Bearer chorus_...` against the stored hashes.
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokenSignIns signIns)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        if (!token.StartsWith(ManageApiTokens.TokenPrefix, StringComparison.Ordinal)) return AuthenticateResult.Fail("Not a Chorus API token.");
        var hash = ManageApiTokens.Hash(token);
        if (!signIns.TryGet(hash, out var signIn))
        {
            var outcome = await SignInAsync(hash);
            if (outcome.Failure is { } failure) return AuthenticateResult.Fail(failure);
            signIns.Remember(hash, signIn = outcome.SignIn!);
        }

        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, signIn!.UserId), new(ClaimTypes.Name, signIn.UserName) };
        claims.AddRange(signIn.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private async Task<(ApiTokenSignIns.SignIn? SignIn, string? Failure)> SignInAsync(string hash)
    {
        // Resolved here, not taken by the constructor: a remembered sign-in (nearly every request) needs no database context.
        var db = Context.RequestServices.GetRequiredService<ChorusDb>();
        var found = await db.ApiTokens.Where(t => t.Hash == hash && t.RevokedAt == null)
            .Select(t => new { t.Id, t.StaffUserId, t.LastUsedAt }).SingleOrDefaultAsync(Context.RequestAborted);
        if (found is null) return (null, "The API token is unknown or revoked.");
        var now = DateTimeOffset.UtcNow;
        var user = await db.Users.AsNoTracking().Where(u => u.Id == found.StaffUserId && (u.LockoutEnd == null || u.LockoutEnd < now))
            .Select(u => new { u.Id, u.UserName }).SingleOrDefaultAsync(Context.RequestAborted);
        if (user is null) return (null, "The token's user is disabled.");
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == user.Id select r.Name!)
            .ToListAsync(Context.RequestAborted);

        // Record use at most once a minute, so a busy integration does not write on every request.
        if (found.LastUsedAt is null || found.LastUsedAt < now.AddMinutes(-1))
            await db.ApiTokens.Where(t => t.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        return (new ApiTokenSignIns.SignIn(found.Id, user.Id, user.UserName ?? user.Id, roles), null);
    }
}
