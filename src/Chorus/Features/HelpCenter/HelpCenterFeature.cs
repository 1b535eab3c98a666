using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Chorus.Common;

namespace Chorus.Features.HelpCenter;

public static class HelpCenterFeature
{
    public const string VoterCookie = "chorus.help";

    public static IServiceCollection AddHelpCenter(this IServiceCollection services) =>
        services.AddSingleton<HelpSuggestionLimiter>().AddScoped<SearchArticles>().AddScoped<ManageArticles>().AddScoped<ReadHelpCenter>()
            .AddScoped<RecordDeflection>().AddScoped<SuggestArticlesReply>();

    public sealed record PublishRequest(bool Published);
    public sealed record SuggestionView(string Title, string Url, string Excerpt, string Slug);
    public sealed record SuggestionsView(IReadOnlyList<SuggestionView> Articles);
    public sealed record SuggestedArticleView(string Title, string Url, string Html);
    public sealed record DeflectionView(bool Counted);
    public sealed record PreviewRequest(string? Body);
    public sealed record PreviewView(string Html);

    /// The public help center's endpoints beside its pages: suggestions for the web form (JSON, rate-limited),
    /// deflections and "Was this helpful?" votes (form posts with an antiforgery token).
    public static void MapHelpCenterPublic(this WebApplication app)
    {
        var help = app.MapGroup("/help");

        help.MapGet("/suggest", async (string? q, HttpContext http, HelpSuggestionLimiter limiter, SearchArticles search) =>
        {
            if (!limiter.TryAcquire(http)) return Results.Json(new SuggestionsView([]), statusCode: StatusCodes.Status429TooManyRequests);
            var hits = (q?.Trim().Length ?? 0) < 3 ? [] : await search.RunAsync(q, ArticleAudience.Public, 5, http.RequestAborted);
            return Results.Json(new SuggestionsView(hits.Select(h => new SuggestionView(h.Title, h.PublicPath, h.Excerpt, h.Slug)).ToList()));
        }).AllowAnonymous().WithTags("Help center");

        help.MapGet("/suggest/articles/{slug}", async (string slug, HttpContext http, HelpSuggestionLimiter limiter, ReadHelpCenter read) =>
        {
            if (!limiter.TryAcquire(http)) return Results.StatusCode(StatusCodes.Status429TooManyRequests);
            return await read.ArticleAsync(slug, http.RequestAborted) is { } a
                ? Results.Json(new SuggestedArticleView(a.Title, $"/help/articles/{a.Slug}", a.Html))
                : Results.NotFound();
        }).AllowAnonymous().WithTags("Help center");

        var forms = help.MapGroup("").RequireAntiforgeryToken(_ =>
            Results.Text("This form has expired or did not come from this site. Go back, reload the page and try again.", statusCode: StatusCodes.Status400BadRequest));

        // The form is read by hand, not bound: binding would refuse a missing token before the group's filter explains it.
        forms.MapPost("/deflections", async (HttpContext http, HelpSuggestionLimiter limiter, RecordDeflection record) =>
        {
            if (!limiter.TryAcquire(http)) return Results.StatusCode(StatusCodes.Status429TooManyRequests);
            if (!http.Request.HasFormContentType) return Results.BadRequest();
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            if (!Guid.TryParse(form["visit"], out var visit)) return Results.BadRequest();
            return await record.RunAsync(visit, form["article"].ToString(), http.RequestAborted) switch
            {
                DeflectionResult.Counted => Results.Json(new DeflectionView(true)),
                DeflectionResult.AlreadyCounted => Results.Json(new DeflectionView(false)),
                _ => Results.NotFound(),
            };
        }).AllowAnonymous();

        forms.MapPost("/articles/{slug}/vote", async (string slug, HttpContext http, ReadHelpCenter read) =>
        {
            if (!http.Request.HasFormContentType) return Results.BadRequest();
            var helpful = (await http.Request.ReadFormAsync(http.RequestAborted))["helpful"].ToString();
            if (!http.Request.Cookies.TryGetValue(VoterCookie, out var voter) || voter.Length is < 16 or > 40)
            {
                voter = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
                http.Response.Cookies.Append(VoterCookie, voter, new CookieOptions
                {
                    HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = http.Request.IsHttps, MaxAge = TimeSpan.FromDays(365), Path = "/help",
                });
            }
            var yes = helpful is "yes" or "true";
            return await read.VoteAsync(slug, voter, yes, http.RequestAborted)
                ? Results.LocalRedirect($"/help/articles/{slug}?voted={(yes ? "yes" : "no")}#helpful")
                : Results.NotFound();
        }).AllowAnonymous();
    }

    public static void MapHelpCenterApi(this RouteGroupBuilder api)
    {
        var help = api.MapGroup("/help").WithTags("Help center");
        help.MapGet("/categories", async (ManageArticles m, HttpContext http) => TypedResults.Ok(await m.CategoriesAsync(http.RequestAborted)))
            .WithSummary("Help-center categories in order, with their number of articles");
        help.MapPost("/categories", async (HelpCategoryInput input, ManageArticles m, HttpContext http) =>
            ApiResults.From(await m.SaveCategoryAsync(await http.ActorAsync(), null, input, http.RequestAborted), v => TypedResults.Created($"/api/v1/help/categories/{v.Id}", v)))
            .RequireAuthorization(Policies.CanWork);
        help.MapPut("/categories/{id:guid}", async (Guid id, HelpCategoryInput input, ManageArticles m, HttpContext http) =>
            ApiResults.From(await m.SaveCategoryAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .RequireAuthorization(Policies.CanWork);
        help.MapDelete("/categories/{id:guid}", async (Guid id, ManageArticles m, HttpContext http) =>
            ApiResults.From(await m.DeleteCategoryAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()))
            .RequireAuthorization(Policies.CanWork).WithSummary("Delete an empty category");

        help.MapGet("/articles", async (string? q, ArticleStatus? status, Guid? categoryId, bool? @internal, ManageArticles m, HttpContext http) =>
                TypedResults.Ok(await m.ListAsync(q, status, categoryId, @internal, http.RequestAborted)))
            .WithSummary("Articles and playbooks (internal: true), drafts included, most recently changed first; q filters titles and text");
        help.MapGet("/articles/{id:guid}", async (Guid id, ManageArticles m, HttpContext http) =>
            await m.GetAsync(id, http.RequestAborted) is { } a ? (IResult)TypedResults.Ok(a) : ApiResults.NotFound("The article"));
        help.MapPost("/articles", async (ArticleInput input, ManageArticles m, HttpContext http) =>
            ApiResults.From(await m.SaveAsync(await http.ActorAsync(), null, input, http.RequestAborted), v => TypedResults.Created($"/api/v1/help/articles/{v.Id}", v)))
            .RequireAuthorization(Policies.CanWork).WithSummary("Write an article (a draft until published); internal: true makes it a playbook for staff only");
        help.MapPut("/articles/{id:guid}", async (Guid id, ArticleInput input, ManageArticles m, HttpContext http) =>
            ApiResults.From(await m.SaveAsync(await http.ActorAsync(), id, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .RequireAuthorization(Policies.CanWork).WithSummary("Change an article (send version to detect concurrent edits)");
        help.MapPut("/articles/{id:guid}/published", async (Guid id, PublishRequest body, ManageArticles m, HttpContext http) =>
            ApiResults.From(await m.SetPublishedAsync(await http.ActorAsync(), id, body.Published, http.RequestAborted), v => TypedResults.Ok(v)))
            .RequireAuthorization(Policies.CanWork).WithSummary("Publish an article, or take it back to draft");
        help.MapDelete("/articles/{id:guid}", async (Guid id, ManageArticles m, HttpContext http) =>
            ApiResults.From(await m.DeleteAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()))
            .RequireAuthorization(Policies.CanWork);
        help.MapPost("/articles/preview", (PreviewRequest body, ManageArticles m) => TypedResults.Ok(new PreviewView(m.Preview(body.Body ?? ""))))
            .WithSummary("An article's Markdown as the sanitized HTML readers will see");
        help.MapPost("/articles/draft-from-message/{messageId:guid}", async (Guid messageId, ManageArticles m, HttpContext http) =>
            ApiResults.From(await m.DraftFromMessageAsync(await http.ActorAsync(), messageId, http.RequestAborted), v => TypedResults.Ok(v)))
            .RequireAuthorization(Policies.CanWork).WithSummary("\"Turn this answer into an article\": a draft filled from a reply (not saved; send it to POST /articles)");
        help.MapGet("/search", async (string? q, bool? drafts, SearchArticles search, HttpContext http) =>
                TypedResults.Ok(await search.RunAsync(q, drafts == true ? ArticleAudience.StaffWithDrafts : ArticleAudience.Staff, 20, http.RequestAborted)))
            .WithSummary("Ranked search over published articles and playbooks (drafts: true includes drafts)");
        help.MapGet("/deflections", async (DateTimeOffset? since, RecordDeflection deflections, HttpContext http) =>
                TypedResults.Ok(await deflections.ReportAsync(since, http.RequestAborted)))
            .WithSummary("Deflections (web-form visitors whose question an article answered), in total and per article, since a moment");
    }
}

/// Suggestions and deflections from anonymous visitors, per client address.
public sealed class HelpSuggestionLimiter(IConfiguration config) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetFixedWindowLimiter(ip, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = config.GetValue("Chorus:RateLimits:HelpSuggestionsPerMinute", 60),
            Window = TimeSpan.FromMinutes(1),
        }));

    public bool TryAcquire(HttpContext http)
    {
        using var lease = _limiter.AttemptAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
