using System.Security.Cryptography;
using System.Text;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Automation;

/// Rules' webhook calls carry <c>X-Chorus-Signature: sha256=HEX</c>, the HMAC-SHA256 of the body with the
/// workspace's webhook secret, so a receiver can tell a call came from this Chorus. The secret is made on
/// first use, kept protected with the Data Protection keys, shown to admins only (audited) and can be rotated.
public sealed class WebhookSigning(ChorusDb db, IDataProtectionProvider protection, RecordAudit audit)
{
    public const string SettingKey = "automation.webhook-secret";
    public const string Header = "X-Chorus-Signature";

    private readonly IDataProtector _protector = protection.CreateProtector("Chorus.Automation.WebhookSecret.v1");

    public async Task<string> SecretAsync(CancellationToken ct = default)
    {
        var stored = await db.Settings.AsNoTracking().Where(s => s.Key == SettingKey).Select(s => s.Value).SingleOrDefaultAsync(ct);
        if (stored is not null)
        {
            try { return _protector.Unprotect(stored); }
            catch (CryptographicException) { /* keys lost: a new secret below, as a rotation would */ }
        }
        return await ReplaceAsync(ct);
    }

    /// Shows the secret to an admin (audited: whoever sees it can sign calls).
    public async Task<string> RevealAsync(StaffActor actor, CancellationToken ct = default)
    {
        var secret = await SecretAsync(ct);
        await audit.RecordAsync(actor, "webhooks.secret-viewed", "setting", SettingKey, null, ct);
        return secret;
    }

    public async Task<string> RotateAsync(StaffActor actor, CancellationToken ct = default)
    {
        var secret = await ReplaceAsync(ct);
        await audit.RecordAsync(actor, "webhooks.secret-rotated", "setting", SettingKey, "Webhook calls are signed with a new secret from now on.", ct);
        return secret;
    }

    public static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private async Task<string> ReplaceAsync(CancellationToken ct)
    {
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var value = _protector.Protect(secret);
        var updated = await db.Settings.Where(s => s.Key == SettingKey).ExecuteUpdateAsync(s => s.SetProperty(x => x.Value, value), ct);
        if (updated == 0)
        {
            db.Settings.Add(new WorkspaceSetting { Key = SettingKey, Value = value });
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException)
            {
                // Another request made the first secret at the same moment: use that one.
                db.ChangeTracker.Clear();
                var theirs = await db.Settings.AsNoTracking().Where(s => s.Key == SettingKey).Select(s => s.Value).SingleAsync(ct);
                return _protector.Unprotect(theirs);
            }
        }
        return secret;
    }
}
