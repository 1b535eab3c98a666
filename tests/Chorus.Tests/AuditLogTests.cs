using System.Net;
using System.Text.Json;
using Chorus.Tests.Infrastructure;

namespace Chorus.Tests;

/// The audit log: who did what to what, readable by admins only.
public class AuditLogTests
{
    [Theory, Providers]
    public async Task Staff_actions_are_logged_with_actor_and_target_and_only_admins_read_the_log(Provider provider)
    {
        await using var app = new ChorusFactory(provider);
        var admin = await app.StaffAsync("admin");
        var agent = await app.StaffAsync("agent", "Support");
        var viewer = await app.StaffAsync("viewer", "Support");
        var a = (await agent.DeliverAsync("a-1")).Number;
        var b = (await agent.DeliverAsync("a-2", handle: "other@customer.test")).Number;

        await agent.PatchConversationAsync(a, new { status = "Open", priority = "High" });
        await (await agent.PostAsync($"/api/v1/conversations/{a}/replies", new { text = "On it" })).JsonAsync(HttpStatusCode.Created);
        await (await agent.PostAsync($"/api/v1/conversations/{a}/notes", new { text = "Internal" })).JsonAsync(HttpStatusCode.Created);
        await (await agent.PostAsync($"/api/v1/conversations/{b}/merge", new { into = a })).JsonAsync(HttpStatusCode.OK);
        var team = await (await admin.PostAsync("/api/v1/teams", new { name = "Escalations", isPrivate = true })).JsonAsync(HttpStatusCode.Created);
        var teamId = team.GetProperty("id").GetGuid();
        await (await admin.PatchAsync($"/api/v1/teams/{teamId}", new { memberIds = new[] { agent.UserId } })).JsonAsync(HttpStatusCode.OK);
        var token = await (await agent.PostAsync("/api/v1/me/tokens", new { name = "CI bot" })).JsonAsync(HttpStatusCode.Created);
        var tokenId = token.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await agent.Http.DeleteAsync($"/api/v1/me/tokens/{tokenId}")).StatusCode);

        var log = (await (await admin.GetAsync("/api/v1/audit?take=500")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        void Has(string action, StaffClient actor, string targetKind, string targetId, string? detail = null)
        {
            var found = log.Any(e => e.GetProperty("action").GetString() == action && e.GetProperty("actorId").GetString() == actor.UserId
                                     && e.GetProperty("targetKind").GetString() == targetKind && e.GetProperty("targetId").GetString() == targetId
                                     && (detail is null || (e.GetProperty("details").GetString() ?? "").Contains(detail))
                                     && !string.IsNullOrEmpty(e.GetProperty("actorName").GetString()));
            Assert.True(found, $"no audit entry {action} by {actor.Role} on {targetKind} {targetId}; log: " +
                               string.Join("; ", log.Select(e => $"{e.GetProperty("action")} {e.GetProperty("targetKind")} {e.GetProperty("targetId")}")));
        }
        Has("conversation.updated", agent, "conversation", a.ToString(), "priority");
        Has("conversation.replied", agent, "conversation", a.ToString());
        Has("conversation.noted", agent, "conversation", a.ToString());
        Has("conversation.merged", agent, "conversation", b.ToString(), $"#{a}");
        Has("team.created", admin, "team", teamId.ToString(), "Escalations");
        Has("team.updated", admin, "team", teamId.ToString(), "1 members");
        Has("api-token.issued", agent, "api-token", tokenId.ToString(), "CI bot");
        Has("api-token.revoked", agent, "api-token", tokenId.ToString(), "CI bot");
        // Newest first, and the token itself is never written to the log.
        var times = log.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.DoesNotContain(token.GetProperty("token").GetString()!, JsonSerializer.Serialize(log));

        var filtered = (await (await admin.GetAsync("/api/v1/audit?action=api-token")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        Assert.NotEmpty(filtered);
        Assert.All(filtered, e => Assert.StartsWith("api-token.", e.GetProperty("action").GetString()));

        await (await agent.GetAsync("/api/v1/audit")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await viewer.GetAsync("/api/v1/audit")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/api/v1/audit")).StatusCode);
    }
}
