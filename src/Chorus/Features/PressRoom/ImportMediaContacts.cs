using System.Text;
using Chorus.Common;
using Chorus.Data;
using Chorus.Features.Admin;
using Chorus.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Chorus.Features.PressRoom;

/// A CSV of journalists, as pasted or uploaded. ListId adds every imported journalist to that media list.
public sealed record MediaContactImportInput(string? Csv, Guid? ListId = null);

/// One data row of the file: what it says, what importing it would do ("create", "update") or, with
/// errors, why it is skipped. Line is the row's line number in the file (the header is line 1).
public sealed record MediaContactImportRow(int Line, string? Name, string? Email, string? Outlet, IReadOnlyList<string> Beats, string? Notes,
    string? Action, IReadOnlyList<string> Errors);

/// The preview: every row with its problems, and the file's own problems (unknown columns are ignored).
public sealed record MediaContactImportPreview(IReadOnlyList<string> Columns, IReadOnlyList<string> FileProblems, IReadOnlyList<MediaContactImportRow> Rows,
    int Good, int Bad);

public sealed record MediaContactImportSkip(int Line, string? Email, string Reason);

/// What an import did. Unchanged: the journalist was known with exactly this (a repeated import).
public sealed record MediaContactImportResult(int Created, int Updated, int Unchanged, IReadOnlyList<MediaContactImportSkip> Skipped,
    IReadOnlyList<string> FileProblems, int AddedToList);

/// Imports journalists from CSV: a preview that lists each row's problems in plain words, then an
/// import of the good rows in one transaction. People are matched by their e-mail identity, so
/// importing the same file again creates nobody twice.
public class ImportMediaContacts(ChorusDb db, ManageMediaContacts contacts, ManageMediaLists lists, RecordAudit audit)
{
    public const int MaxRows = 5000;
    public const int MaxChars = 2_000_000;

    /// The columns Chorus reads, with the header names it accepts for each.
    private static readonly (string Column, string[] Names)[] Known =
    [
        ("name", ["name", "full name", "journalist", "contact"]),
        ("email", ["email", "e-mail", "email address", "e-mail address", "mail"]),
        ("outlet", ["outlet", "publication", "organization", "organisation", "media", "company"]),
        ("beats", ["beats", "beat", "topics", "topic"]),
        ("notes", ["notes", "note", "comments"]),
    ];

    public static string KnownColumns => string.Join(", ", Known.Select(k => k.Column));

    public async Task<Outcome<MediaContactImportPreview>> PreviewAsync(MediaContactImportInput input, CancellationToken ct = default)
    {
        if (Parse(input.Csv) is not { } parsed) return Invalid(input.Csv);
        var (preview, _) = Classify(parsed);
        // Which good rows name someone Chorus knows: those update, the others create.
        var emails = preview.Rows.Where(r => r.Errors.Count == 0).Select(r => Identity.Normalize(IdentityKind.Email, r.Email!)).ToList();
        var known = new HashSet<string>(await db.Identities.Where(i => i.Kind == IdentityKind.Email && emails.Contains(i.Handle)).Select(i => i.Handle).ToListAsync(ct));
        var rows = preview.Rows.Select(r => r.Errors.Count > 0 ? r : r with { Action = known.Contains(Identity.Normalize(IdentityKind.Email, r.Email!)) ? "update" : "create" }).ToList();
        return preview with { Rows = rows };
    }

    public async Task<Outcome<MediaContactImportResult>> ImportAsync(StaffActor actor, MediaContactImportInput input, CancellationToken ct = default)
    {
        if (!actor.CanWork) return new Outcome<MediaContactImportResult>.Forbidden("Viewers cannot import media contacts.");
        if (Parse(input.Csv) is not { } parsed) return new Outcome<MediaContactImportResult>.Invalid(((Outcome<MediaContactImportPreview>.Invalid)Invalid(input.Csv)).Errors);
        var (preview, good) = Classify(parsed);
        string? listName = null;
        if (input.ListId is { } listId)
        {
            listName = await db.Set<MediaList>().Where(l => l.Id == listId).Select(l => l.Name).SingleOrDefaultAsync(ct);
            if (listName is null) return Outcome<MediaContactImportResult>.Invalid.One("listId", "That media list does not exist (any more).");
        }
        if (good.Count == 0)
            return Outcome<MediaContactImportResult>.Invalid.One("csv", "No row can be imported: " + string.Join(" ", preview.Rows.Take(3).Select(r => $"Line {r.Line}: {string.Join(" ", r.Errors)}")));

        int created = 0, updated = 0, unchanged = 0;
        var ids = new List<Guid>();
        var outlets = new OutletCache(db);
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            foreach (var row in good)
            {
                var saved = await contacts.SaveAsync(actor, row, outlets, fromImport: true, ct);
                ids.Add(saved.PersonId);
                switch (saved.Change)
                {
                    case MediaContactChange.Created: created++; break;
                    case MediaContactChange.Updated: updated++; break;
                    default: unchanged++; break;
                }
                // Saved row by row inside the transaction: the next row must see this one's person and outlet.
                await db.SaveChangesAsync(ct);
            }
            audit.Add(actor, "media-contacts.imported", "media-contacts", null,
                $"{created} created, {updated} updated, {unchanged} unchanged, {preview.Bad} skipped" + (listName is null ? "" : $"; into {listName}"));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        db.ChangeTracker.Clear();
        var added = 0;
        if (input.ListId is { } into && await lists.AddMembersAsync(actor, into, new MediaListMembersInput(ids), ct) is Outcome<MediaListMembersResult>.Ok ok)
            added = ok.Value.Added;
        var skipped = preview.Rows.Where(r => r.Errors.Count > 0).Select(r => new MediaContactImportSkip(r.Line, r.Email, string.Join(" ", r.Errors))).ToList();
        return new MediaContactImportResult(created, updated, unchanged, skipped, preview.FileProblems, added);
    }

    private static Outcome<MediaContactImportPreview> Invalid(string? csv) => Outcome<MediaContactImportPreview>.Invalid.One("csv",
        string.IsNullOrWhiteSpace(csv) ? "The file is empty: give a CSV with a header row (name, email, outlet, beats, notes)."
        : csv.Length > MaxChars ? $"The file is larger than {MaxChars / 1_000_000} MB; split it."
        : $"The file has more than {MaxRows:N0} rows; split it.");

    private sealed record Parsed(List<string> Header, List<(int Line, List<string> Cells)> Rows);

    private static Parsed? Parse(string? csv)
    {
        if (string.IsNullOrWhiteSpace(csv) || csv.Length > MaxChars) return null;
        var records = ReadCsv(csv);
        if (records.Count == 0 || records.Count - 1 > MaxRows) return null;
        return new Parsed(records[0].Cells, records.Skip(1).Where(r => r.Cells.Any(c => c.Trim().Length > 0)).ToList());
    }

    /// The preview, and the good rows as inputs.
    private static (MediaContactImportPreview Result, List<MediaContactInput> Good) Classify(Parsed parsed)
    {
        var problems = new List<string>();
        var columns = new Dictionary<string, int>();
        for (var i = 0; i < parsed.Header.Count; i++)
        {
            var h = parsed.Header[i].Trim();
            var known = Known.FirstOrDefault(k => k.Names.Contains(h, StringComparer.OrdinalIgnoreCase));
            if (h.Length == 0) continue;
            if (known.Column is null) problems.Add($"Unknown column \"{TextLimits.Cut(h, 60)}\": it is ignored (Chorus reads {KnownColumns}).");
            else if (columns.ContainsKey(known.Column)) problems.Add($"Column \"{h}\" repeats the {known.Column} column: only the first is read.");
            else columns[known.Column] = i;
        }
        if (!columns.ContainsKey("email")) problems.Insert(0, "There is no e-mail column: every journalist needs an e-mail address (name the column \"email\").");

        var rows = new List<MediaContactImportRow>();
        var good = new List<MediaContactInput>();
        var firstLineOf = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (line, cells) in parsed.Rows)
        {
            string? Cell(string column) => columns.TryGetValue(column, out var i) && i < cells.Count && cells[i].Trim() is { Length: > 0 } v ? v : null;
            var input = new MediaContactInput(Cell("name"), Cell("email"), Cell("outlet"),
                Cell("beats") is { } b ? ManageMediaContacts.SplitBeats(b) : null, Cell("notes"));
            var errors = ManageMediaContacts.Check(input, requireEmail: true).SelectMany(e => e.Value).ToList();
            if (cells.Count > parsed.Header.Count) errors.Add($"The row has {cells.Count} cells but the header {parsed.Header.Count}: check for a comma that is not in quotes.");
            if (errors.Count == 0)
            {
                var handle = Identity.Normalize(IdentityKind.Email, input.Email!);
                if (firstLineOf.TryGetValue(handle, out var first)) errors.Add($"Duplicate in the file: the same e-mail address as line {first}.");
                else firstLineOf[handle] = line;
            }
            rows.Add(new MediaContactImportRow(line, input.Name, input.Email, input.Outlet, input.Beats ?? [], input.Notes, errors.Count == 0 ? "import" : null, errors));
            if (errors.Count == 0) good.Add(input);
        }
        var columnNames = columns.OrderBy(c => c.Value).Select(c => c.Key).ToList();
        return (new MediaContactImportPreview(columnNames, problems, rows, good.Count, rows.Count - good.Count), good);
    }

    /// RFC 4180 CSV: quoted cells with "" for a quote and line breaks inside, CRLF or LF, a byte-order
    /// mark ignored. The delimiter is a comma, or a semicolon when the header has more of those (Excel
    /// in many European locales writes semicolons). Each record keeps the line it starts on.
    public static List<(int Line, List<string> Cells)> ReadCsv(string text)
    {
        text = text.TrimStart('\uFEFF');
        var firstLine = text.Split('\n', 2)[0];
        var delimiter = firstLine.Count(c => c == ';') > firstLine.Count(c => c == ',') ? ';' : ',';
        var records = new List<(int, List<string>)>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false, any = false;
        int line = 1, start = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; cell.Append(c); }
                continue;
            }
            if (c == '"' && cell.Length == 0) { quoted = true; any = true; }
            else if (c == delimiter) { cells.Add(cell.ToString()); cell.Clear(); any = true; }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                if (any || cell.Length > 0) { cells.Add(cell.ToString()); records.Add((start, cells)); }
                cells = []; cell.Clear(); any = false;
                line++; start = line;
            }
            else { cell.Append(c); any = true; }
        }
        if (any || cell.Length > 0) { cells.Add(cell.ToString()); records.Add((start, cells)); }
        return records;
    }
}
