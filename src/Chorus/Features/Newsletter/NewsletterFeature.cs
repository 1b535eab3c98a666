using System.Net;

namespace Chorus.Features.Newsletter;

/// E-mail newsletters: a publishing channel kind (see SendNewsletter) and the public unsubscribe link.
public static class NewsletterFeature
{
    public static IServiceCollection AddNewsletter(this IServiceCollection services) =>
        services.AddSingleton<UnsubscribeTokens>().AddSingleton<SendNewsletter>().AddScoped<UnsubscribeFromNewsletters>().AddScoped<NewsletterReplies>();

    /// GET shows a confirmation (link scanners open links; only a person's click, or a mail program's
    /// RFC 8058 one-click POST, unsubscribes). The signed token is the credential: no sign-in, and no
    /// antiforgery token, since mail programs post without one.
    public static void MapNewsletterPublic(this WebApplication app)
    {
        app.MapGet("/newsletter/unsubscribe/{token}", async (string token, UnsubscribeFromNewsletters unsubscribe, HttpContext http) =>
                await unsubscribe.CheckAsync(token, http.RequestAborted) is { Valid: true } r
                    ? Page("Unsubscribe", $"""
                        <p>Stop newsletters to {Encode(r.Name!)}?</p>
                        <form method="post"><button type="submit" id="unsubscribe-confirm" autofocus>Unsubscribe</button></form>
                        <p class="muted">You still get answers to the questions you send us.</p>
                        """)
                    : Page("Link not valid", "<p>This unsubscribe link is not valid (it may be cut short). Use the link in the newsletter again, or reply to it and we will take you off the list.</p>", 404))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/newsletter/unsubscribe/{token}", async (string token, UnsubscribeFromNewsletters unsubscribe, HttpContext http) =>
                await unsubscribe.RunAsync(token, http.RequestAborted) is { Valid: true } r
                    ? Page("Unsubscribed", $"<p id=\"unsubscribed\">Done: {Encode(r.Name!)} gets no more newsletters from us.</p><p class=\"muted\">Changed your mind? Reply to any of our e-mails.</p>")
                    : Page("Link not valid", "<p>This unsubscribe link is not valid (it may be cut short). Use the link in the newsletter again, or reply to it and we will take you off the list.</p>", 404))
            .AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
    }

    private static string Encode(string s) => WebUtility.HtmlEncode(s);

    private static IResult Page(string title, string body, int status = 200) => Results.Content($$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
        <title>{{title}}</title>
        <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2330}h1{font-size:1.4rem}
        button{font:inherit;padding:.5rem 1.25rem;border:0;border-radius:6px;background:#4f46e5;color:#fff;cursor:pointer}button:focus{outline:3px solid #a5b4fc}.muted{color:#666;font-size:.9rem}</style>
        </head><body><h1>{{title}}</h1>{{body}}</body></html>
        """, "text/html; charset=utf-8", statusCode: status);
}
