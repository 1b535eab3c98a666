using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Chorus.Features.Csat;

/// The requester's one-click rating link: the survey id, encrypted and signed with the workspace's keys
/// (like the requester link), so it cannot be guessed or pointed at another conversation.
public sealed class SurveyLinks(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Chorus.CsatSurvey.v1");

    public string TokenFor(Guid surveyId) => WebEncoders.Base64UrlEncode(_protector.Protect(surveyId.ToByteArray()));

    public string PathFor(Guid surveyId, int? rating = null) => "/csat/" + TokenFor(surveyId) + (rating is { } r ? $"?rating={r}" : "");

    public Guid? Resolve(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 400) return null;
        try
        {
            var bytes = _protector.Unprotect(WebEncoders.Base64UrlDecode(token));
            return bytes.Length == 16 ? new Guid(bytes) : null;
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
