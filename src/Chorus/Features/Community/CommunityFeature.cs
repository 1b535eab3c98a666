using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Community.Blocking;
using Chorus.Features.Community.Editing;
using Chorus.Features.Community.Flags;
using Chorus.Features.Community.Sanctions;
using Chorus.Features.Forum;
using Chorus.Features.Forum.Members;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Community;

public sealed record SanctionBody(SanctionKind Kind, string? Reason, int? Days, int? Hours);
public sealed record PostEditBody(string? Body, string? Title, string? Reason);
public sealed record MoveBody(Guid CategoryId);
public sealed record BlockBody(string? Reason);

/// Keeping the community clean beyond the review queue: member flags, sanctions, moderators' edits and
/// moves, and the block list shared by every channel.
public static class CommunityFeature
{
    public static IServiceCollection AddCommunity(this IServiceCollection services) =>
        services.AddScoped<CommunitySettings>().AddScoped<MemberStanding>().AddScoped<SanctionMember>().AddScoped<FlagPost>().AddScoped<ResolveFlags>()
            .AddScoped<EditForumPost>().AddScoped<MoveTopic>().AddScoped<BlockPerson>().AddScoped<Blocking.KeepBlockedFilesOut>()
            .AddScoped<Bridge.BridgeSupportTopics>().AddScoped<Bridge.QueueForumReply>().AddScoped<Bridge.SendForumReply>().AddScoped<Bridge.CreditCommunityAnswer>()
            .AddScoped<Health.ReadCommunityHealth>()
            .AddHostedService<Bridge.ForumBridgeService>();

    /// The forum pages' form posts (antiforgery-checked, like the forum's own).
    public static void MapCommunity(this WebApplication app)
    {
        var forum = app.MapGroup("/forum").RequireAntiforgeryToken(_ =>
            ForumFeature.Refused(StatusCodes.Status400BadRequest, "This form has expired or did not come from this site. Go back, reload the page and try again."));

        forum.MapPost("/posts/{id:guid}/flag", async (Guid id, [FromForm] string? reason, [FromForm] string? note, HttpContext http,
            ResolveForumViewer viewers, FlagPost flag, ReadForum read, ChorusDb db) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (viewer.Member is not { } member) return ForumFeature.SignIn(http);
            if (!Enum.TryParse<FlagReason>(reason, true, out var r)) return ForumFeature.Refused(StatusCodes.Status400BadRequest, "Choose why you flag the post.");
            var outcome = await flag.RunAsync(member, id, r, note, http.RequestAborted);
            if (outcome is Outcome<FlagReceipt>.Conflict) return await ForumFeature.BackToPostAsync(http, viewer, read, id, "already-flagged");
            if (outcome is not Outcome<FlagReceipt>.Ok { Value: var receipt }) return ForumFeature.Refused(outcome);
            if (!receipt.Hidden) return await ForumFeature.BackToPostAsync(http, viewer, read, id, "flagged");
            // The post is out of the flagger's sight now: back to its topic, or to its category when the topic itself went.
            var topic = await db.ForumTopics.AsNoTracking().Where(t => t.Id == db.ForumPosts.Where(p => p.Id == id).Select(p => p.TopicId).Single())
                .Select(t => new { t.Id, t.State, Slug = t.Category!.Slug }).SingleAsync(http.RequestAborted);
            return Results.LocalRedirect(topic.State == PostState.Visible ? $"/forum/t/{topic.Id}?notice=flag-hidden" : $"/forum/c/{topic.Slug}?notice=flag-hidden");
        }).AllowAnonymous(); // members have their own sign-in (MemberAuth), checked by the handler

        forum.MapPost("/topics/{id:guid}/move", async (Guid id, [FromForm] Guid categoryId, HttpContext http, ResolveForumViewer viewers, MoveTopic move) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (!viewer.CanModerate) return ForumFeature.Refused(StatusCodes.Status403Forbidden, "Only staff who work conversations move topics.");
            var outcome = await move.RunAsync(viewer.Staff!, id, categoryId, http.RequestAborted);
            return outcome is Outcome<ForumTopic>.Ok ? Results.LocalRedirect($"/forum/t/{id}?notice=moved") : ForumFeature.Refused(outcome);
        }).RequireAuthorization(Policies.CanWork);

        forum.MapPost("/members/{id:guid}/sanctions", async (Guid id, [FromForm] string? kind, [FromForm] string? reason, [FromForm] int? days, [FromForm] int? hours,
            HttpContext http, ResolveForumViewer viewers, SanctionMember sanctions, ChorusDb db) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (!viewer.CanModerate) return ForumFeature.Refused(StatusCodes.Status403Forbidden, "Only staff who work conversations sanction members.");
            if (!Enum.TryParse<SanctionKind>(kind, true, out var k)) return ForumFeature.Refused(StatusCodes.Status400BadRequest, "Choose silence, suspend or ban.");
            var outcome = await sanctions.ApplyAsync(viewer.Staff!, id, new SanctionInput(k, reason, days, hours), http.RequestAborted);
            if (outcome is not Outcome<SanctionView>.Ok) return ForumFeature.Refused(outcome);
            return Results.LocalRedirect($"/forum/u/{await UsernameAsync(db, id, http.RequestAborted)}#staff");
        }).RequireAuthorization(Policies.CanWork);

        forum.MapPost("/sanctions/{id:guid}/lift", async (Guid id, HttpContext http, ResolveForumViewer viewers, SanctionMember sanctions, ChorusDb db) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (!viewer.CanModerate) return ForumFeature.Refused(StatusCodes.Status403Forbidden, "Only staff who work conversations lift sanctions.");
            var outcome = await sanctions.LiftAsync(viewer.Staff!, id, http.RequestAborted);
            if (outcome is not Outcome<SanctionView>.Ok { Value: var s }) return ForumFeature.Refused(outcome);
            return Results.LocalRedirect($"/forum/u/{await UsernameAsync(db, s.MemberId, http.RequestAborted)}#staff");
        }).RequireAuthorization(Policies.CanWork);

        forum.MapPost("/members/{id:guid}/block", async (Guid id, [FromForm] string? reason, [FromForm] bool? unblock, HttpContext http,
            ResolveForumViewer viewers, BlockPerson block, ChorusDb db) =>
        {
            var viewer = await viewers.ForRequestAsync(http);
            if (!viewer.CanModerate) return ForumFeature.Refused(StatusCodes.Status403Forbidden, "Only staff who work conversations block people.");
            var member = await db.ForumMembers.AsNoTracking().Where(m => m.Id == id).Select(m => new { m.Username, m.PersonId }).SingleOrDefaultAsync(http.RequestAborted);
            if (member?.PersonId is not { } personId) return ForumFeature.Refused(StatusCodes.Status404NotFound, "This member has no confirmed profile to block.");
            var error = unblock == true
                ? (await block.UnblockAsync(viewer.Staff!, personId, http.RequestAborted)).Error
                : (await block.BlockAsync(viewer.Staff!, personId, reason, http.RequestAborted)).Error;
            return error is null ? Results.LocalRedirect($"/forum/u/{member.Username}#staff") : ForumFeature.Refused(StatusCodes.Status400BadRequest, error);
        }).RequireAuthorization(Policies.CanWork);
    }

    private static async Task<string> UsernameAsync(ChorusDb db, Guid memberId, CancellationToken ct) =>
        Uri.EscapeDataString(await db.ForumMembers.Where(m => m.Id == memberId).Select(m => m.Username).SingleAsync(ct));

    public static void MapCommunityApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("").WithTags("Community");

        g.MapGet("/community/settings", async (CommunitySettings settings, HttpContext http) => TypedResults.Ok(await settings.ReadAsync(http.RequestAborted)))
            .WithSummary("The flag threshold and how long support topics wait before they reach the inbox");
        g.MapPut("/community/settings", async (CommunitySettingsInput body, CommunitySettings settings, HttpContext http) =>
                ApiResults.From(await settings.ChangeAsync(await http.ActorAsync(), body, http.RequestAborted), s => TypedResults.Ok(s)))
            .WithSummary("Change the community settings (admins)");

        g.MapGet("/community/health", async (int? days, Health.ReadCommunityHealth health, HttpContext http) =>
                TypedResults.Ok(await health.RunAsync(days ?? 30, DateTimeOffset.UtcNow, http.RequestAborted)))
            .WithSummary("Community health over the last days (1 to 365): members, posts per day, answers, first response, flags");
        g.MapGet("/forum/members/{id:guid}/sanctions", async (Guid id, SanctionMember sanctions, HttpContext http) =>
                TypedResults.Ok(await sanctions.ListAsync(id, http.RequestAborted)))
            .WithSummary("A member's sanctions, newest first, with whether each is in force");
        g.MapPost("/forum/members/{id:guid}/sanctions", async (Guid id, SanctionBody body, SanctionMember sanctions, HttpContext http) =>
                ApiResults.From(await sanctions.ApplyAsync(await http.ActorAsync(), id, new SanctionInput(body.Kind, body.Reason, body.Days, body.Hours), http.RequestAborted),
                    s => TypedResults.Created($"/api/v1/forum/members/{id}/sanctions", s)))
            .WithSummary("Silence, suspend or ban a member (reason; days/hours except for a ban)");
        g.MapPost("/forum/sanctions/{id:guid}/lift", async (Guid id, SanctionMember sanctions, HttpContext http) =>
                ApiResults.From(await sanctions.LiftAsync(await http.ActorAsync(), id, http.RequestAborted), s => TypedResults.Ok(s)))
            .WithSummary("End a sanction early");

        g.MapGet("/forum/posts/{id:guid}/revisions", async (Guid id, EditForumPost edit, HttpContext http) =>
                await edit.ReadAsync(id, http.RequestAborted) is { } post ? Results.Ok(post) : ApiResults.NotFound("The post"))
            .WithSummary("A post's current text and its earlier versions");
        g.MapPatch("/forum/posts/{id:guid}", async (Guid id, PostEditBody body, EditForumPost edit, HttpContext http) =>
                ApiResults.From(await edit.RunAsync(await http.ActorAsync(), id, new PostEdit(body.Body, body.Title, body.Reason), http.RequestAborted), p => TypedResults.Ok(p)))
            .WithSummary("Edit a post (and the title of a topic's first post); the earlier text is kept");
        g.MapPost("/forum/topics/{id:guid}/move", async (Guid id, MoveBody body, MoveTopic move, HttpContext http) =>
                ApiResults.From(await move.RunAsync(await http.ActorAsync(), id, body.CategoryId, http.RequestAborted), t => TypedResults.Ok(new { t.Id, t.CategoryId })))
            .WithSummary("Move a topic to another category");

        g.MapGet("/people/{id:guid}/block", async (Guid id, BlockPerson block, HttpContext http) =>
                await block.OfAsync(id, http.RequestAborted) is { } b ? Results.Ok(b) : ApiResults.NotFound("A block of this person"))
            .WithSummary("Whether a person is blocked, why and by whom");
        g.MapPut("/people/{id:guid}/block", async (Guid id, BlockBody body, BlockPerson block, HttpContext http) =>
                ApiResults.From(await block.BlockAsync(await http.ActorAsync(), id, body.Reason, http.RequestAborted), b => TypedResults.Ok(b)))
            .WithSummary("Block a person on every channel: forum posts refused, e-mails and web-form messages kept as blocked");
        g.MapDelete("/people/{id:guid}/block", async (Guid id, BlockPerson block, HttpContext http) =>
                ApiResults.From(await block.UnblockAsync(await http.ActorAsync(), id, http.RequestAborted), _ => TypedResults.NoContent()))
            .WithSummary("Unblock a person");
        g.MapGet("/blocks", async (BlockPerson block, HttpContext http) => TypedResults.Ok(await block.BlocksAsync(ct: http.RequestAborted)))
            .RequireAuthorization(Policies.Admin).WithSummary("Blocked people (admins)");
        g.MapGet("/blocks/messages", async (int? take, BlockPerson block, HttpContext http) => TypedResults.Ok(await block.MessagesAsync(take ?? 100, http.RequestAborted)))
            .RequireAuthorization(Policies.Admin).WithSummary("Messages from blocked people, kept instead of filed (admins)");
    }
}
