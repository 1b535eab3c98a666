using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Chorus.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chorus.Features.Admin;

public sealed record IssuedApiToken(Guid Id, string Name, string Token, string Prefix, DateTimeOffset CreatedAt);

/// Issues, lists and revokes per-user API tokens. The token is returned once; only its hash is kept.
public class ManageApiTokens(ChorusDb db, RecordAudit audit)
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
        await audit.RecordAsync(actor, "api-token.revoked", "api-token", token.Id.ToString(), token.Name, ct);
        return true;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// Authenticates `Authorization: Bearer chorus_...` against the stored hashes.
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ChorusDb db)
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
        var found = await db.ApiTokens.Where(t => t.Hash == hash && t.RevokedAt == null)
            .Select(t => new { t.Id, t.StaffUserId, t.LastUsedAt }).SingleOrDefaultAsync(Context.RequestAborted);
        if (found is null) return AuthenticateResult.Fail("The API token is unknown or revoked.");
        var now = DateTimeOffset.UtcNow;
        var user = await db.Users.AsNoTracking().Where(u => u.Id == found.StaffUserId && (u.LockoutEnd == null || u.LockoutEnd < now))
            .Select(u => new { u.Id, u.UserName, u.DisplayName }).SingleOrDefaultAsync(Context.RequestAborted);
        if (user is null) return AuthenticateResult.Fail("The token's user is disabled.");
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == user.Id select r.Name!)
            .ToListAsync(Context.RequestAborted);

        // Record use at most once a minute, so a busy integration does not write on every request.
        if (found.LastUsedAt is null || found.LastUsedAt < now.AddMinutes(-1))
            await db.ApiTokens.Where(t => t.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);

        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, user.Id), new(ClaimTypes.Name, user.UserName ?? user.Id) };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
