using Chorus.Common;

namespace Chorus.Features.Problems;

public static class ProblemsFeature
{
    public static IServiceCollection AddProblems(this IServiceCollection services) =>
        services.AddScoped<ManageProblems>().AddScoped<SuggestCandidates>().AddScoped<AnswerLinkedConversations>();

    public static void MapProblemsApi(this RouteGroupBuilder api)
    {
        var problems = api.MapGroup("/problems").WithTags("Problems");
        problems.MapGet("/", async Task<IResult> (string? status, string? q, ManageProblems m, HttpContext http) =>
            {
                ProblemStatus? filter = null;
                if (!string.IsNullOrWhiteSpace(status) && (filter = ManageProblems.ParseStatus(status)) is null)
                    return ApiResults.Invalid("status", $"'{status}' is not a problem status: use open, knownError or solved.");
                return TypedResults.Ok(await m.ListAsync(await http.ActorAsync(), filter, q, http.RequestAborted));
            })
            .WithSummary("Problems, recently changed first, with how many conversations (that you may see) are linked and the newest link; status and q (title or P-number) filter");
        problems.MapGet("/{number:long}", async (long number, ManageProblems m, HttpContext http) =>
                await m.GetAsync(await http.ActorAsync(), number, http.RequestAborted) is { } p ? (IResult)TypedResults.Ok(p) : ApiResults.NotFound($"Problem P-{number}"))
            .WithSummary("A problem and its linked conversations (requester, channel, status, when answered)");
        problems.MapPost("/", async (ProblemInput input, ManageProblems m, HttpContext http) =>
                ApiResults.From(await m.CreateAsync(await http.ActorAsync(), input, http.RequestAborted), v => TypedResults.Created($"/api/v1/problems/{v.Number}", v)))
            .WithSummary("Create a problem (agents); fromConversation links that conversation at once");
        problems.MapPut("/{number:long}", async (long number, ProblemInput input, ManageProblems m, HttpContext http) =>
                ApiResults.From(await m.UpdateAsync(await http.ActorAsync(), number, input, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Change a problem's title, description, status, engineering issue and team (send version to detect concurrent edits)");
        problems.MapDelete("/{number:long}", async (long number, ManageProblems m, HttpContext http) =>
                ApiResults.From(await m.DeleteAsync(await http.ActorAsync(), number, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Delete a problem; its conversations stay, unlinked");
        problems.MapPost("/{number:long}/conversations", async (long number, LinkRequest body, ManageProblems m, HttpContext http) =>
                body.ConversationNumber is not { } n ? ApiResults.Invalid("conversationNumber", "Say which conversation to link: conversationNumber.")
                : ApiResults.From(await m.LinkAsync(await http.ActorAsync(), number, n, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Link a conversation to the problem (an event in its thread); linking it again changes nothing");
        problems.MapDelete("/{number:long}/conversations/{conversationNumber:long}", async (long number, long conversationNumber, ManageProblems m, HttpContext http) =>
                ApiResults.From(await m.UnlinkAsync(await http.ActorAsync(), number, conversationNumber, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Unlink a conversation from the problem");
        problems.MapGet("/{number:long}/candidates", async (long number, SuggestCandidates s, HttpContext http) =>
                await s.RunAsync(await http.ActorAsync(), number, http.RequestAborted) is { } list ? (IResult)TypedResults.Ok(list) : ApiResults.NotFound($"Problem P-{number}"))
            .WithSummary($"Conversations not linked yet that read like the problem (TF-IDF cosine over the newest {SuggestCandidates.Window:N0}), best first, with a score 0–1 and the words they share");
        problems.MapPost("/{number:long}/solve-and-answer", async (long number, AnswerEveryoneRequest body, AnswerLinkedConversations a, HttpContext http) =>
                ApiResults.From(await a.RunAsync(await http.ActorAsync(), number, body, null, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithSummary("Mark the problem solved and answer every linked conversation on its own channel, once: those answered before are skipped and listed; solveConversations sets them solved");

        api.MapGet("/conversations/{number:long}/problems", async (long number, ManageProblems m, HttpContext http) =>
                ApiResults.From(await m.OfConversationAsync(await http.ActorAsync(), number, http.RequestAborted), v => TypedResults.Ok(v)))
            .WithTags("Problems").WithSummary("The problems a conversation is linked to");
    }
}
