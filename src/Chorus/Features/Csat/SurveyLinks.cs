using Chorus.Common;
using Microsoft.AspNetCore.DataProtection;

namespace Chorus.Features.Csat;

/// The requester's one-click rating link: the survey id, signed like the requester link, so it cannot be
/// guessed or pointed at another conversation.
public sealed class SurveyLinks(IDataProtectionProvider protection)
{
    private readonly SignedGuid _ids = new(protection, "Chorus.CsatSurvey.v1");

    public string TokenFor(Guid surveyId) => _ids.TokenFor(surveyId);

    public string PathFor(Guid surveyId, int? rating = null) => "/csat/" + TokenFor(surveyId) + (rating is { } r ? $"?rating={r}" : "");

    public Guid? Resolve(string? token) => _ids.Resolve(token);
}
