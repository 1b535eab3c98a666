using Microsoft.AspNetCore.Antiforgery;

namespace Chorus.Common;

/// For form endpoints that bind no form fields (sign-out, like, accept...). The antiforgery middleware only
/// records whether a request's token is valid; minimal APIs act on it only when they bind from the form,
/// so these endpoints refuse an invalid or missing token themselves (GETs are never checked).
public static class RequireAntiforgery
{
    public static TBuilder RequireAntiforgeryToken<TBuilder>(this TBuilder builder, Func<HttpContext, IResult>? refuse = null) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequireAntiforgeryTokenAttribute()).AddEndpointFilter(async (context, next) =>
            HttpMethods.IsGet(context.HttpContext.Request.Method) || HttpMethods.IsHead(context.HttpContext.Request.Method)
            || context.HttpContext.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: true }
                ? await next(context)
                : refuse?.Invoke(context.HttpContext) ?? Results.Text("This form has expired or did not come from this site. Go back, reload the page and try again.", statusCode: StatusCodes.Status400BadRequest));
}
