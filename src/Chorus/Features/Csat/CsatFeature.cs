using Chorus.Common;

namespace Chorus.Features.Csat;

public static class CsatFeature
{
    public static IServiceCollection AddCsat(this IServiceCollection services) =>
        services.AddSingleton<SurveyLinks>().AddScoped<SendSurveys>().AddScoped<RateSurvey>().AddScoped<ReadCsat>().AddHostedService<SurveySweeper>();

    public static void MapCsatApi(this RouteGroupBuilder api) =>
        api.MapGet("/csat", async (DateTimeOffset? since, ReadCsat read, HttpContext http) =>
                TypedResults.Ok(await read.RunAsync(await http.ActorAsync(), since, http.RequestAborted)))
            .WithTags("Satisfaction").WithSummary("Satisfaction (CSAT) per team and agent for solves since a moment (default: 30 days): surveys, ratings, average, share satisfied (4–5), recent comments");
}
