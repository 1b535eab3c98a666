using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Data;

/// Versions before the shared key ring kept it under the data directory as key-{id}.xml files. Their keys
/// come into the database once, so the requester links already e-mailed and the mailbox passwords
/// already stored still open.
public static class FileKeyRing
{
    public static async Task<int> ImportAsync(ChorusDb db, string dataDirectory, CancellationToken ct = default)
    {
        var dir = Path.Combine(dataDirectory, "keys");
        if (!Directory.Exists(dir)) return 0;
        var known = (await db.DataProtectionKeys.Select(k => k.FriendlyName).ToListAsync(ct)).ToHashSet();
        var imported = 0;
        foreach (var file in Directory.EnumerateFiles(dir, "key-*.xml"))
        {
            var name = Path.GetFileNameWithoutExtension(file); // the database store names keys the same way
            if (known.Contains(name)) continue;
            db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = name, Xml = XElement.Load(file).ToString(SaveOptions.DisableFormatting) });
            imported++;
        }
        await db.SaveChangesAsync(ct);
        return imported;
    }
}
