using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox;

/// The human references (#Number) conversations get, from one counter row. Reserved inside the caller's
/// transaction, so two writers never get the same number and a rolled-back write gives its numbers back.
public static class ConversationNumbers
{
    /// Reserves <paramref name="count"/> numbers; returns the first of them.
    public static async Task<long> ReserveAsync(ChorusDb db, int count, CancellationToken ct)
    {
        var last = (await db.Database.SqlQuery<long>(
            $"""UPDATE "Counters" SET "Value" = "Value" + {(long)count} WHERE "Name" = 'conversation' RETURNING "Value" """).ToListAsync(ct)).Single();
        return last - count + 1;
    }
}
