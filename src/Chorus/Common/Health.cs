using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Common;

public static class Health
{
    /// /health/live: the process answers. /health/ready: the database answers too.
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "live" })).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/health/ready", async (ChorusDb db, HttpContext http) =>
        {
            try
            {
                await db.Database.ExecuteSqlRawAsync("SELECT 1", http.RequestAborted);
                return Results.Ok(new { status = "ready", database = db.Provider.ToString() });
            }
            catch (Exception e)
            {
                return Results.Json(new { status = "unavailable", database = db.Provider.ToString(), error = e.GetBaseException().Message }, statusCode: 503);
            }
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
