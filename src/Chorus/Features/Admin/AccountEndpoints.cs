using Chorus.Common;
using Microsoft.AspNetCore.Identity;

namespace Chorus.Features.Admin;

public static class AccountEndpoints
{
    /// Sign-out is a POST with an antiforgery token (a GET would let any page sign you out).
    public static void MapAccountEndpoints(this WebApplication app)
    {
        app.MapPost("/account/logout", async (SignInManager<StaffUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/account/login");
        })
            .AllowAnonymous() // signing out when already signed out is harmless, and an expired cookie must still reach the login page
            .RequireAntiforgeryToken(); // the form posts no fields: the endpoint itself must refuse a forged one
    }
}
