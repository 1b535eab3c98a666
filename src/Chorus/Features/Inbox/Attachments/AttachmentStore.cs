using System.Security.Cryptography;
using Chorus.Data;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.Inbox.Attachments;

/// Where attachment bytes live, by their SHA-256: content-addressed, so the same file received twice is
/// stored once, and a file written for a message whose transaction then failed is harmless (nothing points
/// at it; the next delivery finds it in place).
///
/// `Chorus:Attachments:Store` chooses where:
/// * `Files` (the default): files under the data directory (attachments/ab/cd/abcd…), written to a temporary
///   file and renamed so a reader never sees half a file. Neither SQLite nor PostgreSQL grows by every PDF a
///   customer sends, and downloads stream from disk; several nodes then need one shared data directory.
/// * `Database`: rows of <see cref="AttachmentContent"/> (bytea on PostgreSQL, a blob on SQLite), so nodes keep
///   nothing of their own and any node serves a file another stored (see "Running several nodes").
public sealed class AttachmentStore(IConfiguration config, IServiceScopeFactory scopes)
{
    public const long DefaultMaxFileBytes = 10L * 1024 * 1024;
    public const long DefaultMaxTotalBytes = 25L * 1024 * 1024;

    private readonly string _root = Path.Combine(DatabaseSetup.DataDirectory(config), "attachments");

    /// Largest single attachment stored (inbound and uploaded).
    public long MaxFileBytes { get; } = config.GetValue("Chorus:Attachments:MaxFileBytes", DefaultMaxFileBytes);
    /// Largest sum of attachments stored for one message.
    public long MaxTotalBytes { get; } = config.GetValue("Chorus:Attachments:MaxTotalBytes", DefaultMaxTotalBytes);

    /// True when the bytes are kept in the database rather than under the data directory.
    public bool InDatabase { get; } = StoreKind(config["Chorus:Attachments:Store"]);

    private static bool StoreKind(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "files" => false,
        "database" => true,
        _ => throw new InvalidOperationException($"Chorus:Attachments:Store is '{value}': use Files (under the data directory, the default) or Database."),
    };

    public abstract record SaveResult
    {
        public sealed record Stored(string Hash, long Size) : SaveResult;
        /// Over the limit: nothing was kept. Size is how big it was (at least the limit plus one).
        public sealed record TooLarge(long Size) : SaveResult;
    }

    /// Stores what <paramref name="content"/> holds, unless it is longer than <paramref name="maxBytes"/>.
    public async Task<SaveResult> SaveAsync(Stream content, long maxBytes, CancellationToken ct = default)
    {
        var temp = InDatabase ? null : Path.Combine(_root, "tmp", Guid.NewGuid().ToString("N"));
        if (temp is not null) Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        var buffer = new byte[81920];
        try
        {
            await using (var sink = temp is null ? (Stream)new MemoryStream() : new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await content.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > maxBytes) break;
                    hash.AppendData(buffer, 0, read);
                    await sink.WriteAsync(buffer.AsMemory(0, read), ct);
                }
                if (size > maxBytes)
                {
                    if (temp is not null) { await sink.DisposeAsync(); File.Delete(temp); }
                    // Counted to the end (cheaply, nothing kept) so the note can say how big it was.
                    if (content.CanSeek) size = content.Length;
                    else while (await content.ReadAsync(buffer, ct) is var more and > 0) size += more;
                    return new SaveResult.TooLarge(size);
                }
                var name = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (sink is MemoryStream bytes)
                {
                    await SaveRowAsync(name, bytes.ToArray(), ct);
                    return new SaveResult.Stored(name, size);
                }
                await sink.DisposeAsync();
                var path = PathOf(name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                if (File.Exists(path)) File.Delete(temp!);
                else
                {
                    try { File.Move(temp!, path); }
                    catch (IOException) when (File.Exists(path)) { File.Delete(temp!); } // the same content, stored meanwhile
                }
                return new SaveResult.Stored(name, size);
            }
        }
        catch
        {
            if (temp is not null) try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// Its own unit of work, as a file write is: the row is in place before the message that points at it.
    private async Task SaveRowAsync(string hash, byte[] bytes, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChorusDb>();
        if (await db.AttachmentContents.AnyAsync(x => x.Hash == hash, ct)) return;
        db.AttachmentContents.Add(new AttachmentContent { Hash = hash, Bytes = bytes, Size = bytes.LongLength });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (!await db.AttachmentContents.AnyAsync(x => x.Hash == hash, ct)) throw; // else: the same content, stored meanwhile (another node)
        }
    }

    /// The stored content, or null when it is missing (a restore without the data directory).
    public Stream? OpenRead(string hash)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower)) return null;
        if (InDatabase)
        {
            using var scope = scopes.CreateScope();
            var bytes = scope.ServiceProvider.GetRequiredService<ChorusDb>().AttachmentContents.Where(x => x.Hash == hash).Select(x => x.Bytes).FirstOrDefault();
            if (bytes is not null) return new MemoryStream(bytes, writable: false);
            // Not there: a file stored before the switch to the database is still read from the data directory.
        }
        var path = PathOf(hash);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous) : null;
    }

    /// Removes a stored file (erasure); false when there was none.
    public bool Delete(string hash)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower)) return false;
        if (InDatabase)
        {
            using var scope = scopes.CreateScope();
            if (scope.ServiceProvider.GetRequiredService<ChorusDb>().AttachmentContents.Where(x => x.Hash == hash).ExecuteDelete() > 0) return true;
        }
        var path = PathOf(hash);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    private string PathOf(string hash) => Path.Combine(_root, hash[..2], hash[2..4], hash);
}
