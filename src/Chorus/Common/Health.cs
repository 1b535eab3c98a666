using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.Channels.Email;
using Chorus.Features.Realtime;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Common;

public static class Health
{
    /// /health/live: the process answers. /health/ready: the database answers too (503 when not), and
    /// how mail and realtime are doing: "degraded" (still 200, Chorus serves) while a mailbox fails, the
    /// outbox is stuck or Redis is unreachable (live updates then reach only this node's agents).
    /// Anonymous callers (load balancers) get states and ages; admins also get addresses and error text.
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/health/live", () => TypedResults.Ok(new Liveness("live"))).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/health/ready", async (ChorusDb db, ReadMailHealth mail, ClusterRelay relay, HttpContext http) =>
        {
            try
            {
                await db.Database.ExecuteSqlRawAsync("SELECT 1", http.RequestAborted);
            }
            catch (Exception e)
            {
                return Results.Json(new { status = "unavailable", database = db.Provider.ToString(), error = e.GetBaseException().Message }, statusCode: 503);
            }
            var admin = http.User.IsInRole(Roles.Admin)
                        || (await http.AuthenticateAsync(ApiTokenAuthenticationHandler.SchemeName)).Principal?.IsInRole(Roles.Admin) == true;
            var health = await mail.RunAsync(admin, http.RequestAborted);
            var (realtime, realtimeError) = relay.State();
            var problems = realtime == "node-local"
                ? health.Problems.Append($"Redis unreachable: live updates reach only this node's agents ({(admin ? realtimeError : "see the log")})").ToList()
                : health.Problems;
            return Results.Ok(new
            {
                status = health.Degraded || realtime == "node-local" ? "degraded" : "ready", database = db.Provider.ToString(),
                realtime, problems, mailboxes = health.Mailboxes, outbox = health.Outbox,
            });
        }).AllowAnonymous().ExcludeFromDescription();
    }
}

/// What /health/live answers (a named type: the endpoints' code is generated at build time, which anonymous types defeat).
public sealed record Liveness(string Status);
