using System.Security.Claims;
using Chorus.Features.Admin;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chorus.Common;

/// Maps service outcomes to RFC 9457 problem details, one place for every endpoint.
public static class ApiResults
{
    public static IResult From<T>(Outcome<T> outcome, Func<T, IResult> ok) => outcome switch
    {
        Outcome<T>.Ok o => ok(o.Value),
        Outcome<T>.NotFound n => TypedResults.Problem(title: "Not found", detail: outcome.Error, statusCode: 404),
        Outcome<T>.Forbidden => TypedResults.Problem(title: "Forbidden", detail: outcome.Error, statusCode: 403),
        Outcome<T>.Conflict => TypedResults.Problem(title: "Conflict", detail: outcome.Error, statusCode: 409),
        Outcome<T>.Invalid i => TypedResults.ValidationProblem(i.Errors, detail: i.Summary),
        _ => TypedResults.Problem(statusCode: 500),
    };

    public static ProblemHttpResult NotFound(string what) => TypedResults.Problem(title: "Not found", detail: $"{what} was not found.", statusCode: 404);

    public static ValidationProblem Invalid(string field, string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] }, detail: error);

    /// The acting staff member of an authenticated API request.
    public static async Task<StaffActor> ActorAsync(this HttpContext http) =>
        await http.RequestServices.GetRequiredService<ResolveStaffActor>().ForPrincipalAsync(http.User, http.RequestAborted)
        ?? throw new InvalidOperationException("Authenticated request without a staff user: " + http.User.FindFirstValue(ClaimTypes.NameIdentifier));
}
