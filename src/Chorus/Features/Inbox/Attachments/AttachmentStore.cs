using System.Security.Cryptography;
using Chorus.Data;

namespace Chorus.Features.Inbox.Attachments;

/// Where attachment bytes live: files under the data directory named by their SHA-256
/// (attachments/ab/cd/abcd…). Content-addressed, so the same file received twice is stored once,
/// and a file written for a message whose transaction then failed is harmless (nothing points at it;
/// the next delivery finds it in place). Written to a temporary file and renamed, so a reader never
/// sees half a file. Kept out of the database so neither SQLite nor PostgreSQL grows by every PDF a
/// customer sends, and so downloads stream from disk; several nodes share the data directory (they
/// already share its Data Protection keys).
public sealed class AttachmentStore(IConfiguration config)
{
    public const long DefaultMaxFileBytes = 10L * 1024 * 1024;
    public const long DefaultMaxTotalBytes = 25L * 1024 * 1024;

    private readonly string _root = Path.Combine(DatabaseSetup.DataDirectory(config), "attachments");

    /// Largest single attachment stored (inbound and uploaded).
    public long MaxFileBytes { get; } = config.GetValue("Chorus:Attachments:MaxFileBytes", DefaultMaxFileBytes);
    /// Largest sum of attachments stored for one message.
    public long MaxTotalBytes { get; } = config.GetValue("Chorus:Attachments:MaxTotalBytes", DefaultMaxTotalBytes);

    public abstract record SaveResult
    {
        public sealed record Stored(string Hash, long Size) : SaveResult;
        /// Over the limit: nothing was kept. Size is how big it was (at least the limit plus one).
        public sealed record TooLarge(long Size) : SaveResult;
    }

    /// Stores what <paramref name="content"/> holds, unless it is longer than <paramref name="maxBytes"/>.
    public async Task<SaveResult> SaveAsync(Stream content, long maxBytes, CancellationToken ct = default)
    {
        var temp = Path.Combine(_root, "tmp", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        var buffer = new byte[81920];
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await content.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > maxBytes) break;
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }
            if (size > maxBytes)
            {
                File.Delete(temp);
                // Counted to the end (cheaply, nothing kept) so the note can say how big it was.
                if (content.CanSeek) size = content.Length;
                else while (await content.ReadAsync(buffer, ct) is var more and > 0) size += more;
                return new SaveResult.TooLarge(size);
            }
            var name = Convert.ToHexStringLower(hash.GetHashAndReset());
            var path = PathOf(name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (File.Exists(path)) File.Delete(temp);
            else
            {
                try { File.Move(temp, path); }
                catch (IOException) when (File.Exists(path)) { File.Delete(temp); } // the same content, stored meanwhile
            }
            return new SaveResult.Stored(name, size);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// The stored content, or null when the file is missing (a restore without the data directory).
    public Stream? OpenRead(string hash)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower)) return null;
        var path = PathOf(hash);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous) : null;
    }

    /// Removes a stored file (erasure); false when there was none.
    public bool Delete(string hash)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower)) return false;
        var path = PathOf(hash);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    private string PathOf(string hash) => Path.Combine(_root, hash[..2], hash[2..4], hash);
}
