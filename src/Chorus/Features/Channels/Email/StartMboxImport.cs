using System.Text;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Channels.Email;

/// Takes an uploaded mbox archive: streams it to a file under the data directory (never whole in
/// memory), checks it is mbox and within the size limit, then queues its import in the background.
/// A refused or broken upload leaves nothing behind.
public class StartMboxImport(ChorusDb db, MboxImports imports, RecordAudit audit, IConfiguration config)
{
    public long MaxBytes => config.GetValue("Chorus:Email:MaxImportBytes", 200L * 1024 * 1024);

    public async Task<Outcome<MboxImportView>> RunAsync(StaffActor actor, Guid channelId, string fileName, Stream content, long? length,
        IProgress<long>? uploaded = null, CancellationToken ct = default)
    {
        if (!await db.Mailboxes.AnyAsync(m => m.ChannelId == channelId, ct)) return new Outcome<MboxImportView>.NotFound("Mailbox");
        if (length > MaxBytes) return TooBig(length.Value);
        var name = Path.GetFileName(fileName.Trim()) is { Length: > 0 } n ? TextLimits.Cut(n, 255) : "archive.mbox";

        var import = new MboxImport { ChannelId = channelId, FileName = name, StartedById = actor.Id, StartedByName = actor.Name };
        var path = MboxImports.PathOf(config, import.Id);
        var part = path + ".part";
        Directory.CreateDirectory(MboxImports.Directory(config));
        try
        {
            long total = 0;
            var head = new byte[5];
            await using (var file = new FileStream(part, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int count;
                while ((count = await content.ReadAsync(buffer, ct)) > 0)
                {
                    if (total < head.Length) Array.Copy(buffer, 0, head, total, Math.Min(count, head.Length - (int)total));
                    total += count;
                    if (total > MaxBytes) return Discard(part, TooBig(total));
                    await file.WriteAsync(buffer.AsMemory(0, count), ct);
                    uploaded?.Report(total);
                }
            }
            if (total == 0) return Discard(part, Outcome<MboxImportView>.Invalid.One("file", "The file is empty."));
            if (Encoding.ASCII.GetString(head) != "From ")
                return Discard(part, Outcome<MboxImportView>.Invalid.One("file",
                    "This is not an mbox archive: an mbox file starts with a line like 'From sender@example.com Mon Jul  6 10:00:00 2020'."));
            File.Move(part, path);
            import.Bytes = total;
        }
        catch
        {
            File.Delete(part);
            throw;
        }

        db.MboxImports.Add(import);
        audit.Add(actor, "mailbox.import-started", "channel", channelId.ToString(), $"{name} ({import.Bytes:N0} bytes)");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        imports.Wake();
        return imports.View(import);
    }

    private Outcome<MboxImportView> TooBig(long bytes) => Outcome<MboxImportView>.Invalid.One("file",
        $"The file is {bytes / 1048576.0:N1} MB; archives of up to {MaxBytes / 1048576.0:N1} MB can be imported here. Split it, or use `chorus import mbox` on the server.");

    private static Outcome<MboxImportView> Discard(string part, Outcome<MboxImportView> why)
    {
        File.Delete(part);
        return why;
    }
}
